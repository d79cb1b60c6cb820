"""Reminder texts say the days actually left (or overdue), counted in the case's local date
when the message is built, not the rule's offset (issue 10)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from cases.models import Notification, ReminderDelivery
from cases.models.overdue import days_left_local
from tests.cases.services.test_sweep import one_requirement, only_rule, sweep_at
from tests.factories import open_case, title_of

UTC = dt.UTC
DUE = dt.date(2026, 3, 10)


@pytest.fixture
def tz_case(applicant, advisor):
    """A case opened 1 February 2026 in zone ``tz`` (the applicant's zone too)."""

    def make(tz: str):
        applicant.user.time_zone = tz
        applicant.user.save(update_fields=["time_zone"])
        with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=UTC), tick=False):
            case = open_case(applicant=applicant, advisor=advisor)
        case.time_zone = tz
        case.save(update_fields=["time_zone"])
        return case

    return make


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (dt.datetime(2026, 3, 9, 12, tzinfo=UTC), "Europe/London", 1),
        (dt.datetime(2026, 3, 10, 0, 30, tzinfo=UTC), "Europe/London", 0),
        # 10 March 17:00 UTC is already 11 March in Shanghai: one day overdue there.
        (dt.datetime(2026, 3, 10, 17, tzinfo=UTC), "Asia/Shanghai", -1),
        (dt.datetime(2026, 3, 10, 17, tzinfo=UTC), "America/Los_Angeles", 0),
        (dt.datetime(2026, 3, 13, 9, tzinfo=UTC), "", -3),  # empty zone reads as UTC
        (dt.datetime(2026, 3, 13, 9, tzinfo=UTC), "Not/AZone", -3),
    ],
)
def test_days_left_are_counted_in_the_case_local_date(now, tz, expected):
    assert days_left_local(DUE, tz, now) == expected


@pytest.mark.django_db
def test_a_reminder_sent_a_day_late_says_due_in_one_day_not_the_offset(tz_case):
    only_rule(offsets=[2])
    one_requirement(tz_case("Europe/London"))
    # The 2-days-before moment was 8 March 09:00; the sweep only runs 23 hours later.
    sweep_at(dt.datetime(2026, 3, 9, 8, tzinfo=UTC))
    (message,) = mail.outbox
    assert ReminderDelivery.objects.get().offset_days == 2
    assert "is due in 1 day, on 2026-03-10" in message.body
    assert "2 days" not in message.body
    assert "due on 2026-03-10" in message.subject


@pytest.mark.django_db
def test_a_due_today_reminder_sent_after_local_midnight_says_one_day_overdue(tz_case):
    only_rule(offsets=[0])
    one_requirement(tz_case("Asia/Shanghai"))
    # Due-day moment 10 March 09:00 Shanghai (01:00 UTC); sent at 01:00 Shanghai on 11 March.
    sweep_at(dt.datetime(2026, 3, 10, 17, tzinfo=UTC))
    (message,) = mail.outbox
    assert "is overdue by 1 day (it was due on 2026-03-10)" in message.body
    assert "due today" not in message.body
    assert message.subject.endswith("overdue")


@pytest.mark.django_db
def test_chinese_reminder_sent_late_says_the_days_overdue(tz_case, applicant_user):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    only_rule(offsets=[0])
    one_requirement(tz_case("Asia/Shanghai"))
    sweep_at(dt.datetime(2026, 3, 10, 17, tzinfo=UTC))
    (message,) = mail.outbox
    assert "已逾期 1 天（截止日期 2026-03-10）" in message.body
    assert "今天" not in message.body
    assert "已逾期" in message.subject


class _DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


@pytest.mark.django_db
def test_a_retried_email_counts_the_days_when_it_is_finally_built(tz_case, settings):
    """SMTP is down at the 2-days-before moment; the retry a day later says 1 day."""
    only_rule(offsets=[2])
    one_requirement(tz_case("Europe/London"))
    settings.EMAIL_BACKEND = "tests.cases.services.test_reminder_days_left._DownBackend"
    settings.REMINDER_RETRY_BASE_SECONDS = 20 * 3600
    sweep_at(dt.datetime(2026, 3, 8, 9, 5, tzinfo=UTC))
    assert ReminderDelivery.objects.get().attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(dt.datetime(2026, 3, 9, 6, tzinfo=UTC), tick=False):
        from cases.services.sweep import deliveries_send_due

        deliveries_send_due()
    (message,) = mail.outbox
    assert "is due in 1 day, on 2026-03-10" in message.body


@pytest.mark.django_db
def test_in_app_reminder_title_says_the_days_overdue(tz_case, applicant_user):
    only_rule(channel="in_app", offsets=[-2])
    one_requirement(tz_case("Europe/London"))
    # The 2-days-overdue moment was 12 March 09:00; built on 13 March: 3 days overdue.
    sweep_at(dt.datetime(2026, 3, 13, 8, tzinfo=UTC))
    note = Notification.objects.get(user=applicant_user)
    assert "overdue by 3 days" in title_of(note)
