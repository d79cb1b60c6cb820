"""Accounts: email login, invitations, password reset, settings safety."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from portal.services import invitation_link
from tests.factories import TEST_PASSWORD, UserFactory, default_firm

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "Zebra-harbour-1972"


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.mark.django_db
def test_login_with_email_and_logout(client):
    UserFactory(email="x@example.test")
    response = client.post(
        reverse("login"), {"username": "x@example.test", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("cases:my_cases")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("cases:my_cases")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_with_message(client):
    UserFactory(email="x@example.test")
    response = client.post(reverse("login"), {"username": "x@example.test", "password": "no"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


@pytest.mark.django_db
def test_invitation_link_sets_password_once(client):
    user = User.objects.create_user(firm=default_firm(), email="new@example.test")
    link = _path(invitation_link(user))
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Set password" in form_page.content.decode()
    post_url = form_page.redirect_chain[-1][0]
    done = client.post(post_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert "invalid, has already been used, or has expired" in again.content.decode()


@pytest.mark.django_db
def test_invitation_link_expires_after_seven_days(client):
    user = User.objects.create_user(firm=default_firm(), email="late@example.test")
    with time_machine.travel(timezone.now() - timezone.timedelta(days=8)):
        link = _path(invitation_link(user))
    page = client.get(link, follow=True)
    assert "has expired" in page.content.decode()
    with time_machine.travel(timezone.now() - timezone.timedelta(days=6)):
        fresh = _path(invitation_link(user))
    assert "Set password" in client.get(fresh, follow=True).content.decode()


@pytest.mark.django_db
def test_invitation_refuses_weak_password(client):
    user = User.objects.create_user(firm=default_firm(), email="weak@example.test")
    page = client.get(_path(invitation_link(user)), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_password_reset_sends_link_for_known_email_only(client, mailoutbox):
    UserFactory(email="known@example.test")
    known = client.post(reverse("password_reset"), {"email": "known@example.test"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_user_time_zone_must_be_iana():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User.objects.create_user(
            firm=default_firm(), email="tz@example.test", time_zone="Mars/Olympus"
        )


@pytest.mark.django_db
def test_chinese_speaker_gets_chinese_language_activated(client):
    user = UserFactory(email="zh@example.test", preferred_language="zh-hans")
    client.force_login(user)
    response = client.get(reverse("cases:my_cases"))
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert 'lang="zh-hans"' in response.content.decode()


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'portal.settings'; django.setup()",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_import({"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing or too short" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _settings_import(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "k" * 64,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
