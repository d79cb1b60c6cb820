"""The one way a stored document leaves the server, shared by the web page and the API."""

from axes.helpers import get_client_ip_address
from django.http import FileResponse, HttpRequest

from cases import services
from cases.models import Document


def document_download_response(request: HttpRequest, document: Document) -> FileResponse:
    """Record the access (``services.document_open_for_download``) and stream ``document`` as
    an attachment with an RFC 6266 / RFC 5987 filename, ``nosniff``, private non-stored caching
    and a sandboxing CSP. Raises ``InvalidInput`` for a file deleted by retention and
    ``Http404`` when the stored file is missing. The caller must have fetched ``document``
    through a user-scoped selector."""
    handle = services.document_open_for_download(
        document=document,
        actor=request.user,
        ip_address=get_client_ip_address(request) or None,
    )
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
