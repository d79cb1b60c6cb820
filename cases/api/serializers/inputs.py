"""Write serializers of the cases API: each lists exactly what a role may send; everything
else in the request is refused with 400 naming the field (``StrictSerializer``)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions
from cases.models import Decision, ReviewStatus, Stage
from cases.services import MAX_MESSAGE_CHARS
from cases.services.applicants import applicant_check_birth_date
from portal.api.serializers import IdentityEmailField, StrictSerializer
from portal.errors import InvalidInput
from portal.firms import firm_advisors
from portal.models import Language, User


@extend_schema_field(OpenApiTypes.STR)
class _FirmVisaTypeField(serializers.SlugRelatedField):
    """A visa type code among the active visa types of the firm the case opens in: the named
    existing applicant's, else the requesting user's (``visa_types_for_opening``)."""

    def get_queryset(self) -> Any:
        from cases.selectors.cases import visa_types_for_opening

        applicant_id = self.parent.initial_data.get("applicant")
        return visa_types_for_opening(
            user=self.context["request"].user,
            applicant_id=applicant_id if isinstance(applicant_id, int) else None,
        )


@extend_schema_field(OpenApiTypes.INT)
class FirmAdvisorField(serializers.PrimaryKeyRelatedField):
    """An active advisor of the requesting user's firm."""

    def get_queryset(self) -> Any:
        return firm_advisors(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _VisibleApplicantField(serializers.PrimaryKeyRelatedField):
    """An existing applicant the requesting user may see (anyone else's: "does not exist")."""

    def get_queryset(self) -> Any:
        from cases.selectors.cases import applicant_list_for_user

        return applicant_list_for_user(user=self.context["request"].user)


class CaseOpenSerializer(StrictSerializer):
    """Open a case (advisors and admins) for a new applicant, who is invited by email, or,
    with ``applicant``, for an existing applicant the caller may see (then send no applicant
    details: an email address never links an existing applicant). ``advisor`` empty: the case
    is assigned to the caller when they are an advisor. Visa types and advisors are the
    caller's firm's."""

    visa_type = _FirmVisaTypeField(slug_field="code", help_text="K, R, ...")
    advisor = FirmAdvisorField(required=False, allow_null=True)
    applicant = _VisibleApplicantField(
        required=False,
        allow_null=True,
        help_text="An existing applicant's id: another case for them.",
    )
    given_names = serializers.CharField(max_length=120, required=False)
    family_name = serializers.CharField(max_length=120, required=False)
    email = IdentityEmailField(required=False)
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

    NEW_APPLICANT_FIELDS = (
        "given_names",
        "family_name",
        "email",
        "preferred_language",
        "phone",
        "date_of_birth",
        "nationality",
        "passport_number",
        "passport_expiry",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("applicant") is not None:
            sent = sorted(k for k in self.NEW_APPLICANT_FIELDS if k in self.initial_data)
            if sent:
                raise serializers.ValidationError(
                    {k: [_("Leave this out when you name an existing applicant.")] for k in sent}
                )
            return attrs
        missing = {
            k: [serializers.Field.default_error_messages["required"]]
            for k in ("given_names", "family_name", "email")
            if not attrs.get(k)
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs

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
