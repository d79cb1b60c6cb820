"""Account emails are written in the account's saved language, never the browser's (issue 11):
password reset, invitation and "a case was opened for you elsewhere" all go through
``portal.mail`` (``language_of`` + ``account_mail_send``)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.mail import language_of
from portal.services import user_invite_applicant
from tests.factories import AdvisorFactory, UserFactory, make_firm

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
CHINESE_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def _reset(client, email: str, headers: dict[str, str], mailoutbox):  # type: ignore[no-untyped-def]
    response = client.post(reverse("password_reset"), {"email": email}, **headers)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    return mailoutbox[0]


def test_a_chinese_user_asking_from_an_english_browser_gets_a_chinese_reset_email(
    client, mailoutbox
):
    UserFactory(email="zh.reset@example.test", preferred_language="zh-hans")
    message = _reset(client, "zh.reset@example.test", ENGLISH_BROWSER, mailoutbox)
    assert message.subject == "重置您的签证案件门户密码"
    assert "如果不是您本人操作，请忽略此邮件；您的密码不会改变。" in message.body
    assert "Someone asked" not in message.body
    assert "/accounts/password/reset/" in message.body


def test_an_english_user_asking_from_a_chinese_browser_gets_an_english_reset_email(
    client, mailoutbox
):
    UserFactory(email="en.reset@example.test", preferred_language="en")
    client.cookies["django_language"] = "zh-hans"  # the switch before login, too
    message = _reset(client, "en.reset@example.test", CHINESE_BROWSER, mailoutbox)
    assert message.subject == "Reset your Visa Case Portal password"
    assert "If it was not you, ignore this email" in message.body
    assert not CJK.search(message.subject + message.body)


def test_the_reset_page_itself_still_follows_the_browser(client, mailoutbox):
    UserFactory(email="zh.page@example.test", preferred_language="zh-hans")
    response = client.post(
        reverse("password_reset"), {"email": "zh.page@example.test"}, follow=True, **ENGLISH_BROWSER
    )
    assert '<html lang="en">' in response.content.decode()
    assert CJK.search(mailoutbox[0].body)


def test_invitation_email_is_in_the_applicants_language_not_the_inviters(
    django_capture_on_commit_callbacks, mailoutbox
):
    advisor = AdvisorFactory(full_name="Ada Advisor", preferred_language="en")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        user_invite_applicant(
            firm=advisor.firm,
            email="zh.invitee@example.test",
            full_name="Wang Fang",
            preferred_language="zh-hans",
            invited_by=advisor,
        )
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        user_invite_applicant(
            firm=advisor.firm,
            email="en.invitee@example.test",
            full_name="Sam Smith",
            preferred_language="en",
            invited_by=advisor,
        )
    chinese, english = mailoutbox
    assert chinese.to == ["zh.invitee@example.test"]
    assert CJK.search(chinese.subject)
    assert "设置后请登录，查看仍缺少哪些材料并上传。" in chinese.body
    assert english.to == ["en.invitee@example.test"]
    assert english.subject == "Your visa case is open: set your password"
    assert not CJK.search(english.subject + english.body)


def test_case_opened_elsewhere_email_is_in_the_owners_language(
    django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(
        email="owner@example.test",
        preferred_language="zh-hans",
        firm=make_firm("elsewhere", "Elsewhere Ltd"),
    )
    advisor = AdvisorFactory(full_name="Ada Advisor")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert (
            user_invite_applicant(
                firm=advisor.firm,
                email="owner@example.test",
                full_name="Owner",
                preferred_language="en",
                invited_by=advisor,
            )
            is None
        )
    (message,) = mailoutbox
    assert CJK.search(message.subject)
    assert CJK.search(message.body)


@pytest.mark.parametrize(
    ("saved", "expected"), [("zh-hans", "zh-hans"), ("en", "en"), ("", "en"), ("fr", "en")]
)
def test_language_of_is_the_saved_language_or_the_default(saved, expected):
    assert language_of(UserFactory.build(preferred_language=saved)) == expected
