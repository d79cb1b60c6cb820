"""Request types for code that runs only for signed-in users.

Django and DRF type ``request.user`` as "a user or AnonymousUser"; behind ``login_required``,
``IsAuthenticated`` or the admin's staff check it is always a portal ``User``.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from portal.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: ``user`` is a signed-in ``User``.

    Only a type: Django builds an ordinary ``HttpRequest``."""

    user: User


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in ``User`` of a request that passed a sign-in check (``login_required``,
    DRF's ``IsAuthenticated``, the admin site). Raises ``PermissionDenied`` (403) for anyone
    else, which those checks make unreachable."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
