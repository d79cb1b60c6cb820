"""The admin pages that third-party apps register, narrowed to who may use them.

- django-celery-beat (periodic tasks and their schedules) and django-otp (authenticators and
  recovery codes): superusers only. A staff user with ``view_*`` permissions could otherwise run,
  enable or disable periodic tasks through actions that declare no permission, and read other
  staff members' TOTP secrets and recovery codes. ``OTP_ADMIN_HIDE_SENSITIVE_DATA`` (settings)
  hides secrets, QR codes and recovery codes even from superusers.
- django-axes lockouts: admins still see and clear them, but the clean-up action needs the
  delete permission.

Imported at the end of ``portal/admin.py`` so that it replaces the apps' own registrations.
"""

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.forms import AdminLoginForm


def _is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_superuser)


class SuperuserOnlyAdminMixin:
    """Every permission of this ModelAdmin (module, view, add, change, delete) is the
    superuser's alone: the pages are hidden from the index and answer 403 to other staff."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request)


# --- django-celery-beat -------------------------------------------------------------------------


class PeriodicTaskAdmin(SuperuserOnlyAdminMixin, beat_admin.PeriodicTaskAdmin):
    """django-celery-beat's periodic tasks, superusers only; its actions declare the change
    permission, and the change form loads its script from a static file (CSP without inline
    scripts) instead of the app's inline ``<script>``."""

    change_form_template = "admin/djcelery/portal_change_periodictask_form.html"
    actions = ("enable_tasks", "disable_tasks", "toggle_tasks", "run_tasks")

    @admin.action(description=_("Enable selected tasks"), permissions=("change",))
    def enable_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        super().enable_tasks(request, queryset)

    @admin.action(description=_("Disable selected tasks"), permissions=("change",))
    def disable_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        super().disable_tasks(request, queryset)

    @admin.action(description=_("Toggle activity of selected tasks"), permissions=("change",))
    def toggle_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        super().toggle_tasks(request, queryset)

    @admin.action(description=_("Run selected tasks"), permissions=("change",))
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        super().run_tasks(request, queryset)


class ClockedScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.ClockedScheduleAdmin):
    pass


class CrontabScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.CrontabScheduleAdmin):
    pass


class SolarScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.SolarScheduleAdmin):
    pass


class IntervalScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.IntervalScheduleAdmin):
    pass


# --- django-otp ---------------------------------------------------------------------------------


class SafeTOTPDeviceAdmin(SuperuserOnlyAdminMixin, TOTPDeviceAdmin):
    """Authenticators, superusers only. django-otp's config/QR views answer 500 for a device id
    that does not exist (they call ``.get()``); these answer 404 like every other admin page."""

    def _existing(self, request: HttpRequest, pk: str) -> None:
        # Through the (firm-scoped, portal/admin_firms.py) queryset: another firm's device is
        # "no such device" too.
        if not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404("No such device.")

    def config_view(self, request: HttpRequest, pk: str) -> HttpResponse:
        self._existing(request, pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request: HttpRequest, pk: str) -> HttpResponse:
        self._existing(request, pk)
        return super().qrcode_view(request, pk)


class SuperuserStaticDeviceAdmin(SuperuserOnlyAdminMixin, StaticDeviceAdmin):
    """Recovery-code devices, superusers only (the codes themselves stay hidden)."""


# --- django-axes --------------------------------------------------------------------------------


class LockoutAdmin(AccessAttemptAdmin):
    """django-axes' lockouts; cleaning up expired attempts deletes rows, so it needs the delete
    permission."""

    actions = ("cleanup_expired_attempts",)

    @admin.action(description=_("Clean up expired attempts"), permissions=("delete",))
    def cleanup_expired_attempts(
        self, request: HttpRequest, queryset: QuerySet[AccessAttempt]
    ) -> None:
        super().cleanup_expired_attempts(request, queryset)


_REPLACEMENTS: list[tuple[type[Model], type[admin.ModelAdmin]]] = [
    (PeriodicTask, PeriodicTaskAdmin),
    (ClockedSchedule, ClockedScheduleAdmin),
    (CrontabSchedule, CrontabScheduleAdmin),
    (SolarSchedule, SolarScheduleAdmin),
    (IntervalSchedule, IntervalScheduleAdmin),
    (TOTPDevice, SafeTOTPDeviceAdmin),
    (StaticDevice, SuperuserStaticDeviceAdmin),
    (AccessAttempt, LockoutAdmin),
]

for _model, _admin_class in _REPLACEMENTS:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)


# The admin's own login page checks the email's length like the portal's (portal/forms.py).
admin.site.login_form = AdminLoginForm
