"""Celery tasks of cases: thin wrappers that call one service."""

from dataclasses import asdict

from celery import shared_task

from cases.reminders.sweep import reminders_sweep as run_sweep


@shared_task(name="cases.reminders_sweep", ignore_result=True)
def reminders_sweep() -> dict[str, int]:
    """Record and send the reminders due now (run every 5 minutes by beat; the schedule is a
    django-celery-beat PeriodicTask admins can edit). Safe to run twice or concurrently."""
    return asdict(run_sweep())
