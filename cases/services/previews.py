"""Document previews (issue 10): PNG page images made by the worker once per version
(``cases.tasks.document_preview``, queued on commit when a version becomes ready) and served
through the same permission check and access log as downloads.

The images are private files like the documents (random storage key, no public URL); a
retention deletion removes them with the file (``cases/services/privacy.py``).
"""

import logging
import secrets
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404

from cases.models import PREVIEW_FAILED_KEY, AccessKind, Document, VersionState
from cases.services.access import document_access_record
from cases.services.downloads import document_ensure_downloadable
from cases.uploads.previews import render_preview
from portal.models import User

log = logging.getLogger(__name__)


def document_preview_build(*, document_id: int) -> int:
    """Render and store the preview of one ready version; return its page count (0 when there
    is nothing to do: not ready, file deleted, or already made). Safe to run twice: the
    version is claimed by a conditional UPDATE of ``preview_key``. On an error the claim is
    released and the pages written so far are deleted, then the error propagates (the task
    retries)."""
    key = f"previews/{secrets.token_hex(2)}/{secrets.token_hex(16)}"
    claimed = Document.objects.filter(
        pk=document_id, state=VersionState.READY, file_deleted_at__isnull=True, preview_key=""
    ).update(preview_key=key)
    if not claimed:
        return 0
    document = Document.objects.get(pk=document_id)
    storage = document.file.storage
    written: list[str] = []
    try:
        with document.file.open("rb") as handle:
            pages = render_preview(stream=handle, content_type=document.content_type)
        for number, png in enumerate(pages, start=1):
            written.append(storage.save(document.preview_page_name(number), ContentFile(png)))
    except Exception:
        for name in written:
            storage.delete(name)
        Document.objects.filter(pk=document_id, preview_key=key).update(preview_key="")
        raise
    Document.objects.filter(pk=document_id, preview_key=key).update(preview_pages=len(pages))
    return len(pages)


def document_preview_give_up(*, document_id: int) -> bool:
    """Mark the preview of a version as not makeable after the worker's last try failed, so
    pages and the API say so instead of "being made" for ever (``PreviewState.FAILED``). Only a
    version with no preview and no claim is marked; returns whether it was."""
    marked = Document.objects.filter(pk=document_id, preview_key="", preview_pages=0).update(
        preview_key=PREVIEW_FAILED_KEY
    )
    if marked:
        log.warning(
            "no preview of document %s could be made; the file is still served", document_id
        )
    return bool(marked)


def document_previews_delete(document: Document) -> None:
    """Delete the stored preview pages of ``document`` once the transaction commits (the
    caller clears ``preview_key`` and ``preview_pages``)."""
    if not document.preview_key or document.preview_key == PREVIEW_FAILED_KEY:
        return
    storage = document.file.storage
    names = [document.preview_page_name(n) for n in document.preview_page_numbers]

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def document_open_preview(
    *, document: Document, actor: User, page: int, ip_address: str | None
) -> IO[bytes]:
    """Open preview page ``page`` (from 1) of ``document`` for ``actor`` and record the access
    (kind ``preview``) as a download is recorded. The caller fetched ``document`` through
    ``selectors.document_get_for_user``. Raises ``Http404`` when ``actor`` may not download
    it, the page does not exist (yet) or its image is missing, and ``InvalidInput`` when the
    retention rule deleted the file."""
    document_ensure_downloadable(document, actor)
    if not 1 <= page <= document.preview_pages:
        raise Http404("No such preview page.")
    try:
        handle = document.file.storage.open(document.preview_page_name(page), "rb")
    except FileNotFoundError:
        raise Http404("The preview image is missing.") from None
    document_access_record(
        document=document, user=actor, kind=AccessKind.PREVIEW, ip_address=ip_address
    )
    return handle
