"""Writes of case steps: copying a visa type's steps onto a new case, due dates when a case
enters a stage, ticking and unticking a step, and the admin's edits of step templates.

Rules (``cases/models/steps.py``): a step is due ``due_offset_days`` after the day its case
first entered the step's stage, or after the day the step named in ``due_after`` was done;
dates are in the case's time zone. Every tick and untick writes a CaseEvent (through
``cases/services/events.py``) in the same transaction.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    MAIN_LINE,
    MAX_STEP_NOTE_CHARS,
    MAX_STEP_OFFSET_DAYS,
    Case,
    CaseStep,
    EventKind,
    Stage,
    StepAssignee,
    StepTemplate,
    VisaType,
)
from cases.reminders.schedule import local_today
from cases.services.events import case_touch, event_record
from cases.services.timeline_text import event_data
from portal.dates import EARLIEST_DUE_DATE
from portal.errors import InvalidInput, NotAllowed, StaleObject
from portal.firms import is_firm_member
from portal.models import User

# Stages in which a case's steps no longer change.
FINISHED_STAGES = frozenset({Stage.CLOSED, Stage.WITHDRAWN})

_COPIED = (
    "code",
    "position",
    "stage",
    "name_en",
    "name_zh",
    "help_en",
    "help_zh",
    "assignee",
    "visible_to_applicant",
    "required",
    "due_offset_days",
)


def steps_copy_for_case(*, case: Case) -> list[CaseStep]:
    """Copy the steps of ``case``'s visa type onto it (inside ``case_open``'s transaction) and
    date the steps of its first stage from ``case.opened_on``. Three queries (templates, one
    insert, one update of the ``due_after`` links) whatever the number of steps."""
    templates = list(StepTemplate.objects.filter(visa_type_id=case.visa_type_id))
    if not templates:
        return []
    steps = CaseStep.objects.bulk_create(
        CaseStep(
            firm_id=case.firm_id,
            case=case,
            template=t,
            **{f: getattr(t, f) for f in _COPIED},
            due_date=(
                case.opened_on + dt.timedelta(days=t.due_offset_days)
                if t.stage == case.stage
                and t.due_after_id is None
                and t.due_offset_days is not None
                else None
            ),
        )
        for t in templates
    )
    by_template = {s.template_id: s for s in steps}
    linked = []
    for template, step in zip(templates, steps, strict=True):
        anchor = by_template.get(template.due_after_id)
        if anchor is not None:
            step.due_after = anchor
            linked.append(step)
    if linked:
        CaseStep.objects.bulk_update(linked, ["due_after"])
    return steps


def steps_stage_entered(*, case: Case, stage: str, now: dt.datetime | None = None) -> int:
    """Date the open steps of ``stage`` counted from the stage's start: today in the case's
    time zone plus their offset. Only undated steps get a date (re-entering a stage, after a
    hold or a change request, keeps the first one). Called by ``case_transition`` in its
    transaction. Returns the number of steps dated; one query, plus one UPDATE per offset."""
    today = local_today(now or timezone.now(), case.time_zone)
    rows = list(
        CaseStep.objects.filter(
            case_id=case.pk,
            stage=stage,
            done_on__isnull=True,
            due_date__isnull=True,
            due_after__isnull=True,
            due_offset_days__isnull=False,
        ).values_list("pk", "due_offset_days")
    )
    by_offset: dict[int, list[int]] = {}
    for pk, offset in rows:
        if offset is not None:  # filtered above; for the type checker
            by_offset.setdefault(offset, []).append(pk)
    for offset, ids in by_offset.items():
        CaseStep.objects.filter(pk__in=ids).update(due_date=today + dt.timedelta(days=offset))
    return len(rows)


def _check_can_change(step: CaseStep, actor: User) -> Case:
    case = step.case
    if not permissions.is_case_staff(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can tick case steps."))
    if case.stage in FINISHED_STAGES:
        raise InvalidInput(
            _("Case %(ref)s is closed or withdrawn; its steps can no longer change.")
            % {"ref": case.reference}
        )
    return case


def step_check_done_on(
    *, done_on: dt.date | None, case: Case, now: dt.datetime | None = None
) -> None:
    """The date a step was done must be given, from 2000-01-01 and not after today in the
    case's time zone. Raises ``InvalidInput`` (``details["field"] = "done_on"``)."""
    today = local_today(now or timezone.now(), case.time_zone)
    if done_on is None:
        raise InvalidInput(_("Enter the date the step was done."), details={"field": "done_on"})
    if done_on > today:
        raise InvalidInput(
            _("The date done, %(day)s, is in the future; enter %(today)s or earlier.")
            % {"day": done_on.isoformat(), "today": today.isoformat()},
            details={"field": "done_on"},
        )
    if done_on < EARLIEST_DUE_DATE:
        raise InvalidInput(
            _("The date done, %(day)s, is too far in the past; enter a date from %(earliest)s on.")
            % {"day": done_on.isoformat(), "earliest": EARLIEST_DUE_DATE.isoformat()},
            details={"field": "done_on"},
        )


