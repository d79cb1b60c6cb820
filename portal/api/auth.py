"""Personal API token authentication (hashed keys) and its OpenAPI security scheme."""

from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portal import services
from portal.languages import saved_language
from portal.models import ApiToken, User


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer vcp_<prefix>_<secret>`` (``Token`` is accepted too).

    The key's SHA-256 digest is looked up; revoked or expired tokens and tokens of users who are
    no longer active advisors or admins fail with 401."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        # One look-up per request: ``portal.limits.AnonymousBodyLimitMiddleware`` may have
        # checked this header already (for a large body); DRF asks again for the view.
        base = getattr(request, "_request", request)
        header = authentication.get_authorization_header(request)
        known = getattr(base, "_portal_api_token", None)
        if known is not None and known[0] == header:
            return known[1]
        result = self._authenticate(header)
        if result is not None:
            setattr(base, "_portal_api_token", (header, result))  # noqa: B010 - not a field
            # The token's user is known only now: their saved language wins from here on, for
            # the view and DRF's messages alike (the API's one rule, portal/api/language.py).
            language = saved_language(result[0])
            if language:
                translation.activate(language)
                base.LANGUAGE_CODE = translation.get_language()
        return result

    def _authenticate(self, header: bytes) -> tuple[User, ApiToken] | None:
        parts = header.split()
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
    target_class = "portal.api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (advisors and admins): "
            "`Authorization: Bearer vcp_...`.",
        }
