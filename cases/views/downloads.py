"""The one way a stored document leaves the server, shared by the web page and the API."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect

from cases import services
from cases.models import Document
from cases.services.previews import document_open_preview


def document_download_response(request: HttpRequest, document: Document) -> HttpResponse:
    """Record the access (``services.document_open_for_download``) and stream ``document`` as
    an attachment with an RFC 6266 / RFC 5987 filename, ``nosniff``, private non-stored caching
    and a sandboxing CSP. With ``PORTAL_DOWNLOAD_REDIRECT`` (bucket storage only) answer 302 to a
    presigned URL of 60 seconds that forces the same filename, type and caching instead
    (``services.document_download_url``). Raises ``InvalidInput`` for a file deleted by
    retention and ``Http404`` when the stored file is missing. The caller must have fetched
    ``document`` through a user-scoped selector."""
    if settings.PORTAL_DOWNLOAD_REDIRECT:
        redirect = HttpResponseRedirect(
            services.document_download_url(
                document=document,
                actor=request.user,
                ip_address=get_client_ip_address(request) or None,
            )
        )
        redirect["Cache-Control"] = "private, no-store"
        # The signed URL must not travel further in a Referer header.
        redirect["Referrer-Policy"] = "no-referrer"
        return redirect
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


def document_preview_response(request: HttpRequest, document: Document, page: int) -> HttpResponse:
    """Record the access (kind ``preview``, ``services.previews.document_open_preview``) and
    stream preview page ``page`` of ``document``: a PNG made on the server, never the file
    itself, shown inline with ``nosniff``, private non-stored caching and a sandboxing CSP.
    Raises ``Http404`` (not allowed, no such page) and ``InvalidInput`` (retention) like a
    download. The caller fetched ``document`` through a user-scoped selector."""
    handle = document_open_preview(
        document=document,
        actor=request.user,
        page=page,
        ip_address=get_client_ip_address(request) or None,
    )
    stem = document.original_filename.rsplit(".", 1)[0] or "document"
    response = FileResponse(
        handle, as_attachment=False, filename=f"{stem}-page-{page}.png", content_type="image/png"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
