"""The worker's side of an upload (issue 18): a version stored as ``processing`` by
``documents_upload`` is converted, checked and cleaned by ``cases.tasks.document_process``,
which calls ``document_process`` here, then becomes ``ready``, ``refused`` (the same message a
request-time refusal gives) or, after the last try, ``failed`` (why, and the file kept).

Tries are counted in the database (``Document.processing_attempts``, claimed by a conditional
UPDATE), so a worker that dies mid-task (killed, out of memory: the message is redelivered,
``CELERY_TASK_REJECT_ON_WORKER_LOST``) uses up a try like an exception does, and a file that
kills every worker cannot loop for ever.
"""

import hashlib
import logging
import time
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from cases.models import (
    Document,
    DocumentRequirement,
    EventKind,
    FailureKind,
    RequirementStatus,
    VersionState,
)
from cases.services.events import case_touch, event_record
from cases.services.summary import case_summary_refresh
from cases.services.timeline_text import event_data
from cases.uploads import process_upload
from portal.audit import audit_update
from portal.errors import InvalidInput

log = logging.getLogger(__name__)


def upload_tries() -> int:
    """How many times the worker's step may start for one version
    (``PORTAL_UPLOAD_PROCESS_TRIES``, default 3)."""
    return int(settings.PORTAL_UPLOAD_PROCESS_TRIES)


def documents_enqueue_processing(document_ids: list[int]) -> None:
    """Queue the worker's step for each version (call it on commit of the upload)."""
    from cases import tasks

    for pk in document_ids:
        tasks.document_process.delay(pk)


def documents_enqueue_previews(document_ids: list[int]) -> None:
    """Queue the preview of each ready version (``cases/services/previews.py``; on commit)."""
    from cases import tasks

    for pk in document_ids:
        tasks.document_preview.delay(pk)


def documents_enqueue_photo_checks(document_ids: list[int]) -> None:
    """Queue the photo check (``cases/services/photos.py``, issue 13) of each ready version
    whose checklist item checks photos; other versions are left alone (on commit)."""
    from cases import tasks

    photos = Document.objects.filter(
        pk__in=document_ids, requirement__checklist_item__photo_check=True
    ).values_list("pk", flat=True)
    for pk in photos:
        tasks.document_photo_check.delay(pk)


def documents_enqueue_passport_reads(document_ids: list[int]) -> None:
    """Queue the passport reader (``cases/services/passports.py``) for each ready version of a
    passport bio-data page (the caller picks them by ``requirement.reads_passport``; on
    commit, beside the previews)."""
    from cases import tasks

    for pk in document_ids:
        tasks.passport_read.delay(pk)


def document_may_retry(*, document_id: int) -> bool:
    """Whether the version is still processing with tries left (the task retries then)."""
    return Document.objects.filter(
        pk=document_id, state=VersionState.PROCESSING, processing_attempts__lt=upload_tries()
    ).exists()


def document_process(*, document_id: int) -> str:
    """Run the worker's step for one version; return its state afterwards (a
    ``VersionState`` value, or ``"missing"`` for an unknown id).

    Safe to run twice: a version no longer ``processing`` is left alone. A version whose tries
    were all claimed without finishing (each worker died) becomes ``failed`` with
    ``FailureKind.WORKER_LOST``. Refusal messages are written in the uploader's language.
    Exceptions other than ``InvalidInput`` propagate: the task retries or gives up
    (``document_processing_failed``)."""
    claimed = Document.objects.filter(
        pk=document_id, state=VersionState.PROCESSING, processing_attempts__lt=upload_tries()
    ).update(processing_attempts=F("processing_attempts") + 1)
    if not claimed:
        state = Document.objects.filter(pk=document_id).values_list("state", flat=True).first()
        if state == VersionState.PROCESSING:
            document_processing_failed(document_id=document_id, kind=FailureKind.WORKER_LOST)
            return VersionState.FAILED
        return state or "missing"
    document = Document.objects.select_related("requirement__case", "uploaded_by").get(
        pk=document_id
    )
    pause = float(settings.PORTAL_UPLOAD_PROCESS_PAUSE_SECONDS)
    if pause > 0:  # lets the integration test kill a worker in the middle of a try
        time.sleep(pause)
    with translation.override(document.uploaded_by.preferred_language or "en"):
        try:
            with document.file.open("rb") as handle:
                result = process_upload(
                    stream=handle,
                    content_type=document.content_type,
                    display_name=document.original_filename,
                )
                new_name = _store_replacement(document, result.stream) if result.changed else ""
        except InvalidInput as exc:
            _finish_not_ready(document, VersionState.REFUSED, exc.message)
            return VersionState.REFUSED
    _finish_ready(document, new_name, result.content_type, result.display_name)
    return VersionState.READY


