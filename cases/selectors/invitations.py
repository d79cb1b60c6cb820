"""What the advisor's case page shows of the applicant's invitation (issue 10)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cases.models import Case
from portal.invitations import InvitationState, invitation_expires_at, invitation_state
from portal.models import Invitation


@dataclass(frozen=True)
class InvitationStatus:
    """The applicant login's newest invitation: ``state`` one of sent, opened, accepted,
    expired, or ``none`` (never recorded; ``accepted`` when the login has a password anyway),
    or ``no_login``; times are UTC (the template shows them in the viewer's zone);
    ``can_send`` says whether "Send again" applies."""

    state: str
    email: str
    sent_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    sends: int = 0

    @property
    def per_hour(self) -> int:
        """Sends allowed in any 60 minutes (``INVITATION_MAX_SENDS_PER_HOUR``)."""
        return int(getattr(settings, "INVITATION_MAX_SENDS_PER_HOUR", 3))

    @property
    def can_send(self) -> bool:
        return self.state in ("sent", "opened", "expired", "none")


def invitation_status_for_case(*, case: Case, now: dt.datetime | None = None) -> InvitationStatus:
    """The status of the invitation of ``case``'s applicant (the caller already holds the
    case through ``case_get_for_user``, so it may see it). Two queries at most."""
    login = case.applicant.user
    if login is None or login.firm_id != case.firm_id:
        return InvitationStatus(state="no_login", email=case.applicant.email)
    rows = list(Invitation.objects.filter(user=login).order_by("-sent_at", "-id")[:1])
    if not rows:
        state = "accepted" if login.has_usable_password() else "none"
        return InvitationStatus(state=state, email=login.email)
    newest = rows[0]
    newest.user = login
    state = invitation_state(newest, now=now or timezone.now())
    if state != InvitationState.ACCEPTED and login.has_usable_password():
        state = "accepted"  # a password set another way (a reset): the login works
    elif state == InvitationState.VALID:
        state = "opened" if newest.opened_at else "sent"
    return InvitationStatus(
        state=str(state),
        email=login.email,
        sent_at=newest.sent_at,
        opened_at=newest.opened_at,
        accepted_at=newest.accepted_at,
        expires_at=invitation_expires_at(newest),
        sends=Invitation.objects.filter(user=login).count(),
    )
