"""Write serializers of the cases API: each lists exactly what a role may send; everything
else in the request is refused with 400 naming the field (``StrictSerializer``)."""

from typing import Any

from django_countries import countries
from rest_framework import serializers

from cases import permissions
from cases.models import Decision, ReviewStatus, Stage, VisaType
from cases.services import MAX_MESSAGE_CHARS
from cases.services.applicants import applicant_check_birth_date
from portal.api.serializers import StrictSerializer
from portal.errors import InvalidInput
from portal.models import Language, Role, User


class CaseOpenSerializer(StrictSerializer):
    """Open a case for a new applicant (advisors and admins). The applicant is invited by
    email. ``advisor`` empty: the case is assigned to the caller when they are an advisor."""

    visa_type = serializers.SlugRelatedField(
        slug_field="code", queryset=VisaType.objects.filter(active=True), help_text="K, R, ..."
    )
    advisor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.ADVISOR, is_active=True),
        required=False,
        allow_null=True,
    )
    given_names = serializers.CharField(max_length=120)
    family_name = serializers.CharField(max_length=120)
    email = serializers.EmailField()
    preferred_language = serializers.ChoiceField(
        choices=Language.choices, required=False, default=Language.ENGLISH
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    nationality = serializers.ChoiceField(
        choices=list(countries), required=False, allow_blank=True, default=""
    )
    passport_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    passport_expiry = serializers.DateField(required=False, allow_null=True, default=None)
    intended_entry_date = serializers.DateField(required=False, allow_null=True, default=None)
    target_submission_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_date_of_birth(self, value: Any) -> Any:
        try:
            applicant_check_birth_date(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value


class TransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=Stage.choices, help_text="The target stage.")
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to hold, withdraw or override the ready check.",
    )
    decision = serializers.ChoiceField(
        choices=Decision.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when moving to decided.",
    )
    override = serializers.BooleanField(
        required=False, default=False, help_text="Override the ready check (with a reason)."
    )


class UploadSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="PDF, JPEG or PNG as the requirement accepts; checked by content, not name."
    )


class ReviewSerializer(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[(ReviewStatus.ACCEPTED, "accepted"), (ReviewStatus.REJECTED, "rejected")]
    )
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject; the applicant reads it.",
    )


class WaiveSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class MessageCreateSerializer(StrictSerializer):
    """Applicants send ``body``; case staff may also send ``internal`` notes."""

    body = serializers.CharField(max_length=MAX_MESSAGE_CHARS)
    internal = serializers.BooleanField(
        required=False, default=False, help_text="Advisors only: a note applicants never see."
    )

    def writable_fields_for(self, user: User) -> set[str] | None:
        case = self.context.get("case")
        if case is not None and permissions.can_post_internal_note(user, case):
            return {"body", "internal"}
        return {"body"}
