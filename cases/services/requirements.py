"""Writes to document requirements themselves (not their files): waivers and due dates."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    SATISFIED_STATUSES,
    DocumentRequirement,
    EventKind,
    RequirementStatus,
)
from cases.services.events import case_touch, event_record
from cases.services.summary import case_summary_refresh
from cases.services.timeline_text import event_data
from portal.audit import audit_update
from portal.dates import check_due_date
from portal.errors import InvalidInput, NotAllowed
from portal.models import User


def requirement_waive(*, requirement: DocumentRequirement, reason: str, actor: User) -> None:
    """Mark a requirement as not needed for this case, with a written reason.
    Raises ``NotAllowed`` for non-staff and ``InvalidInput`` without a reason."""
    case = requirement.case
    if not permissions.can_review(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can waive a document."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Write the reason for waiving this document."))
    if requirement.status in SATISFIED_STATUSES:
        raise InvalidInput(_("This document is already accepted or waived."))
    with transaction.atomic():
        DocumentRequirement.objects.filter(pk=requirement.pk).update(
            status=RequirementStatus.WAIVED, waived_reason=reason, updated_at=timezone.now()
        )
        audit_update(
            requirement,
            {
                "status": (requirement.status, RequirementStatus.WAIVED),
                "waived_reason": ("", reason),
            },
            actor=actor,
        )
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.WAIVE,
            before=requirement.status,
            after=RequirementStatus.WAIVED,
            data=event_data(
                "waive",
                requirement=requirement.code,
                name_en=requirement.name_en,
                name_zh=requirement.name_zh,
                reason=reason,
            ),
        )
        case_summary_refresh(case_ids=[case.pk])
    requirement.refresh_from_db()


def requirement_set_due_date(
    *, requirement: DocumentRequirement, due_date: dt.date | None, actor: User
) -> DocumentRequirement:
    """Set (or clear, with ``None``) the due date of one requirement, a date in the case's time
    zone, and record the change on the timeline. Raises ``NotAllowed`` unless ``actor`` is staff
    on the case, ``InvalidInput`` for a date outside 2000-01-01 .. 10 years ahead. Unchanged
    dates write nothing."""
    case = requirement.case
    if not permissions.is_case_staff(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can change due dates."))
    check_due_date(due_date, today=timezone.localdate())
    with transaction.atomic():
        locked = DocumentRequirement.objects.select_for_update().get(pk=requirement.pk)
        if locked.due_date == due_date:
            return locked
        before = locked.due_date
        DocumentRequirement.objects.filter(pk=locked.pk).update(
            due_date=due_date, updated_at=timezone.now()
        )
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.UPDATE,
            before=before.isoformat() if before else "",
            after=due_date.isoformat() if due_date else "",
            data=event_data(
                "due_date",
                requirement=locked.code,
                due_date=due_date.isoformat() if due_date else None,
                name_en=locked.name_en,
                name_zh=locked.name_zh,
            ),
        )
        case_touch(case)
        case_summary_refresh(case_ids=[case.pk])
    locked.refresh_from_db()
    return locked
