"""Reads of case data, always scoped to the user asking."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from cases.models import (
    SATISFIED_STATUSES,
    Applicant,
    Case,
    CaseEvent,
    Document,
    DocumentAccess,
    DocumentRequirement,
    Education,
    Employment,
    Message,
    Stage,
)
from portal.models import User


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list: stage code, visa type code, overdue only, free-text search
    (matches reference, applicant given or family name, or email)."""

    stage: str = ""
    visa_type: str = ""
    overdue: bool = False
    search: str = ""
    advisor_id: int | None = None


# Stages in which missing documents still block the case; later, nothing is "overdue".
COLLECTING_STAGES = (Stage.INTAKE, Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW)


def requirement_may_be_overdue_q() -> Q:
    """The portal's one definition of which requirements can be overdue once their due date
    has passed: required (not optional), not accepted or waived, of a case still collecting
    documents (``COLLECTING_STAGES``). A ``Q`` on ``DocumentRequirement``."""
    return Q(required=True, case__stage__in=COLLECTING_STAGES) & ~Q(status__in=SATISFIED_STATUSES)


def requirement_may_be_overdue(requirement: DocumentRequirement, case: Case) -> bool:
    """``requirement_may_be_overdue_q`` for a row already loaded (``case`` is its case)."""
    return (
        requirement.required
        and case.stage in COLLECTING_STAGES
        and requirement.status not in SATISFIED_STATUSES
    )


def _overdue_requirements(today: dt.date) -> QuerySet[DocumentRequirement]:
    return DocumentRequirement.objects.filter(
        requirement_may_be_overdue_q(), case=OuterRef("pk"), due_date__lt=today
    )


