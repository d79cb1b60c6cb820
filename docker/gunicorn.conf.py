"""gunicorn settings of the image (``gunicorn --config docker/gunicorn.conf.py``).

Environment: ``PORTAL_BIND`` (default ``0.0.0.0:8000``), ``WEB_CONCURRENCY`` (worker processes,
read by gunicorn itself; default 3), ``GUNICORN_TIMEOUT`` (seconds, default 60),
``PROMETHEUS_MULTIPROC_DIR`` (a writable folder shared by the workers, so that /metrics adds
up every worker's counters; emptied at start).
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("PORTAL_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Heartbeat files of the workers live in /tmp (the image's root filesystem is read-only).
worker_tmp_dir = os.environ.get("TMPDIR", "/tmp")
# The access log stays off: request lines would carry reset and invitation tokens. The app's
# own JSON log lines (with request ids) and the proxy's log cover requests.
accesslog = None
errorlog = "-"
# Behind the proxy: no keep-alive tuning needed, but do not trust forwarded headers from
# anywhere but the proxy network; Django reads X-Forwarded-Proto via SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: object) -> None:
    """Start with an empty metrics folder: files of a previous run would add stale counts."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    """Drop the live gauges of a worker that exited (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
