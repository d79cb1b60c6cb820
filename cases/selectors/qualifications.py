"""Reads of applicants' degrees (education) and jobs (employment)."""

from django.db.models import (
    F,
    QuerySet,
)

from cases.models import (
    Applicant,
    Education,
    Employment,
)
from portal.models import User


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
