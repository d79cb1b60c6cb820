"""Read serializers of the cases API (what responses look like); the write serializers are in
``cases.api.serializers.inputs``."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions
from cases.api.serializers.previews import PreviewSerializer
from cases.api.serializers.timeline import CaseEventSerializer  # noqa: F401 - re-exported
from cases.models import (
    Applicant,
    Case,
    ChecklistItem,
    Document,
    DocumentRequirement,
    Message,
    Stage,
    VisaType,
)
from cases.services import allowed_transitions
from portal.api.serializers import UserBriefSerializer
from portal.models import User

# --- read -------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = (
            "id",
            "code",
            "position",
            "name_en",
            "name_zh",
            "help_en",
            "help_zh",
            "required",
            "accepted_types",
            "max_size_bytes",
            "due_offset_days",
        )
        read_only_fields = fields
        extra_kwargs = {"accepted_types": {"help_text": "MIME types, e.g. application/pdf."}}


class VisaTypeSerializer(serializers.ModelSerializer):
    checklist = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = VisaType
        fields = ("id", "code", "name", "name_zh", "description", "active", "checklist")
        read_only_fields = fields


class ApplicantSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    nationality = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2 code.")
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Applicant
        fields = (
            "id",
            "given_names",
            "family_name",
            "full_name",
            "email",
            "phone",
            "date_of_birth",
            "nationality",
            "passport_number",
            "passport_expiry",
            "has_login",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_has_login(self, obj: Applicant) -> bool:
        return obj.user_id is not None


class ApplicantBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


class CaseListSerializer(serializers.ModelSerializer):
    """A case row: the list and the base of the detail."""

    visa_type = serializers.CharField(source="visa_type.code", read_only=True)
    applicant = ApplicantBriefSerializer(read_only=True)
    advisor = UserBriefSerializer(read_only=True, allow_null=True)
    outstanding_count = serializers.IntegerField(
        read_only=True,
        help_text="Required documents waiting on the applicant (missing or rejected).",
    )
    awaiting_review_count = serializers.IntegerField(
        read_only=True,
        help_text="Required documents uploaded and waiting for the advisor's review.",
    )
    overdue_count = serializers.IntegerField(
        read_only=True, help_text="Outstanding requirements due before today (UTC date)."
    )

    class Meta:
        model = Case
        fields = (
            "id",
            "reference",
            "stage",
            "visa_type",
            "applicant",
            "advisor",
            "opened_on",
            "intended_entry_date",
            "target_submission_date",
            "outstanding_count",
            "awaiting_review_count",
            "overdue_count",
            "updated_at",
        )
        read_only_fields = fields

    def to_representation(self, instance: Case) -> dict[str, Any]:
        """The same output as DRF's field-by-field rendering (a test compares them), built
        directly: the case list renders 50 rows per request and this is its hot path."""
        applicant = instance.applicant
        advisor = instance.advisor
        return {
            "id": instance.pk,
            "reference": instance.reference,
            "stage": instance.stage,
            "visa_type": instance.visa_type.code,
            "applicant": {
                "id": applicant.pk,
                "full_name": applicant.full_name,
                "email": applicant.email,
            },
            "advisor": (
                None if advisor is None else {"id": advisor.pk, "name": advisor.get_full_name()}
            ),
            "opened_on": _date(instance.opened_on),
            "intended_entry_date": _date(instance.intended_entry_date),
            "target_submission_date": _date(instance.target_submission_date),
            "outstanding_count": instance.outstanding_count,  # type: ignore[attr-defined]
            "awaiting_review_count": instance.awaiting_review_count,  # type: ignore[attr-defined]
            "overdue_count": instance.overdue_count,  # type: ignore[attr-defined]
            "updated_at": _DATETIME.to_representation(instance.updated_at),
        }


_DATETIME = serializers.DateTimeField()

# What the case list reads per row with ``QuerySet.values`` (no model instances).
CASE_LIST_VALUES = (
    "id",
    "reference",
    "stage",
    "visa_type__code",
    "applicant_id",
    "applicant__given_names",
    "applicant__family_name",
    "applicant__email",
    "advisor_id",
    "advisor__full_name",
    "advisor__email",
    "opened_on",
    "intended_entry_date",
    "target_submission_date",
    "outstanding_count",
    "awaiting_review_count",
    "overdue_count",
    "updated_at",
)


def case_list_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ``CaseListSerializer`` item from a ``CASE_LIST_VALUES`` row (a test compares them)."""
    advisor = None
    if row["advisor_id"] is not None:
        advisor = {
            "id": row["advisor_id"],
            "name": row["advisor__full_name"] or row["advisor__email"],
        }
    return {
        "id": row["id"],
        "reference": row["reference"],
        "stage": row["stage"],
        "visa_type": row["visa_type__code"],
        "applicant": {
            "id": row["applicant_id"],
            "full_name": f"{row['applicant__given_names']} {row['applicant__family_name']}".strip(),
            "email": row["applicant__email"],
        },
        "advisor": advisor,
        "opened_on": _date(row["opened_on"]),
        "intended_entry_date": _date(row["intended_entry_date"]),
        "target_submission_date": _date(row["target_submission_date"]),
        "outstanding_count": row["outstanding_count"],
        "awaiting_review_count": row["awaiting_review_count"],
        "overdue_count": row["overdue_count"],
        "updated_at": _DATETIME.to_representation(row["updated_at"]),
    }


