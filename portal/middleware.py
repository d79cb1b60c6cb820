"""Request middleware of the project."""

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.middleware import OTPMiddleware

from portal.languages import api_language, is_api_request, saved_language
from portal.security import requires_two_factor


class LanguageScopeMiddleware:
    """Make the language that was active before a request active again once its response is
    complete, so that a language chosen for one request (the user's, a token user's) does not
    stay on the thread for whatever it runs next. Runs before ``LocaleMiddleware``, whose
    ``Content-Language`` header therefore still names the request's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        previous = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            if previous:
                translation.activate(previous)
            else:
                translation.deactivate()


class UserLanguageMiddleware:
    """Activate the request's language and the signed-in user's time zone, so that pages show
    times in the viewer's zone.

    Runs right after AuthenticationMiddleware, so that the project's later middleware (the
    two-step gate, the session lifetime) answers in that language too. Web pages: the signed-in
    user's ``preferred_language`` (en or zh-hans), else the language ``LocaleMiddleware``
    chose (the language cookie of ``set_language``, else Accept-Language). API paths: the
    API's one rule (``portal/languages.py``): the saved language, else Accept-Language only.
    Anonymous visitors get UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if is_api_request(request):
            translation.activate(api_language(request, user))
            request.LANGUAGE_CODE = translation.get_language()
        elif signed_in and saved_language(user):
            translation.activate(saved_language(user))
            request.LANGUAGE_CODE = translation.get_language()
        if user is None or not signed_in:
            return self.get_response(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone or "UTC"))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


SESSION_STARTED_KEY = "portal_session_started"
# When the idle expiry last moved (UTC epoch seconds), see SessionLifetimeMiddleware.
SESSION_REFRESHED_KEY = "portal_session_refreshed"

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


# [persistent id, UTC epoch seconds] of the last database check of the session's verified device.
OTP_CHECKED_KEY = "portal_otp_checked"


class SessionCachedOTPMiddleware(OTPMiddleware):
    """django-otp's ``OTPMiddleware`` (``request.user.is_verified()``) that does not read the
    verified device from the database on every request.

    A successful check is remembered in the session the next time the session is saved anyway
    (``SessionLifetimeMiddleware`` refreshes it at most once per ``SESSION_REFRESH_SECONDS``)
    and trusted for ``SESSION_REFRESH_SECONDS`` (60); meanwhile the device is a lazy object,
    loaded only if code touches it. A device deleted or unconfirmed after verification
    therefore stops counting within a minute (django-otp: at the next request); signing a user
    out at once is ``user_sessions_end``'s job.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        persistent_id = (
            request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        )
        checked = request.session.get(OTP_CHECKED_KEY) if persistent_id else None
        now = int(timezone.now().timestamp())
        if (
            not checked
            or checked[0] != persistent_id
            or not 0 <= now - int(checked[1]) < settings.SESSION_REFRESH_SECONDS
        ):
            user = super()._verify_user_sync(request, user)
            if user.otp_device is not None:
                request.portal_otp_checked = [persistent_id, now]  # type: ignore[attr-defined]
            return user
        self._init_user_fields(user)
        user.otp_device = SimpleLazyObject(
            functools.partial(self._device_from_persistent_id, persistent_id)
        )
        return user


def session_stamp_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: record the start (12-hour limit) and the first refresh of
    the idle expiry in the session being created, so that the first page after login writes
    nothing. UTC epoch seconds."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(timezone.now().timestamp())
        session[SESSION_STARTED_KEY] = now
        session[SESSION_REFRESHED_KEY] = now


class SessionLifetimeMiddleware:
    """End sessions 12 hours after login whatever the activity, and after 30 minutes idle
    (``SESSION_COOKIE_AGE``) without writing the session on every request.

    The start time (UTC epoch seconds) is stored in the session on the first authenticated
    request; a session older than ``SESSION_ABSOLUTE_SECONDS`` is flushed and the user is sent
    to the login page. The idle expiry moves forward by saving the session, which happens when
    a view changed it or when the last refresh (also stored, epoch seconds) is at least
    ``SESSION_REFRESH_SECONDS`` old: a session ends 29-30 minutes after its last request, and a
    signed-in page view writes nothing in between.
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
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.keys():
            # No session, or a cookie naming an expired one: nothing to keep alive.
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_STARTED_KEY not in session:
            session[SESSION_STARTED_KEY] = now
        refreshed = session.get(SESSION_REFRESHED_KEY)
        if (
            session.modified
            or refreshed is None
            or now - int(refreshed) >= settings.SESSION_REFRESH_SECONDS
        ):
            session[SESSION_REFRESHED_KEY] = now
            otp_checked = getattr(request, "portal_otp_checked", None)
            if otp_checked is not None and DEVICE_ID_SESSION_KEY in session:
                session[OTP_CHECKED_KEY] = otp_checked
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
                    "detail": _("Verify a two-factor code in the web portal first."),
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
