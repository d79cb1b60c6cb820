"""Case.search_text: the normalised text the case list searches (cases/models/search.py), filled
for existing cases, with a pg_trgm GIN index on PostgreSQL (SQLite scans; its databases are
small)."""

from django.db import migrations, models

from cases.models.search import case_search_text


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.select_related("applicant").only(
        "reference",
        "applicant__given_names",
        "applicant__family_name",
        "applicant__email",
        "applicant__passport_number",
    )
    batch = []
    for case in rows.iterator(chunk_size=2000):
        a = case.applicant
        case.search_text = case_search_text(
            reference=case.reference,
            given_names=a.given_names,
            family_name=a.family_name,
            email=a.email,
            passport_number=a.passport_number,
        )
        batch.append(case)
        if len(batch) >= 2000:
            Case.objects.bulk_update(batch, ["search_text"])
            batch = []
    Case.objects.bulk_update(batch, ["search_text"])


def trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # IF NOT EXISTS: the tests re-run data migrations after a flush (tests/conftest.py).
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS case_search_trgm"
            " ON cases_case USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_firm_case_references"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
