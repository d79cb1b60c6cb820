"""Deadlines of cases, read with a constant number of queries: outstanding document
requirements, target submission dates, open case tasks, due case steps
(``cases/selectors/steps.py``) and passports that expire too soon.

Used by the sweep (with narrow due-date windows), the dashboard, the applicant page and the
calendar feed. Due dates are dates in the case's time zone.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    OPEN_STAGES,
    PRE_SUBMISSION_STAGES,
    SATISFIED_STATUSES,
    Case,
    CaseStep,
    CaseTask,
    DocumentRequirement,
    ReminderKind,
    TargetType,
)
from cases.models.overdue import due_before_local_today, may_be_overdue_q
from cases.models.turn import waits_on_applicant_q
from cases.reminders.schedule import local_today, passport_too_short
from cases.selectors.steps import step_deadlines
from portal.models import User

# Deadlines are live in OPEN_STAGES only: on hold, decided, closed and withdrawn cases get no
# reminders and show no deadlines. The target submission date and the passport check matter
# until the case is submitted (PRE_SUBMISSION_STAGES). Both sets: cases/models/stages.py.


@dataclass(frozen=True)
class Deadline:
    """One dated item of a case. ``title`` is in the language active when it was built;
    ``assignee_id`` is the user who must act among staff (task assignee or case advisor)."""

    kind: str
    target_type: str
    target_id: int
    case: Case
    due_date: dt.date
    title: str
    assignee_id: int | None
    details: dict[str, str] = field(default_factory=dict)
    # False for items that are never "overdue" once past due: optional requirements and
    # requirements of cases no longer collecting documents (``cases/models/overdue.py``).
    may_be_overdue: bool = True

    @property
    def anchor(self) -> str:
        if self.target_type == TargetType.REQUIREMENT:
            return f"#req-{self.target_id}"
        if self.target_type == TargetType.TASK:
            return f"#task-{self.target_id}"
        if self.target_type == TargetType.STEP:
            return f"#step-{self.target_id}"
        return ""

    def url_for(self, user: User) -> str:
        """Path of the item's page for ``user`` (advisor page for staff, else applicant page)."""
        name = "cases:detail" if user.is_staff_member else "cases:my_detail"
        return reverse(name, args=[self.case.pk]) + self.anchor

    def case_today(self, now: dt.datetime) -> dt.date:
        return local_today(now, self.case.time_zone)

    def is_overdue(self, now: dt.datetime) -> bool:
        """The one rule of ``cases/models/overdue.py``: ``may_be_overdue`` (condition 1, from
        the query) and due before today in the case's time zone (condition 2)."""
        return self.may_be_overdue and due_before_local_today(
            self.due_date, self.case.time_zone, now
        )


def _range(prefix: str, low: dt.date | None, high: dt.date | None) -> Q:
    q = Q(**{f"{prefix}__isnull": False})
    if low is not None:
        q &= Q(**{f"{prefix}__gte": low})
    if high is not None:
        q &= Q(**{f"{prefix}__lte": high})
    return q


def requirement_deadlines(
    cases: QuerySet[Case], *, low: dt.date | None = None, high: dt.date | None = None
) -> QuerySet[DocumentRequirement]:
    """Requirements waiting on the applicant (missing or rejected, ``cases/models/turn.py``: an
    uploaded file awaiting review is no longer the applicant's deadline) with a due date in
    [low, high] of active cases in ``cases`` (uses the (status, due_date) index), annotated
    ``may_be_overdue`` (condition 1 of ``cases/models/overdue.py``)."""
    return (
        DocumentRequirement.objects.filter(_range("due_date", low, high))
        .filter(waits_on_applicant_q())
        .filter(case__in=cases.filter(stage__in=OPEN_STAGES))
        .annotate(may_be_overdue=ExpressionWrapper(may_be_overdue_q(), output_field=BooleanField()))
        .select_related("case", "case__applicant", "case__advisor", "case__applicant__user")
    )


