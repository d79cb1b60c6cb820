"""Uploads that scale (issue 18): memory of a web worker bounded by bytes, heavy work in Celery.

Creates a throw-away PostgreSQL database (``portal_bench_uploads_<random>`` on ``BENCH_PG``,
default postgres://postgres@127.0.0.1:5432; dropped at the end, whatever happens), migrates it,
seeds one case whose advisor holds an API token, then starts the production shape on loopback:
gunicorn (production settings, ``WORKERS`` sync workers) and a Celery worker (prefork, one
child, ``CELERY_WORKER_MAX_MEMORY_PER_CHILD`` as configured) on Redis (``BENCH_REDIS``, default
redis://127.0.0.1:6379/2, a queue of its own).

For each file (PDFs of 1, 15 and 60 MB: scanned pages, JPEG-compressed; JPEGs of 1, 16 and
59 MP, with EXIF GPS as phones write them) it sends ``--runs`` requests of each kind:

- **floor** (the issue's "Django's multipart parse alone"): ``POST /bench/parse``, a plain
  Django view that reads ``request.FILES`` and answers the byte count, stores nothing. It is
  the same request as the upload (same body, same ``Authorization: Bearer`` token, same
  gunicorn worker) and passes the whole middleware stack every request pays: request limits,
  sessions, CSRF (the view is exempt, as DRF views are), authentication, and the body-limit
  middleware, which looks the token up in the database for any body over 64 KB. It skips only
  what DRF adds per view;
- **API floor** (for reference, not the target): ``POST /bench/api-parse``, a DRF view with the
  API's default authentication, permission (signed in), throttle and the upload's multipart
  parser classes that reads ``request.FILES`` and answers the byte count: what every API
  request pays before the upload's own work (the token from the middleware's look-up, two
  Redis round trips of the throttle, JSON rendering);
- **upload**: ``POST /api/v1/requirements/<id>/upload/`` (the real service).

Before each request the bench waits until the Celery child is idle (its queue empty and no CPU
used for 100 ms), so that the previous upload's processing or preview does not compete with the
request measured; all three kinds wait alike. ``x floor`` is upload / floor, the issue's
target (under 2); ``x api`` is upload / API floor.

It prints, as medians: wall time per request (ms), the web worker's peak RSS growth during
the request (MB: VmHWM after minus VmRSS before, the high-water mark reset through
``/proc/<pid>/clear_refs`` before each request; the largest over the workers), the time until
the version is ready (polling the API), and the Celery child's peak RSS during its task (MB,
VmHWM, reset likewise, sampled every 10 ms since a child over the memory limit is replaced
right after its task). Last, ``--concurrent`` (20) uploads of the 16 MP JPEG at once: wall
time of the slowest answer, the web workers' peak growth, the time until all are ready.

    .venv/bin/python bench/uploads.py                 # the whole table
    .venv/bin/python bench/uploads.py --runs 1 --concurrent 4   # a smoke run

Linux only (reads /proc). Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
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
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/2")
WORKERS = 2  # gunicorn sync workers
MB = 1024 * 1024

BENCH_URLS = """
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.urls import urlpatterns as portal_urlpatterns


from rest_framework import parsers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.response import Response


@csrf_exempt
def parse(request):
    files = [f for key in request.FILES for f in request.FILES.getlist(key)]
    return JsonResponse({"bytes": sum(f.size for f in files)})


@api_view(["POST"])
@parser_classes([parsers.MultiPartParser, parsers.FormParser])
def api_parse(request):
    files = [f for key in request.FILES for f in request.FILES.getlist(key)]
    return Response({"bytes": sum(f.size for f in files)})


