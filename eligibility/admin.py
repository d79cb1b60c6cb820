"""Django admin for eligibility: fields of study, institutions (with CSV import), rule sets
(criteria as validated JSON, publish / new version / retire actions, a preview that saves
nothing, and the re-assessment summary) and read-only assessments.

Every change goes through ``eligibility/services.py``. ``eligibility`` never imports ``cases``:
the preview reads case facts through ``settings.ELIGIBILITY_FACTS_FOR_CASE``.
"""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from eligibility import selectors, services
from eligibility.engine import compile_criteria, evaluate, fact_label, outcome_label
from eligibility.models import (
    Assessment,
    FieldOfStudy,
    Institution,
    RuleSet,
    RuleSetStatus,
)
from eligibility.rules import strip_generated_labels
from portal.errors import PortalError
from portal.forms import SafeJSONField
from portal.http import request_user
from portal.text import labelled


@admin.register(FieldOfStudy)
class FieldOfStudyAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "name_en", "name_zh")
    list_filter = ("level",)
    search_fields = ("code", "name_en", "name_zh")
    readonly_fields = ("code", "level", "parent")
    list_select_related = ("parent",)


class InstitutionImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 CSV with the header: name,country,ror_id,kind,recognized,recognition_source "
            "and, if you have them, a name_zh column with the names in Chinese"
        ),
    )


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_zh",
        "country",
        "kind",
        "recognized",
        "recognition_source",
        "ror_id",
    )
    list_filter = ("recognized", "kind", "country")
    search_fields = ("name", "name_zh", "ror_id")
    change_list_template = "admin/eligibility/institution/change_list.html"
    actions = ["import_csv_action"]

    def get_urls(self) -> list[Any]:
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="eligibility_institution_import",
            ),
            *super().get_urls(),
        ]

    @admin.action(
        description=gettext_lazy("Import institutions from a CSV file…"),
        permissions=("add",),
    )
    def import_csv_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:eligibility_institution_import"))

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InstitutionImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = services.institutions_import_csv(
                    stream=form.cleaned_data["file"], actor=request_user(request)
                )
            except PortalError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, report.summary())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import institutions"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/eligibility/institution/import.html", context)


