"""Install and publish K visa v1 and R visa v1 (sources in eligibility/data/rule_sets_v1.py)."""

from django.db import migrations

from eligibility.data.rule_sets_v1 import SEED


def install(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    for spec in SEED:
        if RuleSet.objects.filter(
            visa_type_code=spec["visa_type_code"], version=spec["version"]
        ).exists():
            continue
        has_published = RuleSet.objects.filter(
            visa_type_code=spec["visa_type_code"], status="published"
        ).exists()
        RuleSet.objects.create(
            visa_type_code=spec["visa_type_code"],
            version=spec["version"],
            status="draft" if has_published else "published",
            effective_date=spec["effective_date"],
            citations=spec["citations"],
            criteria=spec["criteria"],
            notes="Seeded by migration eligibility/0003_elig_seed_rule_sets.",
        )


def remove(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    for spec in SEED:
        RuleSet.objects.filter(
            visa_type_code=spec["visa_type_code"], version=spec["version"], assessments=None
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0002_elig_seed_fields_of_study")]
    operations = [migrations.RunPython(install, remove)]
