"""Step 2 of the reminder sweep, the re-check: the current state of a batch's targets and why a
ledger row must not be sent now (``cases/services/sweep.py`` sends what passes)."""

from dataclasses import dataclass, field

from cases import permissions
from cases.models import (
    EVENT_KINDS,
    OPEN_STAGES,
    PRE_SUBMISSION_STAGES,
    Audience,
    Case,
    CaseStep,
    CaseTask,
    DocumentRequirement,
    Notification,
    ReminderDelivery,
    ReminderKind,
    ReminderPreference,
    StepAssignee,
    TargetType,
    WaitingOn,
)
from cases.models.overdue import requirement_may_be_overdue
from cases.reminders.schedule import passport_too_short, review_due_date
from cases.services.questionnaire_reminders import (
    QuestionnaireState,
    questionnaire_state_load,
    questionnaire_suppression,
)


@dataclass
class _Fresh:
    """Current state of the targets of a batch, loaded with one query per target type."""

    requirements: dict[int, DocumentRequirement] = field(default_factory=dict)
    tasks: dict[int, CaseTask] = field(default_factory=dict)
    steps: dict[int, CaseStep] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    preferences: dict[int, ReminderPreference] = field(default_factory=dict)
    # Notifications of events by their email's ledger row id.
    notices: dict[int, Notification] = field(default_factory=dict)
    questionnaires: QuestionnaireState = field(default_factory=QuestionnaireState)


def _load_fresh(rows: list[ReminderDelivery]) -> _Fresh:
    fresh = _Fresh()
    event_rows = [r.pk for r in rows if r.rule.kind in EVENT_KINDS]
    if event_rows:
        fresh.notices = {
            n.delivery_id: n  # type: ignore[misc]
            for n in Notification.objects.filter(delivery_id__in=event_rows)
        }
    req_ids = [
        r.target_id
        for r in rows
        if r.target_type == TargetType.REQUIREMENT and r.rule.kind not in EVENT_KINDS
    ]
    task_ids = [
        r.target_id
        for r in rows
        if r.target_type == TargetType.TASK and r.rule.kind not in EVENT_KINDS
    ]
    if req_ids:
        fresh.requirements = DocumentRequirement.objects.select_related("current_document").in_bulk(
            req_ids
        )
    if task_ids:
        fresh.tasks = CaseTask.objects.in_bulk(task_ids)
    step_ids = [r.target_id for r in rows if r.target_type == TargetType.STEP]
    if step_ids:
        fresh.steps = CaseStep.objects.in_bulk(step_ids)
    fresh.cases = Case.objects.select_related("applicant", "advisor").in_bulk(
        {r.case_id for r in rows}
    )
    fresh.questionnaires = questionnaire_state_load(rows, fresh.cases)
    fresh.preferences = {
        p.user_id: p
        for p in ReminderPreference.objects.filter(user_id__in={r.recipient_id for r in rows})
    }
    return fresh


def _suppression(row: ReminderDelivery, fresh: _Fresh) -> str:
    """Why ``row`` must not be sent now (empty when it may). Re-checked just before sending."""
    rule, recipient = row.rule, row.recipient
    case = fresh.cases.get(row.case_id)
    if not recipient.is_active:
        return "recipient deactivated"
    if rule.kind in EVENT_KINDS:
        return _event_suppression(row, fresh, case)
    if case is None or (case.stage not in OPEN_STAGES and rule.kind != ReminderKind.STEP_DUE):
        # (A step of the decided stage, collecting the passport, is live while decided.)
        return "case not active (on hold, decided, closed or withdrawn)"
    if not rule.active:
        return "rule deactivated"
    pref = fresh.preferences.get(recipient.pk)
    mandatory = rule.audience == Audience.ADVISOR and row.offset_days < 0
    if pref is not None and pref.skip_optional and rule.optional and not mandatory:
        return "optional reminders turned off by the recipient"
    staff_id = case.advisor_id
    if rule.kind == ReminderKind.REVIEW_DUE:
        req = fresh.requirements.get(row.target_id)
        if req is None or req.waiting_on != WaitingOn.ADVISOR or req.current_document is None:
            return "reviewed, or the file was removed"
        due = review_due_date(
            uploaded_at=req.current_document.uploaded_at,
            case_tz=case.time_zone,
            working_days=rule.review_within_working_days,
        )
        if due != row.due_date:
            return "a newer file was uploaded"
    elif row.target_type == TargetType.REQUIREMENT:
        req = fresh.requirements.get(row.target_id)
        if req is None or req.waiting_on != WaitingOn.APPLICANT:
            return "requirement uploaded (awaiting review), accepted, waived or removed"
        if req.due_date != row.due_date:
            return "due date changed"
        if row.offset_days < 0 and not requirement_may_be_overdue(req, case):
            return "not overdue: optional requirement or case no longer collecting documents"
    elif row.target_type == TargetType.TASK:
        task = fresh.tasks.get(row.target_id)
        if task is None or task.done:
            return "task done or removed"
        if task.due_date != row.due_date:
            return "due date changed"
        staff_id = task.assignee_id or case.advisor_id
    elif row.target_type == TargetType.STEP:
        step = fresh.steps.get(row.target_id)
        if step is None or step.is_done:
            return "step done or removed"
        if step.stage != case.stage:
            return "case no longer in the step's stage"
        if step.due_date != row.due_date:
            return "due date changed"
        if rule.audience == Audience.APPLICANT and not (
            step.visible_to_applicant and step.assignee == StepAssignee.APPLICANT
        ):
            return "step no longer the applicant's"
    elif rule.kind == ReminderKind.QUESTIONNAIRE:
        reason = questionnaire_suppression(row, case, fresh.questionnaires)
        if reason:
            return reason
    elif rule.kind == ReminderKind.TARGET_SUBMISSION:
        if case.stage not in PRE_SUBMISSION_STAGES:
            return "case already submitted"
        if case.target_submission_date != row.due_date:
            return "due date changed"
    elif rule.kind == ReminderKind.PASSPORT_VALIDITY:
        if case.stage not in PRE_SUBMISSION_STAGES:
            return "case already submitted"
        if not passport_too_short(
            expiry=case.applicant.passport_expiry, entry=case.intended_entry_date
        ):
            return "passport now valid long enough"
        if (case.target_submission_date or case.intended_entry_date) != row.due_date:
            return "due date changed"
    expected = case.applicant.user_id if rule.audience == Audience.APPLICANT else staff_id
    if expected != recipient.pk:
        return "recipient no longer assigned"
    if not permissions.can_view_case(recipient, case):
        # Firm first: nobody is reminded of a case they may not see (moved firm, removed).
        return "recipient may not see the case"
    return ""


def _event_suppression(row: ReminderDelivery, fresh: _Fresh, case: Case | None) -> str:
    """Why the email of an event notification must not go out now (empty when it may)."""
    rule, recipient = row.rule, row.recipient
    if case is None:
        return "case removed"
    if not rule.active:
        return "rule deactivated"
    pref = fresh.preferences.get(recipient.pk)
    if pref is not None and pref.skip_optional and rule.optional:
        return "optional emails turned off by the recipient"
    if row.pk not in fresh.notices:
        return "notification removed"
    if recipient.is_staff_member:
        # The old advisor is told of a reassignment, and of nothing after it.
        if (
            rule.kind != ReminderKind.CASE_REASSIGNED
            and case.advisor_id != recipient.pk
            and not recipient.is_portal_admin
        ):
            return "recipient no longer assigned"
    elif case.applicant.user_id != recipient.pk:
        return "recipient no longer the applicant"
    return ""
