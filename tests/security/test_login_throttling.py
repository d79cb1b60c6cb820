"""Login throttling (django-axes) and enumeration-safe login answers."""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from tests.otp import login_verified

LOGIN = "/accounts/login/"


WRONG = "wrong-password"


def _attempt(client: Client, email: str, password: str = WRONG, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _normalised(body: bytes, email: str) -> str:
    text = body.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_fifteen_minutes(applicant_user):
    client = Client()
    for _ in range(4):
        assert _attempt(client, applicant_user.email).status_code == 200
    locked = _attempt(client, applicant_user.email)
    assert locked.status_code == 429
    assert "15 minutes" in locked.content.decode()
    # Even the right password is refused while locked, from another address too.
    right = _attempt(Client(), applicant_user.email, TEST_PASSWORD, ip="10.9.9.9")
    assert right.status_code == 429
    # Other accounts are not affected.
    assert _attempt(Client(), "someone.else@example.test", ip="10.9.9.9").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        ok = _attempt(Client(), applicant_user.email, TEST_PASSWORD, ip="10.9.9.9")
        assert ok.status_code == 302


@pytest.mark.django_db
def test_account_counter_ignores_letter_case(applicant_user):
    client = Client()
    for i in range(5):
        email = applicant_user.email.upper() if i % 2 else applicant_user.email
        response = _attempt(client, email, ip=f"10.0.1.{i}")
    assert response.status_code == 429


@pytest.mark.django_db
def test_twenty_failures_from_one_address_lock_that_address(applicant_user):
    client = Client()
    for i in range(19):
        assert _attempt(client, f"guess{i}@example.test", ip="10.0.0.7").status_code == 200
    assert _attempt(client, "guess-last@example.test", ip="10.0.0.7").status_code == 429
    blocked = _attempt(client, applicant_user.email, TEST_PASSWORD, ip="10.0.0.7")
    assert blocked.status_code == 429
    ok = _attempt(Client(), applicant_user.email, TEST_PASSWORD, ip="10.0.0.8")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_unknown_and_known_emails_get_the_same_answer(applicant_user):
    known = _attempt(Client(), applicant_user.email, ip="10.1.0.1")
    unknown = _attempt(Client(), "nobody@example.test", ip="10.1.0.2")
    assert known.status_code == unknown.status_code == 200
    assert _normalised(known.content, applicant_user.email) == _normalised(
        unknown.content, "nobody@example.test"
    )


@pytest.mark.django_db
def test_inactive_account_gets_the_same_answer_as_a_wrong_password(applicant_user):
    wrong = _attempt(Client(), applicant_user.email, ip="10.1.0.3")
    applicant_user.is_active = False
    applicant_user.save(update_fields=["is_active"])
    inactive = _attempt(Client(), applicant_user.email, TEST_PASSWORD, ip="10.1.0.4")
    assert inactive.status_code == wrong.status_code == 200
    assert _normalised(inactive.content, "x") == _normalised(wrong.content, "x")


@pytest.mark.django_db
def test_lockout_answer_is_the_same_for_unknown_accounts(applicant_user):
    for i in range(5):
        known = _attempt(Client(), applicant_user.email, ip=f"10.2.0.{i}")
        unknown = _attempt(Client(), "ghost@example.test", ip=f"10.3.0.{i}")
    assert known.status_code == unknown.status_code == 429
    assert _normalised(known.content, "x") == _normalised(unknown.content, "x")


@pytest.mark.django_db
def test_admin_sees_and_clears_lockouts(applicant_user, admin_user):
    for _ in range(5):
        _attempt(Client(), applicant_user.email)
    admin = login_verified(Client(), admin_user)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert applicant_user.email in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=applicant_user.email)
    admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert _attempt(Client(), applicant_user.email, TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_admin_is_not_for_advisors(advisor, client_for):
    response = client_for(advisor).get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
