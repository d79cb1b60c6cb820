"""Documents in an S3-compatible bucket, against a real S3 server process.

The server is whatever ``PORTAL_TEST_S3_ENDPOINT`` points at (``.ci/run`` starts moto's
``moto_server`` and sets it; MinIO works too). Without it these tests are skipped, with the
reason in the summary; with it set but unreachable they fail, so CI cannot skip them silently.
Every test gets its own bucket; the app reaches it only through settings
(``PORTAL_STORAGE_URL``, parsed by portal/storage.py), as production does.
"""

import datetime as dt
import io
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Document, DocumentAccess
from cases.services import privacy
from portal.storage import S3_BACKEND, s3_options

ENDPOINT = os.environ.get("PORTAL_TEST_S3_ENDPOINT", "")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not ENDPOINT,
    reason="S3 storage tests need an S3-compatible server: set PORTAL_TEST_S3_ENDPOINT "
    "(for example run `.venv/bin/moto_server -p 9100` and set http://127.0.0.1:9100); "
    ".ci/run does both",
)


def _client():  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        aws_access_key_id="portal-test",
        aws_secret_access_key="portal-test-secret",
        region_name="us-east-1",
    )


def _storage_url(bucket: str) -> str:
    parts = urlsplit(ENDPOINT)
    return (
        f"s3://portal-test:portal-test-secret@{parts.netloc}/{bucket}"
        f"?scheme={parts.scheme}&region=us-east-1"
    )


@pytest.fixture
def bucket(settings):  # type: ignore[no-untyped-def]
    """A fresh private bucket, and the app's document storage pointed at it."""
    host, _, port = urlsplit(ENDPOINT).netloc.partition(":")
    try:
        socket.create_connection((host, int(port or 80)), timeout=2).close()
    except OSError as exc:
        pytest.fail(f"PORTAL_TEST_S3_ENDPOINT={ENDPOINT} is set but not answering: {exc}")
    name = f"portal-test-{secrets.token_hex(6)}"
    s3 = _client()
    s3.create_bucket(Bucket=name)
    options = s3_options({"PORTAL_STORAGE_URL": _storage_url(name)})
    documents = {"BACKEND": S3_BACKEND, "OPTIONS": options}
    settings.STORAGES = {**settings.STORAGES, "default": documents, "private": documents}
    from django.utils.functional import empty

    from cases.models import private_storage

    private_storage._wrapped = empty
    yield name
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def _upload(case, user, content, name="passport.pdf", code="passport-bio-page"):  # type: ignore[no-untyped-def]
    requirement = case.requirements.get(code=code)
    return services.document_upload(
        requirement=requirement, stream=io.BytesIO(content), filename=name, actor=user
    )


def _keys(bucket: str) -> list[str]:
    return [o["Key"] for o in _client().list_objects_v2(Bucket=bucket).get("Contents", [])]


