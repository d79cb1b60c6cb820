"""Audited reads of stored documents: the download and preview permission check, a streamed
download, or a presigned bucket URL; every read is recorded (``cases/services/access.py``)."""

from typing import IO

from django.http import Http404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import AccessKind, Document
from cases.services.access import document_access_record
from portal.errors import InvalidInput
from portal.models import User
from portal.storage import PRESIGNED_URL_SECONDS


def document_ensure_downloadable(document: Document, actor: User) -> None:
    """For downloads and previews: raise ``Http404`` when ``actor`` may not download
    ``document`` and ``InvalidInput`` when the retention rule deleted its file."""
    if not permissions.can_download_document(actor, document):
        raise Http404("No such document.")
    if document.file_deleted:
        raise InvalidInput(
            _("This file was deleted on %(date)s under the retention rule; only its record stays.")
            % {
                "date": document.file_deleted_at.date().isoformat()
                if document.file_deleted_at
                else ""
            }
        )


def document_open_for_download(
    *, document: Document, actor: User, ip_address: str | None, kind: str = AccessKind.DOWNLOAD
) -> IO[bytes]:
    """Open a stored document version for ``actor`` and record the access (who, when, which
    version, how, from which IP) in the access log and the audit trail, in one transaction.

    The caller has checked visibility (through ``selectors.document_get_for_user``); web and API
    downloads and previews both call this. Raises ``InvalidInput`` when the file was deleted by
    the retention rule and ``Http404`` when the stored file is missing or ``actor`` may not
    download it (``permissions.can_download_document``).
    """
    document_ensure_downloadable(document, actor)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    document_access_record(document=document, user=actor, kind=kind, ip_address=ip_address)
    return handle


def document_download_url(
    *, document: Document, actor: User, ip_address: str | None, kind: str = AccessKind.DOWNLOAD
) -> str:
    """A presigned URL of the document's object in the bucket, valid for
    ``portal.storage.PRESIGNED_URL_SECONDS`` (60 s), whose response carries the same
    ``Content-Disposition`` (attachment, RFC 6266 filename), content type and no-store caching
    as a streamed download; the access is recorded as by ``document_open_for_download``.

    Only for S3 storage (``PORTAL_DOWNLOAD_REDIRECT``). Raises ``InvalidInput`` (retention) and
    ``Http404`` (missing object, not allowed) like ``document_open_for_download``.
    """
    document_ensure_downloadable(document, actor)
    storage = document.file.storage
    if not storage.exists(document.file.name):
        raise Http404("The stored file is missing.")
    url = storage.url(
        document.file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(
                as_attachment=True, filename=document.original_filename
            ),
            "ResponseContentType": document.content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=PRESIGNED_URL_SECONDS,
    )
    document_access_record(document=document, user=actor, kind=kind, ip_address=ip_address)
    return url