def _store_replacement(document: Document, stream: IO[bytes]) -> str:
    """Store the cleaned bytes under a new random key; return the key."""
    storage = document.file.storage
    stream.seek(0)
    return str(storage.save(document.file.field.generate_filename(document, "upload"), stream))


def _digest(document: Document, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with document.file.storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _finish_ready(document: Document, new_name: str, content_type: str, display_name: str) -> None:
    storage = document.file.storage
    fields: dict[str, object] = {"state": VersionState.READY, "processed_at": timezone.now()}
    if new_name:
        size, sha256 = _digest(document, new_name)
        fields.update(
            file=new_name,
            content_type=content_type,
            original_filename=display_name,
            size_bytes=size,
            sha256=sha256,
        )
    with transaction.atomic():
        hit = Document.objects.filter(pk=document.pk, state=VersionState.PROCESSING).update(
            **fields
        )
        if not hit:  # finished by another delivery meanwhile: keep its result
            if new_name:
                transaction.on_commit(lambda: storage.delete(new_name))
            return
        transaction.on_commit(lambda: documents_enqueue_previews([document.pk]))
        transaction.on_commit(lambda: documents_enqueue_photo_checks([document.pk]))
        if document.requirement.reads_passport:
            transaction.on_commit(lambda: documents_enqueue_passport_reads([document.pk]))
        if new_name:
            old = document.file.name
            # The original held the location or was the HEIC: it goes once the new one is in.
            transaction.on_commit(lambda: storage.delete(old))
            audit_update(
                document,
                {
                    "sha256": (document.sha256, fields["sha256"]),
                    "content_type": (document.content_type, content_type),
                },
                actor=None,
            )


def document_processing_failed(*, document_id: int, kind: str) -> None:
    """Give up on a version after its last try: ``failed`` with ``kind`` (a ``FailureKind``),
    its file kept, the requirement back with the applicant. Does nothing to a version that is
    no longer processing."""
    document = (
        Document.objects.select_related("requirement__case")
        .filter(pk=document_id, state=VersionState.PROCESSING)
        .first()
    )
    if document is not None:
        _finish_not_ready(document, VersionState.FAILED, str(kind))


def _finish_not_ready(document: Document, state: str, reason: str) -> None:
    """Mark ``document`` refused (its file removed, as a request-time refusal stores nothing)
    or failed (its file kept); the requirement waits on the applicant again."""
    requirement = document.requirement
    case = requirement.case
    storage = document.file.storage
    now = timezone.now()
    refused = state == VersionState.REFUSED
    fields: dict[str, object] = {"state": state, "state_reason": reason, "processed_at": now}
    if refused:
        fields.update(file_deleted_at=now, file_deleted_reason="refused by the upload checks")
    with transaction.atomic():
        hit = Document.objects.filter(pk=document.pk, state=VersionState.PROCESSING).update(
            **fields
        )
        if not hit:
            return
        if refused:
            name = document.file.name
            transaction.on_commit(lambda: storage.delete(name))
        moved = DocumentRequirement.objects.filter(
            pk=requirement.pk, current_document=document, status=RequirementStatus.UPLOADED
        ).update(status=RequirementStatus.MISSING, updated_at=now)
        if moved:
            audit_update(
                requirement,
                {"status": (RequirementStatus.UPLOADED, RequirementStatus.MISSING)},
                actor=None,
            )
            case_summary_refresh(case_ids=[case.pk])
        event_record(
            case=case,
            actor=None,
            kind=EventKind.UPLOAD,
            before=VersionState.PROCESSING,
            after=state,
            data=event_data(
                "upload_checked",
                requirement=requirement.code,
                document=document.pk,
                state=state,
                version=document.version,
                name_en=requirement.name_en,
                name_zh=requirement.name_zh,
                file=document.original_filename,
                reason=reason,
            ),
        )
        case_touch(case)
    log.info("document %s %s: %s", document.pk, state, reason)
