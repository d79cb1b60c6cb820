"""The language of every API answer: one rule (issue 11; README, "API").

1. The signed-in user's saved ``preferred_language`` wins, whether the request is
   authenticated by the session (``portal.middleware.UserLanguageMiddleware``, before any other
   of the project's middleware answers) or by a personal API token (``ApiTokenAuthentication``
   activates it as soon as the token is known, before the view and DRF's own messages run).
2. Otherwise (anonymous, a refused token, a user without a saved language) the request's
   ``Accept-Language`` header, matched to ``settings.LANGUAGES`` (``zh-CN`` -> ``zh-hans``);
   the web pages' language cookie is not read for the API.
3. Otherwise ``settings.LANGUAGE_CODE`` ("en").

``Content-Language`` of the answer names the language used (Django's ``LocaleMiddleware``).
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def accept_language(request: HttpRequest) -> str:
    """The first supported language of ``request``'s ``Accept-Language`` header, in the
    header's order of preference; ``settings.LANGUAGE_CODE`` when none is supported."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header[:1000]):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def saved_language(user: Any) -> str:
    """``user``'s saved language when it is one of ``settings.LANGUAGES``, else ""."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    language = getattr(user, "preferred_language", "") or ""
    return language if language in dict(settings.LANGUAGES) else ""


def api_language(request: HttpRequest, user: Any) -> str:
    """The language of the API answer to ``request`` made by ``user`` (rules 1-3 above)."""
    return saved_language(user) or accept_language(request)
