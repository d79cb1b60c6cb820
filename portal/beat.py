"""Celery beat's scheduler with a heartbeat, so a health check can tell that beat is alive.

``celery -A portal beat --scheduler portal.beat:HeartbeatScheduler`` runs django-celery-beat's
DatabaseScheduler (schedules editable in the admin) and, after every tick that went through
(at most every 5 seconds: django-celery-beat's loop interval), rewrites the heartbeat file
with the current UTC time. ``bin/healthcheck beat`` calls beat healthy while that file is
younger than 60 seconds. A beat stuck on its database or dead stops the heartbeat.
"""

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django_celery_beat.schedulers import DatabaseScheduler


def heartbeat_path() -> Path:
    """``PORTAL_BEAT_HEARTBEAT_FILE``, default ``portal-beat-heartbeat`` in the temp folder."""
    default = Path(tempfile.gettempdir()) / "portal-beat-heartbeat"
    return Path(os.environ.get("PORTAL_BEAT_HEARTBEAT_FILE", str(default)))


class HeartbeatScheduler(DatabaseScheduler):
    """DatabaseScheduler that records a heartbeat (Unix time, seconds) after each tick."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        path = heartbeat_path()
        partial = path.with_name(path.name + ".partial")
        partial.write_text(f"{time.time():.0f}\n")
        partial.replace(path)  # atomic: the health check never reads half a file
        return interval
