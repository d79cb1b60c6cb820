"""The reports of issue 16 over 100,000 cases and about 1,000,000 timeline events.

Creates a throw-away PostgreSQL database (``portal_bench_reports_<random>`` on ``BENCH_PG``,
default postgres://postgres@127.0.0.1:5432; dropped at the end, whatever happens), migrates it,
then seeds it in SQL (``generate_series``): one firm, 50 advisors and a supervisor, ``--cases``
cases spread over two years and every stage (about one in nine withdrawn), each with its
opening and stage-change events plus five other events (messages) and four document
requirements due from 60 days ago to 59 days ahead. It then builds every
report of ``/reports/`` for the supervisor (the whole firm) and for one advisor, three times
each, and prints the median wall time, the query count and, per query, the execution time of
``EXPLAIN (ANALYZE, BUFFERS)`` with the plan of the slowest one. Documents are not seeded: the
review-waiting figures run on an empty table here.

    nice .venv/bin/python bench/reports.py                 # 100,000 cases
    nice .venv/bin/python bench/reports.py --cases 10000   # a quicker run
    nice .venv/bin/python bench/reports.py --db portal_bench  # kept, to study the plans

With ``--db NAME`` the database NAME is used (created when missing) and kept afterwards; when it
already holds the bench's cases, seeding is skipped and only the measurements run again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

SEED_SQL = """
WITH f AS (SELECT id FROM portal_firm WHERE slug = 'default')
INSERT INTO cases_applicant (given_names, family_name, email, phone, nationality, passport_number,
                             created_at, updated_at, firm_id, email_canonical, version)
SELECT 'Given' || i, 'Family' || i, 'a' || i || '@bench.test', '', 'DE', 'P' || i, now(), now(),
       (SELECT id FROM f), 'a' || i || '@bench.test', 1
FROM generate_series(1, %(n)s) i;

WITH f AS (SELECT id FROM portal_firm WHERE slug = 'default'),
     adv AS (SELECT array_agg(id ORDER BY id) a FROM portal_user
             WHERE email LIKE 'bench-advisor-%%'),
     vt AS (SELECT array_agg(id ORDER BY code) v FROM cases_visatype
            WHERE firm_id = (SELECT id FROM f) AND code IN ('K', 'R')),
     ap AS (SELECT id, row_number() OVER (ORDER BY id) i FROM cases_applicant
            WHERE email LIKE '%%@bench.test'),
     main AS (SELECT ARRAY['intake','assessment','documents','review','ready','submitted',
                           'decided','closed','withdrawn'] m)
INSERT INTO cases_case (reference, stage, stage_before_hold, opened_on, decision,
                        ready_override_reason, created_at, updated_at, advisor_id, applicant_id,
                        visa_type_id, time_zone, firm_id, search_text, decided_at, closed_at,
                        version)
SELECT 'B-' || ap.i, (SELECT m FROM main)[1 + ap.i %% 9], '',
       (now() - (ap.i %% 730) * interval '1 day')::date,
       CASE WHEN ap.i %% 9 IN (6, 7)
            THEN (CASE WHEN ap.i %% 4 = 0 THEN 'refused' ELSE 'approved' END) ELSE '' END,
       '', now() - (ap.i %% 730) * interval '1 day', now(),
       (SELECT a FROM adv)[1 + ap.i %% 50], ap.id, (SELECT v FROM vt)[1 + ap.i %% 2], 'UTC',
       (SELECT id FROM f), '',
       CASE WHEN ap.i %% 9 IN (6, 7) THEN now() - (ap.i %% 730) * interval '1 day'
            + interval '40 days' END,
       CASE WHEN ap.i %% 9 IN (7, 8) THEN now() - (ap.i %% 730) * interval '1 day'
            + interval '50 days' END,
       1
FROM ap;

WITH main AS (SELECT ARRAY['intake','assessment','documents','review','ready','submitted',
                           'decided','closed'] m),
     c AS (SELECT id, created_at, CASE WHEN stage = 'withdrawn' THEN 2
                  ELSE array_position((SELECT m FROM main), stage::text) - 1 END k,
                  stage = 'withdrawn' w
           FROM cases_case WHERE reference LIKE 'B-%%')
INSERT INTO cases_caseevent (case_id, kind, before, after, summary, data, internal, created_at)
SELECT c.id,
       CASE WHEN j = 0 THEN 'opened' ELSE 'stage' END,
       CASE WHEN j = 0 THEN '' WHEN c.w AND j = c.k + 1 THEN (SELECT m FROM main)[j]
            ELSE (SELECT m FROM main)[j] END,
       CASE WHEN c.w AND j = c.k + 1 THEN 'withdrawn' ELSE (SELECT m FROM main)[j + 1] END,
       '', '{}', false,
       c.created_at + (j * 4 + (c.id * (j + 1)) %% 9) * interval '1 day'