def step_tick(*, step: CaseStep, done_on: dt.date | None, note: str = "", actor: User) -> CaseStep:
    """Mark ``step`` done on ``done_on`` (a date in the case's time zone) with an optional note
    (at most 2,000 characters); steps counted from it get their due date. Raises ``NotAllowed``
    unless ``actor`` is staff on the case, ``InvalidInput`` for a bad date, a long note or a
    finished case, ``StaleObject`` when the step is already ticked."""
    case = _check_can_change(step, actor)
    note = (note or "").strip()
    if len(note) > MAX_STEP_NOTE_CHARS:
        raise InvalidInput(
            _("Keep the note to %(n)d characters or fewer.") % {"n": MAX_STEP_NOTE_CHARS},
            details={"field": "note"},
        )
    step_check_done_on(done_on=done_on, case=case)
    if done_on is None:  # refused above; this tells the type checker
        raise InvalidInput(_("Enter the date the step was done."))
    now = timezone.now()
    with transaction.atomic():
        hit = CaseStep.objects.filter(pk=step.pk, done_on__isnull=True).update(
            done_on=done_on, done_note=note, done_by=actor, done_at=now, updated_at=now
        )
        if hit != 1:
            raise StaleObject(
                _("“%(name)s” is already ticked. Reload the page to see who ticked it.")
                % {"name": step.name}
            )
        for dependent in CaseStep.objects.filter(due_after_id=step.pk, done_on__isnull=True):
            if dependent.due_offset_days is not None:
                CaseStep.objects.filter(pk=dependent.pk).update(
                    due_date=done_on + dt.timedelta(days=dependent.due_offset_days)
                )
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.STEP,
            before="open",
            after="done",
            internal=not step.visible_to_applicant,
            data=event_data(
                "step",
                change="done",
                step=step.code,
                done_on=done_on.isoformat(),
                note=note,
                name_en=step.name_en,
                name_zh=step.name_zh,
            ),
        )
        case_touch(case)
    step.refresh_from_db()
    return step


def step_untick(*, step: CaseStep, actor: User) -> CaseStep:
    """Open a ticked step again (a tick made by mistake); steps counted from it lose their
    due date. Raises as ``step_tick``; ``StaleObject`` when the step is not ticked."""
    case = _check_can_change(step, actor)
    with transaction.atomic():
        was = CaseStep.objects.select_for_update().get(pk=step.pk)
        hit = CaseStep.objects.filter(pk=step.pk, done_on__isnull=False).update(
            done_on=None, done_note="", done_by=None, done_at=None, updated_at=timezone.now()
        )
        if hit != 1:
            raise StaleObject(
                _("“%(name)s” is not ticked. Reload the page to see its state.")
                % {"name": step.name}
            )
        CaseStep.objects.filter(due_after_id=step.pk, done_on__isnull=True).update(due_date=None)
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.STEP,
            before="done",
            after="open",
            internal=not step.visible_to_applicant,
            data=event_data(
                "step",
                change="reopened",
                step=step.code,
                was_done_on=was.done_on.isoformat() if was.done_on else None,
                name_en=step.name_en,
                name_zh=step.name_zh,
            ),
        )
        case_touch(case)
    step.refresh_from_db()
    return step


def step_template_save(
    *, actor: User, template: StepTemplate | None, data: dict[str, Any]
) -> StepTemplate:
    """Create (``template`` None) or change a step template of a visa type from ``data`` (the
    model's fields; ``visa_type`` a VisaType). Raises ``NotAllowed`` unless ``actor`` is an
    admin of the visa type's firm, ``InvalidInput`` (with ``details["field"]``) for a stage off
    the main line, an offset over 3,650 days, a ``due_after`` step of another visa type or not
    earlier in the order, a ``due_after`` without an offset, or a code already used."""
    visa_type: VisaType | None = data.get("visa_type") or (template.visa_type if template else None)
    if visa_type is None:
        raise InvalidInput(_("Choose the visa type."), details={"field": "visa_type"})
    if not (actor.is_active and actor.is_portal_admin and is_firm_member(actor, visa_type.firm_id)):
        raise NotAllowed(_("Only admins of the firm can change its case steps."))
    obj = template or StepTemplate()
    fields = [f for f in (*_COPIED, "due_after") if f in data]
    for name in fields:
        setattr(obj, name, data[name])
    obj.visa_type = visa_type
    obj.firm_id = visa_type.firm_id
    if obj.stage not in MAIN_LINE:
        raise InvalidInput(
            _("Choose a stage of the main line (intake to closed)."), details={"field": "stage"}
        )
    if obj.assignee not in StepAssignee.values:
        raise InvalidInput(_("Choose who does the step."), details={"field": "assignee"})
    if not (obj.name_en or "").strip() or not (obj.name_zh or "").strip():
        raise InvalidInput(
            _("Give the step a name in English and in Chinese."), details={"field": "name_en"}
        )
    offset = obj.due_offset_days
    if offset is not None and not 0 <= offset <= MAX_STEP_OFFSET_DAYS:
        raise InvalidInput(
            _("The due offset must be between 0 and %(n)d days.") % {"n": MAX_STEP_OFFSET_DAYS},
            details={"field": "due_offset_days"},
        )
    anchor = obj.due_after
    if anchor is not None:
        if anchor.visa_type_id != visa_type.pk or (obj.pk and anchor.pk == obj.pk):
            raise InvalidInput(
                _("Count from another step of the same visa type."), details={"field": "due_after"}
            )
        if anchor.position >= obj.position:
            raise InvalidInput(
                _("Count only from a step that comes earlier (a lower position)."),
                details={"field": "due_after"},
            )
        if offset is None:
            raise InvalidInput(
                _("Enter the number of days after that step."),
                details={"field": "due_offset_days"},
            )
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise InvalidInput(
            _("The code “%(code)s” is already used by another step of this visa type.")
            % {"code": obj.code},
            details={"field": "code"},
        ) from None
    return obj
