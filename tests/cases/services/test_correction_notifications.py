"""Notifications of the applicant's corrections (cases/services/notifications_corrections.py):
a proposal tells the case's advisor, a decision tells the applicant (with the reason when
declined); in the recipient's language, once only, none to self, none to deactivated users."""

import datetime as dt

import pytest
import time_machine

from cases.models import (
    DeliveryStatus,
    Notification,
    ReminderDelivery,
    ReminderKind,
    ReminderPreference,
    Stage,
)
from cases.services.corrections import correction_decide, correction_propose
from cases.services.records import applicant_record_update
from cases.services.sweep import deliveries_send_due
from portal.errors import StaleObject
from tests.factories import AdvisorFactory, case_at, open_case, title_of

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
REASON = "Your passport says Lee, not Li."


def send(minutes: int = 10):
    with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
        return deliveries_send_due()


def notes_of(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


def propose(applicant, **changes):
    with time_machine.travel(T0, tick=False):
        return correction_propose(
            applicant=applicant,
            actor=applicant.user,
            changes=changes or {"family_name": "Li"},
            note="My new passport",
        )


def decide(proposal, actor, *, confirm: bool, reason: str = ""):
    with time_machine.travel(T0, tick=False):
        return correction_decide(proposal=proposal, actor=actor, confirm=confirm, reason=reason)


@pytest.fixture
def quiet(case):
    """The case, with the notifications of opening it removed."""
    Notification.objects.all().delete()
    ReminderDelivery.objects.all().delete()
    return case


# --- the proposal ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_proposal_tells_the_assigned_advisor_not_the_applicant(
    quiet, applicant, applicant_user, mailoutbox
):
    propose(applicant, family_name="Li", passport_number="E99887766")
    (note,) = notes_of(quiet.advisor)
    assert title_of(note) == (
        "Amy Applicant proposed a correction of Family name, Passport number "
        f"(case {quiet.reference})"
    )
    assert note.body == "My new passport"
    assert note.url == f"/cases/{quiet.pk}/#correction"
    assert notes_of(applicant_user) == []  # never to the proposer
    row = ReminderDelivery.objects.get(recipient=quiet.advisor)
    assert row.rule.kind == ReminderKind.CORRECTION_PROPOSED
    assert mailoutbox == []  # not before the batch window
    send()
    (email,) = mailoutbox
    assert email.to == [quiet.advisor.email]
    assert "proposed a correction" in email.subject
    assert "My new passport" in email.body
    send(20)
    assert len(mailoutbox) == 1  # once only
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_proposal_is_worded_in_the_advisors_language(quiet, applicant):
    advisor = quiet.advisor
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    propose(applicant, family_name="Li", passport_number="E99887766")
    (note,) = notes_of(advisor)
    assert "提交了对" in title_of(note)
    assert "护照号码" in title_of(note)  # the field's label in Chinese
    assert "Passport number" not in title_of(note)


@pytest.mark.django_db
def test_a_proposal_tells_each_advisor_once_across_the_applicants_cases(
    quiet, applicant, other_advisor
):
    open_case(applicant=applicant, advisor=quiet.advisor, visa_code="R")  # same advisor
    third = open_case(applicant=applicant, advisor=other_advisor, visa_code="R")
    Notification.objects.all().delete()
    propose(applicant)
    (mine,) = notes_of(quiet.advisor)
    assert mine.case_id == quiet.pk  # the first open case
    (theirs,) = notes_of(other_advisor)
    assert theirs.case_id == third.pk
    assert ReminderDelivery.objects.filter(rule__kind=ReminderKind.CORRECTION_PROPOSED).count() == 2


@pytest.mark.django_db
def test_advisors_of_closed_cases_are_not_told_while_a_case_is_open(applicant, advisor):
    old_advisor = AdvisorFactory(email="former@example.test")
    case_at(Stage.CLOSED, applicant=applicant, advisor=old_advisor)
    current = open_case(applicant=applicant, advisor=advisor, visa_code="R")
    Notification.objects.all().delete()
    propose(applicant)
    assert notes_of(old_advisor) == []
    (note,) = notes_of(advisor)
    assert note.case_id == current.pk