urlpatterns = [
    path("bench/parse", parse),
    path("bench/api-parse", api_parse),
    *portal_urlpatterns,
]
"""
BENCH_SETTINGS = """
from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
"""


def _env(db_url: str, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS,
        "CELERY_BROKER_URL": REDIS,
        "CELERY_TASK_DEFAULT_QUEUE": f"bench_uploads_{secrets.token_hex(3)}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", ""),
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain http on loopback
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_USER": "1000000/minute",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PORTAL_VAR_DIR": var_dir,
        "PORTAL_MAX_REQUEST_BYTES": str(100 * MB),  # the floor route is not an upload route
        "PORTAL_MAX_UPLOAD_REQUEST_BYTES": str(100 * MB),
        "PYTHONPATH": os.pathsep.join([var_dir, str(ROOT)]),
    }


# --- seeding (child process, production settings) -------------------------------------------


def seed() -> dict:
    import django

    django.setup()
    from portal.services import api_token_create
    from tests.factories import AdvisorFactory, ApplicantFactory, open_case

    advisor = AdvisorFactory(email="bench.advisor@example.test")
    case = open_case(applicant=ApplicantFactory(), advisor=advisor)
    case.visa_type.quota_bytes = 50 * 1024 * MB
    case.visa_type.quota_files = 100_000
    case.visa_type.save(update_fields=["quota_bytes", "quota_files"])
    case.requirements.update(max_size_bytes=80 * MB)
    _token, key = api_token_create(user=advisor, name="bench")
    return {
        "token": key,
        "pdf": case.requirements.get(code="passport-bio-page").pk,
        "jpeg": case.requirements.get(code="digital-photo").pk,
    }


# --- files ------------------------------------------------------------------------------------


def _gps_exif() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    return exif.tobytes()


def make_pdf(megabytes: int) -> bytes:
    """Scanned A4 pages at 150 dpi (JPEG in the PDF, noisy as a scan) up to about ``megabytes``."""
    from PIL import Image

    page = Image.effect_noise((1240, 1754), 40).convert("RGB")
    one = io.BytesIO()
    page.save(one, format="PDF", resolution=150.0, quality=92)
    pages = max(1, round(megabytes * MB / len(one.getvalue())))
    buf = io.BytesIO()
    page.save(
        buf,
        format="PDF",
        resolution=150.0,
        quality=92,
        save_all=True,
        append_images=[page] * (pages - 1),
    )
    return buf.getvalue()


def make_jpeg(megapixels: int, noisy: bool) -> bytes:
    """A phone-like JPEG with GPS: ``noisy`` gives a photo's bytes per pixel (about 0.9 byte
    per pixel at quality 90), otherwise a flat scan (the issue's 0.9 MB 59 MP file)."""
    from PIL import Image, ImageDraw

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = megapixels * 1_000_000 // width
    if noisy:
        img = Image.effect_noise((width, height), 22).convert("RGB")
    else:
        img = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(img)
        for y in range(0, height, 400):
            draw.text((200, y), "SAMPLE scan line " * 20, fill=(30, 30, 30), font_size=60)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90, exif=_gps_exif())
    return buf.getvalue()


