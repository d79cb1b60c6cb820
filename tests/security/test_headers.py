"""Security headers read from real responses, with the production settings applied."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(settings):  # type: ignore[no-untyped-def]
    """Apply exactly what portal/settings.py adds when DJANGO_DEBUG is off."""
    for name, value in settings.PRODUCTION_SECURITY.items():
        setattr(settings, name, value)
    settings.DEBUG = False
    return settings


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.django_db
def test_https_responses_carry_the_security_headers(production):
    response = Client().get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = _csp(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production):
    response = Client().get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_cookies_are_secure_httponly_and_samesite(production, applicant_user):
    client = Client()
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        reverse("login"),
        {"username": applicant_user.email, "password": TEST_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert int(session["max-age"]) == 30 * 60


@pytest.mark.django_db
def test_case_pages_and_downloads_have_strict_headers(
    production, case, applicant_user, client_for, pdf_bytes, stream
):
    from cases import services

    requirement = case.requirements.get(code="passport-bio-page")
    doc = services.document_upload(
        requirement=requirement, stream=stream(pdf_bytes), filename="p.pdf", actor=applicant_user
    )
    client = client_for(applicant_user)
    page = client.get(reverse("cases:my_detail", args=[case.pk]), secure=True)
    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "<script" not in page.content.decode()
    download = client.get(reverse("cases:download", args=[doc.pk]), secure=True)
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith("attachment;")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "portal.example.com",
        "PORTAL_VAR_DIR": str(tmp_path),
        # Production refuses to start without Redis; the check does not connect to it.
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_token_redaction_filter_is_wired_into_logging(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert "redact_tokens" in console["filters"]
    assert settings.LOGGING["filters"]["redact_tokens"]["()"] == "portal.logging.RedactTokensFilter"


def test_password_validators_are_on(settings):
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    } <= names
    minimum = next(
        v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator")
    )
    assert minimum["OPTIONS"]["min_length"] >= 12


def test_django_log_handlers_redact_tokens():
    import logging

    from portal.logging import RedactTokensFilter

    for name in ("django", "django.server"):
        handlers = [
            h
            for h in logging.getLogger(name).handlers
            if not type(h).__module__.startswith("_pytest")  # pytest's own capture handlers
        ]
        assert handlers
        for handler in handlers:
            assert any(isinstance(f, RedactTokensFilter) for f in handler.filters)
