"""Applicant writes: find-or-create by email and create (with an optional login invitation)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Applicant
from portal.errors import InvalidInput, NotAllowed
from portal.models import Firm, User
from portal.services import user_invite_applicant


def applicant_check_birth_date(value: dt.date | None) -> None:
    """The portal's one rule for a date of birth: empty, or before today (server's local date).
    Raises ``InvalidInput`` (field ``date_of_birth``). Forms and serializers call this for
    their field messages; the services call it before saving."""
    if value is not None and value >= timezone.localdate():
        raise InvalidInput(
            _("The date of birth must be in the past."), details={"field": "date_of_birth"}
        )


def applicant_get_or_create(
    *, actor: User, invite: bool = True, firm: Firm | None = None, **fields: Any
) -> tuple[Applicant, bool]:
    """The applicant of ``firm`` (default: the actor's) with this email if one exists
    (unchanged: their recorded passport data wins), else a new one via ``applicant_create``.
    Applicants of other firms are never found. Returns ``(applicant, created)``.
    Raises ``NotAllowed`` unless ``actor`` is staff of that firm."""
    firm = applicant_firm_for(actor=actor, firm=firm)
    email = (fields.get("email") or "").strip()
    existing = Applicant.objects.filter(firm=firm, email__iexact=email).order_by("id").first()
    if existing is not None:
        return existing, False
    return applicant_create(actor=actor, invite=invite, firm=firm, **fields), True


def applicant_firm_for(*, actor: User, firm: Firm | None = None) -> Firm:
    """The firm a new applicant of ``actor`` belongs to: the actor's own firm; a platform
    admin names one. Raises ``NotAllowed`` unless ``actor`` is staff of that firm."""
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can add applicants."))
    firm = firm or actor.firm
    if firm is None or not permissions.is_firm_member(actor, firm.pk):
        raise NotAllowed(_("Choose the firm the applicant belongs to."))
    return firm


def applicant_create(
    *, actor: User, invite: bool = True, firm: Firm | None = None, **fields: Any
) -> Applicant:
    """Create an applicant of ``firm`` (default: the actor's) from passport-style fields; with
    ``invite`` also create their login and email a one-time set-password link. Raises
    ``NotAllowed`` unless ``actor`` is staff of that firm, ``InvalidInput`` when the email
    already belongs to an applicant of the firm or to a staff account."""
    firm = applicant_firm_for(actor=actor, firm=firm)
    language = fields.pop("preferred_language", "en")
    email = (fields.get("email") or "").strip()
    if Applicant.objects.filter(firm=firm, email__iexact=email).exists():
        raise InvalidInput(_("An applicant with this email address already exists."))
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
        applicant.save()
    return applicant
