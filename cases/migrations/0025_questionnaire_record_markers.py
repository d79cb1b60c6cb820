"""Mark, in the K and R questionnaires seeded by 0017, the six confirmed answers that approval
writes to the applicant record (``"record": "applicant.<field>"``, see
``cases/questionnaires/record.py``).

Published versions are otherwise immutable. This adds no question and changes no wording, type
or answer: it states what the seed already meant (the advisor confirms these answers, which
are prefilled from the same record fields), so that cases already on version 1 get the
write-back too. Only versions whose notes still say they were seeded are touched, and only
questions with the seeded key, ``confirm: advisor`` and the matching prefill; a database seeded
after this change already has the markers (0017 reads the current seed files), so it is a no-op
there.
"""

from django.db import migrations

SEEDED_NOTE = "Seeded by migration 0017_questionnaires."
FIELDS = (
    "family_name",
    "given_names",
    "date_of_birth",
    "nationality",
    "passport_number",
    "passport_expiry",
)


def _mark(definition):
    changed = False
    for section in definition.get("sections", []):
        for question in section.get("questions", []):
            key = question.get("key")
            if (
                key in FIELDS
                and question.get("confirm") == "advisor"
                and question.get("prefill") == f"applicant.{key}"
                and "record" not in question
            ):
                question["record"] = f"applicant.{key}"
                changed = True
    return changed


def add_markers(apps, schema_editor):
    Questionnaire = apps.get_model("cases", "Questionnaire")
    for questionnaire in Questionnaire.objects.filter(notes=SEEDED_NOTE, version=1):
        definition = questionnaire.definition
        if _mark(definition):
            Questionnaire.objects.filter(pk=questionnaire.pk).update(definition=definition)


class Migration(migrations.Migration):
    dependencies = [("cases", "0024_correction_notifications")]

    operations = [migrations.RunPython(add_markers, migrations.RunPython.noop)]
