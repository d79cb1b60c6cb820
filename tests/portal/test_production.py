"""Production settings (refusals, email, admins, storage selection), JSON logs without personal
data, liveness, readiness, metrics and Sentry scrubbing."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from portal.logging import JsonFormatter, RedactTokensFilter, RequestContextFilter
from portal.storage import s3_options

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p" * 64,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
}


def _run(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with only ``env`` (plus PATH) set."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/nonexistent"), **env}
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; "
        "django.setup(); from django.conf import settings\n" + code
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_redis():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = _run(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG is off but REDIS_URL is not set." in result.stderr
    assert "REDIS_URL=redis://redis:6379/0" in result.stderr


def test_production_settings_email_admins_caches_and_no_files_on_import(tmp_path):
    var = tmp_path / "var"
    result = _run(
        {
            **PRODUCTION,
            "PORTAL_VAR_DIR": str(var),
            "DJANGO_ADMINS": "Ops Team <ops@example.com>, oncall@example.com",
            "DJANGO_SERVER_EMAIL": "errors@example.com",
        },
        "import json; print(json.dumps({'timeout': settings.EMAIL_TIMEOUT, "
        "'admins': settings.ADMINS, 'server': settings.SERVER_EMAIL, "
        "'cache': settings.CACHES['default']['BACKEND'], "
        "'throttle': settings.CACHES['api_throttle']['BACKEND'], "
        "'storage': settings.STORAGES['private']['BACKEND']}))",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    assert values["timeout"] == 10
    assert values["admins"] == [["Ops Team", "ops@example.com"], ["", "oncall@example.com"]]
    assert values["server"] == "errors@example.com"
    assert values["cache"] == values["throttle"] == "django.core.cache.backends.redis.RedisCache"
    assert values["storage"] == "django.core.files.storage.FileSystemStorage"
    assert not var.exists(), "production settings must create nothing on import"


def test_production_reuses_checked_database_connections_and_caches_templates():
    """Issue 17/18: no connection set-up per request, a dropped connection replaced before use,
    and every template compiled once per process (Django's cached loader) with DEBUG off."""
    code = (
        "import json; from django.template import engines; db = settings.DATABASES['default']; "
        "print(json.dumps({'age': db['CONN_MAX_AGE'], 'checks': db['CONN_HEALTH_CHECKS'], "
        "'loaders': [type(x).__module__ for x in engines['django'].engine.template_loaders], "
        "'inner': [type(x).__module__ for x in "
        "engines['django'].engine.template_loaders[0].loaders]}))"
    )
    result = _run(PRODUCTION, code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    assert (values["age"], values["checks"]) == (60, True)
    assert values["loaders"] == ["django.template.loaders.cached"]
    assert values["inner"] == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]
    off = _run({**PRODUCTION, "DJANGO_CONN_MAX_AGE": "0"}, code)
    assert json.loads(off.stdout.splitlines()[-1])["age"] == 0


def test_bucket_storage_is_chosen_by_the_environment_only():
    code = (
        "import json; s = settings.STORAGES['private']; "
        "print(json.dumps([s['BACKEND'], s.get('OPTIONS', {}).get('bucket_name'), "
        "settings.STORAGES['default'] == s]))"
    )
    url = "s3://key:secret@minio:9000/portal-documents?scheme=http"
    chosen = _run({**PRODUCTION, "PORTAL_STORAGE_URL": url}, code)
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout.splitlines()[-1]) == [
        "storages.backends.s3.S3Storage",
        "portal-documents",
        True,
    ]
    aws = _run({**PRODUCTION, "AWS_STORAGE_BUCKET_NAME": "docs-bucket"}, code)
    assert json.loads(aws.stdout.splitlines()[-1])[:2] == [
        "storages.backends.s3.S3Storage",
        "docs-bucket",
    ]
    # Credentials or a CA bundle for other tools do not switch storage.
    other = _run({**PRODUCTION, "AWS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"}, code)
    assert json.loads(other.stdout.splitlines()[-1])[0].endswith("FileSystemStorage")


