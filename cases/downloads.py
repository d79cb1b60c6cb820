"""The one way a stored document leaves the server, shared by the web page and the API."""

from django.http import FileResponse, Http404

from cases.models import Document


def document_file_response(document: Document) -> FileResponse:
    """Stream ``document`` as an attachment with an RFC 6266 / RFC 5987 filename, ``nosniff``,
    private non-stored caching and a sandboxing CSP. Raises ``Http404`` when the stored file is
    missing. The caller must have fetched ``document`` through a user-scoped selector."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
