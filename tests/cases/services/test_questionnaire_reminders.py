"""The "questionnaire not started / not finished" reminder: due on the case's target submission
date, recorded once in the ledger, sent in the applicant's language, never after the applicant
sent the questionnaire."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from cases.models import DeliveryStatus, ReminderDelivery, ReminderKind, ReminderRule
from cases.services import questionnaire_answers as answers
from cases.services.records import case_record_update
from cases.services.sweep import reminders_sweep
from tests.cases.questionnaires.helpers import fill_k, k_answers
from tests.factories import open_case

pytestmark = pytest.mark.django_db

UTC = dt.UTC
OPENED = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
TARGET = dt.date(2026, 3, 20)
# The seeded rule reminds 14, 7 and 2 days before: 6, 13 and 18 March, 09:00 London (UTC).
FIRST = dt.datetime(2026, 3, 6, 9, 5, tzinfo=UTC)
SECOND = dt.datetime(2026, 3, 13, 9, 5, tzinfo=UTC)


def _case(advisor, applicant, *, language: str = "en"):  # type: ignore[no-untyped-def]
    ReminderRule.objects.exclude(kind=ReminderKind.QUESTIONNAIRE).update(active=False)
    user = applicant.user
    user.preferred_language = language
    user.time_zone = "Europe/London"
    user.save(update_fields=["preferred_language", "time_zone"])
    with time_machine.travel(OPENED, tick=False):
        case = open_case(applicant=applicant, advisor=advisor)
        case_record_update(
            case=case,
            actor=advisor,
            changes={"target_submission_date": TARGET, "time_zone": "Europe/London"},
            version=case.version,
        )
    return case


def _to(user):  # type: ignore[no-untyped-def]
    return [m for m in mail.outbox if m.to == [user.email]]


def test_the_rule_is_seeded_for_the_applicant_by_email():
    rule = ReminderRule.objects.get(kind=ReminderKind.QUESTIONNAIRE)
    assert (rule.audience, rule.channel, rule.offsets) == ("applicant", "email", [14, 7, 2])


def test_not_started_is_reminded_once_in_chinese(advisor, applicant):
    case = _case(advisor, applicant, language="zh-hans")
    with time_machine.travel(FIRST, tick=False):
        reminders_sweep()
        reminders_sweep()  # a second sweep (or a second beat) sends nothing more
    sent = _to(applicant.user)
    assert len(sent) == 1
    assert "申请问卷" in sent[0].subject
    assert f"案件 {case.reference} 的申请问卷（您尚未开始填写）" in sent[0].body
    assert "2026-03-20" in sent[0].body
    assert f"/my/cases/{case.pk}/questionnaire/" in sent[0].body
    assert "Your questionnaire" not in sent[0].body
    assert ReminderDelivery.objects.filter(case=case, status=DeliveryStatus.SENT).count() == 1


def test_started_but_not_sent_says_so_in_english(advisor, applicant):
    case = _case(advisor, applicant)
    with time_machine.travel(OPENED + dt.timedelta(days=1), tick=False):
        answers.questionnaire_section_save(
            case=case, section_key="personal", data=k_answers()["personal"], actor=applicant.user
        )
    with time_machine.travel(FIRST, tick=False):
        reminders_sweep()
    (sent,) = _to(applicant.user)
    assert f"Your questionnaire for case {case.reference} (started, not sent yet)" in sent.body
    assert "is due in 14 days, on 2026-03-20" in sent.body


def test_no_reminder_after_the_applicant_sent_the_questionnaire(advisor, applicant):
    case = _case(advisor, applicant)
    with time_machine.travel(FIRST, tick=False):
        reminders_sweep()
    assert len(_to(applicant.user)) == 1
    with time_machine.travel(SECOND - dt.timedelta(days=1), tick=False):
        fill_k(case, applicant.user)
        answers.questionnaire_submit(case=case, actor=applicant.user)
    with time_machine.travel(SECOND, tick=False):
        reminders_sweep()
    assert len(_to(applicant.user)) == 1  # nothing new
    assert not ReminderDelivery.objects.filter(case=case, offset_days=7).exists()


def test_a_reminder_recorded_before_sending_is_suppressed(advisor, applicant):
    case = _case(advisor, applicant)
    # Recorded at 09:05 but the email is only sent by a later sweep: submit in between.
    ReminderRule.objects.filter(kind=ReminderKind.QUESTIONNAIRE).update(channel="email")
    with time_machine.travel(FIRST, tick=False):
        from cases.services.reminder_ledger import reminders_record_due

        reminders_record_due(now=FIRST)
        fill_k(case, applicant.user)
        answers.questionnaire_submit(case=case, actor=applicant.user)
        reminders_sweep()
    row = ReminderDelivery.objects.get(case=case)
    assert row.status == DeliveryStatus.SUPPRESSED
    assert row.last_error == "questionnaire sent to the advisor or approved"
    assert _to(applicant.user) == []


def test_a_returned_questionnaire_is_the_applicants_to_finish_again(advisor, applicant):
    case = _case(advisor, applicant)
    with time_machine.travel(FIRST - dt.timedelta(days=1), tick=False):
        fill_k(case, applicant.user)
        answers.questionnaire_submit(case=case, actor=applicant.user)
        answers.questionnaire_return(case=case, note="Check the birth place.", actor=advisor)
    with time_machine.travel(FIRST, tick=False):
        reminders_sweep()
    (sent,) = _to(applicant.user)
    assert "(started, not sent yet)" in sent.body


def test_cases_without_a_target_submission_date_are_not_reminded(advisor, applicant):
    ReminderRule.objects.exclude(kind=ReminderKind.QUESTIONNAIRE).update(active=False)
    with time_machine.travel(OPENED, tick=False):
        open_case(applicant=applicant, advisor=advisor)
    with time_machine.travel(FIRST, tick=False):
        reminders_sweep()
    assert not ReminderDelivery.objects.exists()
