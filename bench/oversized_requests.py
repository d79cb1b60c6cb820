"""Benchmark: how fast an oversized or anonymous upload is refused (target under 0.1 s).

Starts gunicorn (production settings, DJANGO_DEBUG=false, a throw-away SQLite database) on
127.0.0.1, then for each scenario opens a socket, sends the request headers announcing the body
size and keeps sending 64 KB chunks of the body until the answer arrives. Prints the status and
the median and maximum seconds from the first byte sent to the status line received, and how
many body bytes went out before the answer (the server reads none of them).

Scenarios (all anonymous, each with a ``csrftoken`` cookie, as the attack in issue 14):
  2 GB to the API upload, the web upload and the login page (above every route limit: 413)
  100 MB to the API upload with a made-up session cookie (within the upload route's limit,
  above the anonymous limit: 413 after the session lookup, still without reading the body)

Environment: BENCH_RUNS (default 20) per scenario.
"""

import os
import secrets
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
CHUNK = b"x" * 65536
GB = 1024**3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": var_dir,
        "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain http on loopback
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }


def refuse_time(port: int, path: str, size: int, cookie: str) -> tuple[int, float, int]:
    """(status, seconds to the status line, body bytes sent before it)."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
        f"boundary=b\r\nContent-Length: {size}\r\nCookie: {cookie}\r\n\r\n"
    ).encode()
    start = time.perf_counter()
    sock.sendall(head)
    sent = 0
    answer = b""
    while b"\r\n" not in answer:
        readable, writable, _ = select.select([sock], [sock] if sent < size else [], [], 30)
        if readable:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
        elif writable:
            try:
                sent += sock.send(CHUNK)
            except OSError:
                break
        else:
            break
    elapsed = time.perf_counter() - start
    sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, elapsed, sent


def _wait_until_serving(port: int) -> None:
    """Until the worker has loaded the app and answered the health check once (the first
    request is not measured)."""
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if sock.recv(16).startswith(b"HTTP/"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    var_dir = tempfile.mkdtemp(prefix="bench_oversized_")
    env = _env(var_dir)
    python = sys.executable
    # The session lookup of the last scenario needs the tables.
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
        [
            str(Path(python).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(port)
        csrf = f"csrftoken={'a' * 32}"
        scenarios = [
            ("2 GB, API upload", "/api/v1/requirements/1/upload/", 2 * GB, csrf),
            ("2 GB, web upload", "/cases/1/upload/", 2 * GB, csrf),
            ("2 GB, login page", "/accounts/login/", 2 * GB, csrf),
            (
                "100 MB, API upload, made-up session",
                "/api/v1/requirements/1/upload/",
                100 * 1024 * 1024,
                f"{csrf}; sessionid={'b' * 32}",
            ),
        ]
        print(f"{'anonymous request':38} {'status':>6} {'median s':>9} {'max s':>7} {'sent':>9}")
        for label, path, size, cookie in scenarios:
            results = [refuse_time(port, path, size, cookie) for _ in range(RUNS)]
            statuses = {r[0] for r in results}
            times = [r[1] for r in results]
            sent = max(r[2] for r in results)
            print(
                f"{label:38} {'/'.join(map(str, sorted(statuses))):>6} "
                f"{statistics.median(times):>9.4f} {max(times):>7.4f} {sent:>9,}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
