"""Django admin for cases. Stage is read-only here; it changes only through actions that call
the same service as the web pages and the API."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
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
from portal.forms import JSON_FORMFIELD_OVERRIDES, IdentityEmailField
from portal.text import labelled


class ServiceForm(forms.ModelForm):
    """An admin form that writes through a service instead of ``Model.save()``.

    ``run_service(data)`` is called from ``clean()`` once every field is valid; a domain error
    becomes a form error on the field it names (nothing is written: services are atomic), and
    the model's own ``full_clean`` is skipped because the service validates. The admin's
    ``save_model`` then only adopts the row the service wrote (``ServiceAdminMixin``).
    """

    request: HttpRequest
    result: Model | None = None

    def run_service(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            try:
                self.result = self.run_service(data)
            except PortalError as exc:
                field = exc.details.get("field")
                self.add_error(field if field in self.fields else None, exc.message)
        return data

    def _post_clean(self) -> None:
        # The service validated and saved; re-validating the unsaved instance would only
        # repeat its checks with worse messages.
        pass


class ServiceAdminMixin:
    """Binds the request to a ``ServiceForm`` and saves nothing of its own."""

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)  # type: ignore[misc]
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A form without a service has only read-only fields: there is nothing to save.
        result = getattr(form, "result", None)
        if result is not None:
            obj.__dict__.update(result.__dict__)


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


class ApplicantAddForm(ServiceForm):
    """Adding an applicant runs ``applicant_create`` (same checks as the "Open a case" page:
    one applicant per email, plausible dates, a birth date in the past); no login is created."""

    email = IdentityEmailField(label=_("email"))

    class Meta:
        model = Applicant
        fields = (
            "given_names",
            "family_name",
            "email",
            "phone",
            "date_of_birth",
            "nationality",
            "passport_number",
            "passport_expiry",
        )

    def run_service(self, data: dict[str, Any]) -> Model:
        fields = {k: data.get(k) for k in self.Meta.fields}
        fields["nationality"] = fields["nationality"] or ""
        for key in ("phone", "passport_number"):
            fields[key] = fields[key] or ""
        return services.applicant_create(actor=self.request.user, invite=False, **fields)


@admin.register(Applicant)
class ApplicantAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Applicants are added through ``applicant_create``; identity and passport details change
    through ``applicant_record_update`` (the timeline records each change), the rest is
    read-only here."""

    list_display = ("family_name", "given_names", "email", "nationality", "passport_expiry", "user")
    list_filter = ("nationality",)
    search_fields = ("family_name", "given_names", "email", "passport_number")
    list_select_related = ("user",)
    add_form = ApplicantAddForm

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        from cases.admin.records import ApplicantRecordAdminForm

        kwargs["form"] = self.add_form if obj is None else ApplicantRecordAdminForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Identity and passport fields change through ``applicant_record_update``.
        from cases.services.records import APPLICANT_RECORD_FIELDS

        if obj is None:
            return ()
        return [f.name for f in Applicant._meta.fields if f.name not in APPLICANT_RECORD_FIELDS]


class RequirementInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0
    fields = ("position", "name_en", "required", "status", "due_date", "current_document")
    # Due dates change on the requirement's own admin page, through the service.
    readonly_fields = fields
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
            modeladmin.message_user(request, labelled(case.reference, exc.message), messages.ERROR)
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, _("%(n)d case(s) moved.") % {"n": moved}, messages.SUCCESS)


@admin.action(description=_("Move to the next stage (guards apply)"), permissions=("change",))
def advance(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    _move(modeladmin, request, queryset, None, "")


@admin.action(description=_("Withdraw selected cases"), permissions=("change",))
def withdraw(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    _move(modeladmin, request, queryset, Stage.WITHDRAWN, "Withdrawn by an admin.")


@admin.register(Case)
class CaseAdmin(ServiceAdminMixin, admin.ModelAdmin):
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
        "opened_on",
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The firm, applicant and visa type are fixed when a case opens (case_open).
        return (*self.readonly_fields, "firm", "applicant", "visa_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Opening creates requirements and an event: use the "Open a case" page.
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        # Dates, time zone and advisor change through ``case_record_update``.
        from cases.admin.records import CaseRecordAdminForm

        kwargs["form"] = CaseRecordAdminForm
        return super().get_form(request, obj, **kwargs)


class RequirementDueDateForm(ServiceForm):
    """Only the due date is editable; saving runs ``requirement_set_due_date``."""

    class Meta:
        model = DocumentRequirement
        fields = ("due_date",)

    def run_service(self, data: dict[str, Any]) -> Model:
        return services.requirement_set_due_date(
            requirement=self.instance, due_date=data.get("due_date"), actor=self.request.user
        )


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("case", "name_en", "required", "status", "due_date")
    list_filter = ("status", "required", "case__visa_type")
    search_fields = ("case__reference", "name_en", "code")
    list_select_related = ("case",)
    form = RequirementDueDateForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in DocumentRequirement._meta.fields if f.name != "due_date"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Requirements are copied from the checklist when a case opens.
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "original_filename",
        "requirement",
        "version",
        "content_type",
        "size_bytes",
        "state",
        "review_status",
        "uploaded_by",
        "uploaded_at",
    )
    # Read-only: reviews go through the case page or the API (``document_review``, which
    # refuses a version that is not ready).
    list_filter = ("state", "review_status", "content_type")
    search_fields = ("original_filename", "sha256", "requirement__case__reference")
    list_select_related = ("requirement", "requirement__case", "uploaded_by")
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "case", "kind", "change", "what_happened", "actor")
    list_filter = ("kind",)
    search_fields = ("case__reference", "summary")
    list_select_related = ("case", "actor")
    readonly_fields = [f.name for f in CaseEvent._meta.fields]

    @admin.display(description=_("Change"))
    def change(self, obj: CaseEvent) -> str:
        """``before → after`` in words of the admin's language."""
        return obj.change_text

    @admin.display(description=_("What happened"))
    def what_happened(self, obj: CaseEvent) -> str:
        """The summary worded in the admin's language (``cases/services/timeline_text.py``)."""
        return obj.summary_text

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MessageAddForm(ServiceForm):
    """Adding a message posts it through ``message_post`` as the signed-in admin."""

    class Meta:
        model = Message
        fields = ("case", "body", "internal")

    def run_service(self, data: dict[str, Any]) -> Model:
        return services.message_post(
            case=data["case"],
            author=self.request.user,
            body=data.get("body") or "",
            internal=bool(data.get("internal")),
        )


@admin.register(Message)
class MessageAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Messages are posted through ``message_post``; a sent message is not edited."""

    list_display = ("case", "author", "internal", "created_at")
    list_filter = ("internal",)
    search_fields = ("case__reference", "body")
    list_select_related = ("case", "author")
    form = MessageAddForm
    raw_id_fields = ("case",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return [f.name for f in Message._meta.fields]


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
