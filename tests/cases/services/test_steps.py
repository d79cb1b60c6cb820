"""Case steps: copying on open, due dates from a stage's start or another step, ticking and
unticking (each a CaseEvent), the stage guard, bad input, permissions, deadlines, reminders
and the seed (issue 16)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases import services
from cases.models import (
    CaseEvent,
    CaseStep,
    EventKind,
    ReminderDelivery,
    ReminderRule,
    Stage,
    StepTemplate,
)
from cases.reminders.schedule import local_today
from cases.selectors.deadlines import (
    calendar_deadlines_for_user,
    case_deadlines_for_applicant,
    dashboard_deadlines_for_user,
)
from cases.services import steps as step_services
from cases.services.sweep import reminders_sweep
from portal.errors import InvalidInput, NotAllowed, StaleObject, TransitionNotAllowed
from tests.factories import AdvisorFactory, case_at, open_case, visa_type

UTC = dt.UTC
K_CODES = ["online-form", "visa-centre-appointment", "biometrics", "visa-fee", "passport-collected"]


def today(case):  # type: ignore[no-untyped-def]
    return local_today(timezone.now(), case.time_zone)


@pytest.mark.django_db
def test_opening_a_case_copies_its_visa_types_steps(case, r_case):
    assert list(case.steps.values_list("code", flat=True)) == K_CODES
    assert list(r_case.steps.values_list("code", flat=True)) == [
        "letter-requested",
        "letter-received",
        *K_CODES,
    ]
    appointment = case.steps.get(code="visa-centre-appointment")
    assert appointment.due_after == case.steps.get(code="online-form")  # the case's own copy
    assert appointment.firm_id == case.firm_id
    assert appointment.name_zh == "预约签证中心递交时间"
    # No step of intake: nothing is dated yet.
    assert not case.steps.filter(due_date__isnull=False).exists()


@pytest.mark.django_db
def test_later_template_edits_do_not_rewrite_open_cases(case):
    template = StepTemplate.objects.get(visa_type=case.visa_type, code="online-form")
    template.name_en = "Renamed"
    template.required = False
    template.save()
    step = case.steps.get(code="online-form")
    assert step.name_en == "Submit the online visa application form (COVA)"
    assert step.required is True


@pytest.mark.django_db
def test_steps_of_the_first_stage_are_dated_from_the_opening_day(advisor, applicant):
    StepTemplate.objects.create(
        firm=advisor.firm,
        visa_type=visa_type("K"),
        code="intake-call",
        position=1,
        stage=Stage.INTAKE,
        name_en="Intake call",
        name_zh="初次通话",
        due_offset_days=2,
    )
    case = open_case(applicant=applicant, advisor=advisor, opened_on=dt.date(2026, 3, 1))
    assert case.steps.get(code="intake-call").due_date == dt.date(2026, 3, 3)


@pytest.mark.django_db
def test_entering_a_stage_dates_its_steps_in_the_case_time_zone(case):
    case.time_zone = "Asia/Shanghai"
    case.save(update_fields=["time_zone"])
    # 2026-03-09 20:00 UTC is already 10 March in Shanghai.
    with time_machine.travel(dt.datetime(2026, 3, 9, 20, tzinfo=UTC), tick=False):
        case = case_at(Stage.READY, case=case)
    form = case.steps.get(code="online-form")
    assert form.due_date == dt.date(2026, 3, 15)  # 10 March + 5 days
    # Counted from another step: no date until that step is done.
    assert case.steps.get(code="visa-centre-appointment").due_date is None
    assert case.steps.get(code="passport-collected").due_date is None  # a later stage


@pytest.mark.django_db
def test_ticking_records_an_event_and_dates_the_steps_counted_from_it(case, advisor):
    case = case_at(Stage.READY, case=case)
    form = case.steps.get(code="online-form")
    done = today(case) - dt.timedelta(days=1)
    step = step_services.step_tick(step=form, done_on=done, note="Checked with Amy", actor=advisor)
    assert step.done_on == done
    assert step.done_by == advisor
    assert step.done_note == "Checked with Amy"
    assert case.steps.get(code="visa-centre-appointment").due_date == done + dt.timedelta(days=3)
    event = CaseEvent.objects.filter(case=case, kind=EventKind.STEP).get()
    assert (event.before, event.after, event.internal) == ("open", "done", False)
    # The event's data also carries what the timeline renderer words it from (the step's
    # names in both languages, the change); the step, date and note are these.
    assert (
        event.data
        | {
            "step": "online-form",
            "done_on": done.isoformat(),
            "note": "Checked with Amy",
        }
        == event.data
    )
    assert event.data["name_en"] == "Submit the online visa application form (COVA)"
    assert event.actor == advisor


@pytest.mark.django_db
def test_unticking_opens_the_step_and_undates_its_dependents(case, advisor):
    case = case_at(Stage.READY, case=case)
    form = case.steps.get(code="online-form")
    step_services.step_tick(step=form, done_on=today(case), actor=advisor)
    step = step_services.step_untick(step=form, actor=advisor)
    assert step.done_on is None
    assert step.done_by is None
    assert step.done_note == ""
    assert case.steps.get(code="visa-centre-appointment").due_date is None
    kinds = list(
        CaseEvent.objects.filter(case=case, kind=EventKind.STEP)
        .order_by("id")
        .values_list("after", flat=True)
    )
    assert kinds == ["done", "open"]


@pytest.mark.django_db
def test_steps_hidden_from_the_applicant_record_internal_events(case, advisor):
    step = case.steps.get(code="biometrics")
    CaseStep.objects.filter(pk=step.pk).update(visible_to_applicant=False)
    step.refresh_from_db()
    step_services.step_tick(step=step, done_on=today(case), actor=advisor)
    assert CaseEvent.objects.get(case=case, kind=EventKind.STEP).internal is True


@pytest.mark.django_db
def test_guard_refuses_leaving_a_stage_while_a_required_step_is_open(case, advisor):
    case = case_at(Stage.READY, case=case)
    with pytest.raises(TransitionNotAllowed) as err:
        services.case_transition(case=case, to=Stage.SUBMITTED, actor=advisor)
    assert "Submit the online visa application form (COVA)" in err.value.message
    assert "Book your visa centre appointment" in err.value.message
    assert err.value.details["open_steps"] == ["online-form", "visa-centre-appointment"]
    case.refresh_from_db()
    assert case.stage == Stage.READY
    # Optional steps never block; ticking the required ones lets the case move on.
    for code in ("online-form", "visa-centre-appointment"):
        step_services.step_tick(step=case.steps.get(code=code), done_on=today(case), actor=advisor)
    case = services.case_transition(case=case, to=Stage.SUBMITTED, actor=advisor)
    assert case.stage == Stage.SUBMITTED
    assert case.steps.get(code="visa-fee").due_date == today(case) + dt.timedelta(days=7)


@pytest.mark.django_db
def test_guard_never_blocks_hold_or_withdrawal(case, advisor, r_case):
    case = case_at(Stage.READY, case=case)
    held = services.case_transition(case=case, to=Stage.ON_HOLD, actor=advisor, reason="Wait")
    assert held.stage == Stage.ON_HOLD
    gone = services.case_transition(case=held, to=Stage.WITHDRAWN, actor=advisor, reason="No")
    assert gone.stage == Stage.WITHDRAWN
    r_ready = case_at(Stage.READY, case=r_case)
    gone = services.case_transition(case=r_ready, to=Stage.WITHDRAWN, actor=advisor, reason="No")
    assert gone.stage == Stage.WITHDRAWN


@pytest.mark.django_db
def test_the_decided_stage_needs_the_passport_collected_before_closing(case, advisor):
    case = case_at(Stage.DECIDED, case=case)
    with pytest.raises(TransitionNotAllowed, match="Collect your passport"):
        services.case_transition(case=case, to=Stage.CLOSED, actor=advisor)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_ahead", "note", "message"),
    [
        (1, "", "is in the future"),
        (0, "x" * 2001, "2000 characters"),
        (None, "", "Enter the date"),
    ],
)
def test_bad_ticks_are_refused_and_change_nothing(case, advisor, days_ahead, note, message):
    step = case.steps.get(code="online-form")
    done = None if days_ahead is None else today(case) + dt.timedelta(days=days_ahead)
    with pytest.raises(InvalidInput, match=message):
        step_services.step_tick(step=step, done_on=done, note=note, actor=advisor)
    step.refresh_from_db()
    assert step.done_on is None
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.STEP).exists()


@pytest.mark.django_db
def test_a_date_before_2000_is_refused(case, advisor):
    with pytest.raises(InvalidInput, match="too far in the past"):
        step_services.step_tick(
            step=case.steps.get(code="online-form"), done_on=dt.date(1999, 12, 31), actor=advisor
        )


@pytest.mark.django_db
def test_ticking_twice_is_a_conflict_and_unticking_an_open_step_too(case, advisor):
    step = case.steps.get(code="online-form")
    step_services.step_tick(step=step, done_on=today(case), actor=advisor)
    with pytest.raises(StaleObject, match="already ticked"):
        step_services.step_tick(step=step, done_on=today(case), actor=advisor)
    other = case.steps.get(code="visa-fee")
    with pytest.raises(StaleObject, match="not ticked"):
        step_services.step_untick(step=other, actor=advisor)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STEP).count() == 1


@pytest.mark.django_db
def test_steps_of_a_closed_or_withdrawn_case_no_longer_change(case, advisor):
    case = services.case_transition(case=case, to=Stage.WITHDRAWN, actor=advisor, reason="No")
    with pytest.raises(InvalidInput, match="closed or withdrawn"):
        step_services.step_tick(
            step=case.steps.get(code="online-form"), done_on=today(case), actor=advisor
        )


@pytest.mark.django_db
def test_only_the_cases_staff_tick_steps(
    case, applicant_user, other_advisor, other_firm_advisor, other_firm_admin, supervisor
):
    step = case.steps.get(code="online-form")
    for outsider in (applicant_user, other_advisor, other_firm_advisor, other_firm_admin):
        with pytest.raises(NotAllowed):
            step_services.step_tick(step=step, done_on=today(case), actor=outsider)
        with pytest.raises(NotAllowed):
            step_services.step_untick(step=step, actor=outsider)
    step.refresh_from_db()
    assert step.done_on is None
    step_services.step_tick(step=step, done_on=today(case), actor=supervisor)


# --- deadlines and reminders -----------------------------------------------------------------


def _ready_case(advisor, applicant, *, tz: str = "Europe/London"):  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        case = open_case(applicant=applicant, advisor=advisor)
        case.time_zone = tz
        case.save(update_fields=["time_zone"])
        return case_at(Stage.READY, case=case)  # online form due 2026-03-06


@pytest.mark.django_db
def test_due_steps_are_deadlines_for_the_applicant_advisor_and_calendar(advisor, applicant):
    case = _ready_case(advisor, applicant)
    hidden = case.steps.get(code="biometrics")  # a later stage: not live
    CaseStep.objects.filter(pk=hidden.pk).update(due_date=dt.date(2026, 3, 5))
    now = dt.datetime(2026, 3, 3, 12, tzinfo=UTC)
    upcoming, _overdue = case_deadlines_for_applicant(case=case, now=now)
    steps = [d for d in upcoming if d.kind == "step_due"]
    assert [(d.title, d.due_date, d.anchor) for d in steps] == [
        (
            "Submit the online visa application form (COVA)",
            dt.date(2026, 3, 6),
            f"#step-{case.steps.get(code='online-form').pk}",
        )
    ]
    assert [d.title for d in calendar_deadlines_for_user(user=advisor, now=now)].count(
        "Submit the online visa application form (COVA)"
    ) == 1
    later = dashboard_deadlines_for_user(user=advisor, now=dt.datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert "Submit the online visa application form (COVA)" in [d.title for d in later.overdue]
    # A step hidden from the applicant is the advisor's deadline only.
    form = case.steps.get(code="online-form")
    CaseStep.objects.filter(pk=form.pk).update(visible_to_applicant=False)
    upcoming, _ = case_deadlines_for_applicant(case=case, now=now)
    assert not [d for d in upcoming if d.kind == "step_due"]
    assert "Submit the online visa application form (COVA)" in [
        d.title for d in calendar_deadlines_for_user(user=advisor, now=now)
    ]
    assert not [
        d for d in calendar_deadlines_for_user(user=applicant.user, now=now) if d.kind == "step_due"
    ]


@pytest.mark.django_db
def test_due_step_reminds_the_applicant_in_their_language_once(advisor, applicant):
    ReminderRule.objects.exclude(kind="step_due").update(active=False)
    user = applicant.user
    user.preferred_language = "zh-hans"
    user.time_zone = "Asia/Shanghai"
    user.save(update_fields=["preferred_language", "time_zone"])
    _ready_case(advisor, applicant, tz="Asia/Shanghai")
    # The applicant email rule fires 3 days before (3 March) at 09:00 Shanghai = 01:00 UTC.
    with time_machine.travel(dt.datetime(2026, 3, 3, 1, 5, tzinfo=UTC), tick=False):
        reminders_sweep()
        reminders_sweep()
    to_applicant = [m for m in mail.outbox if m.to == [user.email]]
    assert len(to_applicant) == 1
    assert "提交在线签证申请表（COVA）" in to_applicant[0].body
    assert "2026-03-06" in to_applicant[0].body
    assert "提交在线签证申请表（COVA）" in to_applicant[0].subject


@pytest.mark.django_db
def test_a_ticked_step_is_not_reminded(advisor, applicant):
    ReminderRule.objects.exclude(kind="step_due").update(active=False)
    case = _ready_case(advisor, applicant)
    with time_machine.travel(dt.datetime(2026, 3, 3, 8, tzinfo=UTC), tick=False):
        reminders_sweep()  # before 09:00 London: recorded nothing yet
        step_services.step_tick(
            step=case.steps.get(code="online-form"), done_on=dt.date(2026, 3, 3), actor=advisor
        )
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()
    assert not [m for m in mail.outbox if "COVA" in m.body]
    # The appointment, counted from the tick (due 6 March), is reminded instead.
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, 30, tzinfo=UTC), tick=False):
        reminders_sweep()
    assert ReminderDelivery.objects.filter(target_type="step", status="sent").exists()
    assert any("Book your visa centre appointment" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_a_step_reminder_recorded_before_the_tick_is_suppressed(advisor, applicant):
    ReminderRule.objects.exclude(kind="step_due").update(active=False)
    ReminderRule.objects.filter(kind="step_due", channel="email").update(offsets=[0])
    case = _ready_case(advisor, applicant)
    from cases.services.reminder_ledger import reminders_record_due

    with time_machine.travel(dt.datetime(2026, 3, 6, 9, 30, tzinfo=UTC), tick=False):
        reminders_record_due(now=timezone.now())
        step_services.step_tick(
            step=case.steps.get(code="online-form"), done_on=dt.date(2026, 3, 6), actor=advisor
        )
        reminders_sweep()
    row = ReminderDelivery.objects.get(target_type="step", rule__channel="email")
    assert (row.status, row.last_error) == ("suppressed", "step done or removed")
    assert not mail.outbox


# --- templates and the seed -------------------------------------------------------------------


@pytest.mark.django_db
def test_template_rules_are_checked(firm_admin, other_firm_admin):
    k = visa_type("K")
    form = StepTemplate.objects.get(visa_type=k, code="online-form")
    base = {
        "visa_type": k,
        "code": "new-step",
        "position": 5,
        "stage": Stage.READY,
        "name_en": "New",
        "name_zh": "新",
        "assignee": "advisor",
        "due_offset_days": 2,
    }
    bad = [
        ({"stage": Stage.ON_HOLD}, "stage"),
        ({"due_offset_days": 4000}, "due_offset_days"),
        ({"due_after": form}, "due_after"),  # position 5 is before the form's 10
        ({"position": 15, "due_after": form, "due_offset_days": None}, "due_offset_days"),
        ({"code": "online-form", "position": 99}, "code"),
        ({"name_zh": ""}, "name_en"),
    ]
    for change, field in bad:
        with pytest.raises(InvalidInput) as err:
            step_services.step_template_save(
                actor=firm_admin, template=None, data={**base, **change}
            )
        assert err.value.details["field"] == field, change
    with pytest.raises(NotAllowed):
        step_services.step_template_save(actor=other_firm_admin, template=None, data=base)
    made = step_services.step_template_save(
        actor=firm_admin, template=None, data={**base, "position": 15, "due_after": form}
    )
    assert (made.firm_id, made.due_after_id) == (k.firm_id, form.pk)


@pytest.mark.django_db
def test_a_new_firm_gets_the_steps_and_the_seed_is_idempotent(other_firm):
    import importlib

    from django.apps import apps

    seed = importlib.import_module("cases.migrations.0019_seed_case_steps")
    k = visa_type("K", firm=other_firm)
    assert list(k.step_templates.values_list("code", flat=True)) == K_CODES
    StepTemplate.objects.filter(visa_type=k, code="visa-fee").update(name_en="Fee (edited)")
    before = StepTemplate.objects.count()
    seed.install(apps, None)
    assert StepTemplate.objects.count() == before
    assert StepTemplate.objects.get(visa_type=k, code="visa-fee").name_en == "Fee (edited)"
    assert ReminderRule.objects.filter(kind="step_due").count() == 2


@pytest.mark.django_db
def test_another_firms_advisor_is_never_a_step_staff(other_firm_case):
    outsider = AdvisorFactory(is_supervisor=True)  # of the default firm
    with pytest.raises(NotAllowed):
        step_services.step_tick(
            step=other_firm_case.steps.first(), done_on=dt.date(2026, 1, 1), actor=outsider
        )