class PrettyJSONField(SafeJSONField):
    """A JSON textarea that shows the document indented, keeping Chinese characters."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class RuleSetForm(forms.ModelForm):
    criteria = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "class": "vLargeTextField"}),
        help_text=gettext_lazy(
            "One criterion object; groups (all_of, any_of, same_degree) hold children and a "
            "label. Other criteria have no label: it is generated from their values, and a "
            "label typed on them is dropped when saved. Validated against the schema when "
            "saved; errors name the criterion and field."
        ),
    )
    citations = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 110}),
        help_text=gettext_lazy("A JSON list of source strings."),
    )

    class Meta:
        model = RuleSet
        fields = ("visa_type_code", "effective_date", "citations", "criteria", "notes")

    def clean_criteria(self) -> Any:
        """The criteria without stored labels where labels are generated (a copy of K v1 or
        R v1 still carries them), before the model's schema check."""
        return strip_generated_labels(self.cleaned_data["criteria"])


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = ("visa_type_code", "version", "status", "effective_date", "published_at")
    list_filter = ("visa_type_code", "status")
    actions = ["publish", "new_version", "retire"]
    change_form_template = "admin/eligibility/ruleset/change_form.html"
    _all_fields = (
        "visa_type_code",
        "version",
        "status",
        "effective_date",
        "citations",
        "criteria",
        "notes",
        "published_at",
        "published_by",
        "reassessment",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: RuleSet | None = None) -> Any:
        if obj is None:
            return ()
        if obj.status != RuleSetStatus.DRAFT:
            return self._all_fields  # published and retired rule sets are immutable
        return (
            "visa_type_code",
            "version",
            "status",
            "published_at",
            "published_by",
            "reassessment",
        )

    def get_fields(self, request: HttpRequest, obj: RuleSet | None = None) -> Any:
        if obj is None:
            return ("visa_type_code", "effective_date", "citations", "criteria", "notes")
        return self._all_fields

    def has_change_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        # Published and retired rule sets are view-only: a POST to their change form is 403.
        if obj is not None and obj.status != RuleSetStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        if obj is not None and (obj.status != RuleSetStatus.DRAFT or obj.assessments.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("Re-assessment after publishing"))
    def reassessment(self, obj: RuleSet) -> str:
        summary = selectors.reassessment_summary(rule_set=obj)
        if not summary["total"]:
            return _("No cases re-assessed (yet).")
        changes = summary["changes"]
        lines = format_html_join(
            "",
            "<li>{} → {}: {}</li>",
            ((b, a, n) for b, a, n in changes),
        )
        return format_html(
            "{}<ul>{}</ul>",
            _("%(total)s open cases re-assessed; %(changed)s changed outcome:")
            % {"total": summary["total"], "changed": sum(n for _b, _a, n in changes)},
            lines,
        )

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.rule_set_update_draft(
                rule_set=obj,
                actor=request_user(request),
                criteria=data["criteria"],
                citations=data["citations"],
                effective_date=data["effective_date"],
                notes=data["notes"],
            )
        else:
            created = services.rule_set_create_draft(
                visa_type_code=data["visa_type_code"].strip().upper(),
                effective_date=data["effective_date"],
                criteria=data["criteria"],
                citations=data["citations"],
                notes=data["notes"],
                actor=request_user(request),
            )
            obj.pk = created.pk
            obj.version = created.version

    def _each(self, request: HttpRequest, queryset: QuerySet, fn: Any, done: str) -> None:
        for rule_set in queryset:
            try:
                result = fn(rule_set=rule_set, actor=request_user(request))
            except PortalError as exc:
                self.message_user(request, labelled(rule_set, exc.message), messages.ERROR)
            else:
                self.message_user(request, labelled(result, done), messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Publish (re-assesses open cases of the visa type)"),
        permissions=("change",),
    )
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request,
            queryset,
            services.rule_set_publish,
            _("published; open cases are being re-assessed. Open it to see the summary."),
        )

    @admin.action(description=gettext_lazy("New version (copy to a draft)"), permissions=("add",))
    def new_version(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.rule_set_new_version, _("draft created."))

    @admin.action(description=gettext_lazy("Retire"), permissions=("change",))
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.rule_set_retire, _("retired."))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="eligibility_ruleset_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Run this rule set (draft or not) against an existing case; nothing is saved."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rule_set = get_object_or_404(RuleSet, pk=pk)
        case_ref = (request.GET.get("case") or "").strip()
        evaluation = None
        rows: list[dict[str, Any]] = []
        missing: list[str] = []
        outcome = ""
        error = ""
        if case_ref:
            try:
                facts = import_string(settings.ELIGIBILITY_FACTS_FOR_CASE)(case_ref)
            except LookupError:
                error = _("No case with reference or id “%(ref)s”.") % {"ref": case_ref}
            else:
                evaluation = evaluate(compile_criteria(rule_set.criteria), facts)
                language = get_language() or "en"
                rows = Assessment(results=evaluation.results()).localized_results(
                    language, rule_set=rule_set
                )
                missing = [fact_label(k, language) for k in evaluation.missing_facts]
                outcome = outcome_label(evaluation.outcome.value, language)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview %(rs)s") % {"rs": rule_set},
            "rule_set": rule_set,
            "case_ref": case_ref,
            "evaluation": evaluation,
            "outcome": outcome,
            "rows": rows,
            "missing": missing,
            "error": error,
        }
        return TemplateResponse(request, "admin/eligibility/ruleset/preview.html", context)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("case", "rule_set", "outcome", "previous_outcome", "trigger", "created_at")
    list_filter = ("outcome", "trigger", "rule_set")
    list_select_related = ("case", "rule_set")
    search_fields = ("case__reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
