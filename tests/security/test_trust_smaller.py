"""Smaller trust fixes: a password reset ends API tokens; plain-text subjects and notification
titles are not HTML-escaped; rule sets and checklist items are in the audit log."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cases.models import ChecklistItem
from cases.reminders.emails import ReminderItem, notification_title, render_reminder_email
from eligibility import services as eligibility_services
from eligibility.models import RuleSet, RuleSetStatus
from portal import services
from portal.models import ApiToken

NEW_PASSWORD = "a-new-long-passphrase-2026"


@pytest.mark.django_db
def test_password_reset_revokes_every_api_token(advisor, other_advisor):
    _token, key = services.api_token_create(user=advisor, name="CRM")
    services.api_token_create(user=other_advisor, name="theirs")
    uid = urlsafe_base64_encode(force_bytes(advisor.pk))
    token = default_token_generator.make_token(advisor)
    client = Client()
    url = reverse("password_reset_confirm", args=[uid, token])
    page = client.get(url, follow=True)  # Django moves the token into the session first
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=advisor, revoked_at__isnull=True).exists()
    assert ApiToken.objects.filter(user=other_advisor, revoked_at__isnull=True).exists()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/ping/")
    assert api.status_code == 401


def _item(name: str, offset: int = 2) -> ReminderItem:
    return ReminderItem(
        kind="task_due",
        case_reference="K-2026-00001",
        due_date=dt.date(2026, 12, 3),
        offset_days=offset,
        path="/cases/1/",
        name_en=name,
        name_zh=name,
        passport_expiry=None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_subjects_and_titles_are_plain_text_not_html_escaped(advisor, language):
    advisor.preferred_language = language
    name = 'R&D <lab> "plan"'
    subject, text, html = render_reminder_email(advisor, [_item(name)])
    assert name in subject
    assert "&amp;" not in subject
    assert name in text
    assert "R&amp;D &lt;lab&gt;" in html  # the HTML part stays escaped
    title = notification_title(advisor, _item(name))
    assert name in title
    assert "&amp;" not in title


@pytest.mark.django_db
def test_notification_title_is_escaped_once_when_shown(client_for, advisor):
    from tests.factories import NotificationFactory

    NotificationFactory(user=advisor, title=notification_title(advisor, _item("R&D <b>")))
    page = client_for(advisor).get(reverse("reminders:notifications"))
    html = page.content.decode()
    assert "R&amp;D &lt;b&gt;" in html
    assert "&amp;amp;" not in html


@pytest.mark.django_db
def test_rule_set_and_checklist_item_changes_are_in_the_audit_log(admin_user):
    published = RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).first()
    draft = eligibility_services.rule_set_new_version(rule_set=published, actor=admin_user)
    assert LogEntry.objects.get_for_object(draft).exists()
    item = ChecklistItem.objects.first()
    item.name_en = "Passport bio page (colour)"
    item.save(update_fields=["name_en"])
    entry = LogEntry.objects.get_for_object(item).latest("timestamp")
    assert "name_en" in entry.changes_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["ADVISOR@EXAMPLE.TEST", "Advisor@Example.test", "ａｄｖｉｓｏｒ@example.test"]
)
def test_admin_add_user_with_another_letter_case_is_a_form_error(admin_client, advisor, typed):
    from portal.models import User

    before = User.objects.count()
    response = admin_client.post(
        reverse("admin:portal_user_add"),
        {
            "email": typed,
            "full_name": "Twin",
            "role": "advisor",
            "firm": advisor.firm_id or "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()  # a form error, not a second account
    if typed.isascii():
        assert "already exists" in response.content.decode()
    assert User.objects.count() == before
    # The first account still logs in.
    login = Client().post(reverse("login"), {"username": advisor.email, "password": "x"})
    assert login.status_code == 200