def _date(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _datetime_or_none(value: Any) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


class CaseDetailSerializer(CaseListSerializer):
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Stages the caller may move the case to now (empty for applicants)."
    )
    ready_override_reason = serializers.SerializerMethodField(
        help_text="Why the ready check was overridden (staff only; empty otherwise)."
    )
    stage_before_hold = serializers.CharField(
        read_only=True, help_text="While on_hold: the stage the case returns to; else empty."
    )
    decision = serializers.CharField(
        read_only=True, help_text="Once decided: approved | refused; else empty."
    )

    class Meta(CaseListSerializer.Meta):
        fields = (
            *CaseListSerializer.Meta.fields,
            "stage_before_hold",
            "submitted_at",
            "decided_at",
            "closed_at",
            "decision",
            "ready_override_reason",
            "allowed_transitions",
            "time_zone",
            "version",
            "created_at",
        )
        read_only_fields = fields

    def to_representation(self, instance: Case) -> dict[str, Any]:
        data = super().to_representation(instance)
        data.update(
            stage_before_hold=instance.stage_before_hold,
            submitted_at=_datetime_or_none(instance.submitted_at),
            decided_at=_datetime_or_none(instance.decided_at),
            closed_at=_datetime_or_none(instance.closed_at),
            decision=instance.decision,
            ready_override_reason=self.get_ready_override_reason(instance),
            allowed_transitions=self.get_allowed_transitions(instance),
            time_zone=instance.time_zone,
            version=instance.version,
            created_at=_DATETIME.to_representation(instance.created_at),
        )
        return data

    def _user(self) -> User | None:
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices))
    )
    def get_allowed_transitions(self, obj: Case) -> list[str]:
        user = self._user()
        if user is None or not permissions.can_transition(user, obj):
            return []
        return allowed_transitions(obj)

    def get_ready_override_reason(self, obj: Case) -> str:
        user = self._user()
        if user is None or not permissions.is_case_staff(user, obj):
            return ""
        return obj.ready_override_reason


class DocumentSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="requirement.case_id", read_only=True)
    uploaded_by = UserBriefSerializer(read_only=True)
    reviewed_by = UserBriefSerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    preview = PreviewSerializer(source="*", read_only=True)
    state_message = serializers.CharField(
        read_only=True,
        help_text="Why a version that is not ready cannot be reviewed yet (or ever), in the "
        "requester's language; empty once ready.",
    )

    class Meta:
        model = Document
        fields = (
            "id",
            "case",
            "requirement",
            "version",
            "original_filename",
            "content_type",
            "size_bytes",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "review_status",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
            "state",
            "state_message",
            "download_url",
            "preview",
        )
        read_only_fields = fields

    def get_download_url(self, obj: Document) -> str:
        return reverse("api:document-download", args=[obj.pk])


class CurrentDocumentSerializer(DocumentSerializer):
    """A document nested in its requirement (the case is the requirement's)."""

    case = None  # type: ignore[assignment]

    class Meta(DocumentSerializer.Meta):
        fields = tuple(f for f in DocumentSerializer.Meta.fields if f != "case")
        read_only_fields = fields


class RequirementSerializer(serializers.ModelSerializer):
    """A case's requirement. ``required`` is whether it must be accepted or waived before the
    case is ready; ``route_condition`` the patterns of the routes it is asked on ("" for every
    route) and ``not_needed_for_route`` true when the case's current route does not need it
    (issue 13, ``cases/services/routes.py``); uploads stay either way."""

    current_document = CurrentDocumentSerializer(read_only=True, allow_null=True)
    not_needed_for_route = serializers.BooleanField(read_only=True)

    class Meta:
        model = DocumentRequirement
        fields = (
            "id",
            "case",
            "code",
            "position",
            "name_en",
            "name_zh",
            "help_en",
            "help_zh",
            "required",
            "route_condition",
            "not_needed_for_route",
            "accepted_types",
            "max_size_bytes",
            "status",
            "due_date",
            "waived_reason",
            "current_document",
            "updated_at",
        )
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Message
        fields = ("id", "case", "author", "body", "internal", "created_at")
        read_only_fields = fields
