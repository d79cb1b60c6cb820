"""Limits checked before anything reads a request body or looks a value up in the database.

``RequestLimitsMiddleware`` is the first middleware. From the request line and headers alone
it refuses:

- a path longer than ``PORTAL_MAX_PATH_CHARS`` (414),
- a NUL character in the path, the query string or a cookie (400; PostgreSQL refuses NUL in
  text, so a lookup would otherwise answer 500),
- a ``Content-Length`` that is not a number (400) or above the route's limit (413): upload routes
  (``UPLOAD_ROUTES``) take ``PORTAL_MAX_UPLOAD_REQUEST_BYTES``, every other route
  ``PORTAL_MAX_REQUEST_BYTES``.

``AnonymousBodyLimitMiddleware`` runs right after ``AuthenticationMiddleware`` (which reads the
session, not the body) and before any view or ``process_view`` hook (CSRF) reads the body: a
request that is neither signed in nor carries a valid API token may send at most
``PORTAL_ANONYMOUS_MAX_BODY_BYTES``, which is below Django's in-memory upload limit, so an
anonymous body is never spooled to disk. A ``csrftoken`` cookie or a made-up session cookie
changes nothing.

Refusals on ``/api/`` paths are the API's JSON error ``{"code", "detail"}``; other paths get a
short plain-text answer. Either way the body is not read and the connection is closed. They are
worded in the request's language as Django reads it without a database (the language cookie,
else ``Accept-Language``; the session and a token's user are not known yet), and say so in
``Content-Language``.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

# View names (namespace:name) whose requests carry uploaded files.
UPLOAD_ROUTES = frozenset(
    {
        "cases:upload",
        "cases:case_upload",
        "api:requirement-upload",
        "admin:eligibility_institution_import",
    }
)


def _size(n: int) -> str:
    """``n`` bytes for a person: whole KB below 1 MB, else whole MB (1 MB = 1,048,576 bytes)."""
    if n < 1024 * 1024:
        return f"{n // 1024} KB"
    return f"{n // (1024 * 1024)} MB"


def refusal(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    """The answer to a refused request: JSON ``{"code", "detail"}`` under ``/api/``, plain text
    elsewhere; ``Connection: close`` so the server does not wait for an unread body.

    The header is left out under the standard library's ``wsgiref`` server (Django's
    ``runserver``, hence ``make run``, and the test live server): PEP 3333 forbids hop-by-hop
    headers from an application and ``wsgiref`` turns one into a 500, while Django's handler
    there closes the connection itself when a body is left unread. Gunicorn honours it."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": code, "detail": detail}, status=status)
    else:
        response = HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = translation.get_language()
    if not str(request.META.get("SERVER_SOFTWARE", "")).startswith(WSGIREF_SOFTWARE):
        response["Connection"] = "close"
    return response


def _request_language(request: HttpRequest) -> str:
    """The language of a refusal: the language cookie, else ``Accept-Language``, else the
    default (Django's rule, without the path prefix; nothing is read from the database)."""
    return translation.get_language_from_request(request, check_path=False)


# ``SERVER_SOFTWARE`` of wsgiref.simple_server.WSGIServer (and Django's subclasses of it).
WSGIREF_SOFTWARE = "WSGIServer/"


def content_length(request: HttpRequest) -> int | None:
    """The declared body size in bytes (0 when absent), or None when it is not a number."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def route_body_limit(request: HttpRequest) -> int:
    """The largest body (bytes) the route of ``request`` accepts."""
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        view_name = ""
    if view_name in UPLOAD_ROUTES:
        return int(settings.PORTAL_MAX_UPLOAD_REQUEST_BYTES)
    return int(settings.PORTAL_MAX_REQUEST_BYTES)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query or b"\x00" in unquote_to_bytes(query):
        return True
    return "\x00" in request.META.get("HTTP_COOKIE", "")


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return refusal(
        request,
        413,
        "too_large",
        _("The request is too large: this address accepts at most %(size)s.")
        % {"size": _size(limit)},
    )


class RequestLimitsMiddleware:
    """The first middleware: path length, NUL characters and the declared body size."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with translation.override(_request_language(request)):
            refused = self._refused(request)
        return refused if refused is not None else self.get_response(request)

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        if len(request.path_info) > settings.PORTAL_MAX_PATH_CHARS:
            return refusal(
                request,
                414,
                "uri_too_long",
                _("The address is too long; use at most %(n)s characters.")
                % {"n": settings.PORTAL_MAX_PATH_CHARS},
            )
        if _has_nul(request):
            return refusal(
                request, 400, "invalid", _("The address or a cookie contains a NUL character.")
            )
        length = content_length(request)
        if length is None:
            return refusal(request, 400, "invalid", _("The Content-Length header is not valid."))
        if length > settings.PORTAL_MAX_REQUEST_BYTES:  # cheap test first: most bodies are small
            limit = route_body_limit(request)
            if length > limit:
                return _too_large(request, limit)
        return None


def _has_valid_api_token(request: HttpRequest) -> bool:
    from rest_framework.exceptions import AuthenticationFailed

    from portal.api.auth import ApiTokenAuthentication

    try:
        return ApiTokenAuthentication().authenticate(request) is not None  # type: ignore[arg-type]
    except AuthenticationFailed:
        return False


class AnonymousBodyLimitMiddleware:
    """After ``AuthenticationMiddleware``: bodies above ``PORTAL_ANONYMOUS_MAX_BODY_BYTES`` from
    requests with neither a signed-in session nor a valid API token answer 413 unread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.PORTAL_ANONYMOUS_MAX_BODY_BYTES)
        if (content_length(request) or 0) > limit:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            if not signed_in and not _has_valid_api_token(request):
                with translation.override(_request_language(request)):
                    return _too_large(request, limit)
        return self.get_response(request)
