"""Each firm numbers its own cases: reference counters per firm, references unique per firm
(a shared counter told every firm how many cases the others opened)."""

import django.db.models.deletion
from django.db import migrations, models


def counters_to_default_firm(apps, schema_editor):  # type: ignore[no-untyped-def]
    Firm = apps.get_model("portal", "Firm")
    firm, _ = Firm.objects.get_or_create(slug="default", defaults={"name": "Default firm"})
    apps.get_model("cases", "CaseReferenceCounter").objects.filter(firm__isnull=True).update(
        firm=firm
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_event_notifications"),
        ("portal", "0003_firms"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="casereferencecounter", name="case_reference_counter_unique"
        ),
        migrations.AddField(
            model_name="casereferencecounter",
            name="firm",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="portal.firm",
            ),
        ),
        migrations.RunPython(counters_to_default_firm, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="casereferencecounter",
            name="firm",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="portal.firm"
            ),
        ),
        migrations.AddConstraint(
            model_name="casereferencecounter",
            constraint=models.UniqueConstraint(
                fields=("firm", "prefix", "year"), name="case_reference_counter_firm_unique"
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="reference",
            field=models.CharField(max_length=20, verbose_name="reference"),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                fields=("firm", "reference"), name="case_reference_firm_unique"
            ),
        ),
    ]
