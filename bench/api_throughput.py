"""API throughput on the production shape: gunicorn, DJANGO_DEBUG=false, PostgreSQL, 10,000 cases.

Creates a throw-away database (portal_bench_api, dropped at the end), migrates it, seeds 10,000
cases (80,000 document requirements) in bulk, starts gunicorn on 127.0.0.1 with production
settings, then drives load from this process (threads, one connection per request, bounded in
requests and seconds) as a supervising advisor authenticated with a personal API token:

  ping         GET /api/v1/ping/                 trivial authenticated JSON (framework limit)
  case list    GET /api/v1/cases/?page=N         pages 1..200 of 50 (all 10,000 cases), with counts
  case detail  GET /api/v1/cases/<random id>/

Prints requests/second and p50/p95 latency (ms) side by side, and the case list's throughput as
a percentage of ping's (target: 30 % or more).

The scenarios alternate in rounds so that background load on the machine weighs on each alike.

Environment: BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_REDIS (default
redis://127.0.0.1:6379/3, the throttle counters), BENCH_CASES (10000), BENCH_REQUESTS per
scenario (3000), BENCH_SECONDS cap per scenario (30), BENCH_ROUNDS (5), BENCH_THREADS (8),
BENCH_WORKERS (3, as docker-compose.yml).
"""

import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench_api"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CASES = int(os.environ.get("BENCH_CASES", "10000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
# As docker-compose.yml runs the web service: 3 sync workers.
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))


def _env(var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/3"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain http on loopback
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CONN_MAX_AGE": "60",  # persistent connections, as in production
        "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_USER": "1000000/minute",  # throttling stays on (Redis), never trips
        "PORTAL_VAR_DIR": var_dir,
        "PYTHONPATH": str(ROOT),
    }


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


# --- seeding (runs in a child process with the production settings) ---------------------------


