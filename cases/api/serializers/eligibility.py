"""Serializers of the eligibility API: an applicant's education and employment (read, then the
``StrictSerializer`` inputs) and assessments.

What an applicant reads of an assessment is what their case page shows (outcome, rule set
version, per-criterion results and explanations, what is missing, other routes); the facts
snapshot, the advisor's review flag, the trigger, who ran it and each criterion's basis and
citation are staff-only and ``null`` for applicants (``STAFF_ONLY``).
"""

from typing import Any

from django.utils.translation import get_language
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions
from cases.models import DegreeLevel, DocumentRequirement, Education, Employment
from cases.selectors.eligibility import missing_fact_labels
from eligibility.engine import outcome_label
from eligibility.models import (
    Assessment,
    AssessmentOutcome,
    AssessmentTrigger,
    FieldOfStudy,
    Institution,
    RuleSet,
)
from portal.api.serializers import StrictSerializer, UserBriefSerializer
from portal.models import User

_FIELD_HELP = "ISCED-F 2013 detailed field code (4 digits), e.g. 0613."


def _language() -> str:
    return get_language() or "en"


# --- qualifications: read ---------------------------------------------------------------------


class EducationSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    field = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_FIELD_HELP)
    field_name = serializers.CharField(
        source="field.name", read_only=True, help_text="In the requester's language."
    )
    institution_display = serializers.CharField(
        read_only=True, help_text="The listed institution's name, else the name as typed."
    )
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2; may be empty.")

    class Meta:
        model = Education
        fields = (
            "id",
            "applicant",
            "level",
            "level_label",
            "field",
            "field_name",
            "institution",
            "institution_name",
            "institution_display",
            "country",
            "graduation_date",
            "expected",
            "degree_document_on_file",
            "updated_at",
        )
        read_only_fields = fields


class EmploymentSerializer(serializers.ModelSerializer):
    field = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_FIELD_HELP
    )
    field_name = serializers.CharField(
        source="field.name",
        read_only=True,
        allow_null=True,
        help_text="In the requester's language; null without a field.",
    )
    institution_name = serializers.CharField(
        source="institution.name", read_only=True, allow_null=True
    )

    class Meta:
        model = Employment
        fields = (
            "id",
            "applicant",
            "organisation",
            "role",
            "field",
            "field_name",
            "start_date",
            "end_date",
            "teaching_or_research",
            "institution",
            "institution_name",
            "updated_at",
        )
        read_only_fields = fields


# --- qualifications: write --------------------------------------------------------------------
# The rules (dates, a detailed field, an institution chosen or named) are the services'
# (cases/services_qualifications.py); their errors come back as 400 naming the field.


class EducationInputSerializer(StrictSerializer):
    """A degree. PUT replaces every field (omitted ones take their defaults); PATCH changes
    only the fields sent."""

    level = serializers.ChoiceField(choices=DegreeLevel.choices, help_text="ISCED 2011 level.")
    field = serializers.SlugRelatedField(
        slug_field="code", queryset=FieldOfStudy.objects.all(), help_text=_FIELD_HELP
    )
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A listed university or research institution; else give institution_name.",
    )
    institution_name = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    country = serializers.ChoiceField(
        choices=list(countries), required=False, allow_blank=True, default=""
    )
    graduation_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required unless expected; in the future only when expected.",
    )
    expected = serializers.BooleanField(
        required=False, default=False, help_text="Not awarded yet: the date is the expected one."
    )
    degree_document_on_file = serializers.BooleanField(required=False, default=False)


class EmploymentInputSerializer(StrictSerializer):
    """A job. PUT replaces every field; PATCH changes only the fields sent."""

    organisation = serializers.CharField(max_length=255)
    role = serializers.CharField(max_length=255)
    field = serializers.SlugRelatedField(
        slug_field="code",
        queryset=FieldOfStudy.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_FIELD_HELP,
    )
    start_date = serializers.DateField(help_text="Not in the future.")
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="On or after the start date; null while current.",
    )
    teaching_or_research = serializers.BooleanField(required=False, default=False)
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True, default=None
    )


# --- assessments ------------------------------------------------------------------------------

STAFF_ONLY = ("advisor_flag", "trigger", "run_by", "facts")


class RuleSetBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleSet
        fields = ("id", "visa_type_code", "version", "effective_date")
        read_only_fields = fields


