"""Older timeline events and notifications get the structured data their words are rendered
from when shown (issue 11); see ``cases/services/text_migration.py``. Irreversible in effect
(the older sentences are not written back); reversing leaves the data in place."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cases.services.text_migration import convert_events
    from cases.services.text_migration_notices import convert_notifications

    convert_events(apps)
    convert_notifications(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0038_notification_kind_data"),
        ("eligibility", "0004_verbose_names"),
        ("portal", "0006_verbose_names"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
