"""Page speed at 1k, 10k and 100k cases on the production shape (issue 17).

Creates a throw-away PostgreSQL database (``portal_bench_pages_<random>`` on the server of
``BENCH_PG``, default postgres://postgres@127.0.0.1:5432; dropped at the end, whatever happens),
migrates it and grows it in steps (1,000 -> 10,000 -> 100,000 cases) by COPY: per case about 8
document requirements, 7 document versions and 7 events, an applicant with a login, a realistic
mix of stages, names (Chinese, Spanish, German, with accents) and due dates. At each size it

1. signs in a supervising advisor, an advisor with 20 cases (always the same 20) and an
   applicant (real sessions, two-step verification done for the staff: a session cookie);
2. requests every page once in-process (Django test client, same settings) and prints its
   status, query count, the summed ``EXPLAIN ANALYZE`` planning + execution time of its SELECTs
   (each the fastest of ``EXPLAIN_RUNS``), the CPU
   time of the request (template rendering and Python, without the database), and the plan of
   its slowest query;
3. starts gunicorn with production settings (``DJANGO_DEBUG=false``, 2 sync workers, Redis
   cache) and a second gunicorn whose ``MIDDLEWARE`` is Django's default list only, and drives
   each page with ``wrk`` (8 connections) in alternating rounds (trivial, page 1, page 2, ...,
   trivial, page 1, ...), printing the medians of req/s, p50 and p99 and req/s as a share of
   the trivial view with the full stack.

The trivial view is a signed-in "ok" (``login_required``, no template, no query of its own) at
``/bench/trivial``, added for the benchmark to the production URLs (``bench_urls``, written to a
temporary folder with the two settings modules); it is requested with the supervisor's cookie.

    .venv/bin/python bench/pages.py                     # 1k, 10k, 100k
    .venv/bin/python bench/pages.py --sizes 1000,10000  # skip 100k (seeding takes minutes)
    .venv/bin/python bench/pages.py --sizes 1000 --seconds 3 --rounds 1   # a smoke run

Needs PostgreSQL, Redis (``BENCH_REDIS``, default redis://127.0.0.1:6379/10) and ``wrk``
(Debian: ``apt-get install wrk``). Everything listens on 127.0.0.1 only; each wrk run is bounded
by ``--seconds``; gunicorn is stopped at the end of each size.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/10")
WORKERS = 2  # gunicorn sync workers, as the issue measures
CONNECTIONS = 8  # wrk connections
ADVISORS = 50  # besides the supervisor and the 20-case advisor
OWN_CASES = 20  # cases of the advisor whose dashboard is measured
EXPLAIN_RUNS = 3  # each SELECT's SQL time: the fastest of this many EXPLAIN ANALYZE runs

# (label, persona, path). ``{case}`` is the first case (the 20-case advisor's, the applicant's);
# ``{last_page}`` the API's last page at the current size.
PAGES: list[tuple[str, str, str]] = [
    ("trivial, full stack", "supervisor", "/bench/trivial"),
    ("trivial, default mw", "supervisor", "/bench/trivial"),
    ("HTML case list", "supervisor", "/cases/"),
    ("list ?q=wang", "supervisor", "/cases/?q=wang"),
    ("list ?q=maria garcia", "supervisor", "/cases/?q=maria+garcia"),
    ("list ?overdue=on", "supervisor", "/cases/?overdue=on"),
    ("HTML case detail", "supervisor", "/cases/{case}/"),
    ("dashboard (supervisor)", "supervisor", "/"),
    ("advisor dashboard (20)", "advisor", "/"),
    ("applicant case page", "applicant", "/my/cases/{case}/"),
    ("API list, first page", "supervisor", "/api/v1/cases/?page=1"),
    ("API list, last page", "supervisor", "/api/v1/cases/?page={last_page}"),
    ("form: open a case", "supervisor", "/cases/new/"),
    ("form: qualifications", "supervisor", "/cases/{case}/qualifications/"),
]
TRIVIAL = "trivial, full stack"
DEFAULT_MW = "trivial, default mw"

# Both servers run the production settings with one more URL: the trivial view, a signed-in
# "ok" (login_required, no template, no query of its own).
BENCH_URLS = """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), *portal_urlpatterns]
"""
BENCH_SETTINGS = """
from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
"""
# The same plus Django's startproject MIDDLEWARE, for the "default middleware only" server.
DEFAULT_MIDDLEWARE_SETTINGS = """
from bench_settings import *  # noqa: F403

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
"""


def _env(db_url: str, var_dir: str, settings: str = "bench_settings") -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS,
        "CELERY_TASK_DEFAULT_QUEUE": "bench_pages",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", ""),
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain http on loopback
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_CONN_MAX_AGE": os.environ.get("DJANGO_CONN_MAX_AGE", "60"),  # .env.example
        "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_USER": "1000000/minute",  # throttling stays on (Redis), never trips
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PORTAL_VAR_DIR": var_dir,
        "PYTHONPATH": os.pathsep.join([var_dir, str(ROOT)]),
    }


# --- seeding (child process, production settings) -------------------------------------------

GIVEN = [
    "Wei", "Jing", "Hao", "Xiu Ying", "Min", "Yan", "Lei", "Fang", "María", "José", "Tomás",
    "Lucía", "Álvaro", "Jürgen", "Anna", "Lukas", "Zoë", "Chloé", "François", "Søren", "Amira",
    "Priya", "Arjun", "Olga", "Nguyễn Văn", "Kenji",
]  # fmt: skip
FAMILY = [
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "García",
    "Fernández", "López", "Martínez", "Müller", "Schröder", "Groß", "Weiß", "Dubois", "Lefèvre",
    "Kowalski", "Novák", "Øster", "Sharma", "Tanaka", "Wangari",
]  # fmt: skip
# Stage mix of a firm a few years in: most cases finished (weights out of 100).
STAGE_WEIGHTS = {
    "intake": 4, "assessment": 4, "documents": 12, "review": 5, "ready": 3, "submitted": 5,
    "on_hold": 2, "decided": 15, "closed": 45, "withdrawn": 5,
}  # fmt: skip
EVENT_KINDS = ["opened", "stage", "upload", "review", "message", "reminder", "stage"]


class Copier:
    """COPY rows of a model into its table, filling unnamed columns with the field defaults
    (auto_now fields: now). Rows are dicts keyed by attname; ids are given by the caller."""

    def __init__(self, model: type, now: object) -> None:
        from django.db.models import JSONField

        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.defaults: list[object] = []
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: object = now
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = "" if field.get_internal_type() in ("CharField", "TextField") else None
            if isinstance(field, JSONField):
                value = json.dumps(value)
            self.defaults.append(value)
        self.json = [isinstance(f, JSONField) for f in self.fields]
        self.rows: list[list[object]] = []

    def add(self, **values: object) -> None:
        row = []
        for field, default, is_json in zip(self.fields, self.defaults, self.json, strict=True):
            if field.attname in values:
                value = values[field.attname]
                row.append(json.dumps(value) if is_json else value)
            else:
                row.append(default)
        self.rows.append(row)

    def flush(self) -> None:
        from django.db import connection

        if not self.rows:
            return
        table = self.model._meta.db_table
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy,
        ):
            for row in self.rows:
                copy.write_row(row)
        self.rows = []


def _next_id(model: type) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _reset_sequences(models: list[type]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def seed(target: int) -> dict:
    """Grow the database to ``target`` cases (first call: users, visa types' personas too) and
    return the personas' session cookies and the ids the pages need."""
    import datetime as dt
    import random
    import unicodedata

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from cases.models import (
        Applicant,
        Case,
        CaseEvent,
        Document,
        DocumentRequirement,
        Notification,
        VisaType,
    )
    from cases.models.search import case_search_text
    from cases.models.summary import summary_values
    from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

    now = timezone.now()
    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    today = now.date()
    started = time.perf_counter()
    existing = Case.objects.count()
    first = existing == 0
    rng = random.Random(17 + existing)
    unusable = make_password(None)
    if first:
        for i in range(ADVISORS):
            User.objects.create_user(
                email=f"advisor{i}@bench.test",
                firm=firm,
                role=Role.ADVISOR,
                full_name=f"Advisor {i}",
            )
        User.objects.create_user(
            email="supervisor@bench.test",
            firm=firm,
            role=Role.ADVISOR,
            is_supervisor=True,
            full_name="Sam Supervisor",
        )
        User.objects.create_user(
            email="own20@bench.test", firm=firm, role=Role.ADVISOR, full_name="Olivia Own-Twenty"
        )
    advisors = list(User.objects.filter(email__startswith="advisor").values_list("id", flat=True))
    own20 = User.objects.get(email="own20@bench.test").pk
    supervisor = User.objects.get(email="supervisor@bench.test").pk
    visa_types = {
        v.code: v for v in VisaType.objects.filter(firm=firm).prefetch_related("checklist")
    }
    checklists = {code: list(v.checklist.all()) for code, v in visa_types.items()}
    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())

    users = Copier(User, now)
    applicants = Copier(Applicant, now)
    cases = Copier(Case, now)
    requirements = Copier(DocumentRequirement, now)
    documents = Copier(Document, now)
    events = Copier(CaseEvent, now)
    ids = {
        m: _next_id(m) for m in (User, Applicant, Case, DocumentRequirement, Document, CaseEvent)
    }
    first_case_id = ids[Case]

    def take(model: type) -> int:
        ids[model] += 1
        return ids[model] - 1

    def ascii_fold(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z]", "", folded.lower())

    with transaction.atomic():
        for n in range(existing, target):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            email = f"{ascii_fold(given)}.{ascii_fold(family)}.{n}@example.test"
            passport = f"E{rng.randrange(10**8):08d}"
            user_id = take(User)
            users.add(
                id=user_id,
                firm_id=firm.pk,
                email=email,
                email_canonical=email,  # ASCII, lower case: its own comparison key
                password=unusable,
                full_name=f"{given} {family}",
                role=Role.APPLICANT,
                date_joined=now,
            )
            applicant_id = take(Applicant)
            applicants.add(
                id=applicant_id,
                firm_id=firm.pk,
                user_id=user_id,
                given_names=given,
                family_name=family,
                email=email,
                email_canonical=email,
                nationality=rng.choice(["CN", "ES", "DE", "IN", "FR", "VN", "JP"]),
                date_of_birth=dt.date(1985 + n % 15, 1 + n % 12, 1 + n % 28),
                passport_number=passport,
                passport_expiry=today + dt.timedelta(days=rng.randrange(-100, 3000)),
            )
            stage = "documents" if n < OWN_CASES else rng.choices(stages, weights)[0]
            open_stage = stage in ("intake", "assessment", "documents", "review", "ready")
            age = rng.randrange(0, 90) if open_stage else rng.randrange(30, 1100)
            opened = today - dt.timedelta(days=age)
            code = "K" if rng.random() < 0.85 else "R"
            case_id = take(Case)
            reference = f"{code}-{opened.year}-{n:06d}"
            done = stage in ("submitted", "decided", "closed")
            cases.add(
                id=case_id,
                firm_id=firm.pk,
                reference=reference,
                applicant_id=applicant_id,
                visa_type_id=visa_types[code].pk,
                advisor_id=own20 if n < OWN_CASES else advisors[n % len(advisors)],
                stage=stage,
                opened_on=opened,
                target_submission_date=opened + dt.timedelta(days=45),
                intended_entry_date=opened + dt.timedelta(days=120),
                time_zone=rng.choice(["Asia/Shanghai", "Europe/Berlin", "UTC"]),
                decision="approved" if stage in ("decided", "closed") else "",
                submitted_at=now - dt.timedelta(days=max(age - 40, 0)) if done else None,
                search_text=case_search_text(
                    reference=reference,
                    given_names=given,
                    family_name=family,
                    email=email,
                    passport_number=passport,
                ),
            )
            docs_left = 7
            for item in checklists[code]:
                requirement_id = take(DocumentRequirement)
                if done or stage == "ready":
                    status = "accepted"
                elif stage == "intake":
                    status = "missing"
                else:
                    status = rng.choice(["missing", "uploaded", "accepted", "rejected"])
                current = None
                if status != "missing" and docs_left > 0:
                    versions = 2 if status == "accepted" and docs_left > 1 else 1
                    for version in range(1, versions + 1):
                        current = take(Document)
                        docs_left -= 1
                        documents.add(
                            id=current,
                            requirement_id=requirement_id,
                            version=version,
                            file=f"cases/{case_id}/{item.code}-v{version}.pdf",
                            original_filename=f"{item.code}.pdf",
                            content_type="application/pdf",
                            size_bytes=rng.randrange(50_000, 4_000_000),
                            sha256=secrets.token_hex(32),
                            uploaded_by_id=user_id,
                            uploaded_at=now - dt.timedelta(days=age, hours=-version),
                            review_status=(
                                "rejected"
                                if version < versions or status == "rejected"
                                else ("accepted" if status == "accepted" else "pending")
                            ),
                            reviewed_by_id=None if status == "uploaded" else supervisor,
                        )
                requirements.add(
                    id=requirement_id,
                    case_id=case_id,
                    checklist_item_id=item.pk,
                    code=item.code,
                    position=item.position,
                    name_en=item.name_en,
                    name_zh=item.name_zh,
                    help_en=item.help_en,
                    help_zh=item.help_zh,
                    required=item.required,
                    accepted_types=list(item.accepted_types),
                    max_size_bytes=item.max_size_bytes,
                    status=status,
                    due_date=opened + dt.timedelta(days=item.due_offset_days),
                    current_document_id=current,
                )
            for k, kind in enumerate(EVENT_KINDS):
                events.add(
                    id=take(CaseEvent),
                    case_id=case_id,
                    actor_id=supervisor,
                    kind=kind,
                    summary=f"Bench event {k}",
                    internal=k == 5,
                    created_at=now - dt.timedelta(days=age, minutes=-k),
                )
            if len(cases.rows) >= 5000:
                for copier in (users, applicants, cases, requirements, documents, events):
                    copier.flush()
        for copier in (users, applicants, cases, requirements, documents, events):
            copier.flush()
        # The per-case document summary, as the services keep it (one UPDATE of the new cases).
        # Statistics first: without them PostgreSQL plans the correlated subqueries over the
        # freshly copied rows blind, and at 100k cases the UPDATE ran for over 18 minutes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        Case.objects.filter(pk__gte=first_case_id).update(**summary_values())
        if first:
            for user_id in (supervisor, own20):
                Notification.objects.bulk_create(
                    Notification(user_id=user_id, title=f"Reminder {i}", url="/cases/")
                    for i in range(40)
                )
    _reset_sequences([User, Applicant, Case, DocumentRequirement, Document, CaseEvent])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seeded = time.perf_counter() - started
    first_case = Case.objects.order_by("id").values_list("id", flat=True)[0]
    applicant_user = Applicant.objects.get(cases__id=first_case).user
    cookies = {
        "supervisor": _session_for(User.objects.get(pk=supervisor), staff=True),
        "advisor": _session_for(User.objects.get(pk=own20), staff=True),
        "applicant": _session_for(applicant_user, staff=False),
    }
    counts = {
        "cases": Case.objects.count(),
        "requirements": DocumentRequirement.objects.count(),
        "documents": Document.objects.count(),
        "events": CaseEvent.objects.count(),
    }
    return {"cookies": cookies, "case": first_case, "counts": counts, "seconds": seeded}


