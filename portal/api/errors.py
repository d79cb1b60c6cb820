"""One error body for every API failure, and its OpenAPI description.

- ``exception_handler`` (settings ``EXCEPTION_HANDLER``): ``{"code", "detail"}`` with the HTTP
  status, plus ``"fields"`` (field name -> messages) on validation errors (400).
- ``error_responses(*codes)``: the matching OpenAPI responses for ``extend_schema``.
- ``service_field_errors()``: a service's field-level ``InvalidInput`` as a DRF field error.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings

from portal.errors import InvalidInput, PortalError


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, Mapping):
        return dict(detail)
    if isinstance(detail, Sequence) and not isinstance(detail, str):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(detail)}
    return {api_settings.NON_FIELD_ERRORS_KEY: [detail]}


_FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _parse_error_text(context: dict[str, Any]) -> str:
    """What to tell the client whose body the parser refused, by the body's media type."""
    content_type = getattr(context.get("request"), "content_type", "") or ""
    if content_type.split(";")[0].strip().lower() in _FORM_MEDIA_TYPES:
        return _(
            "The form or file upload could not be read: a part's headers are too long (for "
            "example a very long file name) or the body is malformed."
        )
    return _("The request body could not be read. Send valid JSON in UTF-8 (or a form).")


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
    elif isinstance(exc, exceptions.ParseError):
        # DRF's text carries the parser's English ("Expecting value: line 1 column 1",
        # "Multipart form parse error - Request max total header size exceeded.").
        exc = exceptions.ParseError(_parse_error_text(context))
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
    # DRF's metaclass moves declared fields off the class, so this does not hide the
    # serializer's ``fields`` property at run time; the type checker cannot know that.
    fields = serializers.DictField(  # type: ignore[assignment]
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
