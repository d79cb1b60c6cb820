"""Firms: applicants, cases and visa types belong to one firm; existing rows move into the
default firm (created by portal 0003). Visa type codes become unique within a firm."""

import django.db.models.deletion
from django.db import migrations, models


def assign_default_firm(apps, schema_editor):  # type: ignore[no-untyped-def]
    Firm = apps.get_model("portal", "Firm")
    firm, _ = Firm.objects.get_or_create(slug="default", defaults={"name": "Default firm"})
    for name in ("VisaType", "Applicant", "Case"):
        apps.get_model("cases", name).objects.filter(firm__isnull=True).update(firm=firm)


def firm_fk(related_name: str, *, null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="portal.firm",
        verbose_name="firm",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_plausible_dates_and_limits"),
        ("portal", "0003_firms"),
    ]

    operations = [
        migrations.AddField("visatype", "firm", firm_fk("visa_types", null=True)),
        migrations.AddField("applicant", "firm", firm_fk("applicants", null=True)),
        migrations.AddField("case", "firm", firm_fk("cases", null=True)),
        migrations.RunPython(assign_default_firm, migrations.RunPython.noop),
        migrations.AlterField("visatype", "firm", firm_fk("visa_types", null=False)),
        migrations.AlterField("applicant", "firm", firm_fk("applicants", null=False)),
        migrations.AlterField("case", "firm", firm_fk("cases", null=False)),
        migrations.AlterField(
            model_name="visatype",
            name="code",
            field=models.CharField(max_length=8, verbose_name="code"),
        ),
        migrations.AlterModelOptions(name="visatype", options={"ordering": ("code", "firm_id")}),
        migrations.AddConstraint(
            model_name="visatype",
            constraint=models.UniqueConstraint(
                fields=("firm", "code"), name="visa_type_firm_code_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="applicant",
            index=models.Index(fields=["firm", "email"], name="applicant_firm_email"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["firm", "stage"], name="case_firm_stage"),
        ),
    ]
