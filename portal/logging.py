"""Logging filters of the project."""

import logging
import re

# /accounts/password/reset/<uidb64>/<token>/ and /accounts/invitation/<uidb64>/<token>/
_TOKEN_PATH = re.compile(r"(/(?:password/reset|invitation)/[0-9A-Za-z_\-]+/)([0-9A-Za-z_\-]+)/")
_REDACTED = r"\1[redacted]/"


def redact(text: str) -> str:
    """``text`` with reset and invitation tokens in URL paths replaced by ``[redacted]``."""
    return _TOKEN_PATH.sub(_REDACTED, text)


class RedactTokensFilter(logging.Filter):
    """Cut password-reset and invitation tokens out of log records (message and arguments),
    so a 404 or an error on a token URL never writes the token to the logs."""

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
