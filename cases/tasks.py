"""Thin Celery tasks of cases: they take ids, call one service, own only the retry policy."""

import logging
from dataclasses import asdict

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from cases.models import FailureKind
from cases.services import eligibility as services_eligibility
from cases.services import passports as services_passports
from cases.services import photos as services_photos
from cases.services import previews as services_previews
from cases.services import privacy
from cases.services import uploads as services_uploads
from cases.services.sweep import deliveries_send_due as run_send_due
from cases.services.sweep import reminders_sweep as run_sweep

log = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3)
def reassess_rule_set(rule_set_id: int) -> int:
    """Split the open cases of a newly published rule set's visa type into batches of
    ``settings.ELIGIBILITY_REASSESS_BATCH`` and enqueue one task per batch. Returns batches."""
    ids = services_eligibility.reassessment_case_ids(rule_set_id=rule_set_id)
    size = int(settings.ELIGIBILITY_REASSESS_BATCH)
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    for batch in batches:
        reassess_batch.delay(rule_set_id, batch)
    return len(batches)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3)
def reassess_batch(rule_set_id: int, case_ids: list[int]) -> int:
    """Re-assess one batch (idempotent: already re-assessed cases are skipped). Returns the
    number of cases whose outcome changed."""
    changes = services_eligibility.cases_reassess_for_rule_set(
        rule_set_id=rule_set_id, case_ids=case_ids
    )
    return sum(changes.values())


def enqueue_reassessment(rule_set_id: int) -> None:
    """``settings.ELIGIBILITY_ON_PUBLISH`` hook: called on commit of a publish."""
    reassess_rule_set.delay(rule_set_id)


@shared_task
def retention_sweep(dry_run: bool = False) -> int:
    """Apply the retention rules (``cases.services.privacy.retention_apply``); returns how many
    files were deleted (or would be, with ``dry_run``). Safe to run twice. Schedule it daily in
    django-celery-beat (admin: Periodic tasks)."""
    return len(privacy.retention_apply(dry_run=dry_run))


@shared_task(name="cases.reminders_sweep", ignore_result=True)
def reminders_sweep() -> dict[str, int]:
    """Record and send the reminders due now (run every 5 minutes by beat; the schedule is a
    django-celery-beat PeriodicTask admins can edit). Safe to run twice or concurrently."""
    return asdict(run_sweep())


@shared_task(name="cases.notifications_send", ignore_result=True)
def notifications_send() -> dict[str, int]:
    """Send the notification emails whose batch window has passed (enqueued on commit of an
    event, with a countdown; the 5-minute reminder sweep sends any it missed). Safe to run
    twice or concurrently: ledger rows are claimed by a conditional UPDATE."""
    return asdict(run_send_due())


@shared_task(
    bind=True,
    name="cases.document_process",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.PORTAL_UPLOAD_SOFT_TIME_LIMIT,
    time_limit=settings.PORTAL_UPLOAD_TIME_LIMIT,
)
def document_process(self: Task, document_id: int) -> str:
    """The worker's step of one uploaded version (``services.uploads.document_process``):
    HEIC to JPEG, decode check, location removal. A failure or time-out is retried with a
    doubling wait while tries are left (``PORTAL_UPLOAD_PROCESS_TRIES``, counted in the
    database, so a killed worker's try counts too); after the last the version is ``failed``
    and its file kept. Returns the version's state."""
    try:
        return services_uploads.document_process(document_id=document_id)
    except SoftTimeLimitExceeded:
        kind = FailureKind.TIMEOUT
    except Exception:
        log.exception("processing document %s failed", document_id)
        kind = FailureKind.ERROR
    if services_uploads.document_may_retry(document_id=document_id):
        wait = int(settings.PORTAL_UPLOAD_RETRY_BASE_SECONDS) * 2**self.request.retries
        raise self.retry(countdown=wait, max_retries=services_uploads.upload_tries())
    services_uploads.document_processing_failed(document_id=document_id, kind=kind)
    return "failed"


@shared_task(
    bind=True,
    name="cases.document_preview",
    acks_late=True,
    ignore_result=True,
    max_retries=2,
    default_retry_delay=30,
    soft_time_limit=settings.PORTAL_UPLOAD_SOFT_TIME_LIMIT,
    time_limit=settings.PORTAL_UPLOAD_TIME_LIMIT,
)
def document_preview(self: Task, document_id: int) -> int:
    """Render the PNG preview of one ready version (``services.previews.
    document_preview_build``); returns its page count, 0 when there was nothing to do. Retried
    twice on any error (30 s apart); after the last try the preview is marked as not makeable
    (``document_preview_give_up``). A version without a preview still downloads and can be
    reviewed."""
    try:
        return services_previews.document_preview_build(document_id=document_id)
    except Exception as exc:
        if self.request.retries < (self.max_retries or 0):
            raise self.retry(exc=exc) from exc
        log.exception("preview of document %s failed on its last try", document_id)
        services_previews.document_preview_give_up(document_id=document_id)
        return 0


@shared_task(
    name="cases.document_photo_check",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=2,
    default_retry_delay=30,
    soft_time_limit=settings.PORTAL_UPLOAD_SOFT_TIME_LIMIT,
    time_limit=settings.PORTAL_UPLOAD_TIME_LIMIT,
)
def document_photo_check(document_id: int) -> str:
    """Check one ready version of a photo requirement and make its corrected copy
    (``services.photos.document_photo_check``, issue 13); returns ``checked`` or ``skipped``.
    Retried twice on a storage error; the checker's own errors are stored as a result."""
    return services_photos.document_photo_check(document_id=document_id)


@shared_task(
    name="cases.passport_read",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    max_retries=2,
    default_retry_delay=30,
    soft_time_limit=settings.PORTAL_UPLOAD_SOFT_TIME_LIMIT,
    time_limit=settings.PORTAL_UPLOAD_TIME_LIMIT,
)
def passport_read(document_id: int) -> str:
    """Read the machine-readable zone of one ready passport version
    (``services.passports.passport_read``); returns the reading's status. The service stores
    a reader's error as a ``failed`` reading, so only a lost database connection retries; the
    upload itself never waits on this."""
    return services_passports.passport_read(document_id=document_id)
