"""Integration: the upload step in a real Celery worker (prefork, one child) against the real
Redis (REDIS_URL) and the test PostgreSQL database (issue 18).

1. A photo's worker child is SIGKILLed in the middle of its first try: the master requeues
   the message (``CELERY_TASK_REJECT_ON_WORKER_LOST``), a new child finishes it: ready.
2. A photo whose every try is killed: after the last try it is ``failed`` ("stopped before it
   finished") and its file is still there.

Skipped when REDIS_URL is unset or Redis does not answer. Bounded: about 30 s, 120 s at most.
"""

import io
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings

from cases import services
from cases.models import Document, VersionState
from cases.samples import sample_jpeg
from tests.cases.services.test_reminder_integration import REDIS_URL, Processes, wait_for
from tests.factories import AdvisorFactory, ApplicantFactory, open_case

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.skipif(not REDIS_URL, reason="needs a reachable Redis at REDIS_URL"),
]

TRIES = 2


def _children(pid: int) -> list[int]:
    """The worker's pool processes (Linux: /proc/<pid>/task/<pid>/children)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _attempts(pk: int) -> int:
    return Document.objects.values_list("processing_attempts", flat=True).get(pk=pk)


def _state(pk: int) -> str:
    return Document.objects.values_list("state", flat=True).get(pk=pk)


def _kill_child_during_try(procs: Processes, pk: int, attempt: int) -> None:
    wait_for(lambda: _attempts(pk) >= attempt, f"try {attempt} of document {pk} to start")
    worker = procs.procs["worker"]
    children = _children(worker.pid)
    assert children, "the prefork worker has a pool child"
    for child in children:
        os.kill(child, signal.SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_child_is_retried_and_the_last_try_fails_keeping_the_file(tmp_path):
    from portal.celery import app

    applicant = ApplicantFactory()
    case = open_case(applicant=applicant, advisor=AdvisorFactory())
    photo = case.requirements.get(code="digital-photo")
    # This process enqueues on commit to its default queue; the worker listens there.
    queue = app.conf.task_default_queue
    procs = Processes(tmp_path)
    procs.env.update(
        {
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "PORTAL_PRIVATE_MEDIA_ROOT": settings.STORAGES["private"]["OPTIONS"]["location"],
            "PORTAL_UPLOAD_PROCESS_PAUSE_SECONDS": "3",
            "PORTAL_UPLOAD_PROCESS_TRIES": str(TRIES),
            "PORTAL_UPLOAD_RETRY_BASE_SECONDS": "0",
        }
    )
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)  # nothing left over from an earlier run
    jpeg = sample_jpeg("Worker test")
    try:
        procs.start(
            "worker",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )
        # 1. Killed once, finished by the next child.
        first = services.document_upload(
            requirement=photo, stream=io.BytesIO(jpeg), filename="a.jpg", actor=applicant.user
        )
        assert first.state == VersionState.PROCESSING
        _kill_child_during_try(procs, first.pk, 1)
        wait_for(lambda: _state(first.pk) == VersionState.READY, "the retried try to finish")
        assert _attempts(first.pk) == 2

        # 2. Killed on every try: failed after the last, the file kept.
        second = services.document_upload(
            requirement=photo, stream=io.BytesIO(jpeg), filename="b.jpg", actor=applicant.user
        )
        for attempt in range(1, TRIES + 1):
            _kill_child_during_try(procs, second.pk, attempt)
            time.sleep(0.5)
        wait_for(lambda: _state(second.pk) == VersionState.FAILED, "the version to fail")
    finally:
        procs.stop_all()
        app.conf.task_always_eager = True

    second.refresh_from_db()
    assert second.state_reason == "worker_lost"
    assert second.processing_attempts == TRIES
    assert not second.file_deleted
    assert second.file.read() == jpeg
