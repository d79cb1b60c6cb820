"""Publish version 2 of the K and R questionnaires seeded by 0017: "Longest stay in China per
visit (days)" becomes a whole number from 1 to 365 (it was free text, so "ninety" or "9000"
passed). Published versions are immutable, so this is a new version, as an admin would make
it: version 1 is retired, cases that started on it keep it (their answers were given to its
questions), new ones start on version 2. A database seeded after this change already has the
number question in version 1 (0017 reads the current seed files): nothing happens there.
"""

import copy

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

SEEDED_NOTE = "Seeded by migration 0017_questionnaires."
NOTE = "Version 2 by migration 0029: the days of stay are a whole number from 1 to 365."


def _as_number(definition):
    changed = False
    for section in definition.get("sections", []):
        for i, question in enumerate(section.get("questions", [])):
            if question.get("key") == "stay_days" and question.get("type") == "text":
                new = {k: v for k, v in question.items() if k != "max_length"}
                new.update(type="number", min=1, max=365)
                section["questions"][i] = new
                changed = True
    return changed


def publish_v2(apps, schema_editor):
    Questionnaire = apps.get_model("cases", "Questionnaire")
    for old in Questionnaire.objects.filter(status="published", notes=SEEDED_NOTE, version=1):
        definition = copy.deepcopy(old.definition)
        if not _as_number(definition):
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
    dependencies = [("cases", "0028_questionnaire_reminders")]

    operations = [migrations.RunPython(publish_v2, migrations.RunPython.noop)]
