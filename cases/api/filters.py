"""Query-string filters of the cases API; the logic lives in ``cases.selectors``."""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from cases import selectors
from cases.models import Case, Document, DocumentRequirement, RequirementStatus, ReviewStatus, Stage


class IdFilter(django_filters.NumberFilter):
    """A positive integer id (whole numbers only, within the 64-bit key range)."""

    field_class = forms.IntegerField


class CaseFilterSet(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices, help_text="Stage code.")
    visa_type = django_filters.CharFilter(
        field_name="visa_type__code", max_length=8, help_text="Visa type code, e.g. K."
    )
    advisor = IdFilter(
        field_name="advisor_id", min_value=1, max_value=2**62, help_text="Assigned advisor id."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="Only cases with an overdue requirement."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        help_text=(
            "Every word occurs in the reference, applicant names, email or passport number "
            "(letter case and accents ignored)."
        ),
    )

    class Meta:
        model = Case
        fields = ("stage", "visa_type", "advisor", "overdue", "search")

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return selectors.cases_overdue(queryset) if value else queryset

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return selectors.cases_matching(queryset, value)


class RequirementFilterSet(django_filters.FilterSet):
    case = IdFilter(field_name="case_id", min_value=1, max_value=2**62)
    status = django_filters.ChoiceFilter(choices=RequirementStatus.choices)

    class Meta:
        model = DocumentRequirement
        fields = ("case", "status")


class DocumentFilterSet(django_filters.FilterSet):
    case = IdFilter(field_name="requirement__case_id", min_value=1, max_value=2**62)
    requirement = IdFilter(field_name="requirement_id", min_value=1, max_value=2**62)
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = Document
        fields = ("case", "requirement", "review_status")
