"""Serializer base for every app, and the account serializers of ``portal.api.views``.

``StrictSerializer`` refuses unknown and read-only fields instead of ignoring them;
``postprocess_strict_requests`` (a drf-spectacular hook, settings ``POSTPROCESSING_HOOKS``) says
so in the schema.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers

from portal.identity import email_normalize, validate_email_identity
from portal.models import ApiToken, User


class IdentityEmailField(serializers.EmailField):
    """An email field that reads any typed form of an address as its stored form
    (``portal.identity.email_normalize``: full-width letters, at signs and full stops,
    invisible characters) and refuses addresses that mix alphabets or read as another address, with
    ``portal.identity.email_check``'s message (400)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        # First: its message says more than "enter a valid email address".
        self.validators.insert(0, validate_email_identity)

    def to_internal_value(self, data: Any) -> str:
        return email_normalize(super().to_internal_value(data))


class StrictSerializer(serializers.Serializer):
    """A serializer that answers 400 naming every request field it will not write (unknown,
    read-only, or not writable by the caller's role) instead of silently ignoring it.

    Subclasses may implement ``writable_fields_for(user)`` returning the names a role may set;
    other fields are removed from the serializer for that request."""

    def writable_fields_for(self, user: User) -> set[str] | None:
        return None

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            allowed = self.writable_fields_for(user)
            if allowed is not None:
                fields = {name: f for name, f in fields.items() if f.read_only or name in allowed}
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = sorted(n for n, f in self.fields.items() if not f.read_only)
            refused: dict[str, list[str]] = {}
            for name in data:
                field = self.fields.get(name)
                if field is not None and field.read_only:
                    refused[name] = [_("This field is read-only.")]
                elif field is None:
                    refused[name] = [
                        _("This field cannot be set here. Writable fields: %(names)s.")
                        % {"names": ", ".join(writable) or "-"}
                    ]
            if refused:
                raise exceptions.ValidationError(refused)
        return super().to_internal_value(data)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "full_name",
            "role",
            "is_supervisor",
            "preferred_language",
            "time_zone",
        )
        read_only_fields = fields


class PingSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    user = serializers.IntegerField()


class ApiTokenSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "id",
            "name",
            "prefix",
            "user",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "active",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_active(self, obj: ApiToken) -> bool:
        return obj.revoked_at is None and (
            obj.expires_at is None or obj.expires_at > timezone.now()
        )


class ApiTokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True, help_text="Days; null: never."
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="The full key; shown only this once.")

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "key")
        read_only_fields = fields


def postprocess_strict_requests(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: request bodies refuse unknown fields (``additionalProperties:
    false``), as ``StrictSerializer`` does, so clients and fuzzers know it."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
