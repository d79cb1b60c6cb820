"""Whose turn (cases/models/turn.py): every requirement waits on the applicant (missing,
rejected), the advisor (uploaded) or nobody (accepted, waived); counts, the overdue rule,
deadlines and reminders follow it."""

import datetime as dt

import pytest
import time_machine

from cases import selectors, services
from cases.models import (
    DeliveryStatus,
    DocumentRequirement,
    ReminderDelivery,
    ReminderRule,
    RequirementStatus,
    WaitingOn,
)
from cases.models.overdue import requirement_is_overdue
from cases.reminders.schedule import add_working_days
from cases.selectors.deadlines import case_deadlines_for_applicant, dashboard_deadlines_for_user
from cases.services.sweep import reminders_sweep
from tests.factories import case_at, upload_document

UTC = dt.UTC


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "turn"),
    [
        (RequirementStatus.MISSING, WaitingOn.APPLICANT),
        (RequirementStatus.REJECTED, WaitingOn.APPLICANT),
        (RequirementStatus.UPLOADED, WaitingOn.ADVISOR),
        (RequirementStatus.ACCEPTED, WaitingOn.NOBODY),
        (RequirementStatus.WAIVED, WaitingOn.NOBODY),
    ],
)
def test_every_status_waits_on_one_party(case, status, turn):
    req = case.requirements.first()
    DocumentRequirement.objects.filter(pk=req.pk).update(status=status)
    req.refresh_from_db()
    assert req.waiting_on == turn
    qs = DocumentRequirement.objects.filter(pk=req.pk)
    assert qs.waiting_on_applicant().exists() == (turn == WaitingOn.APPLICANT)
    assert qs.awaiting_review().exists() == (turn == WaitingOn.ADVISOR)


def _past_due(case):
    case.requirements.update(due_date=dt.date(2026, 1, 5))


@pytest.mark.django_db
def test_uploaded_item_is_not_still_needed_nor_overdue_for_the_applicant(case, applicant_user):
    case = case_at("documents", case=case)
    _past_due(case)
    required = case.requirements.filter(required=True).count()
    upload_document(case, actor=applicant_user)
    req = case.requirements.get(code="passport-bio-page")
    now = dt.datetime(2026, 3, 1, tzinfo=UTC)
    row = selectors.case_list_for_user(user=applicant_user).get(pk=case.pk)
    assert row.outstanding_count == required - 1
    assert row.awaiting_review_count == 1
    with time_machine.travel(now, tick=False):
        row = selectors.case_list_for_user(user=applicant_user).get(pk=case.pk)
    assert row.overdue_count == required - 1
    assert not DocumentRequirement.objects.overdue(now).filter(pk=req.pk).exists()
    assert not requirement_is_overdue(req, case, now)
    upcoming, overdue = case_deadlines_for_applicant(case=case, now=now)
    assert req.pk not in {d.target_id for d in overdue + upcoming}
    dashboard = dashboard_deadlines_for_user(user=case.advisor, now=now)
    assert req.pk not in {d.target_id for d in dashboard.overdue}


@pytest.mark.django_db
def test_a_rejected_item_is_the_applicants_turn_again_and_overdue(case, applicant_user):
    case = case_at("documents", case=case)
    _past_due(case)
    doc = upload_document(case, actor=applicant_user)
    services.document_review(
        document=doc, decision="rejected", reason="Blurred", actor=case.advisor
    )
    req = case.requirements.get(code="passport-bio-page")
    assert req.waiting_on == WaitingOn.APPLICANT
    now = dt.datetime(2026, 3, 1, tzinfo=UTC)
    assert DocumentRequirement.objects.overdue(now).filter(pk=req.pk).exists()


@pytest.mark.django_db
def test_applicant_reminder_is_suppressed_once_the_file_is_uploaded(case, applicant_user):
    ReminderRule.objects.exclude(kind="requirement_due", audience="applicant").update(active=False)
    case = case_at("documents", case=case)
    case.requirements.update(due_date=None)
    req = case.requirements.get(code="passport-bio-page")
    DocumentRequirement.objects.filter(pk=req.pk).update(due_date=dt.date(2026, 3, 10))
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()  # the 7-day reminder goes out while the file is missing
    assert ReminderDelivery.objects.filter(target_id=req.pk, status="sent").exists()
    upload_document(case, actor=applicant_user)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC), tick=False):
        result = reminders_sweep()
    # No "due today" for a file waiting for the advisor: nothing recorded for it.
    assert result.recorded == 0
    assert not ReminderDelivery.objects.filter(
        target_id=req.pk, offset_days=0, rule__kind="requirement_due"
    ).exists()