def seed() -> None:
    """Bulk-create advisors, a supervising advisor, 10,000 applicants and cases with their
    requirements copied from the checklists (as ``case_open`` does); print the API token."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from cases.models import Applicant, Case, DocumentRequirement, Stage, VisaType
    from portal import services
    from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

    rng = random.Random(5)
    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    advisors = User.objects.bulk_create(
        User(
            email=f"advisor{i}@bench.test",
            firm=firm,
            role=Role.ADVISOR,
            password=make_password(None),
        )
        for i in range(20)
    )
    boss = User.objects.create_user(
        email="supervisor@bench.test", firm=firm, role=Role.ADVISOR, is_supervisor=True
    )
    visa_types = list(VisaType.objects.filter(firm=firm).prefetch_related("checklist"))
    applicants = Applicant.objects.bulk_create(
        (
            Applicant(
                firm=firm,
                given_names=f"Given{i}",
                family_name=f"Family{i}",
                email=f"applicant{i}@bench.test",
                nationality="DE",
                date_of_birth=dt.date(1990, 1, 1),
            )
            for i in range(CASES)
        ),
        batch_size=2000,
    )
    today = dt.datetime.now(dt.UTC).date()
    stages = [Stage.INTAKE, Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW, Stage.SUBMITTED]
    cases = Case.objects.bulk_create(
        (
            Case(
                firm=firm,
                reference=f"B-{i:06d}",
                applicant=applicants[i],
                visa_type=visa_types[i % len(visa_types)],
                advisor=advisors[i % len(advisors)],
                stage=rng.choice(stages),
                opened_on=today - dt.timedelta(days=i % 400),
            )
            for i in range(CASES)
        ),
        batch_size=2000,
    )
    requirements = []
    for case in cases:
        for item in case.visa_type.checklist.all():
            requirements.append(
                DocumentRequirement(
                    case=case,
                    checklist_item=item,
                    code=item.code,
                    position=item.position,
                    name_en=item.name_en,
                    name_zh=item.name_zh,
                    required=item.required,
                    accepted_types=list(item.accepted_types),
                    max_size_bytes=item.max_size_bytes,
                    due_date=case.opened_on + dt.timedelta(days=item.due_offset_days),
                    status=rng.choice(["missing", "missing", "uploaded", "accepted", "waived"]),
                )
            )
    DocumentRequirement.objects.bulk_create(requirements, batch_size=5000)
    _token, key = services.api_token_create(user=boss, name="bench")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"key": key, "case_ids": [cases[0].pk, cases[-1].pk]}))


# --- load -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, key: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {key}", "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - started


def run_scenario(port: int, key: str, paths: list[str], budget: int, seconds: float) -> dict:
    """Send up to ``budget`` requests (cycling through ``paths``) from THREADS threads, stopping
    after ``seconds``; return the latencies (seconds) and the elapsed wall time."""
    latencies: list[float] = []
    errors: list[int] = []
    counter = iter(range(budget))
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            status, elapsed = _get(port, paths[n % len(paths)], key)
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} non-200 responses, e.g. {errors[:5]} for {paths[0]}")
    return {"latencies": latencies, "elapsed": time.perf_counter() - started}


def run_interleaved(port: int, key: str, scenarios: dict[str, list[str]]) -> dict[str, dict]:
    """Run the scenarios in ROUNDS alternating rounds (ping, list, detail, ping, ...), so that
    background load on the machine weighs on each alike; pool the rounds per scenario."""
    pooled: dict[str, dict] = {name: {"latencies": [], "elapsed": 0.0} for name in scenarios}
    for paths in scenarios.values():  # warm-up: imports, connections, caches
        for path in paths[:10]:
            _get(port, path, key)
    for _ in range(ROUNDS):
        for name, paths in scenarios.items():
            part = run_scenario(port, key, paths, REQUESTS // ROUNDS, SECONDS / ROUNDS)
            pooled[name]["latencies"] += part["latencies"]
            pooled[name]["elapsed"] += part["elapsed"]
    results = {}
    for name, data in pooled.items():
        ordered = sorted(data["latencies"])
        results[name] = {
            "requests": len(ordered),
            "rps": len(ordered) / data["elapsed"],
            "p50": statistics.median(ordered) * 1000,
            "p95": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        }
    return results


def _wait_ready(port: int, key: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its output above")
        try:
            if _get(port, "/api/v1/ping/", key)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 20 seconds")


def main() -> None:
    python = sys.executable
    gunicorn = str(Path(python).with_name("gunicorn"))
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    _psql(f"CREATE DATABASE {DB_NAME}")
    server = None
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            env = _env(var_dir)
            subprocess.run(  # noqa: S603 - our own interpreter and script
                [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
            )
            t0 = time.perf_counter()
            out = subprocess.run(  # noqa: S603 - our own interpreter and script
                [python, __file__, "seed"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            seeded = json.loads(out.strip().splitlines()[-1])
            print(f"seeded {CASES} cases in {time.perf_counter() - t0:.1f} s")
            key = seeded["key"]
            low, high = seeded["case_ids"]
            port = _free_port()
            server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
                [
                    gunicorn,
                    "portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(WORKERS),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
            _wait_ready(port, key, server)
            rng = random.Random(7)
            scenarios = {
                "ping": ["/api/v1/ping/"],
                "case list (50/page)": [f"/api/v1/cases/?page={p}" for p in range(1, 201)],
                "case detail": [f"/api/v1/cases/{rng.randint(low, high)}/" for _ in range(500)],
            }
            results = run_interleaved(port, key, scenarios)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    print(
        f"gunicorn {WORKERS} sync workers, {THREADS} client threads, {CASES} cases, "
        f"up to {REQUESTS} requests or {SECONDS:.0f} s per scenario, {ROUNDS} interleaved rounds"
    )
    print(f"{'endpoint':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, r in results.items():
        print(f"{name:<22}{r['requests']:>9}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}")
    share = results["case list (50/page)"]["rps"] / results["ping"]["rps"] * 100
    detail = results["case detail"]["rps"] / results["ping"]["rps"] * 100
    print(f"case list throughput = {share:.0f} % of ping (target >= 30 %); detail {detail:.0f} %")


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        seed()
    else:
        main()
