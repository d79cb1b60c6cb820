"""Report figures a firm runs its week on (issue 16), aggregated in the database: a constant
number of queries whatever the number of cases.

Scope: ``report_cases_for_user`` (``Case.objects.visible_to``: a supervisor or admin their
firm's cases, an advisor the cases assigned to them; applicants none). Durations are in days
(floats); percentiles are PostgreSQL's ``percentile_cont`` (linear interpolation between the
two nearest values, as numpy's default), computed the same way in Python on other databases.
Weeks start on Monday (ISO 8601) and months on the 1st, in UTC.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.http import Http404

from cases.models import OPEN_STAGES, Case, CaseEvent, Document, DocumentRequirement, Stage
from cases.models.overdue import due_soon_q, overdue_q
from cases.permissions import can_see_firm_figures
from cases.selectors.cases import DUE_SOON_DAYS
from portal.firms import firm_scope
from portal.models import Role, User

_DAY_SECONDS = 86400.0
# Percentiles over the ORM's own SQL ({inner}: a compiled queryset; every value a parameter).
_STAGE_SQL = (
    "SELECT t.before, COUNT(*),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.created_at - t.entered))"
    " / %s,"
    " percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.created_at - t.entered))"
    " / %s"
    " FROM ({inner}) t(before, created_at, entered) GROUP BY t.before"
)
_REVIEW_SQL = (
    "SELECT 'all', COUNT(*),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.r - t.u)) / %s,"
    " percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.r - t.u)) / %s"
    " FROM ({inner}) t(u, r)"
)


@dataclass(frozen=True)
class ReportFilters:
    """``start``/``end``: UTC dates, both included (the time a case left a stage, a review, a
    decision, an opening or a close); ``visa_code``: one visa type's code, or all when empty."""

    start: dt.date
    end: dt.date
    visa_code: str = ""
    # One advisor's cases (their user id), or the cases without an advisor: supervisors and
    # admins only (``ReportFilterForm`` offers it to them alone; others see their own anyway).
    advisor_id: int | None = None
    unassigned: bool = False


