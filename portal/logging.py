"""Logging of the project: filters that keep secrets and personal data out, request context,
the JSON line format of production and the error-report filter of admin mails."""

import contextvars
import logging
import re
from typing import Any

from django.core.signals import request_finished
from django.views.debug import SafeExceptionReporterFilter
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# /accounts/password/reset/<uidb64>/<token>/ and /accounts/invitation/<uidb64>/<token>/
_TOKEN_PATH = re.compile(r"(/(?:password/reset|invitation)/[0-9A-Za-z_\-]+/)([0-9A-Za-z_\-]+)/")
_REDACTED = r"\1[redacted]/"
_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """``text`` with reset and invitation tokens in URL paths replaced by ``[redacted]`` and
    email addresses by ``[email]``."""
    return _EMAIL.sub("[email]", _TOKEN_PATH.sub(_REDACTED, text))


class RedactTokensFilter(logging.Filter):
    """Cut password-reset and invitation tokens and email addresses out of log records (message
    and arguments), so a 404 or an error on a token URL never writes the token to the logs and
    no line names a person by their address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            if isinstance(record.args, tuple):
                record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {
                    k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
                }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = _RedactedRequest(request)
        return True


class _RedactedRequest:
    """A read-only view of a request whose path and full path have tokens redacted."""

    def __init__(self, request: object) -> None:
        self._request = request

    def __getattr__(self, name: str) -> object:
        value = getattr(self._request, name)
        if name in ("path", "path_info"):
            return redact(str(value))
        if name == "get_full_path":
            return lambda *a, **k: redact(value(*a, **k))
        return value


# The request being handled by this thread or task (set by RequestContextMiddleware).
_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("request", default=None)


def _user_id(request: Any) -> int | None:
    """The signed-in user's id, read only if the request's user was already loaded (a log line
    must never start a database query), else None."""
    from django.utils.functional import empty

    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestContextFilter(logging.Filter):
    """Add ``request_id`` (django-guid: X-Request-ID, also inside Celery tasks) and ``user_id``
    (the signed-in user's primary key, never their name or email) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django_guid import get_guid

        record.request_id = get_guid() or "-"
        record.user_id = _user_id(_current_request.get()) or "-"
        return True


class RequestContextMiddleware:
    """Remember the request for log records of this thread (``RequestContextFilter``) until
    the response is finished: Django logs 4xx and 5xx responses after the middleware chain."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        _current_request.set(request)
        return self.get_response(request)


def _forget_request(**kwargs: Any) -> None:
    _current_request.set(None)


request_finished.connect(_forget_request, dispatch_uid="portal.logging.forget_request")


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    ``request_id``, ``user_id``, plus ``status_code`` and ``exc_info`` when present. Nothing
    else: attributes other code attaches to records (request objects, form data) are dropped."""

    FIELDS = ("time", "level", "logger", "message", "request_id", "user_id", "status_code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in list(log_data):
            if key not in self.FIELDS and key != "exc_info":
                del log_data[key]
        for key in ("request_id", "user_id"):
            log_data.setdefault(key, getattr(record, key, "-"))
        if isinstance(log_data.get("message"), str):
            log_data["message"] = redact(log_data["message"])
        if isinstance(log_data.get("exc_info"), str):
            log_data["exc_info"] = redact(log_data["exc_info"])


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (admin mails) without frame variables, form values or request headers:
    a passport number in a local variable or a form must not travel by email."""

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return {}.items()

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_request_meta(self, request: Any) -> dict[str, Any]:
        keep = ("REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "CONTENT_TYPE", "CONTENT_LENGTH")
        return {k: v for k, v in request.META.items() if k in keep}

    def get_safe_cookies(self, request: Any) -> dict[str, str]:
        return dict.fromkeys(request.COOKIES, self.cleansed_substitute)
