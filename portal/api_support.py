"""API plumbing shared by every app (kept free of DRF view imports: settings load these classes
while ``rest_framework.views`` is being imported).

- ``exception_handler``: one error body for every failure, ``{"code", "detail"}`` plus
  ``"fields"`` (field name -> messages) on validation errors (400).
- ``StrictSerializer``: refuses unknown and read-only fields instead of ignoring them.
- pagination, stable ordering, throttles, the hashed personal-token authentication class and
  its OpenAPI description.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import (
    authentication,
    exceptions,
    filters,
    pagination,
    parsers,
    permissions,
    serializers,
    throttling,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from portal import services
from portal.errors import InvalidInput, PortalError
from portal.models import ApiToken, User
from portal.pagination import DeferredJoinPaginator

# --- errors -----------------------------------------------------------------------------------


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, Mapping):
        return dict(detail)
    if isinstance(detail, Sequence) and not isinstance(detail, str):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(detail)}
    return {api_settings.NON_FIELD_ERRORS_KEY: [detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every error into ``{"code": ..., "detail": ...}`` with its HTTP status: domain
    errors (400 invalid, 403 not allowed, 409 conflict), Django and DRF validation errors (400,
    with ``fields``: field name -> list of messages), 401/403/404/405/415/429 from DRF."""
    if isinstance(exc, PortalError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.details:
            body["details"] = exc.details
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "message_dict") else exc.messages
        exc = exceptions.ValidationError(fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("The request has invalid fields; see fields for what to change."),
            "fields": _field_errors(exc.detail),
        }
    elif isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(data, dict) and "detail" in data and "code" not in data:
            data["code"] = getattr(data["detail"], "code", exc.default_code)
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="Machine-readable error code, e.g. not_found, stale.")
    detail = serializers.CharField(help_text="A sentence a person can act on.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On 400: field name -> messages (non_field_errors for the whole request).",
    )
    details = serializers.DictField(
        required=False, help_text="Extra machine-readable facts, e.g. missing requirements."
    )


_ERROR_TEXT = {
    400: "Invalid input: unknown, read-only or invalid fields, or a rule refused the input.",
    401: "Not authenticated: no or an invalid session or token.",
    403: "Authenticated but not allowed to do this (or a CSRF failure for session requests).",
    404: "No such object or one you may not see (lists: no such page).",
    409: "Conflict: the transition is not allowed now, or someone else changed the object.",
    429: "Too many requests: slow down (see Retry-After).",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given error statuses, plus 401, 403, 404 (no such object, or
    for lists a page out of range) and 429 everywhere."""
    wanted = sorted({401, 403, 404, 429, *codes})
    return {c: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[c]) for c in wanted}


# --- serializers ------------------------------------------------------------------------------


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
        fields = (
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
        read_only_fields = fields

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


# --- pagination, ordering, throttling ---------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``: 50 per page by default, at most 100."""

    django_paginator_class = DeferredJoinPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string names none of the view's filters
    (building and validating a FilterSet costs about 0.5 ms a request; the result is the same)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(request.query_params) & set(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(filters.OrderingFilter):
    """``?ordering=field`` (``-field`` descending), with ``id`` appended as a tie-breaker so pages
    never repeat or skip rows."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(o.lstrip("-") in ("id", "pk") for o in ordering):
            last = ordering[-1]
            ordering = [*ordering, "-id" if last.startswith("-") else "id"]
        return ordering


class _SettingsRateMixin:
    """Read the rate from the current settings (DRF binds them at import) and count in the
    cache named by ``settings.API_THROTTLE_CACHE`` (shared by all workers in production)."""

    scope: str

    @property
    def cache(self) -> Any:
        return caches[getattr(settings, "API_THROTTLE_CACHE", "default")]

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Per client address (``anon`` rate)."""


class UserRateThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Per signed-in user (``user`` rate)."""


# --- authentication ---------------------------------------------------------------------------


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer vcp_<prefix>_<secret>`` (``Token`` is accepted too).

    The key's SHA-256 digest is looked up; revoked or expired tokens and tokens of users who are
    no longer active advisors or admins fail with 401."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as: Authorization: Bearer <token>.")
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=services.api_token_hash(key), revoked_at__isnull=True)
            .order_by()
            .first()
        )
        now = timezone.now()
        if token is None or (token.expires_at is not None and token.expires_at <= now):
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not (token.user.is_active and token.user.is_staff_member):
            raise exceptions.AuthenticationFailed(_("This token's account cannot use the API."))
        services.api_token_mark_used(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api_support.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (advisors and admins): "
            "`Authorization: Bearer vcp_...`.",
        }


# --- views of later apps (issue 5: eligibility and reminders endpoints) -----------------------


class RequesterLanguageMixin:
    """Texts in the answer (labels, explanations, messages) are in your preferred language."""

    # (That docstring is the operations' description in the schema.) For token clients too:
    # ``UserLanguageMiddleware`` only sees session users; DRF authenticates tokens in the view.
    # The language before the view switched it is restored when the response is finalized, so
    # it does not leak into whatever the thread runs next.
    _previous_language: str | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._previous_language = translation.get_language()
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        language = getattr(request.user, "preferred_language", "")
        if language:
            translation.activate(language)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if self._previous_language:
            translation.activate(self._previous_language)
        return response


@contextmanager
def service_field_errors() -> Iterator[None]:
    """Re-raise a service's ``InvalidInput`` that names a field (``details["field"]``) as a
    DRF validation error, so the 400 body carries ``fields: {name: [message]}`` like any other
    field error; other domain errors pass through unchanged."""
    try:
        yield
    except InvalidInput as exc:
        field = exc.details.get("field")
        if isinstance(field, str) and field:
            raise exceptions.ValidationError({field: [exc.message]}) from exc
        raise


# --- permissions ------------------------------------------------------------------------------


class IsStaffMember(permissions.BasePermission):
    """Advisors and admins (the people who run cases)."""

    message = gettext_lazy("Only advisors and admins can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff_member)


def postprocess_strict_requests(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: request bodies refuse unknown fields (``additionalProperties:
    false``), as ``StrictSerializer`` does, so clients and fuzzers know it."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 instead of 500 for bodies nested so deeply that the
    json module gives up with RecursionError."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
