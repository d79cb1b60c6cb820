"""Reads of cases, scoped to the user asking: the case list and its filters, one case, the
applicants one may see."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from cases.models import (
    Applicant,
    Case,
    CaseEvent,
    Document,
    DocumentRequirement,
    ReviewStatus,
    VisaType,
)
from cases.models.overdue import case_overdue_q, due_soon_q
from cases.models.search import search_words
from portal.firms import firm_scope
from portal.models import User

# "Due soon": a document waiting on the applicant due within this many days from today
# (``cases/models/overdue.py``, ``due_soon_q``), in the case list and the reports.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list: stage code, visa type code, overdue only, a document due in
    the next ``DUE_SOON_DAYS`` days only, free-text search (reference, applicant names, email
    or passport number: see ``cases_matching``), one advisor's cases or the unassigned ones."""

    stage: str = ""
    visa_type: str = ""
    overdue: bool = False
    search: str = ""
    advisor_id: int | None = None
    unassigned: bool = False
    due_soon: bool = False
    # The figures of the reports page (``cases/selectors/reports.py``), each a UTC date range
    # with both ends included (None: open-ended): opened on (``opened_on``), closed or
    # withdrawn (``closed_at``), decided (``decided_at``, with ``decision`` approved or
    # refused), a file reviewed (a document's ``reviewed_at``), a stage left (``left_stage``,
    # a stage code, or any stage; a stage-change event's ``created_at``); ``awaiting_review``:
    # a current file waits for review now.
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    decision: str = ""
    decided_from: dt.date | None = None
    decided_to: dt.date | None = None
    reviewed_from: dt.date | None = None
    reviewed_to: dt.date | None = None
    awaiting_review: bool = False
    left_stage: str = ""
    left_from: dt.date | None = None
    left_to: dt.date | None = None


def _date_range(field: str, start: dt.date | None, end: dt.date | None) -> Q:
    """``field`` (a date, or a datetime read as its UTC date) from ``start`` to ``end``, both
    included; an empty Q when neither is set."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lte": end})
    return q


def _utc_range(field: str, start: dt.date | None, end: dt.date | None) -> Q:
    """``field`` (a datetime) within the UTC days ``start`` to ``end``, both included, as a
    range on the column itself (so its index serves)."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)})
    if end is not None:
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        q &= Q(**{f"{field}__lt": after})
    return q


