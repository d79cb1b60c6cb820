"""Benchmark: the reminder sweep over many open requirements of which 1,000 are due.

Creates a throw-away PostgreSQL database (``portal_bench_<random>`` on the server of
DATABASE_URL, default postgres://postgres@127.0.0.1:5432), migrates it, loads data in bulk,
and drops it at the end; it never touches an existing database. Run twice: 10,000 and
100,000 open requirements, 1,000 due each time. Prints, for each size: the sweep's wall
time and query count (recording phase and total, emails to the in-memory backend), next to
one raw SQL query selecting the same due rows (best of 5).

Then, side by side on each email backend (issue 17's target: the sweep within 2x of
``send_mass_mail``), in alternating rounds (A B C A B C ...), medians: the whole sweep of the
1,000 reminders (record, re-check, claim, render, send, mark), Django's ``send_mass_mail`` of
the same messages' subject, plain text and recipient, and ``send_messages`` of the same
messages as the sweep builds them (text and HTML) over one connection. Backends: the in-memory
one (locmem), SMTP to a local debugging server (the standard library's ``smtpd`` in a
subprocess, output discarded) and the file backend (a temporary folder).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/reminders_sweep.py
    ... bench/reminders_sweep.py --sizes 10000 --rounds 3    (a quicker run)
"""

import argparse
import datetime as dt
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (10_000, 100_000)
DUE = 1_000
PER_CASE = 10
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)  # 09:30 UTC: due-today reminders fire


