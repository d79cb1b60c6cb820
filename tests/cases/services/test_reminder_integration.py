"""Integration: a real Celery worker and beat against the real Redis (REDIS_URL) and the test
PostgreSQL database, with the file-based email backend.

1. A due requirement gets exactly one delivery and one email, however many sweeps run.
2. The worker is killed with SIGKILL in the middle of a sweep and restarted: every due
   reminder is still delivered exactly once.

Skipped when REDIS_URL is unset or Redis does not answer. Bounded: about 30 s, 120 s at most.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import DeliveryStatus, ReminderDelivery, ReminderRule
from tests.factories import AdvisorFactory, ApplicantFactory, open_case

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 60  # seconds for each wait


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return ""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return ""
    return url


REDIS_URL = _redis_url()

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.skipif(not REDIS_URL, reason="needs a reachable Redis at REDIS_URL"),
]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Processes:
    """Worker and beat subprocesses in their own process groups (so SIGKILL takes children)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.mail = tmp / "mail"
        self.mail.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_TASK_DEFAULT_QUEUE": f"reminders-it-{uuid.uuid4().hex[:8]}",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "PORTAL_VAR_DIR": str(tmp / "var"),
            # A pause between emails makes "the middle of a sweep" last long enough to hit.
            "REMINDER_SEND_PAUSE_SECONDS": "1.0",
            "REMINDER_CLAIM_TIMEOUT_SECONDS": "5",
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.starts = 0

    def start(self, name: str, *args: str) -> None:
        self.starts += 1
        log = open(self.tmp / f"{name}-{self.starts}.log", "wb")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        queue = self.env["CELERY_TASK_DEFAULT_QUEUE"]
        self.start(
            "worker",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)

    def emails(self) -> list[str]:
        """Recipients of every email written, one entry per message."""
        found = []
        for path in sorted(self.mail.glob("*.log")):
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("To: "):
                    found.append(line[4:].strip())
        return found


def wait_for(predicate, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _due_today_case(advisor):
    """A case whose passport requirement's 'due today' reminder moment (09:00 UTC) has passed
    within the last 24 hours of real time."""
    applicant = ApplicantFactory()
    applicant.user.time_zone = "UTC"
    applicant.user.save(update_fields=["time_zone"])
    case = open_case(applicant=applicant, advisor=advisor)
    due = (timezone.now() - dt.timedelta(hours=9)).date()
    case.requirements.update(due_date=None)
    case.requirements.filter(code="passport-bio-page").update(due_date=due)
    return case


def _sent() -> int:
    return ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_and_beat_deliver_each_reminder_exactly_once_even_after_kill_9(tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    ReminderRule.objects.update(active=False)
    ReminderRule.objects.create(
        name="it", kind="requirement_due", audience="applicant", channel="email", offsets=[0]
    )
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Reminder sweep",
        defaults={"task": "cases.reminders_sweep", "interval": every_2s, "enabled": True},
    )
    advisor = AdvisorFactory()
    first = _due_today_case(advisor)

    procs = Processes(tmp_path)
    try:
        procs.start_worker()
        procs.start("beat", "beat", "--max-interval=2")

        # 1. One due requirement: one delivery, one email, even after several more sweeps.
        wait_for(lambda: _sent() == 1, "the first reminder to be sent")
        worker_log = next(tmp_path.glob("worker-*.log"))
        wait_for(
            lambda: worker_log.read_text(errors="replace").count("succeeded") >= 3,
            "two more sweeps",
        )
        assert ReminderDelivery.objects.count() == 1
        assert procs.emails() == [first.applicant.email]

        # 2. Five more due reminders; SIGKILL the worker after some but not all are sent.
        others = [_due_today_case(advisor) for _ in range(5)]
        wait_for(lambda: _sent() >= 3, "the sweep to be half-way")
        procs.kill("worker")
        sent_at_kill = _sent()
        print(f"sent when the worker was killed: {sent_at_kill} of 6")
        assert sent_at_kill < 6, "the kill must land in the middle of the sweep"
        procs.start_worker()
        wait_for(lambda: _sent() == 6, "every reminder after the restart")
        time.sleep(4)  # a couple more beats: nothing more may go out
    finally:
        procs.stop_all()

    recipients = procs.emails()
    expected = sorted([first.applicant.email] + [c.applicant.email for c in others])
    assert sorted(recipients) == expected  # each exactly once
    assert ReminderDelivery.objects.count() == 6
    assert not ReminderDelivery.objects.exclude(status=DeliveryStatus.SENT).exists()
