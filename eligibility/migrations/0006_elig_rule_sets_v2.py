"""Install and publish K visa v2 and R visa v2 (sources and changes in
eligibility/data/rule_sets_v2.py), superseding the published version the way
``eligibility.services.rule_set_publish`` does: the visa type's published rule set is retired
(kept, with every assessment pointing at it) and v2 is published, ``published_by`` empty.

Open cases are NOT re-assessed here. The publish service does it after commit through
``settings.ELIGIBILITY_ON_PUBLISH`` (a Celery task reading cases through the ``cases`` app's
current models and services, writing assessments, CaseEvents and notifications, and emailing
advisors). A migration may use only the historical models of its dependencies, must not send
email or depend on a running broker, and runs before later ``cases`` migrations have made the
tables match the current models. After ``migrate``, run
``manage.py reassess_published K R``: it calls the same hook, and re-assessment skips cases
already re-assessed for a rule set, so running it twice is harmless. Until then an open case
keeps its v1 assessment (marked with its version on the case page) and the next assessment
uses v2.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

from eligibility.data.rule_sets_v2 import SEED


def install(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    now = timezone.now()
    for spec in SEED:
        code = spec["visa_type_code"]
        if RuleSet.objects.filter(visa_type_code=code, criteria=spec["criteria"]).exists():
            continue
        last = RuleSet.objects.filter(visa_type_code=code).aggregate(v=Max("version"))["v"]
        RuleSet.objects.filter(visa_type_code=code, status="published").update(status="retired")
        RuleSet.objects.create(
            visa_type_code=code,
            version=max(spec["version"], (last or 0) + 1),
            status="published",
            published_at=now,
            effective_date=spec["effective_date"],
            citations=spec["citations"],
            criteria=spec["criteria"],
            notes="Seeded by migration eligibility/0006_elig_rule_sets_v2.",
        )


def remove(apps, schema_editor):
    """Delete v2 where nothing was assessed against it and publish v1 again."""
    RuleSet = apps.get_model("eligibility", "RuleSet")
    for spec in SEED:
        code = spec["visa_type_code"]
        deleted, _ = RuleSet.objects.filter(
            visa_type_code=code, criteria=spec["criteria"], assessments=None
        ).delete()
        if deleted and not RuleSet.objects.filter(visa_type_code=code, status="published"):
            RuleSet.objects.filter(visa_type_code=code, version=1, status="retired").update(
                status="published"
            )


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0005_plain_criterion_labels")]
    operations = [migrations.RunPython(install, remove)]
