"""User.email_canonical: the comparison key of the email (portal/identity.py), filled for
existing accounts and unique. Existing duplicates: see portal/identity_migration.py (the
oldest account keeps the address; later ones are marked, not changed otherwise)."""

from django.db import migrations, models

import portal.identity
from portal.identity_migration import fill_canonical


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    fill_canonical(apps.get_model("portal", "User"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_invitations")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_canonical",
            field=portal.identity.CanonicalEmailField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                max_length=254,
                unique=True,
                validators=[portal.identity.validate_email_identity],
                verbose_name="email address",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("email_canonical",),
                name="user_email_canonical_unique",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
