"""Applicant.email_canonical: the comparison key of the email (portal/identity.py), filled for
existing applicants and unique within a firm; it replaces the (firm, email) index. Existing
duplicates within a firm: see portal/identity_migration.py (the oldest applicant keeps the
address for look-ups; later ones are marked, not changed otherwise)."""

from django.db import migrations, models

import portal.identity
from portal.identity_migration import fill_canonical


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    fill_canonical(apps.get_model("cases", "Applicant"), group_by="firm_id")


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_seed_case_steps"), ("portal", "0005_email_canonical")]

    operations = [
        migrations.AddField(
            model_name="applicant",
            name="email_canonical",
            field=portal.identity.CanonicalEmailField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="applicant",
            name="email",
            field=models.EmailField(
                max_length=254,
                validators=[portal.identity.validate_email_identity],
                verbose_name="email",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="applicant", name="applicant_firm_email"),
        migrations.AddConstraint(
            model_name="applicant",
            constraint=models.UniqueConstraint(
                fields=("firm", "email_canonical"),
                name="applicant_firm_email_canonical_unique",
                violation_error_message=(
                    "An applicant with this email address already exists in this firm."
                ),
            ),
        ),
    ]
