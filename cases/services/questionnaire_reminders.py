"""The "questionnaire not started / not finished" reminder kind (``ReminderKind.QUESTIONNAIRE``),
kept beside the sweep rather than in it: the items it finds, the state the re-check needs and
why a recorded reminder must no longer go out.

Due date: the case's target submission date (the advisor types the official form from the
approved answers before submitting). Rules are data ("Reminder rules" in the admin; migration
0028 seeds one for the applicant, by email, 14, 7 and 2 days before). Once the applicant sends
the questionnaire (or it is approved) nothing more is recorded, and rows already recorded are
suppressed; a questionnaire returned with comments is the applicant's to finish again.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cases.models import (
    PRE_SUBMISSION_STAGES,
    Case,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireStatus,
    ReminderDelivery,
    ReminderKind,
    ResponseStatus,
)
from cases.selectors.questionnaires import QUESTIONNAIRE_SENT, questionnaire_deadlines

if TYPE_CHECKING:
    from portal.models import User


@dataclass
class QuestionnaireItem:
    """One case whose questionnaire is due: who would be reminded and on which date."""

    case: Case
    due_date: dt.date
    applicant: "User | None"
    staff: "User | None"


@dataclass
class QuestionnaireState:
    """The current questionnaire state of a batch's cases (two queries, only when the batch
    holds rows of this kind): status by case id (no entry: not started) and the cases whose
    visa type still has a questionnaire."""

    status: dict[int, str] = field(default_factory=dict)
    available: set[int] = field(default_factory=set)

    def started(self, case_id: int) -> bool:
        return self.status.get(case_id, ResponseStatus.NOT_STARTED) != ResponseStatus.NOT_STARTED


def questionnaire_items(low: dt.date, high: dt.date) -> list[QuestionnaireItem]:
    """Cases whose questionnaire is due in [low, high] and not sent yet (one query)."""
    return [
        QuestionnaireItem(
            case=c,
            due_date=c.target_submission_date,  # type: ignore[arg-type]
            applicant=c.applicant.user,
            staff=c.advisor,
        )
        for c in questionnaire_deadlines(Case.objects.all(), low=low, high=high)
    ]


def questionnaire_state_load(
    rows: list[ReminderDelivery], cases: dict[int, Case]
) -> QuestionnaireState:
    """The state ``questionnaire_suppression`` and the reminder's wording read, for the rows
    of this kind in ``rows`` (``cases``: the batch's freshly loaded cases)."""
    ids = {r.case_id for r in rows if r.rule.kind == ReminderKind.QUESTIONNAIRE}
    state = QuestionnaireState()
    if not ids:
        return state
    for case_id, status in QuestionnaireResponse.objects.filter(case_id__in=ids).values_list(
        "case_id", "status"
    ):
        state.status[case_id] = status
    visa_types = {cases[i].visa_type_id for i in ids if i in cases}
    published = set(
        Questionnaire.objects.filter(
            visa_type_id__in=visa_types, status=QuestionnaireStatus.PUBLISHED
        ).values_list("visa_type_id", flat=True)
    )
    state.available = {
        i for i in ids if i in state.status or (i in cases and cases[i].visa_type_id in published)
    }
    return state


def questionnaire_suppression(row: ReminderDelivery, case: Case, state: QuestionnaireState) -> str:
    """Why the questionnaire reminder ``row`` of ``case`` must not go out now (empty when it
    may): sent or approved, no questionnaire any more, case submitted, date changed."""
    if state.status.get(case.pk) in QUESTIONNAIRE_SENT:
        return "questionnaire sent to the advisor or approved"
    if case.pk not in state.available:
        return "the visa type has no questionnaire"
    if case.stage not in PRE_SUBMISSION_STAGES:
        return "case already submitted"
    if case.target_submission_date != row.due_date:
        return "due date changed"
    return ""
