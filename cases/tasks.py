"""Celery tasks of cases: thin wrappers that call one service."""

from celery import shared_task

from cases import privacy


@shared_task
def retention_sweep(dry_run: bool = False) -> int:
    """Apply the retention rules (``cases.privacy.retention_apply``); returns how many files
    were deleted (or would be, with ``dry_run``). Safe to run twice. Schedule it daily in
    django-celery-beat (admin: Periodic tasks)."""
    return len(privacy.retention_apply(dry_run=dry_run))