def _session_for(user: object, *, staff: bool) -> str:
    """Sign ``user`` in the way the login view does (and, for staff, verify a TOTP device) and
    return the session key (the ``sessionid`` cookie)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80"}
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if staff:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        request.user = user
        otp_login(request, device)
    request.session.save()
    return str(request.session.session_key)


# --- one request per page in-process: queries, EXPLAIN, CPU ---------------------------------


def profile(pages: list[tuple[str, str, str]], cookies: dict[str, str]) -> dict:
    """Request each page once (after a warm-up) with the Django test client and return, per
    page: status, query count, summed EXPLAIN ANALYZE ms of its SELECTs, CPU ms of the request,
    and the slowest SELECT with its plan."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for label, persona, path in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[persona]
        client.get(path)  # warm-up: imports, template loading, first connection
        with CaptureQueriesContext(connection) as ctx:
            cpu = time.process_time()
            response = client.get(path)
            cpu = time.process_time() - cpu
        explained = []
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            times = []
            for _ in range(EXPLAIN_RUNS):  # the fastest of a few: the machine may be shared
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    times.append(plan[0]["Execution Time"] + plan[0]["Planning Time"])
            explained.append((min(times), sql))
        slowest = max(explained, default=(0.0, ""))
        plan_text = ""
        if slowest[1]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest[1])
                plan_text = "\n".join(row[0] for row in cursor.fetchall())
        writes = [
            q["sql"][:60]
            for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        ]
        results[label] = {
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "writes": writes,
            "sql_ms": sum(ms for ms, _ in explained),
            "cpu_ms": cpu * 1000,
            "slowest_ms": slowest[0],
            "slowest_sql": slowest[1][:600],
            "top": [(ms, sql[:160]) for ms, sql in sorted(explained, reverse=True)[:6]],
            "plan": plan_text,
        }
    return results


