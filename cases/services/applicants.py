"""Applicant writes: creating an applicant (with an optional login invitation).

Applicants are found, never claimed: an email address never links a new case to an existing
applicant. A second case for an applicant is a deliberate choice of one the actor may see
(``case_open_for_applicant(applicant=...)``); an address of an applicant the actor may not see
is refused with ``NOT_AVAILABLE``, which does not say whether the address is registered.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.models import Applicant, Case, EventKind
from cases.services.events import event_record
from cases.services.timeline_text import event_data
from portal.errors import InvalidInput, NotAllowed
from portal.identity import email_canonical, email_clean
from portal.invitations import invitation_send
from portal.models import Firm, Invitation, User
from portal.services import user_invite_applicant


def applicant_check_birth_date(value: dt.date | None) -> None:
    """The portal's one rule for a date of birth: empty, or before today (server's local date).
    Raises ``InvalidInput`` (field ``date_of_birth``). Forms and serializers call this for
    their field messages; the services call it before saving."""
    if value is not None and value >= timezone.localdate():
        raise InvalidInput(
            _("The date of birth must be in the past."), details={"field": "date_of_birth"}
        )


def applicant_firm_for(*, actor: User, firm: Firm | None = None) -> Firm:
    """The firm a new applicant of ``actor`` belongs to: the actor's own firm; a platform
    admin names one. Raises ``NotAllowed`` unless ``actor`` is staff of that firm."""
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can add applicants."))
    firm = firm or actor.firm
    if firm is None or not permissions.is_firm_member(actor, firm.pk):
        raise NotAllowed(_("Choose the firm the applicant belongs to."))
    return firm


# Said whenever an address cannot be used for a new applicant and the actor may not learn why.
NOT_AVAILABLE = gettext_lazy(
    "We cannot open a case with this email address. Check the address with the applicant; "
    "if they already work with your firm, ask a supervisor to open the case."
)


def applicant_create(
    *, actor: User, invite: bool = True, firm: Firm | None = None, **fields: Any
) -> Applicant:
    """Create an applicant of ``firm`` (default: the actor's) from passport-style fields; with
    ``invite`` also create their login and email a one-time set-password link (an address of
    another firm's account gets no login: see ``user_invite_applicant``).

    Emails are compared in their canonical form (``portal.identity``: letter case, full-width
    forms and invisible characters do not make another address); the stored address is the
    typed one normalised (``email_clean``), and mail goes only to it.

    Raises ``NotAllowed`` unless ``actor`` is staff of that firm; ``InvalidInput`` for an
    address that is not one or looks like another (mixed alphabets, look-alike letters), or
    when the email belongs to an applicant of the firm (naming them only when ``actor`` may
    see them, else ``NOT_AVAILABLE``) or to a staff account of the firm."""
    from cases.selectors.cases import applicant_list_for_user

    firm = applicant_firm_for(actor=actor, firm=firm)
    language = fields.pop("preferred_language", "en")
    try:
        fields["email"] = email_clean(fields.get("email") or "")
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details={"field": "email"}) from exc
    existing = Applicant.objects.filter(firm=firm, email_canonical=email_canonical(fields["email"]))
    if existing.exists():
        if applicant_list_for_user(user=actor).filter(pk__in=existing.values("pk")).exists():
            raise InvalidInput(
                _(
                    "An applicant with this email address already exists. To open another "
                    'case for them, use "Open another case" on one of their cases.'
                ),
                details={"field": "email"},
            )
        raise InvalidInput(str(NOT_AVAILABLE), details={"field": "email"})
    with transaction.atomic():
        applicant = Applicant(firm=firm, **fields)
        try:
            applicant.full_clean()  # model validators: plausible dates, country code, email
        except ValidationError as exc:
            raise InvalidInput(
                " ".join(exc.messages), details={"fields": exc.message_dict}
            ) from exc
        applicant_check_birth_date(applicant.date_of_birth)
        if invite:
            applicant.user = user_invite_applicant(
                firm=firm,
                email=applicant.email,
                full_name=applicant.full_name,
                preferred_language=language,
                invited_by=actor,
            )
            login = applicant.user
            if login is not None and Applicant.objects.filter(user=login).exists():
                # The login already has an applicant record (under another address).
                raise InvalidInput(str(NOT_AVAILABLE), details={"field": "email"})
        try:
            with transaction.atomic():
                applicant.save()
        except IntegrityError as exc:
            # A concurrent opening created an applicant with this canonical email first.
            raise InvalidInput(str(NOT_AVAILABLE), details={"field": "email"}) from exc
    return applicant


def case_invitation_resend(*, case: Case, actor: User) -> Invitation:
    """Send the applicant of ``case`` a new invitation email ("Send again"): earlier links
    stop working and say that a newer email was sent. Records an "Invitation sent" event.

    Raises ``NotAllowed`` unless ``actor`` is staff on the case; ``InvalidInput`` when the
    applicant has no login of this firm or already set a password; ``RateLimited`` after 3
    sends in 60 minutes (``portal.invitations.invitation_send``, which says when)."""
    if not permissions.is_case_staff(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can send the invitation."))
    login = case.applicant.user
    if login is None or login.firm_id != case.firm_id:
        raise InvalidInput(
            _(
                "This applicant has no login with your firm, so there is no invitation to "
                "send. Check their email address with them."
            )
        )
    with transaction.atomic():
        invitation = invitation_send(user=login, sent_by=actor)
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.INVITE,
            data=event_data("invite", invitation=invitation.pk, email=login.email),
        )
    return invitation
