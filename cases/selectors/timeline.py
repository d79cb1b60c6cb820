"""Reads of the case timeline and the message thread."""

from django.db.models import (
    QuerySet,
)

from cases.models import (
    Case,
    CaseEvent,
    Message,
)
from portal.models import User


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
