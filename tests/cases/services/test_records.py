"""Editing intake records: the applicant's identity and passport fields, the case's dates,
time zone and advisor (cases/services/records.py), and the applicant's corrections
(cases/services/corrections.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import (
    Applicant,
    Case,
    CaseEvent,
    CorrectionProposal,
    CorrectionStatus,
    DeliveryStatus,
    DocumentRequirement,
    EventKind,
    ReminderDelivery,
    ReminderKind,
    ReminderRule,
    TargetType,
)
from cases.selectors import deadlines
from cases.services.corrections import correction_decide, correction_propose
from cases.services.records import (
    applicant_record_update,
    case_record_update,
    mask_passport_number,
)
from portal.errors import InvalidInput, NotAllowed, StaleObject
from tests.factories import AdvisorFactory, case_at, open_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _update(applicant, actor, **changes):
    applicant.refresh_from_db()
    return applicant_record_update(
        applicant=applicant, actor=actor, changes=changes, version=applicant.version
    )


def _case_update(case, actor, **changes):
    case.refresh_from_db()
    return case_record_update(case=case, actor=actor, changes=changes, version=case.version)


def _update_events(case):
    return list(CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).order_by("id"))


# --- applicant fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("given_names", "Amelia Rose", "Amelia Rose"),
        ("family_name", "Müller-Lüdenscheidt", "Müller-Lüdenscheidt"),
        ("date_of_birth", dt.date(1990, 2, 28), "1990-02-28"),
        ("nationality", "FR", "FR"),
        ("passport_expiry", dt.date(2035, 6, 30), "2035-06-30"),
    ],
)
def test_advisor_changes_each_applicant_field_with_an_event_before_and_after(
    case, advisor, field, value, shown
):
    applicant = case.applicant
    result = _update(applicant, advisor, **{field: value})
    applicant.refresh_from_db()
    stored = getattr(applicant, field)
    assert (stored.code if field == "nationality" else stored) == value
    assert result.changed == [field]
    assert applicant.version == 2
    [event] = _update_events(case)
    assert event.after == shown
    assert event.before != shown
    assert event.actor == advisor
    assert event.data["field"] == field
    assert not event.internal  # the applicant sees corrections of their own details


def test_passport_number_is_masked_on_the_timeline_and_in_the_event_data(case, advisor):
    applicant = case.applicant
    old = applicant.passport_number
    _update(applicant, advisor, passport_number="PA7654321")
    [event] = _update_events(case)
    assert event.before == mask_passport_number(old)
    assert event.after == "******321"
    text = f"{event.before} {event.after} {event.summary} {event.data}"
    assert "PA7654321" not in text
    assert old not in text
    Applicant.objects.get(pk=applicant.pk, passport_number="PA7654321")


def test_mask_keeps_only_the_last_three_characters():
    assert mask_passport_number("E12345678") == "******678"
    assert mask_passport_number("AB") == "**"
    assert mask_passport_number("") == ""


def test_an_applicant_edit_is_recorded_on_each_of_their_cases_and_refreshes_search(case, advisor):
    second = open_case(applicant=case.applicant, advisor=advisor, visa_code="R")
    _update(case.applicant, advisor, family_name="Zhang")
    assert len(_update_events(case)) == len(_update_events(second)) == 1
    assert "zhang" in Case.objects.get(pk=second.pk).search_text


def test_nothing_changed_writes_no_event_and_keeps_the_version(case, advisor):
    applicant = case.applicant
    result = _update(applicant, advisor, given_names=f"  {applicant.given_names} ")
    assert result.changed == []
    assert _update_events(case) == []
    applicant.refresh_from_db()
    assert applicant.version == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"given_names": "Am\x00y"}, "given_names", "NUL"),
        ({"given_names": "Ma\x07ria"}, "given_names", "invisible"),
        ({"family_name": "Li\u202e"}, "family_name", "invisible"),
        ({"passport_number": "E1\u200b23"}, "passport_number", "invisible"),
        ({"family_name": "x" * 121}, "family_name", "at most 120"),
        ({"passport_number": "P" * 41}, "passport_number", "at most 40"),
        ({"given_names": "   "}, "given_names", "blank"),
        ({"date_of_birth": TODAY + dt.timedelta(days=1)}, "date_of_birth", "in the past"),
        ({"date_of_birth": TODAY}, "date_of_birth", "in the past"),
        ({"passport_expiry": dt.date(9999, 12, 31)}, "passport_expiry", "between"),
        ({"date_of_birth": "1990-13-01"}, "date_of_birth", "YYYY-MM-DD"),
        ({"nationality": "XX"}, "nationality", "not a valid choice"),
        ({"email": "new@example.test"}, "email", "cannot be changed here"),
    ],
)
def test_bad_applicant_input_is_refused_and_nothing_changes(case, advisor, changes, field, words):
    applicant = case.applicant
    before = Applicant.objects.values().get(pk=applicant.pk)
    with pytest.raises(InvalidInput) as exc:
        _update(applicant, advisor, **changes)
    assert exc.value.details["field"] == field
    assert words in exc.value.message
    assert Applicant.objects.values().get(pk=applicant.pk) == before
    assert _update_events(case) == []


def test_a_stale_applicant_edit_is_refused_with_a_clear_message(case, advisor, supervisor):
    applicant = case.applicant
    applicant.refresh_from_db()
    read_version = applicant.version
    _update(applicant, supervisor, family_name="First")
    with pytest.raises(StaleObject) as exc:
        applicant_record_update(
            applicant=applicant,
            actor=advisor,
            changes={"family_name": "Second"},
            version=read_version,
        )
    assert "reload the page" in exc.value.message
    applicant.refresh_from_db()
    assert applicant.family_name == "First"


@pytest.mark.parametrize(
    "who", ["other_advisor", "other_firm_advisor", "applicant_user", "ex_advisor"]
)
def test_only_staff_on_a_case_of_the_applicant_may_edit_them(
    request, case, advisor, supervisor, who
):
    if who == "ex_advisor":
        actor = advisor
        new = AdvisorFactory()
        _case_update(case, supervisor, advisor=new)
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        _update(case.applicant, actor, family_name="Nope")
    assert Applicant.objects.get(pk=case.applicant_id).family_name != "Nope"


def test_a_new_passport_expiry_feeds_the_passport_check_at_once(case, advisor):
    entry = case.intended_entry_date
    assert entry is not None
    result = _update(case.applicant, advisor, passport_expiry=entry + dt.timedelta(days=30))
    assert "less than 6 months" in result.warnings[0]
    qs = Case.objects.filter(pk=case.pk)
    window = {"low": TODAY - dt.timedelta(days=400), "high": TODAY + dt.timedelta(days=400)}
    assert [c.pk for c in deadlines.passport_deadlines(qs, **window)] == [case.pk]
    _update(case.applicant, advisor, passport_expiry=entry + dt.timedelta(days=400))
    assert list(deadlines.passport_deadlines(qs, **window)) == []


# --- case fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("intended_entry_date", TODAY + dt.timedelta(days=200), None),
        ("target_submission_date", TODAY + dt.timedelta(days=20), None),
        ("time_zone", "Asia/Shanghai", "Asia/Shanghai"),
    ],
)
def test_advisor_changes_each_case_field_with_an_event(case, advisor, field, value, shown):
    result = _case_update(case, advisor, **{field: value})
    case.refresh_from_db()
    assert getattr(case, field) == value
    assert result.changed == [field]
    assert case.version == 2
    [event] = _update_events(case)
    assert event.after == (shown or value.isoformat())
    assert event.data["field"] == field


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"intended_entry_date": TODAY - dt.timedelta(days=1)}, "intended_entry_date", "past"),
        (
            {"target_submission_date": TODAY + dt.timedelta(days=5000)},
            "target_submission_date",
            "years ahead",
        ),
        (
            {"target_submission_date": TODAY + dt.timedelta(days=100)},
            "target_submission_date",
            "Submit before the intended entry date",
        ),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not a time zone"),
        ({"time_zone": "Asia/\x00Shanghai"}, "time_zone", "NUL"),
        ({"time_zone": "A" * 65}, "time_zone", "at most 64"),
        ({"stage": "ready"}, "stage", "cannot be changed here"),
        (
            {"intended_entry_date": TODAY - dt.timedelta(days=31)},
            "intended_entry_date",
            "before the case opens",
        ),
    ],
)
def test_bad_case_input_is_refused_and_nothing_changes(applicant, advisor, changes, field, words):
    case = open_case(applicant=applicant, advisor=advisor, opened_on=TODAY - dt.timedelta(days=30))
    before = Case.objects.values().get(pk=case.pk)
    with pytest.raises(InvalidInput) as exc:
        _case_update(case, advisor, **changes)
    assert exc.value.details["field"] == field
    assert words in exc.value.message
    assert Case.objects.values().get(pk=case.pk) == before


def test_a_stale_case_edit_is_refused(case, advisor, supervisor):
    case.refresh_from_db()
    read_version = case.version
    _case_update(case, supervisor, time_zone="Europe/Berlin")
    with pytest.raises(StaleObject):
        case_record_update(
            case=case, actor=advisor, changes={"time_zone": "Asia/Tokyo"}, version=read_version
        )
    assert Case.objects.get(pk=case.pk).time_zone == "Europe/Berlin"


def test_a_reassignment_elsewhere_makes_an_open_case_form_stale(case, advisor, supervisor):
    from cases.services import case_assign_advisor

    case.refresh_from_db()
    read_version = case.version
    case_assign_advisor(case=case, advisor=AdvisorFactory(), actor=supervisor)
    with pytest.raises(StaleObject):
        case_record_update(
            case=case, actor=supervisor, changes={"time_zone": "Asia/Tokyo"}, version=read_version
        )


def test_reassigning_goes_through_case_assign_advisor_and_the_old_advisor_loses_the_case(
    case, advisor, supervisor
):
    from cases.selectors import case_list_for_user

    new = AdvisorFactory()
    result = _case_update(case, supervisor, advisor=new, time_zone="Asia/Shanghai")
    assert result.changed == ["time_zone", "advisor"]
    case.refresh_from_db()
    assert case.advisor == new
    assert case.version == 3
    assert not case_list_for_user(user=advisor).filter(pk=case.pk).exists()
    events = _update_events(case)
    assert [e.data.get("field", "advisor") for e in events] == ["time_zone", "advisor"]


def test_an_advisor_cannot_reassign_their_own_case_and_nothing_changes(case, advisor):
    with pytest.raises(NotAllowed):
        _case_update(case, advisor, advisor=AdvisorFactory(), time_zone="Asia/Tokyo")
    case.refresh_from_db()
    assert case.advisor == advisor
    assert case.time_zone != "Asia/Tokyo"


@pytest.mark.parametrize("who", ["other_advisor", "other_firm_advisor", "applicant_user"])
def test_others_cannot_edit_the_case(request, case, who):
    with pytest.raises(NotAllowed):
        _case_update(case, request.getfixturevalue(who), time_zone="Asia/Tokyo")


def test_due_dates_are_read_in_the_new_time_zone(case, advisor):
    """A requirement due "today" is overdue in a zone where today has already ended."""
    import time_machine

    req = case.requirements.filter(required=True).first()
    DocumentRequirement.objects.filter(pk=req.pk).update(due_date=dt.date(2031, 3, 10))
    # 2031-03-11 02:00 UTC: still 10 March in New York, already 11 March in Shanghai.
    now = dt.datetime(2031, 3, 11, 2, 0, tzinfo=dt.UTC)
    Case.objects.filter(pk=case.pk).update(time_zone="America/New_York")
    assert not DocumentRequirement.objects.overdue(now).filter(pk=req.pk).exists()
    with time_machine.travel(dt.datetime(2031, 3, 1, tzinfo=dt.UTC)):
        _case_update(case, advisor, time_zone="Asia/Shanghai")
    assert DocumentRequirement.objects.overdue(now).filter(pk=req.pk).exists()


def test_pending_reminders_move_to_the_new_zones_local_hour(case, advisor):
    rule = ReminderRule.objects.filter(kind=ReminderKind.TARGET_SUBMISSION).first()
    assert rule is not None
    row = ReminderDelivery.objects.create(
        rule=rule,
        target_type=TargetType.CASE,
        target_id=case.pk,
        case=case,
        recipient=advisor,
        due_date=TODAY + dt.timedelta(days=10),
        offset_days=3,
        channel=rule.channel,
        send_after=timezone.now(),
    )
    advisor.time_zone = "Asia/Shanghai"
    advisor.save(update_fields=["time_zone"])
    _case_update(case, advisor, time_zone="Asia/Shanghai")
    row.refresh_from_db()
    local = row.send_after.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert (local.date(), local.hour) == (TODAY + dt.timedelta(days=7), 9)
    assert row.status == DeliveryStatus.PENDING


# --- corrections ----------------------------------------------------------------------------


def test_applicant_proposes_and_the_advisor_confirms(case, advisor, applicant_user):
    applicant = case.applicant
    proposal = correction_propose(
        applicant=applicant,
        actor=applicant_user,
        changes={"family_name": "Li", "passport_number": "E99887766", "given_names": "Amy"},
        note="New passport",
    )
    # Only what differs is kept; the record is unchanged until confirmed.
    assert set(proposal.changes) == {"family_name", "passport_number"}
    assert Applicant.objects.get(pk=applicant.pk).family_name == "Applicant"
    result = correction_decide(proposal=proposal, actor=advisor, confirm=True)
    assert sorted(result.changed) == ["family_name", "passport_number"]
    applicant.refresh_from_db()
    assert (applicant.family_name, applicant.passport_number) == ("Li", "E99887766")
    assert proposal.status == CorrectionStatus.CONFIRMED
    assert proposal.decided_by == advisor
    texts = [
        f"{e.before} {e.after} {e.summary} {e.data}" for e in CaseEvent.objects.filter(case=case)
    ]
    assert not any("E99887766" in t for t in texts)
    assert any("******766" in t for t in texts)
    assert any(e.data.get("correction") == str(proposal.pk) for e in _update_events(case))


def test_advisor_declines_with_a_reason_and_nothing_changes(case, advisor, applicant_user):
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    with pytest.raises(InvalidInput):
        correction_decide(proposal=proposal, actor=advisor, confirm=False, reason="  ")
    correction_decide(
        proposal=proposal, actor=advisor, confirm=False, reason="Your passport says Lee."
    )
    assert proposal.status == CorrectionStatus.DECLINED
    assert proposal.decline_reason == "Your passport says Lee."
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Applicant"
    with pytest.raises(StaleObject):
        correction_decide(proposal=proposal, actor=advisor, confirm=True)


def test_a_new_proposal_replaces_the_pending_one(case, applicant_user):
    first = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    second = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Lee"}
    )
    first.refresh_from_db()
    assert first.status == CorrectionStatus.WITHDRAWN
    assert second.status == CorrectionStatus.PENDING
    assert CorrectionProposal.objects.filter(status=CorrectionStatus.PENDING).count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"date_of_birth": TODAY + dt.timedelta(days=3)}, "in the past"),
        ({"family_name": "L\x00i"}, "NUL"),
        ({"given_names": "Ma\x07ria"}, "invisible"),
        ({"family_name": "L" * 500}, "at most 120"),
        ({"given_names": "Amy"}, "already have"),
    ],
)
def test_bad_proposals_are_refused(case, applicant_user, changes, words):
    with pytest.raises(InvalidInput) as exc:
        correction_propose(applicant=case.applicant, actor=applicant_user, changes=changes)
    assert words in exc.value.message
    assert not CorrectionProposal.objects.exists()


@pytest.mark.parametrize("who", ["advisor", "other_applicant_user", "other_firm_applicant_user"])
def test_only_the_applicant_proposes(request, case, who):
    with pytest.raises(NotAllowed):
        correction_propose(
            applicant=case.applicant,
            actor=request.getfixturevalue(who),
            changes={"family_name": "X"},
        )


@pytest.mark.parametrize("who", ["other_advisor", "other_firm_advisor", "applicant_user"])
def test_only_staff_of_the_applicants_cases_decide(request, case, applicant_user, who):
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    with pytest.raises(NotAllowed):
        correction_decide(proposal=proposal, actor=request.getfixturevalue(who), confirm=True)
    proposal.refresh_from_db()
    assert proposal.status == CorrectionStatus.PENDING


def test_corrections_are_scoped_to_the_firm_and_the_cases_one_sees(
    case, applicant_user, advisor, other_advisor, other_firm_supervisor, supervisor
):
    correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    visible = CorrectionProposal.objects.visible_to
    assert visible(advisor).count() == visible(supervisor).count() == 1
    assert visible(applicant_user).count() == 1
    assert visible(other_advisor).count() == 0
    assert visible(other_firm_supervisor).count() == 0


def test_submitted_case_dates_may_still_be_corrected_when_not_in_the_past(advisor):
    case = case_at("submitted", advisor=advisor)
    _case_update(case, advisor, intended_entry_date=TODAY + dt.timedelta(days=10))
    assert Case.objects.get(pk=case.pk).intended_entry_date == TODAY + dt.timedelta(days=10)