def review_deadlines(
    cases: QuerySet[Case], *, low: dt.date | None = None, high: dt.date | None = None
) -> QuerySet[DocumentRequirement]:
    """Requirements of active cases in ``cases`` waiting on the advisor's review (uploaded,
    ``cases/models/turn.py``) whose current file was uploaded on a UTC date in [low, high]
    (widened by a day each side: the sweep reads the upload date in the case's zone)."""
    qs = DocumentRequirement.objects.awaiting_review().filter(
        case__in=cases.filter(stage__in=OPEN_STAGES), current_document__isnull=False
    )
    if low is not None:
        qs = qs.filter(current_document__uploaded_at__date__gte=low - dt.timedelta(days=1))
    if high is not None:
        qs = qs.filter(current_document__uploaded_at__date__lte=high + dt.timedelta(days=1))
    return qs.select_related("case", "case__advisor", "current_document")


def target_deadlines(
    cases: QuerySet[Case], *, low: dt.date | None = None, high: dt.date | None = None
) -> QuerySet[Case]:
    """Cases not yet submitted whose target submission date is in [low, high]."""
    return cases.filter(
        _range("target_submission_date", low, high), stage__in=PRE_SUBMISSION_STAGES
    ).select_related("applicant", "advisor", "applicant__user")


def task_deadlines(
    tasks: QuerySet[CaseTask], *, low: dt.date | None = None, high: dt.date | None = None
) -> QuerySet[CaseTask]:
    """Open tasks with a due date in [low, high] on active cases (uses the (done, due) index)."""
    return tasks.filter(
        _range("due_date", low, high), done=False, case__stage__in=OPEN_STAGES
    ).select_related("case", "case__applicant", "case__advisor", "assignee")


def passport_deadlines(
    cases: QuerySet[Case],
    *,
    low: dt.date | None = None,
    high: dt.date | None = None,
    limit: int | None = None,
) -> list[Case]:
    """Cases not yet submitted whose applicant's passport has fewer than 6 months left on the
    intended entry date, the latest due first, at most ``limit``. Due date (annotated
    ``passport_due``): the target submission date, else the intended entry date. Read from the
    case summary (``Case.passport_due_on``, ``cases/models/summary.py``: the cases whose
    passport expires less than 184 days after entry, by the partial index
    ``case_passport_due_idx``); the exact calendar-month rule is applied in Python to the rows
    read. Two queries with a ``limit`` (keys, then rows; a third when the rule drops more
    than ``PASSPORT_READ_MARGIN`` rows of a full first read), else one."""
    qs = (
        cases.filter(_range("passport_due_on", low, high))
        .annotate(passport_due=F("passport_due_on"))
        .select_related("applicant", "advisor", "applicant__user")
        .order_by("-passport_due_on", "-id")
    )
    if limit is not None:
        # Keys first (a backward range of the index), then those rows with their joins: the
        # planner otherwise joins every dated case before cutting the list.
        keys = list(qs.values_list("pk", flat=True)[: limit + PASSPORT_READ_MARGIN])
        rows: list[Case] = list(qs.filter(pk__in=keys))
    else:
        rows = list(qs)
    if limit is not None and len(rows) == limit + PASSPORT_READ_MARGIN:
        kept = [c for c in rows if _passport_short(c)]
        if len(kept) >= limit:
            return kept[:limit]
        rows = list(qs)  # the rule dropped more than the margin: read them all
    kept = [c for c in rows if _passport_short(c)]
    return kept[:limit] if limit is not None else kept


# Rows read beyond ``limit`` for those the exact rule drops (184 days vs 6 calendar months).
PASSPORT_READ_MARGIN = 20


def _passport_short(case: Case) -> bool:
    return passport_too_short(expiry=case.applicant.passport_expiry, entry=case.intended_entry_date)


