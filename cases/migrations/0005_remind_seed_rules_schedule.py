"""Seed the default reminder rules, the every-5-minutes sweep schedule (a django-celery-beat
PeriodicTask admins can change), and each existing case's time zone from its advisor.

Re-running leaves admins' edits alone: rows are only created when missing.
"""

from django.db import migrations

DEFAULT_OFFSETS = [7, 2, 0, -3]
RULES = [
    # name, kind, audience, channel, offsets, optional
    ("Document due – applicant email", "requirement_due", "applicant", "email", DEFAULT_OFFSETS, True),
    ("Document due – applicant in-app", "requirement_due", "applicant", "in_app", DEFAULT_OFFSETS, True),
    ("Document overdue – advisor email", "requirement_due", "advisor", "email", [-3], False),
    ("Target submission – advisor email", "target_submission", "advisor", "email", DEFAULT_OFFSETS, True),
    ("Task due – assignee email", "task_due", "advisor", "email", [2, 0, -3], True),
    ("Passport validity – applicant email", "passport_validity", "applicant", "email", DEFAULT_OFFSETS, True),
    ("Passport validity – advisor in-app", "passport_validity", "advisor", "in_app", [7, 0], True),
]
SWEEP_NAME = "Reminder sweep"
SWEEP_TASK = "cases.reminders_sweep"


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("cases", "ReminderRule")
    for name, kind, audience, channel, offsets, optional in RULES:
        ReminderRule.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "audience": audience,
                "channel": channel,
                "offsets": offsets,
                "optional": optional,
                "active": True,
            },
        )
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={
            "task": SWEEP_TASK,
            "interval": every_5,
            "enabled": True,
            # A sweep still queued after 4 minutes is dropped: the next one is due anyway.
            "expire_seconds": 240,
            "description": "Records and sends due deadline reminders (issue 4).",
        },
    )
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(advisor__isnull=False).select_related("advisor"):
        if case.advisor.time_zone and case.time_zone != case.advisor.time_zone:
            Case.objects.filter(pk=case.pk).update(time_zone=case.advisor.time_zone)


def unseed(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SWEEP_NAME, task=SWEEP_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_remind_deadlines_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
