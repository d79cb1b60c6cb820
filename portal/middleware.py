"""Request middleware of the project."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_otp import user_has_device

from portal.security import requires_two_factor


class UserLanguageMiddleware:
    """Activate the signed-in user's preferred language (en or zh-hans) for the request.

    Runs after AuthenticationMiddleware; anonymous visitors keep the language that
    LocaleMiddleware negotiated from the Accept-Language header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


SESSION_STARTED_KEY = "portal_session_started"

# Paths a signed-in user who still owes a two-factor code may reach: enrolment, verification,
# logout, static files and the health check.
_TWO_FACTOR_EXEMPT_NAMES = frozenset(
    {
        "two_factor_setup",
        "two_factor_qr",
        "two_factor_verify",
        "two_factor_recovery",
        "logout",
        "logout_everywhere",
    }
)


class SessionLifetimeMiddleware:
    """End sessions 12 hours after login whatever the activity (the 30-minute idle limit is
    ``SESSION_COOKIE_AGE`` with ``SESSION_SAVE_EVERY_REQUEST``).

    The start time (UTC epoch seconds) is stored in the session on the first authenticated
    request; a session older than ``SESSION_ABSOLUTE_SECONDS`` is flushed and the user is sent
    to the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        now = int(timezone.now().timestamp())
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    # API clients get the API's 401, not a redirect to an HTML login page.
                    return JsonResponse(
                        {
                            "code": "not_authenticated",
                            "detail": _("Your session has expired; sign in again."),
                        },
                        status=401,
                        headers={"WWW-Authenticate": 'Bearer realm="api"'},
                    )
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and SESSION_STARTED_KEY not in request.session
        ):
            request.session[SESSION_STARTED_KEY] = now
        return response


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who must use two-factor (advisors, admins, enrolled applicants)
    and has not verified a code in this session to enrolment or verification first.

    Runs after ``OTPMiddleware``. JSON API paths answer 403 instead of redirecting. Token-
    authenticated API requests are not seen here (DRF authenticates them in the view).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/healthz")):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in _TWO_FACTOR_EXEMPT_NAMES or not requires_two_factor(user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "two_factor_required",
                    "detail": "Verify a two-factor code in the web portal first.",
                },
                status=403,
            )
        target = (
            "two_factor_verify" if user_has_device(user, confirmed=True) else "two_factor_setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class NoStoreForSignedInMiddleware:
    """Mark every response to a signed-in user ``Cache-Control: private, no-store`` unless the
    view set its own caching, so pages with personal data never sit in a shared or disk cache
    (ASVS 8.2.1)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