def _requirement_count(**lookups: object) -> Subquery:
    """``(SELECT COUNT(*) FROM requirements WHERE case = outer case AND required AND not
    satisfied ...)``:
    a plain aggregate (no GROUP BY), so it is 0, not NULL, for a case without such rows."""
    outstanding = (
        DocumentRequirement.objects.filter(case=OuterRef("pk"), required=True, **lookups)
        .exclude(status__in=SATISFIED_STATUSES)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(outstanding, output_field=IntegerField())


def case_list_for_user(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases ``user`` may see, filtered, with applicant, visa type and advisor joined and
    ``outstanding_count`` / ``overdue_count`` annotated: counts of required requirements not
    accepted or waived; overdue ones are due before today (UTC date) while the case is still
    collecting documents (intake to review). Constant query count per page.

    The counts are correlated subqueries, computed only for the rows fetched: page through
    keys first (``portal.pagination.DeferredJoinPaginator``) so deep pages stay cheap."""
    filters = filters or CaseFilters()
    today = timezone.localdate()
    qs = Case.objects.visible_to(user).select_related("applicant", "visa_type", "advisor")
    qs = qs.annotate(
        outstanding_count=_requirement_count(),
        overdue_count=DbCase(
            When(stage__in=COLLECTING_STAGES, then=_requirement_count(due_date__lt=today)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.visa_type:
        qs = qs.filter(visa_type__code=filters.visa_type)
    if filters.advisor_id:
        qs = qs.filter(advisor_id=filters.advisor_id)
    if filters.overdue:
        qs = cases_overdue(qs)
    if filters.search.strip():
        qs = cases_matching(qs, filters.search)
    return qs.order_by("-opened_on", "-id")


def cases_overdue(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Cases of ``qs`` still collecting documents with a required requirement due before today
    (UTC date) that is not accepted or waived."""
    return qs.filter(
        Exists(_overdue_requirements(timezone.localdate())), stage__in=COLLECTING_STAGES
    )


def cases_matching(qs: QuerySet[Case], term: str) -> QuerySet[Case]:
    """Cases of ``qs`` whose reference, applicant given or family name, or email contains
    ``term`` (case-insensitive); an empty term keeps all."""
    term = term.strip()
    if not term:
        return qs
    return qs.filter(
        Q(reference__icontains=term)
        | Q(applicant__given_names__icontains=term)
        | Q(applicant__family_name__icontains=term)
        | Q(applicant__email__icontains=term)
    )


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


def case_requirements(*, case: Case) -> list[DocumentRequirement]:
    """The case's requirements in checklist order, each with ``documents`` (all versions, newest
    first, uploader and reviewer joined) and ``current_document`` prefetched."""
    versions = Document.objects.select_related("uploaded_by", "reviewed_by").order_by("-version")
    return list(
        case.requirements.select_related("current_document")
        .prefetch_related(Prefetch("documents", queryset=versions))
        .order_by("position", "id")
    )


def case_timeline(*, case: Case, user: User, limit: int = 200) -> list[CaseEvent]:
    """Newest-first events of the case; internal ones only for staff."""
    qs = case.events.select_related("actor")
    if not user.is_staff_member:
        qs = qs.filter(internal=False)
    return list(qs[:limit])


def case_messages(*, case: Case, user: User) -> list[Message]:
    """The case thread, oldest first; internal notes only for staff."""
    qs = Message.objects.visible_to(user).filter(case=case).select_related("author")
    return list(qs.order_by("created_at", "id"))


def requirement_get_for_user(*, user: User, case: Case, pk: int) -> DocumentRequirement:
    """A requirement of a case the user may see, else ``Http404``."""
    try:
        return DocumentRequirement.objects.select_related(
            "case", "case__applicant", "case__advisor"
        ).get(pk=pk, case=case)
    except (DocumentRequirement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document requirement.") from None


def document_get_for_user(*, user: User, pk: int) -> Document:
    """A document version the user may see (through its case), else ``Http404``."""
    try:
        return (
            Document.objects.visible_to(user)
            .select_related(
                "requirement",
                "requirement__case",
                "requirement__case__applicant",
                "requirement__case__advisor",
            )
            .get(pk=pk)
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document.") from None


def applicant_cases(*, user: User) -> QuerySet[Case]:
    """The signed-in applicant's own cases with outstanding and overdue counts."""
    return case_list_for_user(user=user)


def document_access_list(*, document: Document, limit: int = 500) -> list[DocumentAccess]:
    """Newest-first reads of one document (all its accesses, every version recorded), with the
    reader joined. The caller has checked the user may see the document."""
    return list(document.accesses.select_related("user").order_by("-accessed_at", "-id")[:limit])


def applicant_access_list(*, user: User, limit: int = 500) -> list[DocumentAccess]:
    """Newest-first reads of the files of ``user``'s own cases (as applicant): who, when,
    which document and version, with document, requirement and case joined."""
    return list(
        DocumentAccess.objects.filter(document__requirement__case__applicant__user=user)
        .select_related("user", "document", "document__requirement", "document__requirement__case")
        .order_by("-accessed_at", "-id")[:limit]
    )


def requirement_list_for_case(*, case: Case) -> QuerySet[DocumentRequirement]:
    """The case's requirements in checklist order with the current document and its uploader
    and reviewer joined (one query per page)."""
    return (
        DocumentRequirement.objects.filter(case=case)
        .select_related(
            "current_document", "current_document__uploaded_by", "current_document__reviewed_by"
        )
        .order_by("position", "id")
    )


def requirement_list_for_user(*, user: User) -> QuerySet[DocumentRequirement]:
    """Requirements of every case ``user`` may see, current document joined."""
    return DocumentRequirement.objects.visible_to(user).select_related(
        "case",
        "current_document",
        "current_document__uploaded_by",
        "current_document__reviewed_by",
    )


def document_list_for_user(*, user: User) -> QuerySet[Document]:
    """Document versions of every case ``user`` may see, requirement, uploader and reviewer
    joined, newest first."""
    return (
        Document.objects.visible_to(user)
        .select_related("requirement", "uploaded_by", "reviewed_by")
        .order_by("-uploaded_at", "-id")
    )


def applicant_list_for_user(*, user: User) -> QuerySet[Applicant]:
    """Applicants ``user`` may see: admins and supervisors all, advisors those with a case
    assigned to them, applicants their own profile."""
    if not user.is_authenticated or not user.is_active:
        return Applicant.objects.none()
    if user.is_portal_admin or (user.is_advisor and user.is_supervisor):
        return Applicant.objects.all()
    if user.is_advisor:
        return Applicant.objects.filter(
            Exists(Case.objects.filter(applicant=OuterRef("pk"), advisor=user))
        )
    return Applicant.objects.filter(user=user)


def case_event_list(*, case: Case, user: User) -> QuerySet[CaseEvent]:
    """Newest-first events of the case as a queryset (for paging); internal ones staff only."""
    qs = case.events.select_related("actor").order_by("-created_at", "-id")
    if not user.is_staff_member:
        qs = qs.filter(internal=False)
    return qs


def message_list_for_case(*, case: Case, user: User) -> QuerySet[Message]:
    """The case thread as a queryset, oldest first; internal notes staff only."""
    return (
        Message.objects.visible_to(user)
        .filter(case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )


# --- qualifications (issue 5: API) ------------------------------------------------------------


def education_list_for_applicant(*, applicant: Applicant) -> QuerySet[Education]:
    """The applicant's degrees, latest graduation first (no date last), field and institution
    joined. The caller has fetched ``applicant`` through a user-scoped selector."""
    return (
        Education.objects.filter(applicant=applicant)
        .select_related("field", "institution")
        .order_by(F("graduation_date").desc(nulls_last=True), "-id")
    )


def employment_list_for_applicant(*, applicant: Applicant) -> QuerySet[Employment]:
    """The applicant's jobs, latest start first, field and institution joined."""
    return (
        Employment.objects.filter(applicant=applicant)
        .select_related("field", "institution")
        .order_by("-start_date", "-id")
    )


def education_list_for_user(*, user: User) -> QuerySet[Education]:
    """Degrees of the applicants of every case ``user`` may see."""
    return Education.objects.visible_to(user).select_related("applicant", "field", "institution")


def employment_list_for_user(*, user: User) -> QuerySet[Employment]:
    """Jobs of the applicants of every case ``user`` may see."""
    return Employment.objects.visible_to(user).select_related("applicant", "field", "institution")
