"""Serializers of the record edits: the case's and the applicant's PATCH bodies, and the
applicant's corrections (read, propose, decide)."""

from typing import Any

from django_countries import countries
from rest_framework import serializers

from cases.api.serializers.inputs import FirmAdvisorField
from cases.models import CorrectionProposal
from cases.services.applicants import applicant_check_birth_date
from cases.services.corrections import NOTE_MAX_CHARS, REASON_MAX_CHARS
from portal.api.serializers import StrictSerializer, UserBriefSerializer
from portal.errors import InvalidInput

VERSION_HELP = "The record's `version` as last read; a changed record answers 409 (stale)."


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP)


class CaseRecordSerializer(StrictSerializer):
    """PATCH a case: any of its planned dates, time zone and (supervisors, admins) advisor."""

    version = _version()
    intended_entry_date = serializers.DateField(required=False, allow_null=True)
    target_submission_date = serializers.DateField(required=False, allow_null=True)
    time_zone = serializers.CharField(
        required=False, max_length=64, help_text="An IANA name such as Asia/Shanghai."
    )
    advisor = FirmAdvisorField(
        required=False,
        allow_null=True,
        help_text="Supervisors and admins only: an active advisor of the firm, or null.",
    )


class _ApplicantFields(StrictSerializer):
    given_names = serializers.CharField(required=False, max_length=120)
    family_name = serializers.CharField(required=False, max_length=120)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    nationality = serializers.ChoiceField(
        choices=list(countries), required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2."
    )
    passport_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    passport_expiry = serializers.DateField(required=False, allow_null=True)

    def validate_date_of_birth(self, value: Any) -> Any:
        try:
            applicant_check_birth_date(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value


class ApplicantRecordSerializer(_ApplicantFields):
    """PATCH an applicant (case staff): any of the identity and passport fields."""

    version = _version()


class CorrectionCreateSerializer(_ApplicantFields):
    """The applicant proposes new values for some fields, with an optional note."""

    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_CHARS
    )


class CorrectionDeclineSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_CHARS, help_text="Why; the applicant reads it."
    )


class CorrectionSerializer(serializers.ModelSerializer):
    """A proposed correction: ``changes`` (field -> proposed value, dates ISO 8601) and
    ``before`` (the recorded values then, passport number masked)."""

    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    changes = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True), read_only=True
    )
    before = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True), read_only=True
    )

    class Meta:
        model = CorrectionProposal
        fields = (
            "id",
            "applicant",
            "status",
            "changes",
            "before",
            "note",
            "created_at",
            "decided_by",
            "decided_at",
            "decline_reason",
        )
        read_only_fields = fields
