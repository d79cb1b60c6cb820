"""Template context: the signed-in user's unread notification count for the header."""

from typing import Any

from django.http import HttpRequest

from cases.models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: a callable, so the count query runs only where a template
    shows it (one indexed COUNT on (user, read_at))."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": lambda: Notification.objects.unread().filter(user=user).count()}
