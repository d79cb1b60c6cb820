"""Django admin of case step templates: the steps each visa type's cases get when they open.
Saving runs ``step_template_save`` (its checks: stage on the main line, the step counted from
is an earlier one of the same visa type, offsets within ten years). Cases keep the copy they
were opened with; their steps are ticked on the case page or through the API."""

from typing import Any

from django.contrib import admin
from django.db.models import Model

from cases.admin.cases import ServiceAdminMixin, ServiceForm
from cases.models import StepTemplate
from cases.services.steps import step_template_save

FIELDS = (
    "visa_type",
    "position",
    "code",
    "stage",
    "name_en",
    "name_zh",
    "help_en",
    "help_zh",
    "assignee",
    "visible_to_applicant",
    "required",
    "due_offset_days",
    "due_after",
)


class StepTemplateForm(ServiceForm):
    class Meta:
        model = StepTemplate
        fields = FIELDS

    def run_service(self, data: dict[str, Any]) -> Model:
        return step_template_save(
            actor=self.request.user,  # type: ignore[arg-type]
            template=self.instance if self.instance.pk else None,
            data={name: data.get(name) for name in FIELDS},
        )


@admin.register(StepTemplate)
class StepTemplateAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = StepTemplateForm
    list_display = (
        "visa_type",
        "position",
        "name_en",
        "stage",
        "assignee",
        "visible_to_applicant",
        "required",
        "due_offset_days",
        "due_after",
    )
    list_filter = ("visa_type", "stage", "assignee", "required")
    search_fields = ("code", "name_en", "name_zh")
    list_select_related = ("visa_type", "due_after")
    ordering = ("visa_type", "position", "id")