def report_cases_for_user(*, user: User, filters: ReportFilters | None = None) -> QuerySet[Case]:
    """The cases ``user``'s reports count (see the module docstring), of one visa type and,
    for supervisors and admins, one advisor or none when ``filters`` say so; ``Http404`` for
    anyone who is not staff (applicants have no reports)."""
    if not (user.is_authenticated and user.is_active and user.is_staff_member):
        raise Http404("No reports.")
    cases = Case.objects.visible_to(user)
    if filters is not None and filters.visa_code:
        cases = cases.filter(visa_type__code=filters.visa_code)
    if filters is not None and can_see_firm_figures(user):  # others see their own anyway
        if filters.advisor_id:
            cases = cases.filter(advisor_id=filters.advisor_id)
        if filters.unassigned:
            cases = cases.filter(advisor__isnull=True)
    return cases


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of ``values`` with linear interpolation (``percentile_cont``);
    None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def open_by_stage_and_visa(cases: QuerySet[Case]) -> dict[tuple[str, str], int]:
    """{(stage, visa code): number of open cases (on hold included)}. One query."""
    rows = (
        cases.filter(stage__in=[*OPEN_STAGES, Stage.ON_HOLD])
        .values("stage", "visa_type__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["stage"], r["visa_type__code"]): r["n"] for r in rows}


@dataclass(frozen=True)
class Spread:
    """How long something took, in days: how many, median and 90th percentile."""

    count: int
    median: float | None
    p90: float | None


def _spreads(rows: list[tuple[str, int, float | None, float | None]]) -> dict[str, Spread]:
    return {key: Spread(count=n, median=m, p90=p) for key, n, m, p in rows}


def _python_spreads(pairs: list[tuple[str, float]]) -> dict[str, Spread]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for key, days in pairs:
        grouped[key].append(days)
    return {
        k: Spread(count=len(v), median=percentile(v, 0.5), p90=percentile(v, 0.9))
        for k, v in grouped.items()
    }


def days_per_stage(cases: QuerySet[Case], filters: ReportFilters) -> dict[str, Spread]:
    """{stage: Spread of the days cases spent in it}, from the timeline: a stay runs from the
    event that moved the case into the stage (its opening, or a stage change) to the one that
    moved it out (``CaseEvent.stage_entered_at``, written by ``case_transition``), counted
    when it ended within the filter dates. One query (the ``caseevent_stage_stay_idx`` range)."""
    low = dt.datetime.combine(filters.start, dt.time.min, tzinfo=dt.UTC)
    high = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    stays = (
        CaseEvent.objects.filter(
            case__in=cases,
            stage_entered_at__isnull=False,
            created_at__gte=low,
            created_at__lt=high,
        )
        .exclude(before="")
        .values_list("before", "created_at", "stage_entered_at")
        .order_by()
    )
    if connection.vendor == "postgresql":
        sql, params = stays.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                _STAGE_SQL.replace("{inner}", sql), [_DAY_SECONDS, _DAY_SECONDS, *params]
            )
            return _spreads(cursor.fetchall())
    return _python_spreads(
        [
            (before, (done - entered).total_seconds() / _DAY_SECONDS)
            for before, done, entered in stays
            if entered is not None  # the filter above; for the type checker
        ]
    )


@dataclass(frozen=True)
class ReviewWaiting:
    """Reviews done within the filter dates (Spread of days from upload to review) and files
    waiting for review now: how many, and the oldest upload's age in days."""

    done: Spread
    waiting: int
    oldest_waiting_days: float | None


def review_waiting(
    cases: QuerySet[Case], filters: ReportFilters, *, now: dt.datetime
) -> ReviewWaiting:
    """How long uploads wait for the advisor's review. Two queries."""
    docs = Document.objects.filter(requirement__case__in=cases)
    reviewed = (
        docs.filter(
            reviewed_at__date__gte=filters.start,
            reviewed_at__date__lte=filters.end,
            uploaded_at__isnull=False,
        )
        .values_list("uploaded_at", "reviewed_at")
        .order_by()
    )
    if connection.vendor == "postgresql":
        sql, params = reviewed.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                _REVIEW_SQL.replace("{inner}", sql), [_DAY_SECONDS, _DAY_SECONDS, *params]
            )
            spread = _spreads(cursor.fetchall()).get("all")
    else:
        spread = _python_spreads(
            [("all", (r - u).total_seconds() / _DAY_SECONDS) for u, r in reviewed if r and u]
        ).get("all")
    pending = docs.filter(review_status="pending", requirement__current_document=F("pk")).aggregate(
        n=Count("id"), oldest=Min("uploaded_at")
    )
    oldest = pending["oldest"]
    return ReviewWaiting(
        done=spread if spread and spread.count else Spread(0, None, None),
        waiting=pending["n"],
        oldest_waiting_days=(now - oldest).total_seconds() / _DAY_SECONDS if oldest else None,
    )


@dataclass(frozen=True)
class Outcome:
    month: dt.date
    visa_code: str
    approved: int = 0
    refused: int = 0
    withdrawn: int = 0


