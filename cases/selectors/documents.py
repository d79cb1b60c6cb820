"""Reads of document requirements, document versions and the document access log."""

from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.http import Http404

from cases.models import (
    Case,
    Document,
    DocumentAccess,
    DocumentRequirement,
)
from portal.models import User


def case_requirements(*, case: Case) -> list[DocumentRequirement]:
    """The case's requirements in checklist order, each with ``documents`` (all versions, newest
    first, uploader and reviewer joined), ``current_document`` with its photo check and the
    checklist item joined."""
    versions = Document.objects.select_related("uploaded_by", "reviewed_by").order_by("-version")
    return list(
        case.requirements.select_related(
            "current_document", "current_document__photo_check", "checklist_item"
        )
        .prefetch_related(Prefetch("documents", queryset=versions))
        .order_by("position", "id")
    )


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
                "requirement__checklist_item",
                "requirement__case",
                "requirement__case__applicant",
                "requirement__case__advisor",
            )
            .get(pk=pk)
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document.") from None


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


def requirement_list_for_upload(*, user: User) -> QuerySet[DocumentRequirement]:
    """Requirements of every case ``user`` may see, with what an upload reads joined: the case,
    its visa type (the quota) and its advisor (who is told). No current document: the upload
    service locks and reads the requirement's state itself."""
    return DocumentRequirement.objects.visible_to(user).select_related(
        "case", "case__visa_type", "case__advisor"
    )


def document_list_for_user(*, user: User) -> QuerySet[Document]:
    """Document versions of every case ``user`` may see, requirement, uploader and reviewer
    joined, newest first."""
    return (
        Document.objects.visible_to(user)
        .select_related("requirement", "uploaded_by", "reviewed_by")
        .order_by("-uploaded_at", "-id")
    )