def test_bad_storage_settings_are_refused_with_what_to_fix():
    bad = _run({**PRODUCTION, "PORTAL_STORAGE_URL": "https://minio:9000/bucket"})
    assert bad.returncode != 0
    assert "PORTAL_STORAGE_URL must start with s3://" in bad.stderr
    orphan = _run({**PRODUCTION, "AWS_S3_ENDPOINT_URL": "http://minio:9000"})
    assert orphan.returncode != 0
    assert "AWS_S3_ENDPOINT_URL set but AWS_STORAGE_BUCKET_NAME is missing" in orphan.stderr


def test_storage_url_options():
    options = s3_options(
        {"PORTAL_STORAGE_URL": "s3://AK:s%2Fcret@minio:9000/bucket/uploads?scheme=http&region=eu"}
    )
    assert options == {
        "bucket_name": "bucket",
        "location": "uploads",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": False,
        "signature_version": "s3v4",
        "object_parameters": {"ServerSideEncryption": "AES256"},
        "endpoint_url": "http://minio:9000",
        "addressing_style": "path",
        "access_key": "AK",
        "secret_key": "s/cret",
        "region_name": "eu",
    }
    aws = s3_options({"PORTAL_STORAGE_URL": "s3://@/bucket?sse=none"})
    assert "endpoint_url" not in aws
    assert aws["object_parameters"] == {}
    assert s3_options({}) is None
    for url, message in [
        ("s3://k:s@host/", "names no bucket"),
        ("s3://k:s@host/b?acl=public-read", "unknown options acl"),
        ("s3://k:s@host/b?sse=rot13", "not one of AES256"),
        ("s3://k:s@host:port/b", "port is not a number"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            s3_options({"PORTAL_STORAGE_URL": url})


# --- JSON logs ---------------------------------------------------------------------------------


def test_production_logs_are_json_lines_with_time_level_and_ids():
    result = _run(
        PRODUCTION,
        "import logging; logging.getLogger('cases').warning('mail to %s failed', "
        "'amy@example.test')",
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert set(line) == {"time", "level", "logger", "message", "request_id", "user_id"}
    assert line["level"] == "WARNING"
    assert line["time"].endswith("+00:00")
    assert line["message"] == "mail to [email] failed"


@pytest.fixture
def json_log():  # type: ignore[no-untyped-def]
    """What the production console handler would print, captured: one JSON object per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactTokensFilter())
    loggers = [logging.getLogger(n) for n in ("", "django", "django.request", "cases", "portal")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_settings_wire_the_json_formatter_and_request_context():
    from django.conf import settings

    assert settings.LOGGING["formatters"]["json"]["()"] == "portal.logging.JsonFormatter"
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_context", "redact_tokens"]
    assert settings.MIDDLEWARE[0] == "django_guid.middleware.guid_middleware"
    assert "portal.logging.RequestContextMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_log_lines_carry_request_and_user_ids_but_no_personal_data(
    json_log, case, applicant, applicant_user, client_for, pdf_bytes, upload_file
):
    applicant.passport_number = "E98765432"
    applicant.save(update_fields=["passport_number"])
    client = client_for(applicant_user)
    requirement = case.requirements.get(code="passport-bio-page")
    # A rejected upload, a page that is not there, a reset link with a token, a failed login,
    # and application code that names a person.
    client.post(
        reverse("cases:upload", args=[case.pk, requirement.pk]),
        {"file": upload_file(b"MZ\x90\x00" + b"\x00" * 300, "Amy Applicant passport.pdf")},
    )
    response = client.get("/no/such/page/", HTTP_X_REQUEST_ID="0f4c1bb1e2a34d0f9c6a1f1e5d2b7a90")
    assert response["X-Request-ID"] == "0f4c1bb1e2a34d0f9c6a1f1e5d2b7a90"
    client.get("/accounts/password/reset/MQ/set-password-abcdef0123456789/")
    client_for(None).post(
        reverse("login"), {"username": applicant_user.email, "password": "wrong-password-x"}
    )
    logging.getLogger("cases").warning(
        "could not notify %s about %s", applicant_user.email, "the new upload"
    )
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "nothing was logged"
    not_found = [line for line in lines if "/no/such/page/" in line["message"]]
    assert not_found
    assert not_found[0]["request_id"] == "0f4c1bb1e2a34d0f9c6a1f1e5d2b7a90"
    assert not_found[0]["user_id"] == applicant_user.pk, not_found
    assert not_found[0]["status_code"] == 404
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id", "user_id"} <= set(line)
    text = json_log.getvalue()
    for secret in (
        applicant_user.email,
        "amy@",
        "Amy",
        "Applicant",
        "E98765432",
        "abcdef0123456789",
        applicant.family_name,
    ):
        assert secret not in text, secret


# --- liveness, readiness, metrics --------------------------------------------------------------


@pytest.mark.django_db
def test_liveness_asks_nothing_of_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db(transaction=True)
def test_readiness_checks_database_cache_and_storage(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz/ready", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {
        "Database(alias='default')",
        "Cache(alias='default')",
        "Storage(alias='private')",
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db(transaction=True)
def test_readiness_fails_when_a_dependency_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz/ready", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert "Unable to connect to Redis" in body["Redis(db=0, host='127.0.0.1', port=1)"]
    assert body["Database(alias='default')"] == "OK"


@pytest.mark.django_db(transaction=True)
def test_readiness_pings_celery_workers_on_a_real_broker(client, settings):
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("needs Redis: set REDIS_URL (CI does)")
    from portal.celery import app

    settings.PORTAL_READINESS_CELERY = True
    settings.CELERY_BROKER_URL = redis_url
    previous = app.conf.broker_url
    app.conf.broker_url = redis_url
    try:
        response = client.get("/healthz/ready", HTTP_ACCEPT="application/json")
    finally:
        app.conf.broker_url = previous
    # No worker runs in this test: readiness says so instead of pretending.
    assert response.status_code == 503
    assert "Celery workers unavailable" in json.dumps(response.json())


@pytest.mark.django_db
def test_metrics_need_the_token_and_answer_404_otherwise(client, settings, applicant_user):
    url = "/internal/metrics"
    settings.PORTAL_METRICS_TOKEN = ""
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ").status_code == 404
    settings.PORTAL_METRICS_TOKEN = "scrape-token-for-tests-0123456789"
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.force_login(applicant_user)  # being signed in is not enough
    assert client.get(url).status_code == 404
    client.get("/healthz")
    response = client.get(url, HTTP_AUTHORIZATION="Bearer scrape-token-for-tests-0123456789")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_responses_total_by_status_total" in text


# --- Sentry ------------------------------------------------------------------------------------


def test_sentry_events_leave_out_passport_numbers_file_names_and_emails():
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from portal import sentry

    class Capture(Transport):
        def __init__(self, options=None):  # type: ignore[no-untyped-def]
            super().__init__(options)
            self.events: list[dict] = []

        def capture_envelope(self, envelope):  # type: ignore[no-untyped-def]
            event = envelope.get_event()
            if event is not None:
                self.events.append(event)

    transport = Capture()
    sentry.init(dsn="https://public@sentry.invalid/1", environment="test", transport=transport)
    try:
        client = sentry_sdk.get_client()
        assert {"django", "celery"} <= set(client.integrations)
        logging.getLogger("cases").warning("upload by amy@example.test of Amy-scan.pdf")

        def fail_upload(passport_number: str, filename: str) -> None:
            raise ValueError(f"“{filename}” of passport {passport_number} is not a PDF")

        try:
            fail_upload("E12345678", "Amy passport scan.pdf")
        except ValueError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # no DSN: the SDK is off again for the other tests
    assert len(transport.events) == 1
    dumped = json.dumps(transport.events[0], ensure_ascii=False)
    assert "ValueError" in dumped
    for secret in ("E12345678", "Amy", "scan.pdf", "amy@example.test"):
        assert secret not in dumped, secret
    frames = transport.events[0]["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)
