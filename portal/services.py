"""Account services: inviting users, two-factor enrolment, deactivation, personal API
tokens."""

import datetime as dt
import hashlib
import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit import audit_update
from portal.errors import InvalidInput, NotAllowed
from portal.firms import is_firm_member
from portal.identity import email_canonical, email_normalize
from portal.invitations import invitation_create, invitation_email, invitation_link_for
from portal.mail import account_mail_send, language_of
from portal.models import ApiToken, Firm, Role, User


def invitation_link(user: User) -> str:
    """A new invitation of ``user`` (earlier links stop working) and its absolute one-time
    link, valid 7 days; no email, no rate limit (``portal.invitations.invitation_send``)."""
    return invitation_link_for(invitation_create(user=user, sent_by=None))


def user_invite_applicant(
    *, firm: Firm, email: str, full_name: str, preferred_language: str, invited_by: User
) -> User | None:
    """The applicant login of ``firm`` for ``email``, created when missing, with a one-time
    set-password link emailed to it; ``None`` when the address already belongs to an account
    of another firm. That account is never linked or changed (applicants are found, never
    claimed): its owner is told by email that a firm opened a case for them, and the caller
    answers exactly as for a new address, so nobody learns that the address is registered.

    The account is found by canonical email (``portal.identity``); mail goes to the stored
    address of an existing account, never to the typed one. Raises ``InvalidInput`` when the
    email belongs to a staff account of ``firm``. Emails are sent after the surrounding
    transaction commits.
    """
    email = email_normalize(email).lower()
    user = User.objects.filter(email_canonical=email_canonical(email)).first()
    inviter = invited_by.get_full_name()
    if user is not None and user.firm_id != firm.pk:
        address, language, firm_name = user.email, language_of(user), firm.name
        transaction.on_commit(
            lambda: _send_case_elsewhere(address, language, inviter=inviter, firm_name=firm_name)
        )
        return None
    if user is None:
        user = User.objects.create_user(
            email=email,
            firm=firm,
            full_name=full_name,
            role=Role.APPLICANT,
            preferred_language=preferred_language,
        )
    elif user.role != Role.APPLICANT:
        raise InvalidInput(
            _("This email address belongs to a staff account; use the applicant's own address.")
        )
    if not user.has_usable_password():
        invitation = invitation_create(user=user, sent_by=invited_by)
        transaction.on_commit(lambda: invitation_email(invitation.pk, inviter))
    return user


def _send_case_elsewhere(address: str, language: str, *, inviter: str, firm_name: str) -> None:
    """Tell the owner of ``address`` (an account of another firm) that ``firm_name`` opened a
    case for them which their account cannot see; sent in the account's language."""
    account_mail_send(
        address=address,
        language=language,
        subject_template="portal/email/case_elsewhere_subject.txt",
        body_template="portal/email/case_elsewhere.txt",
        context={"invited_by": inviter, "firm_name": firm_name},
    )


# --- two-factor enrolment (django-otp) --------------------------------------------------------


