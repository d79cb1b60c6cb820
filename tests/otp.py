"""Test helper: log a client in with its session already two-factor verified.

``TwoFactorRequiredMiddleware`` sends advisors and admins without a verified code to the
two-factor pages. Tests that are not about two-factor use ``login_verified(client, user)`` (or
the ``client`` / ``client_for`` fixtures, whose ``force_login`` does it) instead.
"""

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import User


def verified_device(user: User) -> TOTPDevice:
    """A confirmed authenticator of ``user`` (created once per user)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test authenticator", defaults={"confirmed": True}
    )
    return device


def mark_verified(client: Any, user: User) -> None:
    """Mark the client's (already logged-in) session as verified with a device of ``user``."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()


def login_verified(client: Any, user: User) -> Any:
    """``client.force_login(user)`` plus a verified two-factor device; works for Django's
    Client and DRF's APIClient. Returns the client."""
    Client.force_login(client, user)
    mark_verified(client, user)
    return client


class VerifiedClient(Client):
    """A test client whose ``force_login`` also passes two-factor, so staff pages open."""

    def force_login(self, user: Any, backend: str | None = None) -> None:
        super().force_login(user, backend)
        if user.is_staff_member or user.is_staff:
            mark_verified(self, user)
