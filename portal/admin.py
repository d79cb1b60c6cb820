from typing import Any

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.errors import PortalError
from portal.forms import UserAddForm, UserEditForm
from portal.http import request_user
from portal.models import ApiToken, Firm, User
from portal.text import labelled


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    """Firms (tenants), managed by platform admins only. A new firm gets its own K and R visa
    types with their checklists (``firm_create``)."""

    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)

    def _platform(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and getattr(request.user, "is_platform_admin", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._platform(request)

    def has_view_permission(self, request: HttpRequest, obj: Firm | None = None) -> bool:
        return self._platform(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._platform(request)

    def has_change_permission(self, request: HttpRequest, obj: Firm | None = None) -> bool:
        return self._platform(request)

    def has_delete_permission(self, request: HttpRequest, obj: Firm | None = None) -> bool:
        return False  # a firm's rows are protected; retire its users instead

    def save_model(self, request: HttpRequest, obj: Firm, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        from cases.services.firms import firm_create

        created = firm_create(name=obj.name, slug=obj.slug, actor=request_user(request))
        obj.pk, obj.created_at = created.pk, created.created_at


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    form = UserEditForm
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "role",
        "firm",
        "is_supervisor",
        "preferred_language",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "firm", "is_supervisor", "is_active", "preferred_language")
    list_select_related = ("firm",)
    search_fields = ("email", "full_name")
    actions = ("deactivate",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "full_name",
                    "firm",
                    "role",
                    "is_supervisor",
                    "preferred_language",
                    "time_zone",
                )
            },
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_platform_admin",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "firm", "role", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        # Only platform admins make platform admins or superusers: a firm admin ticking one of
        # these would step outside their firm.
        fields = tuple(super().get_readonly_fields(request, obj))
        if getattr(request.user, "is_platform_admin", False):
            return fields
        return (*fields, "is_superuser", "is_platform_admin")

    @admin.action(
        description=_("Deactivate (ends their sessions and revokes API tokens)"),
        permissions=("change",),
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                services.user_deactivate(user=user, actor=request_user(request))
            except PortalError as exc:
                self.message_user(request, labelled(user, exc.message), messages.ERROR)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Unticking "active" in the form must end sessions and revoke tokens too.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(user=obj, actor=request_user(request))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created over the API (the key is shown once); admins see and revoke them."""

    list_display = (
        "name",
        "prefix",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("key_hash",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # Tokens are never edited here, so revoking asks for the model's change permission.
        return request.user.has_perm("portal.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=("revoke",))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            try:
                services.api_token_revoke(token=token, actor=request_user(request))
            except PortalError as exc:
                self.message_user(request, labelled(token, exc.message), messages.ERROR)
                return
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


# django-auditlog's LogEntry admin searches actor__first_name and actor__last_name, which our
# User lacks (a search answered 500 with FieldError). Same admin, fields that exist.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    """django-auditlog's read-only audit log admin, searchable by actor email and name."""

    search_fields = [
        "timestamp",
        "object_repr",
        "object_pk",
        "changes",
        "actor__email",
        "actor__full_name",
        "actor_email",
        "remote_addr",
    ]


# django-celery-beat, django-otp and django-axes pages, narrowed to who may use them.
from portal import admin_third_party  # noqa: E402, F401