# --- load with wrk ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            *(gunicorn, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(WORKERS), "--timeout", "60", "--graceful-timeout", "5"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        with contextlib.suppress(OSError):
            _status(port, "/healthz", "")
            return server
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer in 30 seconds")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(port: int, path: str, cookie: str, seconds: int) -> dict:
    """One wrk run: req/s, p50 and p99 (ms); refuses any non-2xx/3xx answer."""
    out = subprocess.run(  # noqa: S603 - fixed arguments, loopback only
        [
            *("wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"),
            *("-H", f"Cookie: sessionid={cookie}", f"http://127.0.0.1:{port}{path}"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors for {path}:\n{out}")
    if os.environ.get("BENCH_DEBUG"):
        print(out, file=sys.stderr)

    def number(pattern: str) -> str:
        match = re.search(pattern, out, re.M)
        if match is None:
            raise SystemExit(f"cannot read {pattern!r} in wrk's output:\n{out}")
        return match.group(1)

    return {
        "rps": float(number(r"Requests/sec:\s+([\d.]+)")),
        "p50": _ms(number(r"^\s+50%\s+(\S+)\s*$")),
        "p99": _ms(number(r"^\s+99%\s+(\S+)\s*$")),
    }


def _drain(port: int) -> None:
    """Wait out the requests wrk left behind: when it stops, up to CONNECTIONS requests are still
    queued or running in gunicorn (a slow page's would otherwise eat the next run). A ping
    answers once the queue ahead of it is done; one more than the workers covers both."""
    for _ in range(WORKERS + 1):
        _status(port, "/healthz", "")


def measure(size_info: dict, env_full: dict, env_default: dict, args: argparse.Namespace) -> dict:
    """Start both servers, check every page answers 200, run the wrk rounds, stop the servers."""
    log = Path(env_full["PORTAL_VAR_DIR"]) / "gunicorn.log"
    ports = {"full": _free_port(), "default": _free_port()}
    servers = {
        "full": _start_gunicorn(env_full, ports["full"], log),
        "default": _start_gunicorn(env_default, ports["default"], log),
    }
    try:
        targets = []
        for label, persona, path in size_info["pages"]:
            server = "default" if label == DEFAULT_MW else "full"
            cookie = size_info["cookies"][persona]
            for _ in range(3):  # warm both workers
                status = _status(ports[server], path, cookie)
            if status != 200:
                raise SystemExit(f"{label}: {path} answered {status}, not 200")
            targets.append((label, ports[server], path, cookie))
        for _label, port, path, cookie in targets:  # warm-up under load: every worker, each page
            with contextlib.suppress(SystemExit):
                wrk(port, path, cookie, 1)
            _drain(port)
        runs: dict[str, list[dict]] = {label: [] for label, *_ in targets}
        for _ in range(args.rounds):
            for label, port, path, cookie in targets:
                runs[label].append(wrk(port, path, cookie, args.seconds))
                _drain(port)
        return {
            label: {key: statistics.median(r[key] for r in rs) for key in ("rps", "p50", "p99")}
            for label, rs in runs.items()
        }
    finally:
        for server in servers.values():
            _stop(server)


def _child(env: dict[str, str], *argv: str) -> dict:
    out = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if out.returncode:
        raise SystemExit(f"{argv[0]} failed:\n{out.stdout[-3000:]}\n{out.stderr[-6000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(size: int, info: dict, load: dict, prof: dict, *, plans: bool) -> None:
    trivial = load[TRIVIAL]["rps"] or float("nan")
    print(f"\n=== {size:,} cases ({info['counts']}; seeded in {info['seconds']:.0f} s)")
    print(
        f"{'page':<24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} "
        f"{'queries':>7} {'SQL ms':>7} {'CPU ms':>7}  writes"
    )
    for label, numbers in load.items():
        p = prof[label]
        if numbers["rps"]:
            ratio = numbers["rps"] / trivial
            timing = (
                f"{numbers['rps']:>7.1f} {numbers['p50']:>7.1f} {numbers['p99']:>7.1f} "
                + (f"{ratio:>6.0%}" if ratio == ratio else f"{'-':>6}")  # NaN: no trivial figure
            )
        else:  # no request finished within --seconds
            timing = f"{'-':>7} {'-':>7} {'-':>7} {'-':>6}"
        print(
            f"{label:<24} {timing} {p['queries']:>7} {p['sql_ms']:>7.1f} "
            f"{p['cpu_ms']:>7.1f}  {len(p['writes'])}"
        )
    if plans:
        for label, p in prof.items():
            if p["slowest_sql"]:
                print(f"\n--- {label}: slowest query {p['slowest_ms']:.2f} ms\n{p['slowest_sql']}")
                for ms, sql in p.get("top", []):
                    print(f"    {ms:8.2f} ms  {sql}")
                print("\n".join("    " + line for line in p["plan"].splitlines()[:25]))
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="cases, ascending")
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (medians)")
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN output")
    parser.add_argument(
        "--no-load", action="store_true", help="skip gunicorn and wrk: query counts and SQL only"
    )
    parser.add_argument(
        "--db", default="", help="use (and keep) this database, seeded by an earlier --keep run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not args.no_load and not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    import psycopg

    name = args.db or f"portal_bench_pages_{secrets.token_hex(4)}"
    keep = args.keep or bool(args.db)
    os.environ["BENCH_SECRET_KEY"] = secrets.token_urlsafe(50)
    if not args.db:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as var_dir:
            (Path(var_dir) / "bench_urls.py").write_text(BENCH_URLS)
            (Path(var_dir) / "bench_settings.py").write_text(BENCH_SETTINGS)
            (Path(var_dir) / "bench_default_mw.py").write_text(DEFAULT_MIDDLEWARE_SETTINGS)
            env = _env(f"{PG}/{name}", var_dir)
            env_default = _env(f"{PG}/{name}", var_dir, settings="bench_default_mw")
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            print(f"database {name}; sizes {sizes}; wrk -c{CONNECTIONS}, {WORKERS} workers")
            for size in sizes:
                info = _child(env, "seed", str(size))
                last_page = max(1, -(-info["counts"]["cases"] // 50))
                pages = [
                    (label, persona, path.format(case=info["case"], last_page=last_page))
                    for label, persona, path in PAGES
                ]
                info["pages"] = pages
                full = [page for page in pages if page[0] != DEFAULT_MW]
                prof = _child(env, "profile", json.dumps([full, info["cookies"]]))
                default = [page for page in pages if page[0] == DEFAULT_MW]
                prof |= _child(env_default, "profile", json.dumps([default, info["cookies"]]))
                if args.no_load:
                    load = {label: {"rps": 0, "p50": 0, "p99": 0} for label, *_ in pages}
                else:
                    load = measure(info, env, env_default, args)
                report(size, info, load, prof, plans=not args.no_plans)
    finally:
        if keep:
            print(f"kept database {name} (reuse: --db {name}; drop it when done)")
        else:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [name],
                )
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        print(json.dumps(seed(int(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "profile":
        pages, cookies = json.loads(sys.argv[2])
        print(json.dumps(profile(pages, cookies)))
    else:
        main()