@pytest.mark.django_db
def test_a_proposal_tells_no_deactivated_advisor(quiet, applicant, mailoutbox):
    advisor = quiet.advisor
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])
    propose(applicant)
    assert Notification.objects.count() == 0
    assert ReminderDelivery.objects.count() == 0
    send()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_advisor_may_turn_off_the_optional_proposal_email(quiet, applicant, mailoutbox):
    ReminderPreference.objects.create(user=quiet.advisor, skip_optional=True)
    propose(applicant)
    assert len(notes_of(quiet.advisor)) == 1  # in-app stays
    assert ReminderDelivery.objects.count() == 0
    send()
    assert mailoutbox == []


# --- the decision ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirming_tells_the_applicant_once_and_not_the_advisor(
    quiet, applicant, applicant_user, mailoutbox
):
    proposal = propose(applicant, family_name="Li")
    Notification.objects.all().delete()
    decide(proposal, quiet.advisor, confirm=True)
    (note,) = notes_of(applicant_user)
    assert title_of(note) == "Your advisor confirmed your correction of Family name"
    assert note.body == ""
    assert note.url == "/my/details/"
    assert note.case_id == quiet.pk
    assert notes_of(quiet.advisor) == []  # no self-notification
    send()
    emails = [m for m in mailoutbox if m.to == [applicant_user.email]]
    assert len(emails) == 1
    assert "confirmed your correction" in emails[0].subject
    with pytest.raises(StaleObject):
        decide(proposal, quiet.advisor, confirm=True)
    send(20)
    assert len(notes_of(applicant_user)) == 1
    assert len([m for m in mailoutbox if m.to == [applicant_user.email]]) == 1


@pytest.mark.django_db
def test_declining_tells_the_applicant_the_reason_in_their_language(
    quiet, applicant, applicant_user, mailoutbox
):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    proposal = propose(applicant, family_name="Li")
    decide(proposal, quiet.advisor, confirm=False, reason=REASON)
    (note,) = notes_of(applicant_user)
    assert "拒绝" in title_of(note)
    assert title_of(note) == "您的顾问拒绝了您对姓的更正"
    assert note.body == REASON
    send()
    (email,) = [m for m in mailoutbox if m.to == [applicant_user.email]]
    assert REASON in email.body
    assert "您好" in email.body


@pytest.mark.django_db
def test_a_supervisors_decision_tells_the_applicant_not_the_supervisor(
    quiet, applicant, applicant_user, supervisor
):
    proposal = propose(applicant)
    decide(proposal, supervisor, confirm=False, reason=REASON)
    assert len(notes_of(applicant_user)) == 1
    assert notes_of(supervisor) == []


@pytest.mark.django_db
def test_a_deactivated_applicant_is_not_told_of_the_decision(
    quiet, applicant, applicant_user, mailoutbox
):
    proposal = propose(applicant)
    applicant_user.is_active = False
    applicant_user.save(update_fields=["is_active"])
    decide(proposal, quiet.advisor, confirm=False, reason=REASON)
    assert notes_of(applicant_user) == []
    send()
    assert [m for m in mailoutbox if m.to == [applicant_user.email]] == []


@pytest.mark.django_db
def test_confirming_values_the_record_already_holds_still_tells_the_applicant(
    quiet, applicant, applicant_user
):
    proposal = propose(applicant, family_name="Li")
    applicant_record_update(
        applicant=applicant,
        actor=quiet.advisor,
        changes={"family_name": "Li"},
        version=applicant.version,
    )
    result = decide(proposal, quiet.advisor, confirm=True)
    assert result.changed == []
    (note,) = notes_of(applicant_user)
    assert "confirmed your correction" in title_of(note)
    event = quiet.events.filter(data__correction_event="confirmed").get()
    assert event.summary_text == "Correction confirmed; the details already read so"
