"""One-time tokens for invitation links, built on Django's password-reset tokens."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from portal.models import User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's reset token (one-time: it embeds the password hash and last login), with
    its own salt and a lifetime of ``settings.INVITATION_TIMEOUT_DAYS`` days instead of the
    reset timeout."""

    key_salt = "portal.tokens.InvitationTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        max_age = settings.INVITATION_TIMEOUT_DAYS * 24 * 3600
        return (self._num_seconds(self._now()) - ts) <= max_age


invitation_token_generator = InvitationTokenGenerator()