def two_factor_enrol_start(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first call; confirmed devices
    are left alone. The QR code and the typed key both come from this device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ``PORTAL_RECOVERY_CODE_COUNT`` new single-use
    codes (django-otp static tokens, each deleted when used) and return them to show once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.PORTAL_RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def two_factor_enrol_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm a pending authenticator with a current 6-digit code and issue recovery codes.

    Raises ``InvalidInput`` when the code is wrong or too old; nothing changes then. Returns
    the new recovery codes. Other authenticators of the user are removed.
    """
    if device.user_id != user.pk or device.confirmed:
        raise InvalidInput(_("Start the set-up again."))
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise InvalidInput(_("Too many wrong codes in a row. Wait a minute and try again."))
    if not device.verify_token((token or "").strip().replace(" ", "")):
        raise InvalidInput(
            _(
                "That code did not match. Check the phone's clock and type the 6 digits your "
                "authenticator app shows now."
            )
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = recovery_codes_regenerate(user=user)
    device.confirmed = True
    return codes


def two_factor_check(*, user: User, token: str) -> Device | None:
    """The confirmed device of ``user`` that accepts ``token`` (a TOTP code or a recovery code),
    or None. Each code works once: TOTP remembers the last time step, recovery codes are
    deleted when used; django-otp throttles repeated failures per device."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            return device
    return None


# --- deactivation -----------------------------------------------------------------------------


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session of ``user`` (database row and, with the cached_db engine, its
    cache entry); returns how many. Scans live sessions only."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def _api_tokens_revoke(user: User) -> None:
    # Personal API tokens stop working at once; the rows stay for the record.
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_password_reset_done(*, user: User) -> int:
    """After ``user`` set a new password through a reset link: revoke every personal API token
    (whoever could reset the password must not keep, or have kept, a working token). Django
    already ends the other sessions (the session hash changes). Returns how many tokens."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def user_deactivate(*, user: User, actor: User | None) -> User:
    """Deactivate ``user``: they cannot log in, their sessions end and their API tokens are
    revoked at once. Raises ``NotAllowed`` when ``actor`` is not an admin or deactivates
    themself."""
    if actor is not None:
        if not (actor.is_portal_admin and is_firm_member(actor, user.firm_id)):
            raise NotAllowed(_("Only admins of the account's firm can deactivate it."))
        if actor.pk == user.pk:
            raise NotAllowed(_("You cannot deactivate your own account."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        user_sessions_end(user=user)
        _api_tokens_revoke(user)
        audit_update(user, {"is_active": (True, False)}, actor=actor)
    return user


# --- personal API tokens ----------------------------------------------------------------------

API_TOKEN_MAX_ACTIVE = 20


def api_token_hash(key: str) -> str:
    """SHA-256 hex digest of a full token key (what the database stores)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for ``user`` and return it with its full key, which is
    shown once and stored only as a SHA-256 digest. ``expires_in_days`` (1..3650 days) or None
    for no expiry. Raises ``NotAllowed`` unless ``user`` is an active advisor or admin and
    ``InvalidInput`` for an empty name or more than 20 active tokens."""
    if not (user.is_active and user.is_staff_member):
        raise NotAllowed(_("Only advisors and admins can create API tokens."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the token a name, such as the tool that will use it."))
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInput(_("A token expires after 1 to 3650 days."))
    if ApiToken.objects.filter(user=user).active().count() >= API_TOKEN_MAX_ACTIVE:
        raise InvalidInput(
            _("You have %(n)s active tokens; revoke one first.") % {"n": API_TOKEN_MAX_ACTIVE}
        )
    prefix = secrets.token_hex(4)
    key = f"vcp_{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        key_hash=api_token_hash(key),
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke ``token`` (its owner or an admin); revoking twice is a no-op. Raises
    ``NotAllowed`` for anyone else."""
    firm_admin = actor.is_portal_admin and is_firm_member(actor, token.user.firm_id)
    if not (actor.is_active and (firm_admin or token.user_id == actor.pk)):
        raise NotAllowed(_("Only the token's owner or an admin can revoke it."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken, now: dt.datetime) -> None:
    """Record when a token was last used, at most once every 5 minutes (saves a write per
    request)."""
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def user_preferences_update(
    *, user: User, preferred_language: str | None = None, time_zone: str | None = None
) -> User:
    """Save ``user``'s interface language (``en`` or ``zh-hans``) and/or time zone (an IANA
    name such as ``Asia/Shanghai``); ``None`` leaves a value as it is. Raises
    ``InvalidInput`` (``details["field"]``) for a language or zone outside those lists."""
    from django.core.exceptions import ValidationError

    from portal.models import Language, validate_time_zone

    fields: list[str] = []
    if preferred_language is not None:
        if preferred_language not in Language.values:
            raise InvalidInput(
                _("Choose English or Simplified Chinese."),
                details={"field": "preferred_language"},
            )
        user.preferred_language = preferred_language
        fields.append("preferred_language")
    if time_zone is not None:
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            raise InvalidInput(
                _("Choose a time zone from the list, such as Asia/Shanghai."),
                details={"field": "time_zone"},
            ) from exc
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)
    return user
