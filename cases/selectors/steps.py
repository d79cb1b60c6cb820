"""Reads of case steps, scoped to the user asking (``CaseStep.objects.visible_to``: firm first,
then the case's staff see every step, its applicant the steps marked visible to them)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from cases.models import MAIN_LINE, Case, CaseStep, Stage
from portal.models import User


def step_list_for_case(*, case: Case, user: User) -> QuerySet[CaseStep]:
    """The steps of ``case`` that ``user`` may see, in their order (position, then id), with
    who ticked them. One query."""
    return (
        CaseStep.objects.visible_to(user)
        .filter(case_id=case.pk)
        .select_related("done_by", "due_after")
        .order_by("position", "id")
    )


def step_get_for_user(*, user: User, pk: int) -> CaseStep:
    """A step ``user`` may see, with its case; ``Http404`` for anyone else's or a hidden one."""
    step = (
        CaseStep.objects.visible_to(user)
        .select_related("case", "case__applicant", "case__advisor")
        .filter(pk=pk)
        .first()
    )
    if step is None:
        raise Http404("No such step.")
    return step


def open_required_steps(*, case: Case, stage: str) -> list[CaseStep]:
    """Required steps of ``stage`` on ``case`` not ticked yet (what keeps the case in that
    stage, ``cases/services/transitions.py``), in order. One query."""
    return list(
        CaseStep.objects.filter(
            case_id=case.pk, stage=stage, required=True, done_on__isnull=True
        ).order_by("position", "id")
    )


@dataclass(frozen=True)
class StageSteps:
    """The steps of one stage, for the case pages: ``current`` marks the case's stage."""

    stage: str
    label: str
    current: bool
    steps: list[CaseStep]


def steps_by_stage(*, case: Case, user: User) -> list[StageSteps]:
    """``user``'s visible steps of ``case`` grouped by stage in main-line order (stages without
    steps left out). One query."""
    grouped: dict[str, list[CaseStep]] = {}
    for step in step_list_for_case(case=case, user=user):
        grouped.setdefault(step.stage, []).append(step)
    return [
        StageSteps(stage=s, label=str(Stage(s).label), current=s == case.stage, steps=grouped[s])
        for s in MAIN_LINE
        if s in grouped
    ]


def step_deadlines(
    cases: QuerySet[Case],
    *,
    low: dt.date | None = None,
    high: dt.date | None = None,
    for_applicant: bool = False,
) -> QuerySet[CaseStep]:
    """Live steps (``CaseStepQuerySet.live``: open, dated, their case in the step's stage) of
    ``cases`` due in [low, high] (dates in the case's time zone; uses the open-due index); with
    ``for_applicant`` only the steps the applicant sees."""
    qs = CaseStep.objects.live().filter(case__in=cases)
    if low is not None:
        qs = qs.filter(due_date__gte=low)
    if high is not None:
        qs = qs.filter(due_date__lte=high)
    if for_applicant:
        qs = qs.filter(visible_to_applicant=True)
    return qs.select_related("case", "case__applicant", "case__advisor", "case__applicant__user")
