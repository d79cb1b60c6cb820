"""Reads of reminders data for pages and the API alike: a user's own notifications and the case
tasks staff see. Always scoped to the user asking."""

from django.db.models import F, QuerySet

from cases.models import Case, CaseTask, Notification
from portal.models import User


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """``user``'s own notifications, newest first (nobody sees another user's)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def task_list_for_user(*, user: User) -> QuerySet[CaseTask]:
    """Tasks of the cases ``user`` runs (tasks are internal: applicants see none), with case,
    assignee and creator joined."""
    if not (user.is_authenticated and user.is_active and user.is_staff_member):
        return CaseTask.objects.none()
    return CaseTask.objects.visible_to(user).select_related("case", "assignee", "created_by")


def task_list_for_case(*, case: Case) -> QuerySet[CaseTask]:
    """The case's tasks, open first, then by due date (none last); assignee and creator
    joined. The caller has checked the user is staff on the case."""
    return (
        CaseTask.objects.filter(case=case)
        .select_related("assignee", "created_by")
        .order_by("done", F("due_date").asc(nulls_last=True), "id")
    )
