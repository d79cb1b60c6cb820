"""Invitations of applicant logins: each send is an ``Invitation`` row with its own link.

State of one invitation (``invitation_state``): accepted (the password was set), superseded
(a newer invitation was sent: its link no longer works), expired (more than
``INVITATION_TIMEOUT_DAYS`` days, 7 by default, after it was sent), opened (its link was
visited) or sent. Only a sent or opened invitation's link sets a password.

Sending is limited to ``INVITATION_MAX_SENDS_PER_HOUR`` (default 3) emails per applicant in
any 60 minutes, counted from the rows themselves; the first invitation counts too.
"""

import datetime as dt
import enum

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.errors import InvalidInput, RateLimited
from portal.mail import account_mail_send, language_of
from portal.models import Invitation, User

WINDOW = dt.timedelta(hours=1)


class InvitationState(enum.StrEnum):
    """Where one invitation stands (see the module docstring)."""

    VALID = "valid"  # sent or opened: its link works
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    ACCEPTED = "accepted"


def invitation_expires_at(invitation: Invitation) -> dt.datetime:
    """When the link stops working (UTC): ``INVITATION_TIMEOUT_DAYS`` days after sending."""
    return invitation.sent_at + dt.timedelta(days=settings.INVITATION_TIMEOUT_DAYS)


def invitation_state(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    """The state of ``invitation`` at ``now`` (default: the current time): accepted, then
    superseded, then expired, else valid. (A link is also spent once a password is set by any
    route: ``portal/tokens.py``.)"""
    now = now or timezone.now()
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    newer = Invitation.objects.filter(user_id=invitation.user_id).filter(
        sent_at__gt=invitation.sent_at
    ) | Invitation.objects.filter(
        user_id=invitation.user_id, sent_at=invitation.sent_at, pk__gt=invitation.pk
    )
    if newer.exists():
        return InvitationState.SUPERSEDED
    if now > invitation_expires_at(invitation):
        return InvitationState.EXPIRED
    return InvitationState.VALID


def invitation_create(*, user: User, sent_by: User | None) -> Invitation:
    """Record a new invitation of ``user`` sent now; from then on only its link works. No
    email and no rate limit here (``invitation_send`` does both)."""
    assert user.firm_id is not None  # noqa: S101 - applicant logins always belong to a firm
    return Invitation.objects.create(
        firm_id=user.firm_id, user=user, sent_by=sent_by, sent_at=timezone.now()
    )


def invitation_link_for(invitation: Invitation) -> str:
    """The absolute one-time link of ``invitation``."""
    from portal.tokens import invitation_token_generator

    uidb64 = urlsafe_base64_encode(force_bytes(invitation.user_id))
    token = invitation_token_generator.make_invitation_token(invitation)
    path = reverse("invitation_accept", kwargs={"uidb64": uidb64, "token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def invitation_email(invitation_id: int, invited_by: str) -> None:
    """Email the link of invitation ``invitation_id`` in its user's language (after commit)."""
    invitation = Invitation.objects.select_related("user").get(pk=invitation_id)
    user = invitation.user
    account_mail_send(
        address=user.email,
        language=language_of(user),
        subject_template="portal/email/invitation_subject.txt",
        body_template="portal/email/invitation.txt",
        context={
            "user": user,
            "link": invitation_link_for(invitation),
            "invited_by": invited_by,
            "days": settings.INVITATION_TIMEOUT_DAYS,
        },
    )


def _local(moment: dt.datetime, viewer: User) -> dt.datetime:
    from cases.reminders.schedule import zone

    return moment.astimezone(zone(viewer.time_zone))


def invitation_send(*, user: User, sent_by: User, now: dt.datetime | None = None) -> Invitation:
    """Send ``user`` (an applicant login without a password) a new invitation; earlier links
    stop working. The email goes out after commit.

    Raises ``InvalidInput`` when the login is inactive, not an applicant's or already has a
    password, and ``RateLimited`` after ``INVITATION_MAX_SENDS_PER_HOUR`` sends in 60 minutes,
    its message saying when (in ``sent_by``'s time zone) the next send is possible."""
    if not user.is_active or user.is_staff_member:
        raise InvalidInput(_("This login cannot be invited; check the applicant's account."))
    if user.has_usable_password():
        raise InvalidInput(
            _(
                "The applicant has already set a password and can log in. If they forgot it, "
                "they can reset it from the login page."
            )
        )
    limit = int(getattr(settings, "INVITATION_MAX_SENDS_PER_HOUR", 3))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one sender at a time
        now = now or timezone.now()
        recent = list(
            Invitation.objects.filter(user=user, sent_at__gt=now - WINDOW)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            retry_at = recent[-1] + WINDOW
            local = _local(retry_at, sent_by)
            raise RateLimited(
                _(
                    "The invitation was already sent %(n)d times in the last hour. You can "
                    "send it again at %(time)s on %(date)s."
                )
                % {"n": limit, "time": local.strftime("%H:%M"), "date": local.date().isoformat()},
                details={"retry_at": retry_at.isoformat()},
            )
        invitation = invitation_create(user=user, sent_by=sent_by)
        inviter = sent_by.get_full_name()
        transaction.on_commit(lambda: invitation_email(invitation.pk, inviter))
    return invitation


def invitation_mark_opened(*, invitation: Invitation) -> bool:
    """Record the first visit of a working link (a conditional UPDATE: once)."""
    hit = Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    return bool(hit)


def invitation_mark_accepted(*, user: User) -> int:
    """``user`` set their first password through an invitation link: record it on their newest
    invitation (called in the same request; once)."""
    newest = Invitation.objects.filter(user=user).order_by("-sent_at", "-id").first()
    if newest is None:
        return 0
    now = timezone.now()
    return Invitation.objects.filter(pk=newest.pk, accepted_at__isnull=True).update(
        accepted_at=now, opened_at=newest.opened_at or now
    )
