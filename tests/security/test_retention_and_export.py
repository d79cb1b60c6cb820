"""Retention (dry run and run, tombstones, open cases untouched) and the applicant's export."""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import services, tasks
from cases.models import Document, DocumentAccess
from cases.services import privacy
from tests.factories import open_case


def _upload(case, user, content, name="passport.pdf", code="passport-bio-page"):  # type: ignore[no-untyped-def]
    requirement = case.requirements.get(code=code)
    return services.document_upload(
        requirement=requirement, stream=io.BytesIO(content), filename=name, actor=user
    )


@pytest.fixture
def k_retention(case):  # type: ignore[no-untyped-def]
    visa = case.visa_type
    visa.retention_days_after_close = 30
    visa.save(update_fields=["retention_days_after_close"])
    return visa


@pytest.fixture
def closed_case_doc(case, advisor, applicant_user, pdf_bytes, k_retention):  # type: ignore[no-untyped-def]
    doc = _upload(case, applicant_user, pdf_bytes)
    services.case_transition(case=case, to="withdrawn", actor=advisor, reason="applicant left")
    return doc


@pytest.mark.django_db
def test_dry_run_lists_files_past_retention_and_deletes_nothing(closed_case_doc, case):
    later = timezone.now() + dt.timedelta(days=31)
    assert privacy.retention_due(now=timezone.now() + dt.timedelta(days=29)) == []
    items = privacy.retention_apply(dry_run=True, now=later)
    assert [(i.document_id, i.case_reference, i.filename) for i in items] == [
        (closed_case_doc.pk, case.reference, "passport.pdf")
    ]
    closed_case_doc.refresh_from_db()
    assert closed_case_doc.file_deleted_at is None
    assert Path(closed_case_doc.file.path).exists()


@pytest.mark.django_db
def test_run_deletes_the_file_and_keeps_a_tombstone(
    closed_case_doc, case, django_capture_on_commit_callbacks
):
    path = Path(closed_case_doc.file.path)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=31)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = privacy.retention_apply(dry_run=False)
    assert len(done) == 1
    assert not path.exists()
    doc = Document.objects.get(pk=closed_case_doc.pk)
    assert doc.file_deleted_at is not None
    assert doc.file.name == ""
    assert doc.original_filename == "passport.pdf"
    assert doc.sha256 == closed_case_doc.sha256
    assert "30 days" in doc.file_deleted_reason
    entry = LogEntry.objects.filter(object_pk=str(doc.pk), additional_data__isnull=False).last()
    tomb = entry.additional_data["tombstone"]
    assert tomb["filename"] == "passport.pdf"
    assert tomb["sha256"] == closed_case_doc.sha256
    assert tomb["deleted_by"] == "retention task"
    assert "closed" in tomb["reason"]
    assert case.events.filter(data__what="retention").exists()
    # Running again finds nothing: safe to run twice.
    with time_machine.travel(timezone.now() + dt.timedelta(days=32)):
        assert privacy.retention_apply(dry_run=False) == []


@pytest.mark.django_db
def test_open_cases_are_never_touched(case, advisor, applicant_user, pdf_bytes, k_retention):
    other = open_case(advisor=advisor)
    doc = _upload(case, applicant_user, pdf_bytes)
    far = timezone.now() + dt.timedelta(days=3650)
    assert privacy.retention_apply(dry_run=False, now=far) == []
    doc.refresh_from_db()
    assert doc.file_deleted_at is None
    assert other.is_open


@pytest.mark.django_db
def test_visa_types_without_a_rule_keep_files(r_case, advisor, applicant_user, pdf_bytes):
    doc = _upload(r_case, applicant_user, pdf_bytes)
    services.case_transition(case=r_case, to="withdrawn", actor=advisor, reason="x")
    assert privacy.retention_due(now=timezone.now() + dt.timedelta(days=3650)) == []
    doc.refresh_from_db()
    assert not doc.file_deleted


@pytest.mark.django_db
def test_deleted_file_download_answers_410_with_a_message(
    closed_case_doc, advisor, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        privacy.retention_apply(dry_run=False, now=timezone.now() + dt.timedelta(days=31))
    response = client_for(advisor).get(reverse("cases:download", args=[closed_case_doc.pk]))
    assert response.status_code == 410
    assert "retention" in response.content.decode()
    assert not DocumentAccess.objects.exists()


@pytest.mark.django_db
def test_celery_task_and_command_call_the_service(closed_case_doc, capsys):
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert tasks.retention_sweep.delay(dry_run=True).get() == 1
        call_command("retention_run", "--dry-run")
        out = capsys.readouterr().out
        assert "passport.pdf" in out
        assert "would delete 1 file(s)" in out
        assert tasks.retention_sweep.delay().get() == 1
    closed_case_doc.refresh_from_db()
    assert closed_case_doc.file_deleted


# --- the applicant's export -------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_downloads_everything_as_one_archive(
    case, advisor, applicant_user, pdf_bytes, jpeg_bytes, client_for
):
    _upload(case, applicant_user, pdf_bytes, name="护照.pdf")
    _upload(case, applicant_user, jpeg_bytes, name="photo.jpg", code="digital-photo")
    services.message_post(case=case, author=advisor, body="Please send the CV")
    services.message_post(case=case, author=advisor, body="secret internal", internal=True)
    client = client_for(applicant_user)
    assert client.get(reverse("cases:my_export")).status_code == 200
    response = client.post(reverse("cases:my_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"profile.json", "cases.json", "messages.json", "documents.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile["account"]["email"] == applicant_user.email
    assert profile["applicant"]["passport_number"]
    cases = json.loads(archive.read("cases.json"))
    assert cases[0]["reference"] == case.reference
    messages = json.loads(archive.read("messages.json"))
    assert [m["body"] for m in messages] == ["Please send the CV"]
    documents = json.loads(archive.read("documents.json"))
    assert {d["filename"] for d in documents} == {"护照.pdf", "photo.jpg"}
    for d in documents:
        assert archive.read(d["file_in_archive"]) in (pdf_bytes, jpeg_bytes)
    assert DocumentAccess.objects.filter(kind="export").count() == 2


@pytest.mark.django_db
def test_export_holds_nothing_of_other_applicants(
    case, applicant_user, other_applicant, advisor, pdf_bytes, client_for
):
    other_case = open_case(applicant=other_applicant, advisor=advisor)
    _upload(other_case, other_applicant.user, pdf_bytes, name="oscar.pdf")
    response = client_for(applicant_user).post(reverse("cases:my_export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"oscar" not in everything
    assert other_case.reference.encode() not in everything


@pytest.mark.django_db
def test_export_is_404_for_staff(advisor, client_for):
    assert client_for(advisor).post(reverse("cases:my_export")).status_code == 404


@pytest.mark.django_db
def test_retention_sweep_is_scheduled_daily():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="cases.tasks.retention_sweep")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")