def cases_behind_figures(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Cases of ``qs`` counted by the report figures ``filters`` name (see ``CaseFilters``);
    each condition the same as in ``cases/selectors/reports.py``."""
    qs = qs.filter(_date_range("opened_on", filters.opened_from, filters.opened_to))
    if filters.closed_from or filters.closed_to:
        qs = qs.filter(_utc_range("closed_at", filters.closed_from, filters.closed_to))
    if filters.decision:
        qs = qs.filter(decision=filters.decision)
    if filters.decided_from or filters.decided_to:
        qs = qs.filter(_utc_range("decided_at", filters.decided_from, filters.decided_to))
    if filters.reviewed_from or filters.reviewed_to:
        reviewed = Document.objects.filter(
            _utc_range("reviewed_at", filters.reviewed_from, filters.reviewed_to),
            requirement__case=OuterRef("pk"),
            uploaded_at__isnull=False,
        )
        qs = qs.filter(Exists(reviewed))
    if filters.awaiting_review:
        waiting = Document.objects.filter(
            requirement__case=OuterRef("pk"),
            review_status=ReviewStatus.PENDING,
            requirement__current_document=F("pk"),
        )
        qs = qs.filter(Exists(waiting))
    if filters.left_stage or filters.left_from or filters.left_to:
        stays = CaseEvent.objects.filter(
            _utc_range("created_at", filters.left_from, filters.left_to),
            case=OuterRef("pk"),
            stage_entered_at__isnull=False,
        ).exclude(before="")
        if filters.left_stage:
            stays = stays.filter(before=filters.left_stage)
        qs = qs.filter(Exists(stays))
    return qs


def _overdue_requirements(now: dt.datetime) -> QuerySet[DocumentRequirement]:
    return DocumentRequirement.objects.overdue(now).filter(case=OuterRef("pk"))


def case_list_for_user(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases ``user`` may see, filtered, with applicant, visa type and advisor joined and
    ``outstanding_count`` / ``awaiting_review_count`` / ``overdue_count`` annotated: counts of
    required requirements waiting on the applicant (missing or rejected: "still needed"),
    waiting on the advisor (uploaded, awaiting review), both by ``cases/models/turn.py`` and
    read from the case's document summary (``cases/models/summary.py``), and overdue by the
    portal's one definition (``cases/models/overdue.py``: today in the case's time zone).
    Constant query count per page.

    The overdue count is a correlated subquery, computed only for the rows fetched: page
    through keys first (``portal.pagination.DeferredJoinPaginator``) so deep pages stay
    cheap."""
    filters = filters or CaseFilters()
    now = timezone.now()
    qs: QuerySet[Case] = Case.objects.visible_to(user).select_related(
        "applicant", "visa_type", "advisor"
    )
    qs = qs.annotate(
        outstanding_count=F("documents_needed_count"),
        awaiting_review_count=F("documents_to_review_count"),
        overdue_count=_overdue_count(now),
    )
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.visa_type:
        qs = qs.filter(visa_type__code=filters.visa_type)
    if filters.advisor_id:
        qs = qs.filter(advisor_id=filters.advisor_id)
    if filters.unassigned:
        qs = qs.filter(advisor__isnull=True)
    if filters.overdue:
        qs = cases_overdue(qs, now=now)
    if filters.due_soon:
        soon = DocumentRequirement.objects.filter(
            due_soon_q(now, DUE_SOON_DAYS), case=OuterRef("pk")
        )
        qs = qs.filter(Exists(soon))
    if filters.search.strip():
        qs = cases_matching(qs, filters.search)
    qs = cases_behind_figures(qs, filters)
    return qs.order_by("-opened_on", "-id")


def _overdue_count(now: dt.datetime) -> Subquery:
    """``(SELECT COUNT(*) FROM requirements WHERE case = outer case AND overdue at now)``."""
    overdue = (
        _overdue_requirements(now)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(overdue, output_field=IntegerField())


def cases_overdue(qs: QuerySet[Case], *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases of ``qs`` with at least one requirement overdue at ``now`` (default: the current
    instant), by the one definition in ``cases/models/overdue.py``, read from the case's
    stored earliest due date (``case_overdue_q``; an index range, no scan of requirements)."""
    return qs.filter(case_overdue_q(now or timezone.now()))


def cases_matching(qs: QuerySet[Case], term: str) -> QuerySet[Case]:
    """Cases of ``qs`` whose reference, applicant names, email or passport number contain every
    word of ``term``, ignoring letter case and accents ("maria garcia", "García María" and
    "GARCIA" all find María García); an empty term keeps all. Reads ``Case.search_text``
    (``cases/models/search.py``; a trigram index on PostgreSQL)."""
    words = search_words(term)
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return qs


def case_get_for_user(*, user: User, pk: int) -> Case:
    """The case with ``pk`` if ``user`` may see it, else ``Http404`` (never reveals existence)."""
    try:
        return (
            Case.objects.visible_to(user)
            .select_related("applicant", "applicant__user", "visa_type", "advisor")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


def applicant_cases(*, user: User) -> QuerySet[Case]:
    """The signed-in applicant's own cases with outstanding and overdue counts."""
    return case_list_for_user(user=user)


def applicant_list_for_user(*, user: User) -> QuerySet[Applicant]:
    """Applicants ``user`` may see, firm first: within their firm, admins and supervisors all,
    advisors those with a case assigned to them, applicants their own profile; platform admins
    every firm's. Opening a case for an existing applicant picks only from these."""
    qs = firm_scope(Applicant.objects.all(), user)
    if not user.is_authenticated or user.is_platform_admin:
        return qs
    if user.is_portal_admin or (user.is_advisor and user.is_supervisor):
        return qs
    if user.is_advisor:
        return qs.filter(Exists(Case.objects.filter(applicant=OuterRef("pk"), advisor=user)))
    return qs.filter(user=user)


def applicant_get_for_user(*, user: User, pk: int | str) -> Applicant:
    """The applicant ``pk`` if ``user`` may see them (``applicant_list_for_user``), else
    ``Http404``."""
    try:
        return applicant_list_for_user(user=user).get(pk=pk)
    except (Applicant.DoesNotExist, ValueError, TypeError):
        raise Http404("No such applicant.") from None


def visa_types_for_opening(*, user: User, applicant_id: int | None = None) -> QuerySet[VisaType]:
    """Active visa types a case may be opened with by ``user``: those of the firm the case
    opens in, the existing applicant ``applicant_id``'s firm (when ``user`` may see them) or
    else ``user``'s own firm. A platform admin without a firm gets none without an applicant."""
    firm_id = user.firm_id
    if applicant_id is not None:
        found = applicant_list_for_user(user=user).filter(pk=applicant_id).values("firm_id")
        firm_id = found[0]["firm_id"] if found else firm_id
    if firm_id is None:
        return VisaType.objects.none()
    return firm_scope(VisaType.objects.filter(active=True, firm_id=firm_id), user)
