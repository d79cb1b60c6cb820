"""Django admin for cases. Stage is read-only here; it changes only through actions that call
the same service as the web pages and the API."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import (
    MAIN_LINE,
    Applicant,
    Case,
    CaseEvent,
    ChecklistItem,
    Document,
    DocumentAccess,
    DocumentRequirement,
    Message,
    Stage,
    VisaType,
)
from portal.errors import PortalError
from portal.forms import JSON_FORMFIELD_OVERRIDES


class ChecklistItemInline(admin.TabularInline):
    formfield_overrides = JSON_FORMFIELD_OVERRIDES
    model = ChecklistItem
    extra = 0
    fields = (
        "position",
        "code",
        "name_en",
        "name_zh",
        "required",
        "accepted_types",
        "max_size_bytes",
        "due_offset_days",
    )


@admin.register(VisaType)
class VisaTypeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "name_zh",
        "active",
        "quota_bytes",
        "quota_files",
        "retention_days_after_close",
    )
    list_filter = ("active",)
    search_fields = ("code", "name", "name_zh")
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FORMFIELD_OVERRIDES
    list_display = ("visa_type", "position", "code", "name_en", "required", "due_offset_days")
    list_filter = ("visa_type", "required")
    search_fields = ("code", "name_en", "name_zh")
    list_select_related = ("visa_type",)


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("family_name", "given_names", "email", "nationality", "passport_expiry", "user")
    list_filter = ("nationality",)
    search_fields = ("family_name", "given_names", "email", "passport_number")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


class RequirementInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0
    fields = ("position", "name_en", "required", "status", "due_date", "current_document")
    readonly_fields = ("status", "current_document")
    can_delete = False
    show_change_link = True


def _move(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Case],
    target: str | None,
    reason: str,
) -> None:
    moved = 0
    for case in queryset:
        to = target
        if to is None:
            index = MAIN_LINE.index(case.stage) if case.stage in MAIN_LINE else -1
            to = MAIN_LINE[index + 1] if 0 <= index < len(MAIN_LINE) - 1 else ""
        try:
            services.case_transition(case=case, to=to, actor=request.user, reason=reason)
        except PortalError as exc:
            modeladmin.message_user(request, f"{case.reference}: {exc.message}", messages.ERROR)
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, _("%(n)d case(s) moved.") % {"n": moved}, messages.SUCCESS)


@admin.action(description=_("Move to the next stage (guards apply)"))
def advance(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    _move(modeladmin, request, queryset, None, "")


@admin.action(description=_("Withdraw selected cases"))
def withdraw(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    _move(modeladmin, request, queryset, Stage.WITHDRAWN, "Withdrawn by an admin.")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "applicant",
        "visa_type",
        "stage",
        "advisor",
        "opened_on",
        "target_submission_date",
    )
    list_filter = ("stage", "visa_type", "advisor")
    search_fields = (
        "reference",
        "applicant__family_name",
        "applicant__given_names",
        "applicant__email",
    )
    list_select_related = ("applicant", "visa_type", "advisor")
    readonly_fields = (
        "reference",
        "stage",
        "stage_before_hold",
        "submitted_at",
        "decided_at",
        "closed_at",
        "decision",
        "ready_override_reason",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("applicant",)
    actions = [advance, withdraw]
    inlines = [RequirementInline]
    date_hierarchy = "opened_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Opening creates requirements and an event: use the "Open a case" page.
        return False


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FORMFIELD_OVERRIDES
    list_display = ("case", "name_en", "required", "status", "due_date")
    list_filter = ("status", "required", "case__visa_type")
    search_fields = ("case__reference", "name_en", "code")
    list_select_related = ("case",)
    readonly_fields = ("case", "checklist_item", "status", "current_document")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "original_filename",
        "requirement",
        "version",
        "content_type",
        "size_bytes",
        "review_status",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("review_status", "content_type")
    search_fields = ("original_filename", "sha256", "requirement__case__reference")
    list_select_related = ("requirement", "requirement__case", "uploaded_by")
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "case", "kind", "before", "after", "actor")
    list_filter = ("kind",)
    search_fields = ("case__reference", "summary")
    list_select_related = ("case", "actor")
    readonly_fields = [f.name for f in CaseEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("case", "author", "internal", "created_at")
    list_filter = ("internal",)
    search_fields = ("case__reference", "body")
    list_select_related = ("case", "author")


@admin.register(DocumentAccess)
class DocumentAccessAdmin(admin.ModelAdmin):
    """The document access log, read-only: who opened which file version, when, how."""

    list_display = ("accessed_at", "user_email", "user_role", "kind", "document", "version")
    list_filter = ("kind", "user_role")
    search_fields = ("user_email", "document__original_filename")
    list_select_related = ("document",)
    readonly_fields = [f.name for f in DocumentAccess._meta.fields]
    date_hierarchy = "accessed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Reminder rules, the delivery ledger, tasks and notifications (issue 4).
import cases.reminders.admin  # noqa: E402, F401