FROM c, generate_series(0, 7) j
WHERE j <= c.k OR (c.w AND j = c.k + 1);

INSERT INTO cases_caseevent (case_id, kind, before, after, summary, data, internal, created_at)
SELECT c.id, 'message', '', '', 'Bench message', '{}', false,
       c.created_at + j * interval '5 hours'
FROM cases_case c, generate_series(1, 5) j WHERE c.reference LIKE 'B-%%';
"""


# Four requirements per case (missing, rejected, uploaded, accepted in turn), due from 60 days
# ago to 59 days ahead: the overdue and due-soon figures by advisor.
REQUIREMENTS_SQL = """
INSERT INTO cases_documentrequirement (code, position, name_en, name_zh, help_en, help_zh,
    required, accepted_types, max_size_bytes, status, due_date, waived_reason, updated_at,
    case_id)
SELECT 'bench-' || j, j, 'Bench ' || j, '', '', '', true, '[]', 1000000,
       (ARRAY['missing', 'rejected', 'uploaded', 'accepted'])[1 + (c.id + j) % 4],
       current_date + ((c.id * 7 + j * 13) % 120 - 60)::int, '', now(), c.id
FROM cases_case c, generate_series(1, 4) j WHERE c.reference LIKE 'B-%'
"""


def _child(db_url: str, n: int) -> None:
    """Seed and measure (runs with ``DATABASE_URL`` pointing at the bench database)."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from cases.selectors.reports import ReportFilters, report_cases_for_user

    stays = importlib.import_module("cases.migrations.0023_caseevent_stage_stays")
    stays_backfill = stays.BACKFILL
    from cases.views.reports import build_reports
    from portal.models import Role, User
    from tests.factories import default_firm

    firm = default_firm()
    for i in range(50):
        User.objects.get_or_create(
            email=f"bench-advisor-{i:02d}@bench.test",
            defaults={"role": Role.ADVISOR, "firm": firm, "full_name": "A"},
        )
    supervisor, _created = User.objects.get_or_create(
        email="bench-supervisor@bench.test",
        defaults={"role": Role.ADVISOR, "is_supervisor": True, "firm": firm, "full_name": "S"},
    )
    advisor = User.objects.get(email="bench-advisor-07@bench.test")
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE reference LIKE 'B-%%'")
        if not cursor.fetchone()[0]:
            for statement in SEED_SQL.split(";\n\n"):
                cursor.execute(statement % {"n": n})
            # What case_transition writes on each stage change (CaseEvent.stage_entered_at).
            cursor.execute(stays_backfill)
        cursor.execute("SELECT count(*) FROM cases_documentrequirement WHERE code LIKE 'bench-%'")
        if not cursor.fetchone()[0]:
            cursor.execute(REQUIREMENTS_SQL)
        # The steady state autovacuum keeps (visibility map set, statistics current).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_caseevent")
        events = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_documentrequirement")
        requirements = cursor.fetchone()[0]
    print(
        f"seeded {cases} cases, {events} events, {requirements} requirements"
        f" in {time.monotonic() - started:.0f} s"
    )
    today = timezone.now().date()
    filters = ReportFilters(today - dt.timedelta(days=365), today)
    for label, user in (("supervisor (firm)", supervisor), ("advisor (own cases)", advisor)):
        times, captured = [], []
        for _ in range(3):
            queries: list[tuple[str, tuple]] = []

            def capture(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
                queries.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(capture):
                t0 = time.monotonic()
                build_reports(
                    cases=report_cases_for_user(user=user, filters=filters),
                    viewer=user,
                    filters=filters,
                    now=timezone.now(),
                )
                times.append(time.monotonic() - t0)
            captured = queries
        print(
            f"\n== {label}: median {statistics.median(times) * 1000:.0f} ms over 3 runs, "
            f"{len(captured)} queries"
        )
        plans = []
        with connection.cursor() as cursor:
            for sql, params in captured:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, params)
                plan = [r[0] for r in cursor.fetchall()]
                ms = float(plan[-1].split(":")[1].split()[0])
                plans.append((ms, sql, plan))
                print(f"  {ms:8.1f} ms  {sql[:110]}")
        slowest = max(plans, key=lambda p: p[0])
        print("  slowest plan:")
        print("\n".join("    " + line for line in slowest[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", help="use (create when missing) and keep this database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.cases)
        return
    import psycopg

    name = args.db or f"portal_bench_reports_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/{name}",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        python = sys.executable
        migrate = [python, "manage.py", "migrate", "-v0"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603 - fixed arguments
        subprocess.run(  # noqa: S603 - this script, fixed arguments
            [python, __file__, "--child", env["DATABASE_URL"], "--cases", str(args.cases)],
            cwd=ROOT,
            env=env,
            check=True,
        )
    finally:
        if not args.db:  # a named database is kept, to study its plans
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
