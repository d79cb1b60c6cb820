"""Publish a new version of the K and R questionnaires still as seeded (by 0017, or version 2
of 0029) in which an end cannot come before its start: the passport's expiry date is not
before its date of issue, each employer's "To" not before its "From", each address in China's
"To" not before its "From" (``not_before``, see ``cases/questionnaires/order.py``). Before,
an address from 2027-05-01 to 2027-03-01 was accepted and sent to the advisor.

Published versions are immutable, so this is a new version, as an admin would make it: the
old one is retired, cases that started on it keep it, new cases start on the new one. A
version an admin made (other notes) is left alone; a database seeded after this change
already has the rule in version 1 (0017 reads the current seed files): nothing happens there.
"""

import copy

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

SEEDED_NOTES = (
    "Seeded by migration 0017_questionnaires.",
    "Version 2 by migration 0029: the days of stay are a whole number from 1 to 365.",
)
NOTE = "New version by migration 0031: end dates cannot be before their start dates."
# later date question key -> the earlier one it may not precede (same page or group item)
PAIRS = {"passport_expiry": "passport_issue_date", "end_date": "start_date", "to_date": "from_date"}


def _add_order(questions):
    changed = False
    keys = {q.get("key") for q in questions if q.get("type") == "date"}
    for q in questions:
        ref = PAIRS.get(q.get("key"))
        if q.get("type") == "date" and ref in keys and "not_before" not in q:
            q["not_before"] = ref
            changed = True
        if q.get("type") == "group":
            changed = _add_order(q.get("fields", [])) or changed
    return changed


def publish(apps, schema_editor):
    Questionnaire = apps.get_model("cases", "Questionnaire")
    for old in Questionnaire.objects.filter(status="published", notes__in=SEEDED_NOTES):
        definition = copy.deepcopy(old.definition)
        changed = False
        for section in definition.get("sections", []):
            changed = _add_order(section.get("questions", [])) or changed
        if not changed:
            continue
        last = Questionnaire.objects.filter(visa_type_id=old.visa_type_id).aggregate(
            v=Max("version")
        )["v"]
        Questionnaire.objects.filter(pk=old.pk).update(status="retired")
        Questionnaire.objects.create(
            firm_id=old.firm_id,
            visa_type_id=old.visa_type_id,
            version=last + 1,
            status="published",
            title_en=old.title_en,
            title_zh=old.title_zh,
            definition=definition,
            notes=NOTE,
            published_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0030_passport_readings")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
