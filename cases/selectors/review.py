"""The advisor's side of "whose turn" (``cases/models/turn.py``): uploads waiting for review.

Read by the dashboard's "Waiting for my review" section, oldest upload first, with each item's
age and the day its review is due (the active "Review due" reminder rule's working days, 2 by
default). Constant query count whatever the number of items.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from cases.models import (
    OPEN_STAGES,
    Case,
    CaseQuerySet,
    Document,
    DocumentRequirement,
    ReminderKind,
    ReminderRule,
)
from cases.reminders.schedule import REVIEW_WITHIN_WORKING_DAYS, local_today, review_due_date
from portal.models import User


@dataclass(frozen=True)
class ReviewWaiting:
    """One uploaded file waiting for review. ``age_days``: whole days since the upload, read in
    the viewer's time zone (0: today); ``review_due``: a date in the case's time zone."""

    requirement: DocumentRequirement
    document: Document
    case: Case
    age_days: int
    review_due: dt.date
    review_overdue: bool


def review_working_days() -> int:
    """Working days an upload may wait for review: the shortest of the active "Review due"
    rules, else ``REVIEW_WITHIN_WORKING_DAYS`` (2). One query."""
    days = ReminderRule.objects.filter(kind=ReminderKind.REVIEW_DUE, active=True).aggregate(
        n=Min("review_within_working_days")
    )["n"]
    return int(days or REVIEW_WITHIN_WORKING_DAYS)


def _review_cases(user: User) -> CaseQuerySet:
    """Cases whose reviews are ``user``'s work: an advisor's assigned cases (supervisors too:
    "my review"), an admin's every visible case."""
    cases = Case.objects.visible_to(user).filter(stage__in=OPEN_STAGES)
    if user.is_portal_admin:
        return cases
    return cases.filter(advisor=user)


def awaiting_review_for_user(
    *, user: User, now: dt.datetime | None = None, limit: int = 50
) -> list[ReviewWaiting]:
    """Uploads waiting for ``user``'s review on active cases, oldest upload first, at most
    ``limit``. Two queries whatever the number of rows (the rule's working days, the rows)."""
    if not (user.is_authenticated and user.is_active and user.is_staff_member):
        return []
    now = now or timezone.now()
    working_days = review_working_days()
    rows = (
        DocumentRequirement.objects.awaiting_review()
        .filter(case__in=_review_cases(user), current_document__isnull=False)
        .select_related("case", "case__applicant", "current_document")
        .order_by("current_document__uploaded_at", "id")[:limit]
    )
    today = local_today(now, user.time_zone)
    items = []
    for r in rows:
        doc = r.current_document
        if doc is None:  # filtered out by the query; kept for the type checker
            continue
        due = review_due_date(
            uploaded_at=doc.uploaded_at, case_tz=r.case.time_zone, working_days=working_days
        )
        items.append(
            ReviewWaiting(
                requirement=r,
                document=doc,
                case=r.case,
                age_days=max(0, (today - local_today(doc.uploaded_at, user.time_zone)).days),
                review_due=due,
                review_overdue=due < local_today(now, r.case.time_zone),
            )
        )
    return items