def requirement_deadline(r: DocumentRequirement) -> Deadline:
    return Deadline(
        kind=ReminderKind.REQUIREMENT_DUE,
        target_type=TargetType.REQUIREMENT,
        target_id=r.pk,
        case=r.case,
        due_date=r.due_date,  # type: ignore[arg-type]
        title=r.name,
        assignee_id=r.case.advisor_id,
        may_be_overdue=getattr(r, "may_be_overdue", True),
    )


def target_deadline(case: Case) -> Deadline:
    return Deadline(
        kind=ReminderKind.TARGET_SUBMISSION,
        target_type=TargetType.CASE,
        target_id=case.pk,
        case=case,
        due_date=case.target_submission_date,  # type: ignore[arg-type]
        title=_("Target submission date"),
        assignee_id=case.advisor_id,
    )


def task_deadline(task: CaseTask) -> Deadline:
    return Deadline(
        kind=ReminderKind.TASK_DUE,
        target_type=TargetType.TASK,
        target_id=task.pk,
        case=task.case,
        due_date=task.due_date,  # type: ignore[arg-type]
        title=task.title,
        assignee_id=task.assignee_id or task.case.advisor_id,
    )


def step_deadline(step: CaseStep) -> Deadline:
    return Deadline(
        kind=ReminderKind.STEP_DUE,
        target_type=TargetType.STEP,
        target_id=step.pk,
        case=step.case,
        due_date=step.due_date,  # type: ignore[arg-type]
        title=step.name,
        assignee_id=step.case.advisor_id,
    )


def passport_deadline(case: Case) -> Deadline:
    expiry = case.applicant.passport_expiry
    return Deadline(
        kind=ReminderKind.PASSPORT_VALIDITY,
        target_type=TargetType.CASE,
        target_id=case.pk,
        case=case,
        due_date=case.passport_due,  # type: ignore[attr-defined]
        title=_("Renew the passport: it expires on %(date)s, less than 6 months after entry")
        % {"date": expiry.isoformat() if expiry else ""},
        assignee_id=case.advisor_id,
        details={
            "expiry": expiry.isoformat() if expiry else "",
            "entry": case.intended_entry_date.isoformat() if case.intended_entry_date else "",
        },
    )


def deadlines_for(
    *,
    cases: QuerySet[Case],
    tasks: QuerySet[CaseTask] | None,
    low: dt.date | None = None,
    high: dt.date | None = None,
    limit: int = 500,
    for_applicant: bool = False,
) -> list[Deadline]:
    """Every deadline of ``cases`` (and of ``tasks``, when given) due in [low, high], soonest
    first; case steps only those the applicant sees when ``for_applicant``. Five queries
    whatever the number of cases; at most ``limit`` rows of each kind, the latest due first
    when the list is cut."""
    items: list[Deadline] = []
    items += [
        step_deadline(s)
        for s in step_deadlines(cases, low=low, high=high, for_applicant=for_applicant).order_by(
            "-due_date"
        )[:limit]
    ]
    items += [
        requirement_deadline(r)
        for r in requirement_deadlines(cases, low=low, high=high).order_by("-due_date")[:limit]
    ]
    items += [
        target_deadline(c)
        for c in target_deadlines(cases, low=low, high=high).order_by("-target_submission_date")[
            :limit
        ]
    ]
    if tasks is not None:
        items += [
            task_deadline(t)
            for t in task_deadlines(tasks, low=low, high=high).order_by("-due_date")[:limit]
        ]
    items += [
        passport_deadline(c) for c in passport_deadlines(cases, low=low, high=high, limit=limit)
    ]
    items.sort(key=lambda d: (d.due_date, d.case.reference, d.kind, d.target_id))
    return items


@dataclass(frozen=True)
class DashboardDeadlines:
    """An advisor's overdue items, items due within 7 days (case-local today included), and
    active cases with no deadline at all."""

    overdue: list[Deadline]
    this_week: list[Deadline]
    without_deadline: list[Case]