class CriterionResultSerializer(serializers.Serializer):
    """One criterion of the result tree, depth-first (``depth`` 0 is the root)."""

    id = serializers.CharField(read_only=True)
    depth = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True, help_text="In the requester's language.")
    result = serializers.ChoiceField(choices=["pass", "fail", "unknown"], read_only=True)
    explanation = serializers.CharField(read_only=True, help_text="In the requester's language.")
    basis = serializers.ChoiceField(
        choices=["official", "reported"],
        read_only=True,
        allow_null=True,
        help_text="Staff only (null for applicants): official or reported rule.",
    )
    citation = serializers.CharField(
        read_only=True, allow_null=True, help_text="Staff only (null for applicants)."
    )


class OtherRouteSerializer(serializers.Serializer):
    visa_type_code = serializers.CharField(read_only=True)
    rule_set_id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    outcome = serializers.ChoiceField(choices=AssessmentOutcome.choices, read_only=True)


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment in a list. Staff-only fields are null for applicants. Give
    ``context["staff"]`` when every row is of one case; otherwise each row's case decides."""

    rule_set = RuleSetBriefSerializer(read_only=True)
    outcome_label = serializers.SerializerMethodField(help_text="In the requester's language.")
    missing_facts = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Keys of the facts the rules still need (see missing in the detail).",
    )
    previous_outcome = serializers.ChoiceField(
        choices=AssessmentOutcome.choices,
        read_only=True,
        allow_blank=True,
        help_text="The case's outcome before this assessment; empty for the first.",
    )
    advisor_flag = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Staff only: the advisor asked for review whatever the rules say.",
    )
    trigger = serializers.ChoiceField(
        choices=AssessmentTrigger.choices,
        read_only=True,
        allow_null=True,
        help_text="Staff only: run by an advisor, or after a rule set was published.",
    )

    class Meta:
        model = Assessment
        fields = (
            "id",
            "case",
            "rule_set",
            "outcome",
            "outcome_label",
            "previous_outcome",
            "missing_facts",
            "advisor_flag",
            "trigger",
            "created_at",
        )
        read_only_fields = fields

    def _staff(self, obj: Assessment) -> bool:
        if "staff" in self.context:
            return bool(self.context["staff"])
        request = self.context.get("request")
        user: User | None = getattr(request, "user", None)
        return user is not None and permissions.is_case_staff(user, obj.case)

    def get_outcome_label(self, obj: Assessment) -> str:
        return outcome_label(obj.outcome, _language())

    def to_representation(self, instance: Assessment) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._staff(instance):
            for name in STAFF_ONLY:
                if name in data:
                    data[name] = None
        return data


class AssessmentDetailSerializer(AssessmentSerializer):
    missing = serializers.SerializerMethodField(
        help_text="What is missing, as names in the requester's language (document "
        "requirements by the case's requirement name)."
    )
    results = serializers.SerializerMethodField()
    other_routes = OtherRouteSerializer(
        many=True, read_only=True, help_text="Outcomes under the other published rule sets."
    )
    facts = serializers.JSONField(
        read_only=True, allow_null=True, help_text="Staff only: the facts snapshot the rules read."
    )
    run_by = UserBriefSerializer(read_only=True, allow_null=True, help_text="Staff only.")

    class Meta(AssessmentSerializer.Meta):
        fields = (
            *AssessmentSerializer.Meta.fields,
            "missing",
            "results",
            "other_routes",
            "facts",
            "run_by",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, obj: Assessment) -> list[str]:
        requirements: list[DocumentRequirement] = []
        if any(key.startswith("document:") for key in obj.missing_facts):
            requirements = list(DocumentRequirement.objects.filter(case_id=obj.case_id))
        return missing_fact_labels(list(obj.missing_facts), requirements, _language())

    @extend_schema_field(CriterionResultSerializer(many=True))
    def get_results(self, obj: Assessment) -> list[dict[str, Any]]:
        rows = obj.localized_results(_language(), rule_set=obj.rule_set)
        if not self._staff(obj):
            for row in rows:
                row["basis"] = row["citation"] = None
        return rows


class AssessmentRunSerializer(StrictSerializer):
    advisor_flag = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Ask for review whatever the rules say: needs_review unless facts are missing.",
    )


# --- reference lists (what education and employment rows point to) ---------------------------


class FieldOfStudySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True, help_text="In the requester's language.")

    class Meta:
        model = FieldOfStudy
        fields = ("id", "code", "level", "parent", "name", "name_en", "name_zh")
        read_only_fields = fields


class InstitutionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2.")

    class Meta:
        model = Institution
        fields = ("id", "name", "country", "kind", "ror_id")
        read_only_fields = fields