@pytest.mark.django_db
def test_pending_applicant_reminder_recorded_before_upload_is_suppressed(case, applicant_user):
    ReminderRule.objects.exclude(kind="requirement_due", audience="applicant").update(active=False)
    case = case_at("documents", case=case)
    case.requirements.update(due_date=None)
    req = case.requirements.get(code="passport-bio-page")
    DocumentRequirement.objects.filter(pk=req.pk).update(due_date=dt.date(2026, 3, 10))
    rule = ReminderRule.objects.filter(active=True, channel="email").first()
    ReminderDelivery.objects.create(
        rule=rule,
        target_type="requirement",
        target_id=req.pk,
        case=case,
        recipient=applicant_user,
        due_date=dt.date(2026, 3, 10),
        offset_days=0,
        channel="email",
        send_after=dt.datetime(2026, 3, 10, 9, tzinfo=UTC),
    )
    upload_document(case, actor=applicant_user)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()
    row = ReminderDelivery.objects.get(target_id=req.pk, offset_days=0)
    assert row.status == DeliveryStatus.SUPPRESSED
    assert "awaiting review" in row.last_error


# --- the advisor's reminder ---------------------------------------------------------------


def test_working_days_skip_the_weekend():
    friday = dt.date(2026, 3, 6)
    assert add_working_days(friday, 2) == dt.date(2026, 3, 10)  # Tuesday
    assert add_working_days(dt.date(2026, 3, 7), 2) == dt.date(2026, 3, 10)  # Saturday
    assert add_working_days(dt.date(2026, 3, 2), 2) == dt.date(2026, 3, 4)


@pytest.mark.django_db
def test_review_rule_is_seeded_with_two_working_days():
    rules = ReminderRule.objects.filter(kind="review_due", audience="advisor", active=True)
    assert {r.channel for r in rules} == {"email", "in_app"}
    assert {r.review_within_working_days for r in rules} == {2}


@pytest.mark.django_db
def test_advisor_is_reminded_when_a_review_is_two_working_days_old(
    case, applicant_user, mailoutbox
):
    ReminderRule.objects.exclude(kind="review_due").update(active=False)
    case = case_at("documents", case=case)
    friday = dt.datetime(2026, 3, 6, 12, tzinfo=UTC)
    with time_machine.travel(friday, tick=False):
        upload_document(case, actor=applicant_user)
    req = case.requirements.get(code="passport-bio-page")
    mailoutbox.clear()
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 30, tzinfo=UTC), tick=False):
        assert reminders_sweep().recorded == 0  # Monday: not due yet
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()  # Tuesday 09:00 advisor-local (UTC): due today
    rows = ReminderDelivery.objects.filter(rule__kind="review_due", target_id=req.pk)
    assert {(r.recipient_id, r.due_date, r.status) for r in rows} == {
        (case.advisor_id, dt.date(2026, 3, 10), "sent")
    }
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [case.advisor.email]
    assert "review" in mailoutbox[0].subject.lower()
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 40, tzinfo=UTC), tick=False):
        reminders_sweep()
    assert len(mailoutbox) == 1  # once only


@pytest.mark.django_db
def test_review_reminder_is_suppressed_after_the_review(case, applicant_user, mailoutbox):
    ReminderRule.objects.exclude(kind="review_due", channel="email").update(active=False)
    case = case_at("documents", case=case)
    with time_machine.travel(dt.datetime(2026, 3, 6, 12, tzinfo=UTC), tick=False):
        doc = upload_document(case, actor=applicant_user)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()
    mailoutbox.clear()
    services.document_review(document=doc, decision="accepted", reason="", actor=case.advisor)
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()  # the 2-days-late notice finds the review done
    assert mailoutbox == []
    late = ReminderDelivery.objects.filter(rule__kind="review_due", offset_days=-2)
    assert all(r.status == DeliveryStatus.SUPPRESSED for r in late)