def _no_deadline_cases(cases: QuerySet[Case], limit: int) -> list[Case]:
    dated_requirement = (
        DocumentRequirement.objects.filter(case=OuterRef("pk"), due_date__isnull=False)
        .exclude(status__in=SATISFIED_STATUSES)
        .values("pk")
    )
    dated_task = CaseTask.objects.filter(
        case=OuterRef("pk"), due_date__isnull=False, done=False
    ).values("pk")
    dated_step = CaseStep.objects.live().filter(case=OuterRef("pk")).values("pk")
    return list(
        cases.filter(stage__in=OPEN_STAGES, target_submission_date__isnull=True)
        .filter(~Exists(dated_requirement), ~Exists(dated_task), ~Exists(dated_step))
        .select_related("applicant", "visa_type")
        .order_by("opened_on", "id")[:limit]
    )


def dashboard_deadlines_for_user(
    *, user: User, now: dt.datetime | None = None, limit: int = 100
) -> DashboardDeadlines:
    """Deadlines across the cases ``user`` may see: overdue (before the case-local today; for
    requirements only required ones of cases still collecting documents, as everywhere in the
    portal, see ``Deadline.may_be_overdue``; other past items are left out) and due in the next
    7 days, at most ``limit`` of each; plus active cases without any
    deadline. Constant query count (six queries)."""
    now = now or timezone.now()
    today_utc = now.astimezone(dt.UTC).date()
    cases = Case.objects.visible_to(user)
    tasks = CaseTask.objects.visible_to(user)
    # A case-local date is within one day of the UTC date; filter wide, classify per case.
    items = deadlines_for(cases=cases, tasks=tasks, high=today_utc + dt.timedelta(days=8))
    overdue: list[Deadline] = []
    this_week: list[Deadline] = []
    for item in items:
        today = item.case_today(now)
        if item.is_overdue(now):
            overdue.append(item)
        elif today <= item.due_date <= today + dt.timedelta(days=6):
            this_week.append(item)
    overdue.sort(key=lambda d: d.due_date)
    return DashboardDeadlines(
        overdue=overdue[:limit],
        this_week=this_week[:limit],
        without_deadline=_no_deadline_cases(cases, limit),
    )


def case_deadlines_for_applicant(
    *, case: Case, now: dt.datetime | None = None
) -> tuple[list[Deadline], list[Deadline]]:
    """(upcoming, overdue) deadlines of one case for its applicant: documents, the target
    submission date, the passport check and the case steps they see (advisor tasks are
    internal). Past items that are not overdue (``Deadline.may_be_overdue`` False) are in
    neither list. Five queries."""
    now = now or timezone.now()
    items = deadlines_for(cases=Case.objects.filter(pk=case.pk), tasks=None, for_applicant=True)
    today = local_today(now, case.time_zone)
    upcoming = [d for d in items if d.due_date >= today]
    overdue = [d for d in items if d.is_overdue(now)]
    return upcoming, overdue


def calendar_deadlines_for_user(
    *, user: User, now: dt.datetime | None = None, past_days: int = 60
) -> list[Deadline]:
    """Deadlines for ``user``'s calendar feed: an applicant's own cases; an advisor's assigned
    cases and the tasks assigned to them; due from ``past_days`` ago onwards."""
    now = now or timezone.now()
    low = now.astimezone(dt.UTC).date() - dt.timedelta(days=past_days)
    if not user.is_active:
        return []
    # Only cases the user may still see (firm first, assignment): a removed advisor's feed
    # loses the case and its tasks at once.
    visible = Case.objects.visible_to(user)
    if user.is_staff_member:
        cases = visible.filter(advisor=user)
        tasks: QuerySet[CaseTask] | None = CaseTask.objects.visible_to(user).filter(
            Q(assignee=user) | Q(assignee__isnull=True, case__advisor=user)
        )
    else:
        cases = visible.filter(applicant__user=user)
        tasks = None
    return deadlines_for(cases=cases, tasks=tasks, low=low, for_applicant=tasks is None)
