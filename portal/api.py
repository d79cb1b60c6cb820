"""API plumbing shared by every app: the DRF exception handler that maps domain errors."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import PortalError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors into ``{"code": ..., "detail": ...}`` bodies with their HTTP status
    (400 invalid, 403 not allowed, 409 conflict); Django validation errors become field errors."""
    if isinstance(exc, PortalError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.details:
            body["details"] = exc.details
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(data, dict) and "detail" in data and "code" not in data:
            data["code"] = getattr(data["detail"], "code", exc.default_code)
    return response