# --- processes and memory -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Peak:
    """Peak RSS growth of a set of processes over a block: VmHWM after minus VmRSS before."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.before: dict[int, int] = {}

    def __enter__(self) -> Peak:
        for pid in self.pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to VmRSS
            self.before[pid] = _status_kb(pid, "VmRSS")
        return self

    def growth_mb(self) -> float:
        grown = []
        for pid in self.pids:
            with contextlib.suppress(FileNotFoundError):
                grown.append(_status_kb(pid, "VmHWM") - self.before[pid])
        return max(grown, default=0) / 1024

    def peak_mb(self) -> float:
        peaks = []
        for pid in self.pids:
            with contextlib.suppress(FileNotFoundError):
                peaks.append(_status_kb(pid, "VmHWM"))
        return max(peaks, default=0) / 1024

    def __exit__(self, *exc: object) -> None:
        return None


class Sampler(threading.Thread):
    """The highest VmHWM seen among a worker's pool children, sampled every 10 ms: a child
    that outgrew ``CELERY_WORKER_MAX_MEMORY_PER_CHILD`` is replaced right after its task, and
    its /proc entry goes with it."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.peak_kb = 0
        self.done = threading.Event()
        for pid in _children(master):
            with contextlib.suppress(FileNotFoundError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def run(self) -> None:
        while not self.done.is_set():
            for pid in _children(self.master):
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmHWM"))
            time.sleep(0.01)

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (clock ticks)


def _quiet(master: int, queue: str, timeout: float = 120) -> None:
    """Wait until the Celery worker has nothing queued and its children used no CPU for 100 ms
    (a preview or a processing step of an earlier upload would compete with the request)."""
    import redis

    client = redis.Redis.from_url(REDIS)
    start = time.perf_counter()
    last: dict[int, int] = {}
    still = 0
    while still < 5 and time.perf_counter() - start < timeout:
        now = {}
        for pid in _children(master):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                now[pid] = _cpu_ticks(pid)
        still = still + 1 if now == last and not client.llen(queue) else 0
        last = now
        time.sleep(0.02)
    client.close()


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own processes, fixed arguments
        cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- HTTP -----------------------------------------------------------------------------------------


def _multipart(name: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def _post(port: int, path: str, body: bytes, ctype: str, token: str) -> tuple[int, dict, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": ctype,
                "Authorization": f"Bearer {token}",
                "Host": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        conn.close()
    try:
        data = json.loads(payload)
    except ValueError:
        data = {"raw": payload[:200].decode(errors="replace")}
    return response.status, data, elapsed


def _get(port: int, path: str, token: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"})
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def _wait_ready(port: int, token: str, pks: list[int], timeout: float = 600) -> float:
    """Seconds until every version left ``processing`` (polled every 50 ms)."""
    start = time.perf_counter()
    pending = set(pks)
    while pending and time.perf_counter() - start < timeout:
        for pk in list(pending):
            state = _get(port, f"/api/v1/documents/{pk}/", token).get("state")
            if state != "processing":
                if state != "ready":
                    print(f"  document {pk} ended {state}", file=sys.stderr)
                pending.discard(pk)
        time.sleep(0.05)
    if pending:
        raise SystemExit(f"documents {sorted(pending)} still processing after {timeout} s")
    return time.perf_counter() - start


def _wait_http(port: int, server: subprocess.Popen) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 30 seconds")


# --- the measurement ------------------------------------------------------------------------------


def measure(env: dict[str, str], info: dict, args: argparse.Namespace) -> None:
    var = Path(env["PORTAL_VAR_DIR"])
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    web = _start(
        [
            *(gunicorn, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(WORKERS), "--timeout", "300"),
        ],
        env,
        var / "gunicorn.log",
    )
    worker = _start(
        [
            *(sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork"),
            *("--concurrency=1", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"], "--loglevel=WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        env,
        var / "worker.log",
    )
    token = info["token"]
    try:
        _wait_http(port, web)
        for _ in range(50):
            if _children(worker.pid):
                break
            time.sleep(0.2)
        pdfs = (1,) if args.smoke else (1, 15, 60)
        jpegs = ((1, True),) if args.smoke else ((1, True), (16, True), (59, False))
        files = [
            (f"PDF {n} MB", make_pdf(n), "scan.pdf", "application/pdf", info["pdf"]) for n in pdfs
        ] + [
            (f"JPEG {n} MP", make_jpeg(n, noisy), "p.jpg", "image/jpeg", info["jpeg"])
            for n, noisy in jpegs
        ]
        # Warm both web workers and the Celery child (imports, connections).
        body, ctype = _multipart("w.jpg", files[len(pdfs)][1], "image/jpeg")
        warm = [
            _post(port, f"/api/v1/requirements/{info['jpeg']}/upload/", body, ctype, token)
            for _ in range(WORKERS * 2)
        ]
        _wait_ready(port, token, [w[1]["id"] for w in warm])
        header = (
            f"{'file':12} {'MB':>6} | {'floor ms':>9} {'floor web +MB':>13} | "
            f"{'API floor ms':>12} | {'upload ms':>9} {'x floor':>7} {'x api':>5} "
            f"{'web +MB':>8} | {'ready s':>7} {'celery peak MB':>14}"
        )
        print(header)
        print("-" * len(header))
        rows = []
        for label, data, name, mime, req in files:
            body, ctype = _multipart(name, data, mime)
            web_pids = _children(web.pid)
            floor_ms, floor_mb, up_ms, up_mb, ready_s, celery_mb = [], [], [], [], [], []
            api_ms = []
            queue = env["CELERY_TASK_DEFAULT_QUEUE"]
            for _ in range(args.runs):
                _quiet(worker.pid, queue)
                with Peak(web_pids) as peak:
                    status, _data, ms = _post(port, "/bench/parse", body, ctype, token)
                assert status == 200, (status, _data)
                floor_ms.append(ms)
                floor_mb.append(peak.growth_mb())
                _quiet(worker.pid, queue)
                status, _data, ms = _post(port, "/bench/api-parse", body, ctype, token)
                assert status == 200, (status, _data)
                api_ms.append(ms)
                _quiet(worker.pid, queue)
                with Peak(web_pids) as peak, Sampler(worker.pid) as cpeak:
                    status, doc, ms = _post(
                        port, f"/api/v1/requirements/{req}/upload/", body, ctype, token
                    )
                    if status != 201:
                        raise SystemExit(f"{label}: upload answered {status}: {doc}")
                    up_ms.append(ms)
                    up_mb.append(peak.growth_mb())
                    ready_s.append(_wait_ready(port, token, [doc["id"]]))
                    celery_mb.append(cpeak.peak_mb())
            row = {
                "file": label,
                "mb": len(data) / MB,
                "floor_ms": statistics.median(floor_ms),
                "floor_mb": statistics.median(floor_mb),
                "api_ms": statistics.median(api_ms),
                "upload_ms": statistics.median(up_ms),
                "web_mb": max(up_mb),
                "ready_s": statistics.median(ready_s),
                "celery_mb": max(celery_mb),
            }
            rows.append(row)
            print(
                f"{label:12} {row['mb']:>6.1f} | "
                f"{row['floor_ms']:>9.0f} {row['floor_mb']:>13.1f} | {row['api_ms']:>12.0f} | "
                f"{row['upload_ms']:>9.0f} {row['upload_ms'] / row['floor_ms']:>7.2f} "
                f"{row['upload_ms'] / row['api_ms']:>5.2f} {row['web_mb']:>8.1f} | "
                f"{row['ready_s']:>7.2f} {row['celery_mb']:>14.0f}",
                flush=True,
            )
        if args.concurrent:
            concurrent(
                port,
                web,
                worker,
                token,
                info,
                files[-2 if not args.smoke else -1][1],
                args.concurrent,
            )
    finally:
        _stop(web)
        _stop(worker)


def concurrent(
    port: int,
    web: subprocess.Popen,
    worker: subprocess.Popen,
    token: str,
    info: dict,
    data: bytes,
    n: int,
) -> None:
    body, ctype = _multipart("p.jpg", data, "image/jpeg")
    results: list[tuple[int, dict, float]] = []
    lock = threading.Lock()

    def one() -> None:
        answer = _post(port, f"/api/v1/requirements/{info['jpeg']}/upload/", body, ctype, token)
        with lock:
            results.append(answer)

    web_pids = _children(web.pid)
    rss_before = [_status_kb(pid, "VmRSS") / 1024 for pid in web_pids]
    start = time.perf_counter()
    with Peak(web_pids) as peak, Sampler(worker.pid) as cpeak:
        threads = [threading.Thread(target=one) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        answered = time.perf_counter() - start
        bad = [r for r in results if r[0] != 201]
        if bad:
            raise SystemExit(f"{len(bad)} of {n} concurrent uploads failed: {bad[0][:2]}")
        ready = _wait_ready(port, token, [r[1]["id"] for r in results])
        times = [r[2] for r in results]
        print()
        print(
            f"{n} concurrent uploads of the 16 MP JPEG ({len(data) / MB:.1f} MB), {WORKERS} web "
            f"workers: all answered in {answered:.1f} s (slowest request "
            f"{max(times):.0f} ms, median {statistics.median(times):.0f} ms); "
            f"web workers' RSS before {', '.join(f'{m:.0f}' for m in rss_before)} MB, peak "
            f"growth {peak.growth_mb():.1f} MB; all ready {ready:.1f} s later; Celery child peak "
            f"{cpeak.peak_mb():.0f} MB"
        )


def _load(when: str) -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min) {when}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="requests of each kind per file")
    parser.add_argument("--concurrent", type=int, default=20, help="0 skips the concurrent run")
    parser.add_argument("--smoke", action="store_true", help="only the 1 MB PDF and 1 MP JPEG")
    args = parser.parse_args()
    import psycopg

    name = f"portal_bench_uploads_{secrets.token_hex(4)}"
    os.environ["BENCH_SECRET_KEY"] = secrets.token_urlsafe(50)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-uploads-") as var_dir:
            (Path(var_dir) / "bench_urls.py").write_text(BENCH_URLS)
            (Path(var_dir) / "bench_settings.py").write_text(BENCH_SETTINGS)
            env = _env(f"{PG}/{name}", var_dir)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            out = subprocess.run(  # noqa: S603 - fixed arguments
                [sys.executable, __file__, "seed"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            info = json.loads(out.strip().splitlines()[-1])
            print(f"database {name}; {WORKERS} gunicorn sync workers; Celery prefork, 1 child")
            print(_load("before"))
            measure(env, info, args)
            print(_load("after"))
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        print(json.dumps(seed()))
    else:
        main()
