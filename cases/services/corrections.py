"""Corrections the applicant proposes to their own identity and passport details.

The applicant proposes (``correction_propose``), validated like an advisor's edit; staff on
one of their cases confirm it, which writes the values through ``applicant_record_update``
(the one writer of those fields), or decline it with a reason the applicant reads
(``correction_decide``). A newer proposal replaces a pending one. Each step writes a CaseEvent
on the applicant's cases (passport numbers masked) and tells the other side
(``cases/services/notifications_corrections.py``).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    Applicant,
    Case,
    CaseEvent,
    CorrectionProposal,
    CorrectionStatus,
    EventKind,
)
from cases.services.events import event_build, events_record
from cases.services.notifications_corrections import (
    notify_correction_decided,
    notify_correction_proposed,
)
from cases.services.records import (
    RecordChange,
    applicant_record_check,
    applicant_record_update,
    clean_record_value,
    record_diff,
    record_text,
    stored_value,
)
from portal.errors import InvalidInput, NotAllowed, StaleObject
from portal.models import User

NOTE_MAX_CHARS = 1000
REASON_MAX_CHARS = 1000


def _as_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def correction_values(proposal: CorrectionProposal) -> dict[str, Any]:
    """The proposed values of ``proposal`` as the record holds them (dates as ``date``)."""
    return {k: clean_record_value(Applicant, k, v) for k, v in proposal.changes.items()}


def _record(applicant: Applicant, actor: User, data: dict[str, Any]) -> list[CaseEvent]:
    cases = Case.objects.filter(applicant_id=applicant.pk).only("pk").order_by("pk")
    return events_record(
        event_build(case=c, actor=actor, kind=EventKind.UPDATE, data=data) for c in cases
    )


def _text(name: str, value: str, limit: int) -> str:
    if "\x00" in value:
        raise InvalidInput(
            _("The text contains a NUL character; remove it and try again."),
            details={"field": name},
        )
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(
            _("Write at most %(max)d characters (this is %(n)d).")
            % {"max": limit, "n": len(value)},
            details={"field": name},
        )
    return value


def correction_propose(
    *, applicant: Applicant, actor: User, changes: Mapping[str, Any], note: str = ""
) -> CorrectionProposal:
    """Record the applicant's proposed new values (some of ``APPLICANT_RECORD_FIELDS``) and an
    optional ``note`` (at most 1,000 characters) for their advisor; a pending proposal of the
    applicant is marked replaced. Only values that differ from the record are kept.

    Raises ``NotAllowed`` unless ``actor`` is the applicant's login, ``InvalidInput`` for a
    value intake would refuse or when nothing differs."""
    if not permissions.can_propose_correction(actor, applicant):
        raise NotAllowed(_("Only the applicant can propose corrections to their details."))
    note = _text("note", note or "", NOTE_MAX_CHARS)
    values = applicant_record_check(applicant=applicant, changes=changes)
    diff = record_diff(applicant, values)
    if not diff:
        raise InvalidInput(
            _("These are the details we already have. Change the ones that are wrong, then send.")
        )
    with transaction.atomic():
        CorrectionProposal.objects.filter(
            applicant=applicant, status=CorrectionStatus.PENDING
        ).update(status=CorrectionStatus.WITHDRAWN)
        try:
            with transaction.atomic():
                proposal = CorrectionProposal.objects.create(
                    firm_id=applicant.firm_id,
                    applicant=applicant,
                    proposed_by=actor,
                    changes={k: _as_json(v) for k, v in diff.items()},
                    before={k: record_text(k, stored_value(applicant, k)) for k in diff},
                    note=note,
                )
        except IntegrityError:
            raise StaleObject(
                _("Another correction was sent at the same moment; reload the page.")
            ) from None
        events = _record(
            applicant,
            actor,
            {"correction": proposal.pk, "correction_event": "proposed", "fields": list(diff)},
        )
        notify_correction_proposed(proposal=proposal, events=events, actor=actor)
    return proposal


def correction_decide(
    *, proposal: CorrectionProposal, actor: User, confirm: bool, reason: str = ""
) -> RecordChange:
    """Confirm ``proposal`` (its values are written by ``applicant_record_update``, checked
    again) or decline it with ``reason`` (required, at most 1,000 characters; the applicant
    reads it). Returns what changed (nothing when declined).

    Raises ``NotAllowed`` unless ``actor`` is staff on one of the applicant's cases,
    ``InvalidInput`` without a reason to decline or when a value is no longer acceptable,
    ``StaleObject`` when the proposal was already decided or replaced."""
    applicant = proposal.applicant
    if not permissions.can_edit_applicant_record(actor, applicant):
        raise NotAllowed(_("Only the advisor of one of the applicant's cases can decide this."))
    reason = _text("reason", reason or "", REASON_MAX_CHARS)
    if not confirm and not reason:
        raise InvalidInput(
            _("Say why you decline, so the applicant knows what to do next."),
            details={"field": "reason"},
        )
    with transaction.atomic():
        hit = CorrectionProposal.objects.filter(
            pk=proposal.pk, status=CorrectionStatus.PENDING
        ).update(
            status=CorrectionStatus.CONFIRMED if confirm else CorrectionStatus.DECLINED,
            decided_by=actor,
            decided_at=timezone.now(),
            decline_reason="" if confirm else reason,
        )
        if hit != 1:
            raise StaleObject(
                _("This correction was already confirmed, declined or replaced; reload the page.")
            )
        if confirm:
            version = Applicant.objects.values_list("version", flat=True).get(pk=applicant.pk)
            result = applicant_record_update(
                applicant=applicant,
                actor=actor,
                changes=correction_values(proposal),
                version=version,
                correction_id=proposal.pk,
            )
            # The events of the changed fields name the correction (``applicant_record_update``).
            events = list(
                CaseEvent.objects.filter(
                    case__applicant_id=applicant.pk, data__correction=str(proposal.pk)
                ).order_by("pk")
            )
            if not events:  # the record already held these values: say so on the timeline
                events = _record(
                    applicant,
                    actor,
                    {"correction": proposal.pk, "correction_event": "confirmed"},
                )
        else:
            result = RecordChange()
            events = _record(
                applicant,
                actor,
                {"correction": proposal.pk, "correction_event": "declined", "reason": reason},
            )
        proposal.refresh_from_db()
        notify_correction_decided(proposal=proposal, events=events, actor=actor, confirmed=confirm)
    return result
