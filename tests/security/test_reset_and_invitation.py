"""Password reset and invitation links: enumeration-safe, rate-limited, expiring, one-time,
no referrer, tokens kept out of logs."""

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.logging import RedactTokensFilter, redact
from portal.services import invitation_link
from tests.factories import UserFactory

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-much-better-password-42"


def _without_csrf(content: bytes) -> bytes:
    """The page with two per-request values of the language switch (on every page) blanked:
    the CSRF token, masked afresh for each response, and the return address, which is the
    requested path itself. Two answers differ there whatever the email or user."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"csrf", content)
    return re.sub(rb'name="next" value="[^"]*"', b"next", content)


def _reset(email: str):
    return Client().post(RESET, {"email": email})


def _link_from_mail(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_reset_answers_the_same_for_known_and_unknown_emails(applicant_user):
    known = _reset(applicant_user.email)
    unknown = _reset("nobody@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    page_known = Client().get(known["Location"])
    page_unknown = Client().get(unknown["Location"])
    assert _without_csrf(page_known.content) == _without_csrf(page_unknown.content)


@pytest.mark.django_db
def test_at_most_three_reset_mails_per_account_per_hour(applicant_user):
    for _ in range(5):
        assert _reset(applicant_user.email).status_code == 302
    assert len(mail.outbox) == 3
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        _reset(applicant_user.email)
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_reset_limit_is_per_account(applicant_user, other_applicant_user):
    for _ in range(4):
        _reset(applicant_user.email)
    _reset(other_applicant_user.email)
    assert [m.to[0] for m in mail.outbox].count(other_applicant_user.email) == 1


@pytest.mark.django_db
def test_reset_link_works_once(applicant_user):
    _reset(applicant_user.email)
    link = _link_from_mail(mail.outbox[0])
    client = Client()
    token_response = client.get(link)
    assert token_response["Referrer-Policy"] == "no-referrer"
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "set-password" in form.redirect_chain[-1][0]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    again = Client().get(link, follow=True)
    assert "invalid or has expired" in again.content.decode()


@pytest.mark.django_db
def test_reset_link_expires_after_one_hour(applicant_user):
    _reset(applicant_user.email)
    link = _link_from_mail(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        page = Client().get(link, follow=True)
    assert "invalid or has expired" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/password/reset/MQ/abc-123/", "/accounts/invitation/MQ/abc-123/"]
)
def test_pages_with_a_token_in_the_url_send_no_referrer(path):
    response = Client().get(path)
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/done/",
    ],
)
def test_form_pages_without_a_token_keep_same_origin_so_browsers_can_post(path):
    # Under no-referrer browsers send "Origin: null" with form posts and CSRF refuses them;
    # the browser test posts the set-password form for real.
    response = Client().get(path)
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_invitation_link_lasts_seven_days_and_works_once():
    user = UserFactory(email="invitee@example.test")
    user.set_unusable_password()
    user.save()
    link = invitation_link(user).split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        client = Client()
        form = client.get("/" + link, follow=True)
        assert 'name="new_password1"' in form.content.decode()
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done.status_code == 302
        again = Client().get("/" + link, follow=True)
        assert 'name="new_password1"' not in again.content.decode()


@pytest.mark.django_db
def test_invitation_link_expires_after_seven_days():
    user = UserFactory(email="late@example.test")
    user.set_unusable_password()
    user.save()
    link = invitation_link(user).split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        page = Client().get("/" + link, follow=True)
    assert 'name="new_password1"' not in page.content.decode()


@pytest.mark.django_db
def test_invitation_answer_is_the_same_for_unknown_users():
    real = UserFactory(email="real@example.test")
    real.set_unusable_password()
    real.save()
    known = Client().get("/accounts/invitation/MQ/bad-token/", follow=True)
    unknown = Client().get("/accounts/invitation/OTk5OTk5/bad-token/", follow=True)
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content) == _without_csrf(unknown.content)


def test_tokens_are_redacted_from_log_lines():
    path = "/accounts/password/reset/MQ/cj1qzk-0123456789abcdef0123456789abcdef/"
    assert "0123456789abcdef" not in redact(f"Not Found: {path}")
    assert "/accounts/password/reset/MQ/[redacted]/" in redact(path)
    assert "abc" not in redact("/accounts/invitation/MQ/abc-def/")


@pytest.mark.django_db
def test_token_url_never_reaches_the_logs(applicant_user, caplog):
    _reset(applicant_user.email)
    link = _link_from_mail(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    handler_filter = RedactTokensFilter()
    caplog.handler.addFilter(handler_filter)
    with caplog.at_level(logging.INFO):
        Client().get(link)
        Client().get(link + "nonexistent/")  # a 404 on a token URL logs the path
        logging.getLogger("django.request").warning("Not Found: %s", link)
    assert caplog.records
    assert token not in caplog.text
