"""Optional error reporting to Sentry, with personal data kept out of every event.

Settings call ``init()`` when ``SENTRY_DSN`` is set. What never leaves: request bodies and
cookies, local variables of stack frames, user emails and IP addresses (``send_default_pii``
off), and, in every message, exception text, breadcrumb and URL: reset and invitation tokens,
email addresses, passport-like numbers and file names (``scrub_text``). Keys that name personal
fields (passport number, file names, names, emails) are blanked wherever they appear.
"""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from portal.logging import redact

# Field names whose values are personal data, wherever they appear in an event.
PERSONAL_KEYS = [
    "passport_number",
    "passport",
    "original_filename",
    "filename",
    "file_name",
    "display_name",
    "given_names",
    "family_name",
    "full_name",
    "name",
    "email",
    "user_email",
    "date_of_birth",
    "phone",
    "username",
]
# A quoted part of a message is where our errors put a file or person's name: “scan.pdf”.
_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’|\"[^\"]*\"|'[^']*'")
_FILE_NAME = re.compile(
    r"[^\s/\\:;,]+\.(?:pdf|jpe?g|png|gif|heic|heif|webp|tiff?|docx?|xlsx?|zip|txt|csv)\b", re.I
)
# Passport numbers: 6 to 12 capital letters and digits with at least two digits (E12345678).
_PASSPORT_LIKE = re.compile(r"\b(?=(?:[A-Z]*\d){2})[A-Z0-9]{6,12}\b")


def scrub_text(text: str) -> str:
    """``text`` without tokens in URL paths, email addresses, quoted parts, file names and
    passport-like numbers (each replaced by a ``[...]`` marker)."""
    text = redact(text)  # tokens in URL paths and email addresses
    text = _QUOTED.sub("[quoted]", text)
    text = _FILE_NAME.sub("[file]", text)
    return _PASSPORT_LIKE.sub("[number]", text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def before_send(event: Any, hint: Any) -> Any:
    """Scrub the free text of an event: messages, exception values, breadcrumbs, URL, extra."""
    for key in ("message", "logentry", "extra", "transaction"):
        if key in event:
            event[key] = _scrub(event[key])
    for exception in event.get("exception", {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
    request = event.get("request", {})
    for key in ("url", "query_string"):
        if isinstance(request.get(key), str):
            request[key] = scrub_text(request[key])
    request.pop("data", None)
    request.pop("cookies", None)
    crumbs = event.get("breadcrumbs", {})
    for crumb in crumbs.get("values", []) if isinstance(crumbs, dict) else []:
        before_breadcrumb(crumb, {})
    return event


def before_breadcrumb(crumb: Any, hint: Any) -> Any:
    """Scrub a breadcrumb's message and data (log lines, SQL, HTTP calls)."""
    for key in ("message", "data"):
        if key in crumb:
            crumb[key] = _scrub(crumb[key])
    return crumb


def init(
    *,
    dsn: str,
    environment: str,
    release: str | None = None,
    traces_sample_rate: float = 0.0,
    transport: Any = None,
) -> None:
    """Start the Sentry SDK with the Django and Celery integrations and the scrubbing above.
    ``traces_sample_rate`` is the share of requests traced (0 to 1); ``transport`` is for tests.
    """
    options: dict[str, Any] = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        # Source lines around a frame can hold literals too; the code is in the repository.
        include_source_context=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(
            denylist=DEFAULT_DENYLIST + PERSONAL_KEYS,
            pii_denylist=DEFAULT_PII_DENYLIST,
            recursive=True,
        ),
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=traces_sample_rate,
        **options,
    )
