"""DRF permission classes shared by every app's endpoints."""

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.request import Request


class IsStaffMember(permissions.BasePermission):
    """Advisors and admins (the people who run cases)."""

    message = gettext_lazy("Only advisors and admins can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff_member)
