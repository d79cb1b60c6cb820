"""Route conditions of checklist items and requirements (issue 13); 0037 fills them in."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0035_case_document_summary")]
    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="route_condition",
            field=models.CharField(
                blank=True,
                help_text="Leave empty to ask every applicant. Otherwise the criterion ids of "
                "the rule set's routes on which this document is required, separated by "
                "commas; * matches any characters (for example k-degree, or r-class-a-* for "
                "every Class A route). On other routes the document is shown as not needed, "
                "and uploads are kept. Until the assessment shows the route, the document is "
                "asked.",
                max_length=500,
                verbose_name="required only on routes",
            ),
        ),
        migrations.AddField(
            model_name="documentrequirement",
            name="route_condition",
            field=models.CharField(
                blank=True, max_length=500, verbose_name="required only on routes"
            ),
        ),
    ]
