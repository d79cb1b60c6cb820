"""Install the ISCED-F 2013 classification (broad, narrow, detailed; English and Chinese)."""

from django.db import migrations

from eligibility.data.isced_f_2013 import FIELDS

LEVELS = {2: "broad", 3: "narrow", 4: "detailed"}


def install(apps, schema_editor):
    FieldOfStudy = apps.get_model("eligibility", "FieldOfStudy")
    by_code = {}
    for code, name_en, name_zh in FIELDS:
        obj, _ = FieldOfStudy.objects.update_or_create(
            code=code,
            defaults={
                "level": LEVELS[len(code)],
                "parent": by_code.get(code[:-1]) if len(code) > 2 else None,
                "name_en": name_en,
                "name_zh": name_zh,
            },
        )
        by_code[code] = obj


def remove(apps, schema_editor):
    FieldOfStudy = apps.get_model("eligibility", "FieldOfStudy")
    codes = [c for c, _, _ in FIELDS]
    for level in ("detailed", "narrow", "broad"):  # children first: parents are PROTECTed
        FieldOfStudy.objects.filter(code__in=codes, level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