def admin_dsn(url: str) -> tuple[str, str]:
    """(DSN of the server's postgres database, DATABASE_URL of a fresh throw-away database)."""
    parts = urlsplit(url or "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"portal_bench_{secrets.token_hex(4)}"
    return (
        urlunsplit(parts._replace(scheme="postgresql", path="/postgres")),
        urlunsplit(parts._replace(path=f"/{name}")),
    )


def main() -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--rounds", type=int, default=5, help="side-by-side rounds (median)")
    args = parser.parse_args()
    sizes = tuple(int(n) for n in args.sizes.split(","))
    server, bench_url = admin_dsn(os.environ.get("DATABASE_URL", ""))
    if not bench_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        run(bench_url, sizes, args.rounds)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run(url: str, sizes: tuple[int, ...], rounds: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.services.sweep import reminders_record_due, reminders_sweep

    call_command("migrate", verbosity=0)
    mail.outbox = []
    setup_rules()
    added = 0
    print(f"PostgreSQL {connection.pg_version}, database {connection.settings_dict['NAME']}")
    print(
        f"{'open reqs':>10} {'due':>5} {'record ms':>10} {'record q':>9} "
        f"{'sweep ms':>9} {'sweep q':>8} {'emails':>7} {'raw SQL ms':>11} {'raw rows':>9} "
        f"{'find ms':>8}"
    )
    for size in sizes:
        added += load(size - added, with_due=(added == 0))
        from cases.models import ReminderDelivery

        ReminderDelivery.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        with CaptureQueriesContext(connection) as rec:
            start = time.perf_counter()
            reminders_record_due(now=NOW)
            record_ms = (time.perf_counter() - start) * 1000
        ReminderDelivery.objects.all().delete()
        mail.outbox = []
        with CaptureQueriesContext(connection) as total:
            start = time.perf_counter()
            result = reminders_sweep(now=NOW)
            sweep_ms = (time.perf_counter() - start) * 1000
        raw_ms, raw_rows = raw_query()
        find_ms, plan = orm_find()
        print(
            f"{size:>10,} {DUE:>5} {record_ms:>10.1f} {len(rec.captured_queries):>9} "
            f"{sweep_ms:>9.1f} {len(total.captured_queries):>8} {len(mail.outbox):>7} "
            f"{raw_ms:>11.1f} {raw_rows:>9} {find_ms:>8.1f}"
        )
        print(f"{'':>10} plan of the sweep's find query: {plan}")
        assert result.sent == DUE == len(mail.outbox) == raw_rows, result
    print("find ms  = the sweep's own ORM query for due requirements (all 4 offsets), best of 5;")
    print("record q = queries to find the due items and insert the ledger rows (constant);")
    print("sweep q  = record q + fetch, re-check, claim and mark per batch of 200 (constant).")
    side_by_side(rounds)


def setup_rules() -> None:
    from cases.models import ReminderRule

    ReminderRule.objects.update(active=False)
    ReminderRule.objects.create(
        name="bench",
        kind="requirement_due",
        audience="applicant",
        channel="email",
        offsets=[7, 2, 0, -3],
    )


def load(count: int, *, with_due: bool) -> int:
    """Bulk-insert ``count`` open requirements in cases of 10; the first 1,000 due today
    (only when ``with_due``), the rest due 20 to 365 days later (outside every window)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from cases.models import Applicant, Case, DocumentRequirement, VisaType
    from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    visa = VisaType.objects.get(code="K", firm=firm)
    today = NOW.date()
    cases_needed = count // PER_CASE
    tag = secrets.token_hex(3)
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                email=f"b{tag}-{i}@bench.test",
                firm=firm,
                role=Role.APPLICANT,
                password=make_password(None),
            )
            for i in range(cases_needed)
        )
        applicants = Applicant.objects.bulk_create(
            Applicant(firm=firm, user=u, given_names="Bench", family_name=str(i), email=u.email)
            for i, u in enumerate(users)
        )
        cases = Case.objects.bulk_create(
            Case(
                firm=firm,
                reference=f"B{tag}-{i:06d}",
                applicant=a,
                visa_type=visa,
                opened_on=today,
                stage="documents",
            )
            for i, a in enumerate(applicants)
        )
        reqs = []
        for i, case in enumerate(cases):
            for j in range(PER_CASE):
                due = (
                    today
                    if (with_due and j == 0 and i < DUE)
                    else today + dt.timedelta(days=20 + (i * PER_CASE + j) % 345)
                )
                reqs.append(
                    DocumentRequirement(
                        case=case,
                        code=f"item-{j}",
                        position=j,
                        name_en=f"Item {j}",
                        name_zh=f"项目 {j}",
                        due_date=due,
                    )
                )
        DocumentRequirement.objects.bulk_create(reqs, batch_size=5000)
    return len(reqs)


def raw_query() -> tuple[float, int]:
    """Best of 5: one SQL query returning the due rows with what sending needs."""
    from django.db import connection

    sql = """
        SELECT r.id, r.due_date, c.id, c.time_zone, u.id, u.email, u.time_zone
        FROM cases_documentrequirement r
        JOIN cases_case c ON c.id = r.case_id
        JOIN cases_applicant a ON a.id = c.applicant_id
        JOIN portal_user u ON u.id = a.user_id
        WHERE r.due_date = %s AND r.status NOT IN ('accepted', 'waived')
          AND c.stage IN ('intake', 'assessment', 'documents', 'review', 'ready', 'submitted')
          AND u.is_active
    """
    best, rows = float("inf"), 0
    for _ in range(5):
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(sql, [NOW.date()])
            rows = len(cursor.fetchall())
            best = min(best, (time.perf_counter() - start) * 1000)
    return best, rows


def orm_find() -> tuple[float, str]:
    """Best of 5 for the sweep's candidate query (window for offsets 7, 2, 0, -3), and the
    index its plan uses."""
    from cases.models import Case
    from cases.selectors import deadlines
    from cases.services.reminder_ledger import _window

    low, high = _window([7, 2, 0, -3], NOW.date())
    qs = deadlines.requirement_deadlines(Case.objects.all(), low=low, high=high)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        list(qs.all())  # a fresh queryset each time (no result cache)
        best = min(best, (time.perf_counter() - start) * 1000)
    plan = qs.explain()
    used = sorted(
        {w.strip("(),") for w in plan.split() if w.startswith(("requirement_", "cases_"))}
    )
    scan = (
        "Index"
        if "Index" in plan and "Seq Scan on cases_documentrequirement" not in plan
        else "Seq"
    )
    return (
        best,
        f"{scan} scan; uses {', '.join(u for u in used if 'open_due' in u) or 'no partial index'}",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smtp_server() -> tuple[subprocess.Popen, int]:
    """A local SMTP debugging server (``smtpd.DebuggingServer``, output discarded)."""
    port = _free_port()
    server = ("-m", "smtpd", "-n", "-c", "DebuggingServer", f"127.0.0.1:{port}")
    proc = subprocess.Popen(  # noqa: S603 - our own process, fixed arguments
        [sys.executable, "-W", "ignore", *server],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the SMTP debugging server did not start")


def side_by_side(rounds: int) -> None:
    """The sweep of 1,000 reminders vs ``send_mass_mail`` and ``send_messages`` of the same
    messages, per backend, alternating rounds; prints medians (ms) and the ratios."""
    from django.core import mail
    from django.core.mail import get_connection, send_mass_mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from cases.models import ReminderDelivery
    from cases.services.sweep import reminders_sweep

    def sweep() -> tuple[float, float, int]:
        ReminderDelivery.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            start, cpu = time.perf_counter(), time.process_time()
            result = reminders_sweep(now=NOW)
            elapsed = (time.perf_counter() - start) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
        assert result.sent == DUE, result
        return elapsed, cpu_ms, len(ctx.captured_queries)

    def timed(call) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        start, cpu = time.perf_counter(), time.process_time()
        call()
        return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000

    # The messages as the sweep builds them (the in-memory backend keeps them).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        sweep()
        messages = list(mail.outbox)
    datatuples = [(m.subject, m.body, m.from_email, m.to) for m in messages]
    assert len(datatuples) == DUE

    smtp, port = _smtp_server()
    folder = tempfile.mkdtemp(prefix="bench-mail-")
    backends = {
        "locmem": {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        "smtp (local smtpd)": {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        },
        "file": {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": folder,
        },
    }
    print()
    print(
        f"Side by side, {DUE:,} reminders, medians of {rounds} alternating rounds: wall ms "
        "(this process's CPU ms):"
    )
    print(
        f"{'backend':<19} {'sweep':>13} {'q':>4} {'send_mass_mail':>14} {'ratio':>6} "
        f"{'send_messages':>13} {'ratio':>6}"
    )

    def mass() -> None:
        assert send_mass_mail(datatuples) == DUE

    def same() -> None:
        with get_connection() as conn:
            assert conn.send_messages(messages) == DUE

    try:
        for name, overrides in backends.items():
            with override_settings(**overrides):
                times: dict[str, list[tuple[float, float]]] = {"sweep": [], "mass": [], "same": []}
                queries = 0
                sweep()  # warm-up: templates compiled, connections made
                for _ in range(rounds):
                    mail.outbox = []
                    wall, cpu, queries = sweep()
                    times["sweep"].append((wall, cpu))
                    mail.outbox = []
                    times["mass"].append(timed(mass))
                    mail.outbox = []
                    times["same"].append(timed(same))
                med = {
                    k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
                    for k, v in times.items()
                }
                print(
                    f"{name:<19} {med['sweep'][0]:>6.0f} ({med['sweep'][1]:>4.0f}) {queries:>4} "
                    f"{med['mass'][0]:>7.0f} ({med['mass'][1]:>4.0f}) "
                    f"{med['sweep'][0] / med['mass'][0]:>5.2f}x "
                    f"{med['same'][0]:>6.0f} ({med['same'][1]:>4.0f}) "
                    f"{med['sweep'][0] / med['same'][0]:>5.2f}x",
                    flush=True,
                )
    finally:
        smtp.kill()
        smtp.wait(5)
        mail.outbox = []
    print("sweep: the whole reminders_sweep (record, re-check, claim, render text + HTML, send,")
    print("  mark); q its queries (marks every 0.25 s of sending: more on a slow machine);")
    print("send_mass_mail: subject + plain text of the same messages, one connection;")
    print("send_messages: the sweep's own messages (text + HTML), one connection. Ratios: wall.")


if __name__ == "__main__":
    main()