def outcomes_by_month(cases: QuerySet[Case], filters: ReportFilters) -> list[Outcome]:
    """Decisions (approved, refused) by the month they were recorded and withdrawals by the
    month of withdrawal, per visa type, within the filter dates; oldest month first. Two
    queries."""
    decided = (
        cases.filter(decided_at__date__gte=filters.start, decided_at__date__lte=filters.end)
        .exclude(decision="")
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values("month", "visa_type__code", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    withdrawn = (
        cases.filter(
            stage=Stage.WITHDRAWN,
            closed_at__date__gte=filters.start,
            closed_at__date__lte=filters.end,
        )
        .annotate(month=TruncMonth("closed_at", tzinfo=dt.UTC))
        .values("month", "visa_type__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[tuple[dt.date, str], dict[str, int]] = defaultdict(dict)
    for r in decided:
        table[(_day(r["month"]), r["visa_type__code"])][r["decision"]] = r["n"]
    for r in withdrawn:
        table[(_day(r["month"]), r["visa_type__code"])]["withdrawn"] = r["n"]
    return [Outcome(month=m, visa_code=v, **counts) for (m, v), counts in sorted(table.items())]


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass
class Week:
    start: dt.date
    opened: int = 0
    closed: int = 0


@dataclass(frozen=True)
class WeeklyFlow:
    weeks: list[Week] = field(default_factory=list)

    @property
    def most(self) -> int:
        return max([1, *(max(w.opened, w.closed) for w in self.weeks)])


def opened_closed_per_week(cases: QuerySet[Case], filters: ReportFilters) -> WeeklyFlow:
    """Cases opened (by their opening date) and closed or withdrawn (by ``closed_at``, UTC)
    per ISO week within the filter dates, every week listed (zeros included). Two queries."""
    opened = (
        cases.filter(opened_on__gte=filters.start, opened_on__lte=filters.end)
        .annotate(week=TruncWeek("opened_on"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed = (
        cases.filter(Q(closed_at__date__gte=filters.start) & Q(closed_at__date__lte=filters.end))
        .annotate(week=TruncWeek("closed_at", tzinfo=dt.UTC))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    first = filters.start - dt.timedelta(days=filters.start.weekday())
    weeks: dict[dt.date, Week] = {}
    day = first
    while day <= filters.end:
        weeks[day] = Week(start=day)
        day += dt.timedelta(days=7)
    for r in opened:
        weeks.setdefault(_day(r["week"]), Week(start=_day(r["week"]))).opened = r["n"]
    for r in closed:
        weeks.setdefault(_day(r["week"]), Week(start=_day(r["week"]))).closed = r["n"]
    return WeeklyFlow(weeks=[weeks[k] for k in sorted(weeks)])


@dataclass(frozen=True)
class AdvisorDeadlines:
    """One advisor's row (``advisor_id`` None: cases without an advisor): documents overdue
    now and documents due in the next ``DUE_SOON_DAYS`` days, counted as requirements."""

    advisor_id: int | None
    name: str
    overdue: int = 0
    due_soon: int = 0


def deadlines_by_advisor(
    cases: QuerySet[Case], *, viewer: User, filters: ReportFilters, now: dt.datetime
) -> list[AdvisorDeadlines]:
    """Overdue and due-soon document requirements of ``cases`` per advisor, as of ``now``
    (the one definition of ``cases/models/overdue.py``, today in each case's time zone; the
    filter dates do not apply). Supervisors and admins get every advisor of their firm (zeros
    included), or the one of ``filters``; an advisor gets their own row. Two queries."""
    overdue, soon = overdue_q(now), due_soon_q(now, DUE_SOON_DAYS)
    # One scan for both counts: every overdue or due-soon row is due by the horizon.
    rows = (
        DocumentRequirement.objects.filter(case__in=cases)
        .filter(overdue | soon)
        .values("case__advisor_id")
        .annotate(overdue=Count("id", filter=overdue), due_soon=Count("id", filter=soon))
        .order_by()
    )
    counts: dict[int | None, dict[str, int]] = {
        r["case__advisor_id"]: {"overdue": r["overdue"], "due_soon": r["due_soon"]} for r in rows
    }
    if not can_see_firm_figures(viewer):
        wanted = Q(pk=viewer.pk)
    elif filters.unassigned:
        wanted = Q(pk__in=[])
    elif filters.advisor_id:
        wanted = Q(pk=filters.advisor_id)
    else:
        wanted = Q(role=Role.ADVISOR, firm_id=viewer.firm_id)
    ids = [k for k in counts if k is not None]
    people = firm_scope(User.objects.filter(wanted | Q(pk__in=ids)), viewer).only(
        "id", "full_name", "email"
    )
    rows_out = [
        AdvisorDeadlines(p.pk, str(p), **counts.get(p.pk, {}))
        for p in sorted(people, key=lambda p: (str(p).casefold(), p.pk))
    ]
    if None in counts:
        rows_out.append(AdvisorDeadlines(None, "", **counts[None]))
    return rows_out
