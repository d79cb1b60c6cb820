"""Record on each stage-change event when the case had entered the stage it left, and backfill
existing events from the timeline (the days-per-stage report reads stays without a window over
every case's history; bench/reports.py)."""

from django.db import migrations, models

# The same rule as ``case_transition`` writes: the previous opening, stage change or override
# of the case (by time, then id). One statement on PostgreSQL and SQLite (3.33+: UPDATE FROM).
BACKFILL = """
UPDATE cases_caseevent SET stage_entered_at = w.entered
FROM (
    SELECT id, LAG(created_at) OVER (PARTITION BY case_id ORDER BY created_at, id) AS entered
    FROM cases_caseevent WHERE kind IN ('opened', 'stage', 'override')
) AS w
WHERE w.id = cases_caseevent.id AND w.entered IS NOT NULL
  AND cases_caseevent.kind IN ('stage', 'override')
"""


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0022_document_previews"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="stage_entered_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(
                condition=models.Q(("stage_entered_at__isnull", False)),
                fields=["created_at"],
                include=("case", "before", "stage_entered_at"),
                name="caseevent_stage_stay_idx",
            ),
        ),
    ]
