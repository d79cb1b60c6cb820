"""Django admin of questionnaire definitions and answers. Definitions are written through
``cases/services/questionnaires.py`` (``ServiceForm``): a published or retired version is
read-only, edits make a new version (action)."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin.cases import ServiceAdminMixin, ServiceForm
from cases.models import Questionnaire, QuestionnaireStatus
from cases.services import questionnaires as services
from portal.errors import PortalError
from portal.forms import SafeJSONField
from portal.text import labelled


class PrettyJSONField(SafeJSONField):
    """The definition indented, Chinese characters kept."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class QuestionnaireForm(ServiceForm):
    definition = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "class": "vLargeTextField"}),
        help_text=gettext_lazy(
            "Sections with their questions (see cases/questionnaires/definition.py). Checked "
            "when saved; each error names the section, the question and the field."
        ),
    )

    class Meta:
        model = Questionnaire
        fields = ("visa_type", "title_en", "title_zh", "definition", "notes")

    def run_service(self, data: dict[str, Any]) -> Model:
        fields = {k: data.get(k) for k in ("title_en", "title_zh", "definition", "notes")}
        fields["title_zh"] = fields["title_zh"] or ""
        fields["notes"] = fields["notes"] or ""
        if self.instance.pk:
            return services.questionnaire_update_draft(
                questionnaire=self.instance, actor=self.request.user, **fields
            )
        return services.questionnaire_create_draft(
            visa_type=data["visa_type"], actor=self.request.user, **fields
        )


@admin.register(Questionnaire)
class QuestionnaireAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = QuestionnaireForm
    list_display = ("visa_type", "version", "status", "title_en", "published_at")
    list_filter = ("status", "visa_type__code")
    list_select_related = ("visa_type",)
    actions = ["publish", "new_version", "retire"]
    _read_only = ("version", "status", "published_at", "published_by")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("visa_type", "title_en", "title_zh", "definition", "notes")
        return ("visa_type", *self._read_only, "title_en", "title_zh", "definition", "notes")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.status != QuestionnaireStatus.DRAFT:
            return self.get_fields(request, obj)  # published and retired are immutable
        return ("visa_type", *self._read_only)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != QuestionnaireStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.status != QuestionnaireStatus.DRAFT or obj.responses.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def _each(self, request: HttpRequest, queryset: QuerySet, fn: Any, done: str) -> None:
        for questionnaire in queryset:
            try:
                result = fn(questionnaire=questionnaire, actor=request.user)
            except PortalError as exc:
                self.message_user(request, labelled(questionnaire, exc.message), messages.ERROR)
            else:
                self.message_user(request, labelled(result, done), messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Publish (retires the current version)"), permissions=("change",)
    )
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.questionnaire_publish, _("published."))

    @admin.action(description=gettext_lazy("New version (copy to a draft)"), permissions=("add",))
    def new_version(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.questionnaire_new_version, _("draft created."))

    @admin.action(description=gettext_lazy("Retire"), permissions=("change",))
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.questionnaire_retire, _("retired."))
