"""Admin of reminders: rules are editable; the delivery ledger is read-only (status, attempts,
last error) so failed emails are visible; the sweep schedule is django-celery-beat's
"Periodic tasks" entry "Reminder sweep"."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cases.models import (
    CalendarFeed,
    CaseTask,
    Notification,
    ReminderDelivery,
    ReminderPreference,
    ReminderRule,
)
from cases.services import reminders as services
from portal.errors import PortalError
from portal.forms import JSON_FORMFIELD_OVERRIDES


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FORMFIELD_OVERRIDES
    list_display = ("name", "kind", "offsets", "audience", "channel", "optional", "active")
    list_filter = ("kind", "audience", "channel", "active", "optional")
    list_editable = ("active",)
    search_fields = ("name",)


@admin.action(description=_("Retry the selected failed reminders"), permissions=("retry",))
def retry_failed(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ReminderDelivery]
) -> None:
    try:
        n = services.reminder_deliveries_retry(
            actor=request.user, delivery_ids=list(queryset.values_list("pk", flat=True))
        )
    except PortalError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return
    modeladmin.message_user(
        request, _("%(n)d reminder(s) queued again.") % {"n": n}, messages.SUCCESS
    )


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    actions = [retry_failed]
    list_display = (
        "created_at",
        "rule",
        "case",
        "target_type",
        "target_id",
        "recipient",
        "due_date",
        "offset_days",
        "channel",
        "status",
        "attempts",
        "send_after",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel", "rule")
    search_fields = ("case__reference", "recipient__email", "last_error")
    list_select_related = ("rule", "case", "recipient")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ReminderDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # The ledger is read-only here; requeueing asks for the model's change permission.
        return request.user.has_perm("cases.change_reminderdelivery")


@admin.register(CaseTask)
class CaseTaskAdmin(admin.ModelAdmin):
    list_display = ("title", "case", "due_date", "assignee", "done")
    list_filter = ("done",)
    search_fields = ("title", "case__reference")
    list_select_related = ("case", "assignee")
    raw_id_fields = ("case", "assignee", "created_by")
    readonly_fields = ("done", "done_at", "created_by", "created_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "worded_title", "read_at")
    list_filter = ("kind", "read_at")
    search_fields = ("user__email", "title")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    @admin.display(description=_("title"))
    def worded_title(self, obj: Notification) -> str:
        """The title worded in the admin's language (``cases/services/notification_text.py``)."""
        return obj.text

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "daily_digest", "skip_optional", "updated_at")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Admins may revoke (delete) a feed; the token itself is never stored."""

    list_display = ("user", "created_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "token_hash", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
