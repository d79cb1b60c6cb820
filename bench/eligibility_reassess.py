"""Benchmark: re-assess 5,000 open K cases on PostgreSQL after a new rule set version.

Creates its own throw-away database (``bench_<name of DATABASE_URL's database>``, through
Django's test-database utilities), fills it with 5,000 open K cases (applicant, checklist
requirements, a degree each), runs the first assessment under K v1 and then, after publishing
K v2, the re-assessment in batches exactly as the Celery task does, counting queries per batch.
Prints wall time and query counts at two batch sizes to show the count grows per batch, not per
case. Drops the database at the end.

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/eligibility_reassess.py``
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

N_CASES = 5_000


def populate(n: int) -> list[int]:
    """Bulk-create ``n`` open K cases with requirements and one degree each; returns case ids."""
    from cases.models import Applicant, Case, DocumentRequirement, Education, VisaType
    from eligibility.models import FieldOfStudy, Institution
    from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

    rnd = random.Random(7)
    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    advisors = User.objects.bulk_create(
        User(email=f"advisor{i}@bench.test", firm=firm, role=Role.ADVISOR, full_name=f"Advisor {i}")
        for i in range(20)
    )
    visa = VisaType.objects.get(code="K", firm=firm)
    items = list(visa.checklist.all())
    fields = list(FieldOfStudy.objects.filter(code__in=["0311", "0533", "0613", "0714", "0912"]))
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"Bench University {i}",
            country="DE",
            kind="university",
            recognized=i % 3 != 0,
            recognition_source="bench",
        )
        for i in range(30)
    )
    applicants = Applicant.objects.bulk_create(
        Applicant(
            firm=firm,
            given_names=f"Given{i}",
            family_name=f"Family{i}",
            email=f"applicant{i}@bench.test",
            date_of_birth=dt.date(rnd.randint(1970, 2004), rnd.randint(1, 12), 1),
            nationality="DE",
            passport_expiry=dt.date(2032, 1, 1),
        )
        for i in range(n)
    )
    today = dt.date(2026, 6, 1)
    cases = Case.objects.bulk_create(
        Case(
            firm=firm,
            reference=f"K-2026-{i:05d}",
            applicant=a,
            visa_type=visa,
            advisor=advisors[i % len(advisors)],
            stage="assessment",
            opened_on=today,
            intended_entry_date=today + dt.timedelta(days=rnd.randint(30, 300)),
        )
        for i, a in enumerate(applicants)
    )
    DocumentRequirement.objects.bulk_create(
        (
            DocumentRequirement(
                case=c,
                checklist_item=item,
                code=item.code,
                position=item.position,
                name_en=item.name_en,
                name_zh=item.name_zh,
                required=item.required,
            )
            for c in cases
            for item in items
        ),
        batch_size=2000,
    )
    Education.objects.bulk_create(
        (
            Education(
                applicant=a,
                level=rnd.choice([6, 7, 8]),
                field=rnd.choice(fields),
                institution=rnd.choice(institutions),
                graduation_date=dt.date(2015, 6, 30),
            )
            for a in applicants
        ),
        batch_size=2000,
    )
    return [c.pk for c in cases]


def reassess(rule_set_id: int, ids: list[int], batch: int) -> tuple[float, list[int], object]:
    """Run the batches as the Celery task does; returns wall seconds, queries per batch and the
    total outcome changes."""
    from collections import Counter

    from cases.services.eligibility import cases_reassess_for_rule_set

    per_batch = []
    changes: Counter = Counter()
    start = time.perf_counter()
    for i in range(0, len(ids), batch):
        with CaptureQueriesContext(connection) as ctx:
            changes += cases_reassess_for_rule_set(
                rule_set_id=rule_set_id, case_ids=ids[i : i + batch], today=dt.date(2026, 6, 1)
            )
        per_batch.append(len(ctx.captured_queries))
    return time.perf_counter() - start, per_batch, changes


def main() -> None:
    if connection.vendor != "postgresql":
        print("skipped: set DATABASE_URL to a PostgreSQL server (this benchmark needs it)")
        return
    # A dedicated throw-away database, distinct from pytest's test_<name>.
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    settings.ELIGIBILITY_ON_PUBLISH = ""  # the benchmark runs the batches itself
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from eligibility import services as elig
        from eligibility.models import RuleSet
        from portal.models import Role, User

        t0 = time.perf_counter()
        ids = populate(N_CASES)
        print(
            f"created {len(ids):,} open K cases in {time.perf_counter() - t0:.1f} s "
            f"(database {connection.settings_dict['NAME']})"
        )
        admin = User.objects.create(
            email="admin@bench.test", role=Role.ADMIN, is_staff=True, is_platform_admin=True
        )
        # The published K rule set (v2 since eligibility/0006; v1 is retired).
        v1 = RuleSet.objects.published().get(visa_type_code="K")
        secs, per_batch, _ = reassess(v1.pk, ids, 500)
        print(
            f"first assessment under K v{v1.version}: {len(ids):,} cases in {secs:.2f} s "
            f"({len(ids) / secs:,.0f} cases/s), {sum(per_batch)} queries "
            f"({per_batch[0]} per batch of 500)"
        )

        v2 = elig.rule_set_new_version(rule_set=v1, actor=admin)
        criteria = v2.criteria
        criteria["children"][1]["years"] = 40  # a stricter reported maximum age
        elig.rule_set_update_draft(rule_set=v2, actor=admin, criteria=criteria)
        elig.rule_set_publish(rule_set=v2, actor=admin)
        secs, per_batch, changes = reassess(v2.pk, ids, 500)
        print(
            f"re-assessment under K v{v2.version} (batches of 500): "
            f"{len(ids):,} cases in {secs:.2f} s "
            f"({len(ids) / secs:,.0f} cases/s), {sum(per_batch)} queries in "
            f"{len(per_batch)} batches, per batch {sorted(set(per_batch))}"
        )
        print(
            "  outcome changes: "
            + ", ".join(f"{a or '-'} -> {b}: {n}" for (a, b), n in sorted(changes.items()))
        )
        again, again_batches, again_changes = reassess(v2.pk, ids, 500)
        print(
            f"running it again (idempotent): {sum(again_changes.values())} changes, "
            f"{sum(again_batches)} queries in {again:.2f} s"
        )

        v3 = elig.rule_set_new_version(rule_set=v2, actor=admin)
        elig.rule_set_publish(rule_set=v3, actor=admin)
        secs, per_batch, _ = reassess(v3.pk, ids, 100)
        print(
            f"re-assessment under K v{v3.version} (batches of 100): "
            f"{len(ids):,} cases in {secs:.2f} s, "
            f"{sum(per_batch)} queries in {len(per_batch)} batches, per batch "
            f"{sorted(set(per_batch))}: the count follows batches, not cases"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
