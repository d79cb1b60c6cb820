"""Writes of deadlines and reminders: case tasks, bulk due dates, notifications, preferences,
calendar feed tokens. Each checks permission and records a CaseEvent where a case changes."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    CalendarFeed,
    Case,
    CaseTask,
    DeliveryStatus,
    DocumentRequirement,
    EventKind,
    Notification,
    ReminderDelivery,
    ReminderPreference,
)
from cases.reminders.schedule import local_today
from cases.services.events import event_build, event_record, events_record
from cases.services.summary import case_summary_refresh
from cases.services.timeline_text import event_data
from portal.dates import check_due_date, check_not_past
from portal.errors import InvalidInput, NotAllowed
from portal.firms import firm_scope
from portal.models import User

MAX_BULK_CASES = 500


def _check_assignee(assignee: User | None, case: Case) -> None:
    """Task assignees must be able to see the case (``permissions.can_be_task_assignee``)."""
    if assignee is not None and not permissions.can_be_task_assignee(assignee, case):
        raise InvalidInput(
            _("Tasks can only be assigned to an active advisor who works on this case."),
            details={"field": "assignee"},
        )


def task_create(
    *, case: Case, title: str, due_date: dt.date | None, assignee: User | None, actor: User
) -> CaseTask:
    """Add an ad-hoc task to ``case``; ``due_date`` is a date in the case's time zone.
    Raises ``NotAllowed`` unless ``actor`` is staff on the case, ``InvalidInput`` for an empty
    title, a non-advisor assignee or a due date outside 2000-01-01 .. 10 years ahead."""
    if not permissions.is_case_staff(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can add tasks."))
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the task a title."))
    _check_assignee(assignee, case)
    check_due_date(due_date, today=timezone.localdate())
    with transaction.atomic():
        task = CaseTask.objects.create(
            case=case, title=title[:200], due_date=due_date, assignee=assignee, created_by=actor
        )
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.UPDATE,
            internal=True,
            data=event_data(
                "task",
                change="added",
                title=title,
                task=task.pk,
                due_date=due_date.isoformat() if due_date else None,
            ),
        )
    return task


def task_set_done(*, task: CaseTask, done: bool, actor: User) -> CaseTask:
    """Mark a task done (or open again). Raises ``NotAllowed`` unless staff on the case."""
    case = task.case
    if not permissions.is_case_staff(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can change tasks."))
    with transaction.atomic():
        hit = CaseTask.objects.filter(pk=task.pk, done=not done).update(
            done=done, done_at=timezone.now() if done else None
        )
        if hit:
            event_record(
                case=case,
                actor=actor,
                kind=EventKind.UPDATE,
                internal=True,
                data=event_data(
                    "task",
                    change="done" if done else "reopened",
                    title=task.title,
                    task=task.pk,
                    done=done,
                ),
            )
    task.refresh_from_db()
    return task


def task_delete(*, task: CaseTask, actor: User) -> bool:
    """Remove a task of a case (the confirmation page asks first). Its pending reminders are
    dropped by the sweep ("task done or removed"). Raises ``NotAllowed`` unless ``actor`` is
    staff on the case; True when this call removed it (False: already gone)."""
    case = task.case
    if not permissions.is_case_staff(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can remove tasks."))
    with transaction.atomic():
        deleted, _rows = CaseTask.objects.filter(pk=task.pk, case=case).delete()
        if deleted:
            event_record(
                case=case,
                actor=actor,
                kind=EventKind.UPDATE,
                internal=True,
                data=event_data(
                    "task", change="removed", title=task.title, task=task.pk, removed=True
                ),
            )
    return bool(deleted)


def requirement_bulk_set_due_date(
    *, actor: User, case_ids: list[int], code: str, due_date: dt.date
) -> int:
    """Set ``due_date`` on the requirement with checklist ``code`` in each selected case.

    All or nothing: raises ``InvalidInput`` when no case is selected, more than 500 are, or
    any selected case is not one ``actor`` runs or lacks that requirement (the message names
    them), ``due_date`` lies outside 2000-01-01 .. 10 years ahead, or it is in the past for any
    selected case (``portal.dates.check_not_past``, the open-case form's rule, read in each
    case's time zone); ``NotAllowed`` for non-staff. Returns the number of requirements changed. One
    UPDATE and one bulk insert of CaseEvents.
    """
    if not (actor.is_authenticated and actor.is_active and actor.is_staff_member):
        raise NotAllowed(_("Only advisors and admins can set due dates."))
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise InvalidInput(_("Select at least one case."))
    check_due_date(due_date, today=timezone.localdate())
    if len(ids) > MAX_BULK_CASES:
        raise InvalidInput(_("Select at most %(n)d cases at once.") % {"n": MAX_BULK_CASES})
    cases = {
        c.pk: c
        for c in Case.objects.visible_to(actor).select_related("applicant").filter(pk__in=ids)
    }
    not_yours = [i for i in ids if i not in cases or not permissions.is_case_staff(actor, cases[i])]
    if not_yours:
        raise InvalidInput(
            _("You cannot change %(n)d of the selected cases; reload the page.")
            % {"n": len(not_yours)}
        )
    now = timezone.now()
    for case in cases.values():  # a due date is a date in its case's zone
        check_not_past(
            due_date, field="due_date", what=_("due date"), today=local_today(now, case.time_zone)
        )
    with transaction.atomic():
        reqs = list(
            DocumentRequirement.objects.select_for_update()
            .filter(case_id__in=ids, code=code)
            .order_by("case_id")
        )
        missing = sorted(set(ids) - {r.case_id for r in reqs})
        if missing:
            raise InvalidInput(
                _("These cases have no “%(code)s” requirement: %(refs)s.")
                % {"code": code, "refs": ", ".join(cases[i].reference for i in missing)}
            )
        DocumentRequirement.objects.filter(pk__in=[r.pk for r in reqs]).update(
            due_date=due_date, updated_at=timezone.now()
        )
        events_record(
            event_build(
                case_id=r.case_id,
                actor=actor,
                kind=EventKind.UPDATE,
                before=r.due_date.isoformat() if r.due_date else "",
                after=due_date.isoformat(),
                data=event_data(
                    "due_date",
                    requirement=r.code,
                    due_date=due_date.isoformat(),
                    name_en=r.name_en,
                    name_zh=r.name_zh,
                ),
            )
            for r in reqs
        )
        case_summary_refresh(case_ids=ids)
    return len(reqs)


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications (or all, when no id) read; returns rows changed.
    Another user's notification changes nothing."""
    qs = Notification.objects.unread().filter(user=user)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def preference_update(*, user: User, daily_digest: bool, skip_optional: bool) -> ReminderPreference:
    """Save ``user``'s reminder choices. The digest is for advisors only (ignored otherwise);
    the overdue notice to the assigned advisor is sent whatever ``skip_optional`` says."""
    pref, _created = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "daily_digest": bool(daily_digest and user.is_staff_member),
            "skip_optional": bool(skip_optional),
        },
    )
    return pref


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_rotate(*, user: User) -> str:
    """Create (or replace) ``user``'s calendar feed and return the new secret token (43 URL-safe
    characters, 256 bits). Only its SHA-256 is stored; the old link stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _hash(token)})
    return token


def calendar_feed_revoke(*, user: User) -> bool:
    """Revoke ``user``'s calendar feed link; True when there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_user(*, token: str) -> User | None:
    """The active user whose feed token is ``token``, else None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def reminder_deliveries_retry(*, actor: User, delivery_ids: list[int]) -> int:
    """Put failed deliveries back in the queue (attempts reset, due now), e.g. after an SMTP
    outage; the next sweep re-checks and sends them. Only failed rows change. Raises
    ``NotAllowed`` unless ``actor`` is an admin; rows of other firms are left alone. Returns
    the number of rows requeued."""
    if not (actor.is_active and actor.is_portal_admin):
        raise NotAllowed(_("Only admins can retry reminders."))
    rows = firm_scope(ReminderDelivery.objects.all(), actor, path="case__firm")
    return rows.filter(pk__in=delivery_ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, send_after=timezone.now(), claimed_at=None
    )
