"""Two-factor: required for advisors and admins before case data or the admin, optional for
applicants; QR enrolment without scripts; single-use codes and recovery codes."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.otp import login_verified


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["advisor", "supervisor", "admin_user"])
@pytest.mark.parametrize("url_name", ["cases:list", "dashboard", "admin:index"])
def test_staff_without_a_device_are_sent_to_enrolment(persona, url_name, request):
    user = request.getfixturevalue(persona)
    response = _logged_in(user).get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


@pytest.mark.django_db
def test_staff_case_page_is_not_reachable_before_verification(case, advisor):
    TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    response = _logged_in(advisor).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


@pytest.mark.django_db
def test_api_paths_answer_403_without_verification(advisor):
    response = _logged_in(advisor).get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


@pytest.mark.django_db
def test_applicant_without_a_device_needs_no_code(case, applicant_user):
    response = _logged_in(applicant_user).get(reverse("cases:my_detail", args=[case.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_applicant_who_opted_in_must_verify(case, applicant_user):
    TOTPDevice.objects.create(user=applicant_user, name="phone", confirmed=True)
    response = _logged_in(applicant_user).get(reverse("cases:my_detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


@pytest.mark.django_db
def test_enrolment_by_qr_code_then_recovery_codes(advisor):
    client = _logged_in(advisor)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html
    assert "style=" not in html
    assert reverse("two_factor_qr") in html
    qr = client.get(reverse("two_factor_qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    assert b"<script" not in qr.content
    assert qr["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user=advisor, confirmed=False)
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert wrong.status_code == 400
    assert "did not match" in wrong.content.decode()
    # django-otp throttles after a failure (1 s, doubling); wait it out.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3), tick=False):
        done = client.post(reverse("two_factor_setup"), {"token": _code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]+)</code>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    # The enrolling session is verified: case pages open.
    assert client.get(reverse("cases:list")).status_code == 200


@pytest.mark.django_db
def test_totp_code_verifies_once(advisor):
    device = TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    code = _code(device)
    first = _logged_in(advisor)
    response = first.post(reverse("two_factor_verify"), {"token": code, "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert first.get(reverse("cases:list")).status_code == 200
    second = _logged_in(advisor)
    replay = second.post(reverse("two_factor_verify"), {"token": code})
    assert replay.status_code == 400
    assert second.get(reverse("cases:list")).status_code == 302


@pytest.mark.django_db
def test_recovery_code_works_once(advisor):
    client = login_verified(Client(), advisor)
    response = client.post(reverse("two_factor_recovery"))
    codes = re.findall(r"<code>([a-z0-9]+)</code>", response.content.decode())
    assert len(codes) == 10
    fresh = _logged_in(advisor)
    assert fresh.post(reverse("two_factor_verify"), {"token": codes[0]}).status_code == 302
    assert fresh.get(reverse("cases:list")).status_code == 200
    again = _logged_in(advisor)
    assert again.post(reverse("two_factor_verify"), {"token": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=advisor).count() == 9


@pytest.mark.django_db
def test_verify_ignores_an_offsite_next(advisor):
    device = TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    response = _logged_in(advisor).post(
        reverse("two_factor_verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_test_helper_client_for_passes_two_factor(case, advisor, client_for):
    assert client_for(advisor).get(reverse("cases:detail", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_password_alone_cannot_enrol_a_new_authenticator(advisor):
    TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    client = _logged_in(advisor)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("two_factor_qr")).status_code == 404
    assert client.post(reverse("two_factor_setup"), {"token": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=advisor).count() == 1


@pytest.mark.django_db
def test_verification_gives_a_new_session_id(advisor):
    device = TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    client = _logged_in(advisor)
    before = client.cookies["sessionid"].value
    client.post(reverse("two_factor_verify"), {"token": _code(device)})
    assert client.cookies["sessionid"].value != before
    assert client.get(reverse("cases:list")).status_code == 200
