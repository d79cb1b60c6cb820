"""One-time tokens for invitation links.

A token names the invitation it was made for: ``<invitation id, base 36>-<HMAC>``. The HMAC
(Django's ``salted_hmac`` with ``SECRET_KEY`` and its fallbacks) covers the invitation id, the
user id, the send time, the user's email and password hash, so it cannot be forged or moved to
another invitation, and setting a password spends it. Whether a genuine token still works is
the invitation's state (``portal/invitations.py``: newest, not expired, not accepted), so
"Send again" makes every earlier link stop working and an old link can say why.

Links sent before invitations were recorded (``<timestamp>-<hash>``, Django's reset-token
shape) keep working for their 7 days while the user has no recorded invitation.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from portal.models import Invitation, User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of ``Invitation`` rows, checked against the invitation's state."""

    key_salt = "portal.tokens.InvitationTokenGenerator"

    def _invitation_hmac(self, invitation: Invitation, secret: str | bytes) -> str:
        # The password hash too: once a password is set (by this link or any other way) every
        # earlier link is spent, as with Django's reset tokens.
        value = (
            f"{invitation.pk}:{invitation.user_id}:{int(invitation.sent_at.timestamp())}:"
            f"{invitation.user.email}:{invitation.user.password}"
        )
        return salted_hmac(
            self.key_salt, value, secret=secret, algorithm=self.algorithm
        ).hexdigest()[::2]

    def make_invitation_token(self, invitation: Invitation) -> str:
        """The token of ``invitation``'s link."""
        return f"{int_to_base36(invitation.pk)}-{self._invitation_hmac(invitation, self.secret)}"

    def invitation_for(self, user: User | None, token: str | None) -> Invitation | None:
        """The invitation of ``user`` that ``token`` was genuinely made for, whatever its state
        (newest, superseded, expired); None for a forged, malformed, legacy or spent token
        (a password was set since)."""
        if not (user and token) or token.count("-") != 1:
            return None
        id_b36, digest = token.split("-")
        try:
            pk = base36_to_int(id_b36)
        except ValueError:
            return None
        invitation = Invitation.objects.select_related("user").filter(pk=pk, user=user).first()
        if invitation is None:
            return None
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._invitation_hmac(invitation, secret), digest):
                return invitation
        return None

    def check_token(self, user: User | None, token: str | None) -> bool:
        """True while ``token`` may set ``user``'s first password: it names the newest
        invitation, which is neither expired nor accepted (or it is a legacy token, see the
        module docstring)."""
        from portal.invitations import InvitationState, invitation_state

        invitation = self.invitation_for(user, token)
        if invitation is not None:
            return invitation_state(invitation) == InvitationState.VALID
        return self._legacy_check(user, token)

    def _legacy_check(self, user: User | None, token: str | None) -> bool:
        # Django's reset token with its own salt and a lifetime of INVITATION_TIMEOUT_DAYS.
        if not (user and token) or Invitation.objects.filter(user=user).exists():
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