@pytest.mark.django_db
def test_web_upload_lands_in_the_bucket_under_a_random_key_encrypted(
    bucket, case, applicant_user, client_for, pdf_bytes, upload_file
):
    requirement = case.requirements.get(code="passport-bio-page")
    response = client_for(applicant_user).post(
        reverse("cases:upload", args=[case.pk, requirement.pk]),
        {"file": upload_file(pdf_bytes, "Amy passport.pdf", "application/pdf")},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    (key,) = _keys(bucket)
    assert key == document.file.name
    assert key.startswith("documents/")
    assert "Amy" not in key
    assert "passport" not in key
    head = _client().head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert _client().get_object(Bucket=bucket, Key=key)["Body"].read() == pdf_bytes
    # No public access: the object's plain URL without a signature is refused.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{ENDPOINT}/{bucket}/{key}", timeout=5)  # noqa: S310
    assert refused.value.code == 403


@pytest.mark.django_db
def test_download_streams_from_the_bucket_with_the_usual_headers(
    bucket, case, applicant_user, advisor, client_for, pdf_bytes
):
    document = _upload(case, applicant_user, pdf_bytes, name="护照 扫描.pdf")
    response = client_for(advisor).get(reverse("cases:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E6%8A%A4%E7%85%A7%20%E6%89%AB%E6%8F%8F.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert DocumentAccess.objects.filter(document=document, user=advisor).count() == 1
    # The API's download is the same response.
    api = client_for(advisor).get(f"/api/v1/documents/{document.pk}/download/")
    assert api.status_code == 200
    assert b"".join(api.streaming_content) == pdf_bytes


@pytest.mark.django_db
def test_download_can_redirect_to_a_presigned_url_of_60_seconds(
    bucket, settings, case, applicant_user, client_for, pdf_bytes
):
    settings.PORTAL_DOWNLOAD_REDIRECT = True
    document = _upload(case, applicant_user, pdf_bytes, name="护照.pdf")
    response = client_for(applicant_user).get(reverse("cases:download", args=[document.pk]))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    assert DocumentAccess.objects.filter(document=document, user=applicant_user).count() == 1
    with urllib.request.urlopen(location, timeout=5) as signed:  # noqa: S310 - test server
        assert signed.read() == pdf_bytes
        assert signed.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E6%8A%A4%E7%85%A7.pdf" in signed.headers["Content-Disposition"]
        assert signed.headers["Content-Type"] == "application/pdf"
        assert signed.headers["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_another_users_download_gets_404_and_no_url(
    bucket, settings, case, applicant_user, other_applicant_user, other_advisor, client_for,
    pdf_bytes,
):  # fmt: skip
    settings.PORTAL_DOWNLOAD_REDIRECT = True
    document = _upload(case, applicant_user, pdf_bytes)
    for user in (other_applicant_user, other_advisor):
        response = client_for(user).get(reverse("cases:download", args=[document.pk]))
        assert response.status_code == 404
        assert "Location" not in response
    assert not DocumentAccess.objects.filter(document=document).exists()


@pytest.mark.django_db
def test_retention_deletes_the_object_from_the_bucket(
    bucket, case, advisor, applicant_user, pdf_bytes, django_capture_on_commit_callbacks
):
    visa = case.visa_type
    visa.retention_days_after_close = 30
    visa.save(update_fields=["retention_days_after_close"])
    document = _upload(case, applicant_user, pdf_bytes)
    kept = _upload(case, applicant_user, pdf_bytes, name="photo.pdf", code="cv")
    services.case_transition(case=case, to="withdrawn", actor=advisor, reason="applicant left")
    assert len(_keys(bucket)) == 2
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=31)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = privacy.retention_apply(dry_run=False)
    assert {item.document_id for item in done} == {document.pk, kept.pk}
    assert _keys(bucket) == []
    document.refresh_from_db()
    assert document.file_deleted_at is not None
    assert document.file.name == ""


@pytest.mark.django_db
def test_applicant_export_reads_files_from_the_bucket(
    bucket, case, applicant_user, client_for, pdf_bytes
):
    import zipfile

    _upload(case, applicant_user, pdf_bytes)
    response = client_for(applicant_user).post(reverse("cases:my_export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert pdf_bytes in [archive.read(n) for n in archive.namelist()]


@pytest.mark.django_db
def test_readiness_checks_the_bucket(bucket, client, settings):
    settings.PORTAL_READINESS_CELERY = False
    response = client.get("/healthz/ready", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert "Storage(alias='private')" in response.json()
    assert _keys(bucket) == []  # the probe file was removed


# --- two web processes, one bucket ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_web(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "portal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"web process on port {port} did not start:\n{log.read_text()[-3000:]}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_web_process_serves_a_file_uploaded_through_the_first(
    bucket, settings, tmp_path, pdf_bytes
):
    import requests
    from django.db import connection

    from tests.factories import ApplicantFactory, open_case

    if connection.vendor != "postgresql":
        pytest.skip("two processes sharing the test database need PostgreSQL")
    # The web processes run the real settings: a hasher they know.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    applicant = ApplicantFactory(email="two.webs@example.test")
    applicant.user.set_password("two-web-processes-pw")
    applicant.user.save(update_fields=["password"])
    case = open_case(applicant=applicant)
    requirement = case.requirements.get(code="passport-bio-page")
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))},
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "PORTAL_STORAGE_URL": _storage_url(bucket),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)  # sessions live in the database; no shared cache needed here
    ports = _free_port(), _free_port()
    procs = [_start_web(p, env, tmp_path / f"web{i}.log") for i, p in enumerate(ports)]
    try:
        for i, (port, proc) in enumerate(zip(ports, procs, strict=True)):
            _wait(port, proc, tmp_path / f"web{i}.log")
        first, second = (f"http://127.0.0.1:{p}" for p in ports)
        browser = requests.Session()
        login = browser.get(f"{first}/accounts/login/", timeout=10)
        token = browser.cookies["csrftoken"]
        login = browser.post(
            f"{first}/accounts/login/",
            data={
                "username": "two.webs@example.test",
                "password": "two-web-processes-pw",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{first}/accounts/login/"},
            timeout=10,
        )
        assert login.status_code == 200, login.text[-500:]
        assert urlsplit(login.url).path == "/my/", f"login failed: {login.url}"
        upload = browser.post(
            f"{first}/cases/{case.pk}/requirements/{requirement.pk}/upload/",
            data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            files={"file": ("passport.pdf", pdf_bytes, "application/pdf")},
            headers={"Referer": f"{first}/my/"},
            timeout=30,
        )
        assert upload.status_code == 200, upload.text[-500:]
        assert urlsplit(upload.url).path == f"/my/cases/{case.pk}/", upload.url
        document = Document.objects.get(requirement=requirement)
        assert _keys(bucket) == [document.file.name]
        # The second process has never seen this file, and has no shared disk with the first.
        download = browser.get(f"{second}/documents/{document.pk}/download/", timeout=30)
        assert download.status_code == 200, download.text[-500:]
        assert download.content == pdf_bytes
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
