"""Stage transitions: the ready guard, the moves allowed from a stage, and the move itself.

The transition map is ``TRANSITIONS`` in ``cases/models/stages.py``; the guards are described
in docs/architecture.md ("What moves a case to ready").
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    COLLECTING_STAGES,
    MAIN_LINE,
    PRE_SUBMISSION_STAGES,
    SATISFIED_STATUSES,
    STAGE_ENTRY_KINDS,
    TRANSITIONS,
    Case,
    CaseEvent,
    Decision,
    EventKind,
    Stage,
)
from cases.selectors.steps import open_required_steps
from cases.services.events import event_record
from cases.services.notifications import notify_stage
from cases.services.steps import steps_stage_entered
from cases.services.summary import case_summary_refresh
from cases.services.timeline_text import event_data as timeline_data
from eligibility.models import AssessmentOutcome
from eligibility.selectors import current_assessment_outcome
from portal.audit import audit_update
from portal.errors import InvalidInput, NotAllowed, StaleObject, TransitionNotAllowed
from portal.models import User


@dataclass(frozen=True)
class ReadyCheck:
    """Why a case cannot move to ``ready``: names of outstanding required requirements, and the
    assessment problem (empty when none)."""

    missing: list[str]
    assessment_problem: str

    @property
    def ok(self) -> bool:
        return not self.missing and not self.assessment_problem


def case_ready_check(*, case: Case) -> ReadyCheck:
    """Evaluate the ``ready`` guard (docs/architecture.md, "What moves a case to ready"): every
    required requirement accepted or waived, and a current assessment whose outcome is not
    ``ineligible``."""
    missing = [
        r.name
        for r in case.requirements.filter(required=True).exclude(status__in=SATISFIED_STATUSES)
    ]
    outcome = current_assessment_outcome(case_id=case.pk)
    problem = ""
    if outcome is None:
        problem = _("The case has no eligibility assessment yet.")
    elif outcome == AssessmentOutcome.INELIGIBLE:
        problem = _("The current eligibility assessment says the applicant is ineligible.")
    return ReadyCheck(missing=missing, assessment_problem=problem)


def check_steps_done(*, case: Case, to: str) -> None:
    """The step guard: a case moves forward along the main line from its stage only once
    every step of that stage marked "required before leaving its stage" is ticked
    (``cases/models/steps.py``). Holds, withdrawals and the change request back to documents
    are never blocked. Raises ``TransitionNotAllowed`` naming the open steps
    (``details["open_steps"]``: their codes)."""
    if case.stage not in MAIN_LINE or to not in MAIN_LINE:
        return
    if MAIN_LINE.index(to) <= MAIN_LINE.index(case.stage):
        return
    open_steps = open_required_steps(case=case, stage=case.stage)
    if open_steps:
        raise TransitionNotAllowed(
            _("Tick these steps of “%(stage)s” before moving on: %(list)s.")
            % {"stage": Stage(case.stage).label, "list": ", ".join(s.name for s in open_steps)},
            details={"open_steps": [s.code for s in open_steps]},
        )


def allowed_transitions(case: Case) -> list[str]:
    """Stages ``case`` may move to next, in main-line order; on_hold returns only to the stage
    it was entered from."""
    targets = TRANSITIONS.get(case.stage, frozenset())
    if case.stage == Stage.ON_HOLD:
        targets = frozenset(t for t in targets if t in (case.stage_before_hold, Stage.WITHDRAWN))
    order = [*MAIN_LINE, Stage.ON_HOLD, Stage.WITHDRAWN]
    return [s for s in order if s in targets]


def case_transition(
    *,
    case: Case,
    to: str,
    actor: User,
    reason: str = "",
    decision: str = "",
    override: bool = False,
) -> Case:
    """Move ``case`` to stage ``to`` with a conditional UPDATE and a CaseEvent, atomically.

    ``reason`` is required to override the ready guard (``override=True``) and to withdraw or
    hold; ``decision`` (approved | refused) is required for ``decided``. Raises ``NotAllowed``
    (actor may not move cases), ``TransitionNotAllowed`` (move not in the map or a guard fails,
    ``details["missing"]`` lists outstanding requirements, ``details["open_steps"]`` the
    required steps of the stage not ticked yet, ``check_steps_done``) and ``StaleObject``
    (someone else moved the case first; nothing is changed).
    """
    if not permissions.can_transition(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can change its stage."))
    reason = (reason or "").strip()
    if to not in allowed_transitions(case):
        raise TransitionNotAllowed(
            _("A case in stage “%(from)s” cannot move to “%(to)s”.")
            % {"from": Stage(case.stage).label, "to": Stage(to).label if to in Stage.values else to}
        )
    check_steps_done(case=case, to=to)
    update: dict[str, Any] = {"stage": to, "updated_at": timezone.now()}
    event_data: dict[str, Any] = {}
    now = timezone.now()
    if to == Stage.READY:
        check = case_ready_check(case=case)
        if not check.ok:
            if not override:
                parts = []
                if check.missing:
                    parts.append(
                        _("Still outstanding: %(list)s.") % {"list": ", ".join(check.missing)}
                    )
                if check.assessment_problem:
                    parts.append(check.assessment_problem)
                raise TransitionNotAllowed(
                    _("The case is not ready to submit. %(why)s") % {"why": " ".join(parts)},
                    details={"missing": check.missing, "assessment": check.assessment_problem},
                )
            if not reason:
                raise InvalidInput(_("Write the reason for overriding the ready check."))
            update["ready_override_reason"] = reason
            event_data = {
                "override": True,
                "missing": check.missing,
                "assessment": check.assessment_problem,
            }
    if to in (Stage.WITHDRAWN, Stage.ON_HOLD) and not reason:
        raise InvalidInput(_("Write a reason for this change; it goes on the case timeline."))
    if to == Stage.DECIDED:
        if decision not in Decision.values:
            raise InvalidInput(_("Choose the decision: approved or refused."))
        update.update(decision=decision, decided_at=now)
        event_data["decision"] = decision
    if to == Stage.SUBMITTED:
        update["submitted_at"] = now
    if to in (Stage.CLOSED, Stage.WITHDRAWN):
        update["closed_at"] = now
    if to == Stage.ON_HOLD:
        update["stage_before_hold"] = case.stage
    elif case.stage == Stage.ON_HOLD:
        update["stage_before_hold"] = ""

    with transaction.atomic():
        hit = Case.objects.filter(pk=case.pk, stage=case.stage).update(**update)
        if hit != 1:
            raise StaleObject(
                _("Case %(ref)s was changed by someone else. Reload the page and try again.")
                % {"ref": case.reference}
            )
        # The case row is locked by the UPDATE: no other move can slip in between.
        entered = (
            CaseEvent.objects.filter(case=case, kind__in=STAGE_ENTRY_KINDS)
            .order_by("-created_at", "-id")
            .values_list("created_at", flat=True)
            .first()
        )
        audit_update(
            case,
            {k: (getattr(case, k), v) for k, v in update.items() if k != "updated_at"},
            actor=actor,
        )
        event = event_record(
            case=case,
            actor=actor,
            kind=EventKind.OVERRIDE if event_data.get("override") else EventKind.STAGE,
            before=case.stage,
            after=to,
            data=timeline_data("stage", **event_data, reason=reason[:500]),
            # An override's reasoning is between advisors; the applicant sees the new stage.
            internal=bool(event_data.get("override")),
            stage_entered_at=entered,
        )
        steps_stage_entered(case=case, stage=to, now=now)
        if any((case.stage in s) != (to in s) for s in (COLLECTING_STAGES, PRE_SUBMISSION_STAGES)):
            # The summary's due dates hold only while collecting / before submission.
            case_summary_refresh(case_ids=[case.pk])
        # The applicant learns the new stage, not an override's reasoning.
        notify_stage(
            case=case,
            event=event,
            actor=actor,
            to=to,
            reason="" if event_data.get("override") else reason,
        )
    case.refresh_from_db()
    return case
