"""Firms (tenants): the Firm model, the default firm, and every existing user moved into it.

Existing superusers become platform admins (they manage firms); they keep the default firm.
"""

import django.db.models.deletion
from django.db import migrations, models

DEFAULT_FIRM = {"slug": "default", "name": "Default firm"}


def default_firm(apps):  # type: ignore[no-untyped-def]
    """The default firm, created when missing (also called by later migrations and re-seeds)."""
    Firm = apps.get_model("portal", "Firm")
    firm, _ = Firm.objects.get_or_create(
        slug=DEFAULT_FIRM["slug"], defaults={"name": DEFAULT_FIRM["name"]}
    )
    return firm


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    firm = default_firm(apps)
    User = apps.get_model("portal", "User")
    User.objects.filter(is_superuser=True).update(is_platform_admin=True)
    User.objects.filter(firm__isnull=True).update(firm=firm)


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_api_tokens")]

    operations = [
        migrations.CreateModel(
            name="Firm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("slug", models.SlugField(unique=True, verbose_name="short name")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ("name", "id"),
                "verbose_name": "firm",
                "verbose_name_plural": "firms",
            },
        ),
        migrations.AddField(
            model_name="user",
            name="firm",
            field=models.ForeignKey(
                blank=True,
                help_text="Every account belongs to one firm; only platform admins may have none.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="users",
                to="portal.firm",
                verbose_name="firm",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="is_platform_admin",
            field=models.BooleanField(
                default=False,
                help_text="Platform admins manage firms and see the data of every firm.",
                verbose_name="platform admin",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="is_supervisor",
            field=models.BooleanField(
                default=False,
                help_text="Supervising advisors see every case of their firm.",
                verbose_name="supervisor",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("firm__isnull", False), ("is_platform_admin", True), _connector="OR"
                ),
                name="user_firm_unless_platform_admin",
                violation_error_message="Choose the firm this account belongs to.",
            ),
        ),
    ]
