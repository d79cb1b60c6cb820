"""The reminder sweep: find what is due, record it in the ledger, send it, exactly once.

1. Claim by insert: ``cases/services/reminder_ledger.py`` records what is due.
2. Send after that commit: due ledger rows are fetched in batches, suppression is re-checked
   against fresh rows (deactivated users, inactive cases, satisfied requirements, done tasks,
   changed dates, preferences), in-app notifications are written in the same transaction that
   marks them sent, and each email (or advisor digest) is claimed by a conditional UPDATE,
   sent, then marked sent. A failure is retried with exponential backoff and recorded as
   failed after ``REMINDER_MAX_ATTEMPTS``; it never stops the others.

Delivery guarantee: a row is sent by one sweep only. If a worker dies between sending an email
and marking it sent (a window of one UPDATE), the row is re-sent after
``REMINDER_CLAIM_TIMEOUT_SECONDS``: at least once in that window, exactly once otherwise.
"""

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases import permissions
from cases.models import (
    EVENT_KINDS,
    OPEN_STAGES,
    PRE_SUBMISSION_STAGES,
    Audience,
    Case,
    CaseTask,
    Channel,
    DeliveryStatus,
    DocumentRequirement,
    Notification,
    ReminderDelivery,
    ReminderKind,
    ReminderPreference,
    TargetType,
    WaitingOn,
)
from cases.models.overdue import requirement_may_be_overdue
from cases.reminders import emails
from cases.reminders.schedule import passport_too_short, review_due_date
from cases.services.reminder_ledger import reminders_record_due
from cases.services.sweep_settings import setting as _setting

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """Counts of one sweep: ledger rows recorded, and rows sent, failed for good, put back for
    a retry, or suppressed."""

    recorded: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    suppressed: int = 0
    emails: int = 0


# --- 1. claim by insert -----------------------------------------------------------------------


# --- 2. re-check and send ---------------------------------------------------------------------


@dataclass
class _Fresh:
    """Current state of the targets of a batch, loaded with one query per target type."""

    requirements: dict[int, DocumentRequirement] = field(default_factory=dict)
    tasks: dict[int, CaseTask] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    preferences: dict[int, ReminderPreference] = field(default_factory=dict)
    # Notifications of events by their email's ledger row id.
    notices: dict[int, Notification] = field(default_factory=dict)


def _load_fresh(rows: list[ReminderDelivery]) -> _Fresh:
    fresh = _Fresh()
    event_rows = [r.pk for r in rows if r.rule.kind in EVENT_KINDS]
    if event_rows:
        fresh.notices = {
            n.delivery_id: n  # type: ignore[misc]
            for n in Notification.objects.filter(delivery_id__in=event_rows)
        }
    req_ids = [
        r.target_id
        for r in rows
        if r.target_type == TargetType.REQUIREMENT and r.rule.kind not in EVENT_KINDS
    ]
    task_ids = [
        r.target_id
        for r in rows
        if r.target_type == TargetType.TASK and r.rule.kind not in EVENT_KINDS
    ]
    if req_ids:
        fresh.requirements = DocumentRequirement.objects.select_related("current_document").in_bulk(
            req_ids
        )
    if task_ids:
        fresh.tasks = CaseTask.objects.in_bulk(task_ids)
    fresh.cases = Case.objects.select_related("applicant", "advisor").in_bulk(
        {r.case_id for r in rows}
    )
    fresh.preferences = {
        p.user_id: p
        for p in ReminderPreference.objects.filter(user_id__in={r.recipient_id for r in rows})
    }
    return fresh


def _suppression(row: ReminderDelivery, fresh: _Fresh) -> str:
    """Why ``row`` must not be sent now (empty when it may). Re-checked just before sending."""
    rule, recipient = row.rule, row.recipient
    case = fresh.cases.get(row.case_id)
    if not recipient.is_active:
        return "recipient deactivated"
    if rule.kind in EVENT_KINDS:
        return _event_suppression(row, fresh, case)
    if case is None or case.stage not in OPEN_STAGES:
        return "case not active (on hold, decided, closed or withdrawn)"
    if not rule.active:
        return "rule deactivated"
    pref = fresh.preferences.get(recipient.pk)
    mandatory = rule.audience == Audience.ADVISOR and row.offset_days < 0
    if pref is not None and pref.skip_optional and rule.optional and not mandatory:
        return "optional reminders turned off by the recipient"
    staff_id = case.advisor_id
    if rule.kind == ReminderKind.REVIEW_DUE:
        req = fresh.requirements.get(row.target_id)
        if req is None or req.waiting_on != WaitingOn.ADVISOR or req.current_document is None:
            return "reviewed, or the file was removed"
        due = review_due_date(
            uploaded_at=req.current_document.uploaded_at,
            case_tz=case.time_zone,
            working_days=rule.review_within_working_days,
        )
        if due != row.due_date:
            return "a newer file was uploaded"
    elif row.target_type == TargetType.REQUIREMENT:
        req = fresh.requirements.get(row.target_id)
        if req is None or req.waiting_on != WaitingOn.APPLICANT:
            return "requirement uploaded (awaiting review), accepted, waived or removed"
        if req.due_date != row.due_date:
            return "due date changed"
        if row.offset_days < 0 and not requirement_may_be_overdue(req, case):
            return "not overdue: optional requirement or case no longer collecting documents"
    elif row.target_type == TargetType.TASK:
        task = fresh.tasks.get(row.target_id)
        if task is None or task.done:
            return "task done or removed"
        if task.due_date != row.due_date:
            return "due date changed"
        staff_id = task.assignee_id or case.advisor_id
    elif rule.kind == ReminderKind.TARGET_SUBMISSION:
        if case.stage not in PRE_SUBMISSION_STAGES:
            return "case already submitted"
        if case.target_submission_date != row.due_date:
            return "due date changed"
    elif rule.kind == ReminderKind.PASSPORT_VALIDITY:
        if case.stage not in PRE_SUBMISSION_STAGES:
            return "case already submitted"
        if not passport_too_short(
            expiry=case.applicant.passport_expiry, entry=case.intended_entry_date
        ):
            return "passport now valid long enough"
        if (case.target_submission_date or case.intended_entry_date) != row.due_date:
            return "due date changed"
    expected = case.applicant.user_id if rule.audience == Audience.APPLICANT else staff_id
    if expected != recipient.pk:
        return "recipient no longer assigned"
    if not permissions.can_view_case(recipient, case):
        # Firm first: nobody is reminded of a case they may not see (moved firm, removed).
        return "recipient may not see the case"
    return ""


def _event_suppression(row: ReminderDelivery, fresh: _Fresh, case: Case | None) -> str:
    """Why the email of an event notification must not go out now (empty when it may)."""
    rule, recipient = row.rule, row.recipient
    if case is None:
        return "case removed"
    if not rule.active:
        return "rule deactivated"
    pref = fresh.preferences.get(recipient.pk)
    if pref is not None and pref.skip_optional and rule.optional:
        return "optional emails turned off by the recipient"
    if row.pk not in fresh.notices:
        return "notification removed"
    if recipient.is_staff_member:
        # The old advisor is told of a reassignment, and of nothing after it.
        if (
            rule.kind != ReminderKind.CASE_REASSIGNED
            and case.advisor_id != recipient.pk
            and not recipient.is_portal_admin
        ):
            return "recipient no longer assigned"
    elif case.applicant.user_id != recipient.pk:
        return "recipient no longer the applicant"
    return ""


def _due_rows(now: dt.datetime) -> QuerySet[ReminderDelivery]:
    stale = now - dt.timedelta(seconds=_setting("REMINDER_CLAIM_TIMEOUT_SECONDS", 900))
    return ReminderDelivery.objects.filter(send_after__lte=now).filter(
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    )


def _mark_suppressed(rows: list[tuple[ReminderDelivery, str]]) -> None:
    by_reason: dict[str, list[int]] = defaultdict(list)
    for row, reason in rows:
        by_reason[reason].append(row.pk)
    for reason, ids in by_reason.items():
        ReminderDelivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SUPPRESSED, last_error=reason
        )


def _send_in_app(now: dt.datetime, batch: int, result: SweepResult) -> None:
    """In-app reminders: notification rows and the ledger update in one transaction (no
    external side effect, so exactly once by construction). Constant queries per batch."""
    while True:
        with transaction.atomic():
            rows = list(
                _due_rows(now)
                .filter(channel=Channel.IN_APP)
                .select_related("rule", "recipient")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")[:batch]
            )
            if not rows:
                return
            fresh = _load_fresh(rows)
            suppressed, notes, sent_ids = [], [], []
            for row in rows:
                reason = _suppression(row, fresh)
                if reason:
                    suppressed.append((row, reason))
                    continue
                item = emails.reminder_item(row, fresh.cases[row.case_id], fresh, now)
                notes.append(
                    Notification(
                        user=row.recipient,
                        case_id=row.case_id,
                        delivery=row,
                        title=emails.notification_title(row.recipient, item)[:300],
                        url=item.path,
                    )
                )
                sent_ids.append(row.pk)
            Notification.objects.bulk_create(notes)
            ReminderDelivery.objects.filter(pk__in=sent_ids).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
            _mark_suppressed(suppressed)
            result.sent += len(sent_ids)
            result.suppressed += len(suppressed)
        if len(rows) < batch:
            return


def _claim(row_ids: list[int], now: dt.datetime) -> list[int]:
    """Claim ledger rows one by one with a conditional UPDATE; returns the ids this sweep won."""
    won = []
    for pk in row_ids:
        hit = (
            _due_rows(now)
            .filter(pk=pk)
            .update(
                status=DeliveryStatus.SENDING,
                claimed_at=timezone.now(),
                attempts=F("attempts") + 1,
            )
        )
        if hit == 1:
            won.append(pk)
    return won


def _record_failure(rows: list[ReminderDelivery], error: Exception, result: SweepResult) -> None:
    max_attempts = int(_setting("REMINDER_MAX_ATTEMPTS", 5))
    base = _setting("REMINDER_RETRY_BASE_SECONDS", 60)
    message = f"{type(error).__name__}: {error}"[:2000]
    for row in rows:
        attempts = row.attempts + 1
        update: dict[str, object]
        if attempts >= max_attempts:
            update = {"status": DeliveryStatus.FAILED}
            result.failed += 1
        else:
            delay = dt.timedelta(seconds=base * (2 ** (attempts - 1)))
            update = {"status": DeliveryStatus.PENDING, "send_after": timezone.now() + delay}
            result.retried += 1
        ReminderDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
            last_error=message, **update
        )


def _send_email(now: dt.datetime, batch: int, result: SweepResult) -> None:
    """Email reminders, one message per row, or one digest per advisor who chose it. Rows are
    fetched in batches; the suppression re-check uses rows loaded right before sending."""
    pause = _setting("REMINDER_SEND_PAUSE_SECONDS", 0)
    seen: set[int] = set()
    while True:
        rows = list(
            _due_rows(now)
            .filter(channel=Channel.EMAIL)
            .exclude(pk__in=seen)
            .select_related("rule", "recipient")
            .order_by("recipient_id", "id")[:batch]
        )
        if not rows:
            return
        seen.update(r.pk for r in rows)
        fresh = _load_fresh(rows)
        suppressed, sendable = [], []
        for row in rows:
            reason = _suppression(row, fresh)
            (suppressed.append((row, reason)) if reason else sendable.append(row))
        _mark_suppressed(suppressed)
        result.suppressed += len(suppressed)
        groups: list[list[ReminderDelivery]] = []
        by_recipient: dict[int, list[ReminderDelivery]] = defaultdict(list)
        events_by_recipient: dict[int, list[ReminderDelivery]] = defaultdict(list)
        for row in sendable:
            pref = fresh.preferences.get(row.recipient_id)
            if row.rule.kind in EVENT_KINDS:
                # A burst of events makes one email (``cases/services/notifications.py``).
                events_by_recipient[row.recipient_id].append(row)
            elif row.recipient.is_staff_member and pref is not None and pref.daily_digest:
                by_recipient[row.recipient_id].append(row)
            else:
                groups.append([row])
        groups.extend(by_recipient.values())
        groups.extend(events_by_recipient.values())
        for group in groups:
            won = set(_claim([r.pk for r in group], now))
            mine = [r for r in group if r.pk in won]
            if not mine:
                continue
            try:
                if mine[0].rule.kind in EVENT_KINDS:
                    emails.send_notification_email(
                        mine[0].recipient, [fresh.notices[r.pk] for r in mine]
                    )
                else:
                    items = [
                        emails.reminder_item(r, fresh.cases[r.case_id], fresh, now) for r in mine
                    ]
                    emails.send_reminder_email(mine[0].recipient, items)
            except Exception as exc:
                log.warning("Reminder email to user %s failed: %s", mine[0].recipient_id, exc)
                _record_failure(mine, exc, result)
            else:
                ReminderDelivery.objects.filter(pk__in=[r.pk for r in mine]).update(
                    status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
                )
                result.sent += len(mine)
                result.emails += 1
            if pause:
                time.sleep(pause)
        if len(rows) < batch:
            return


def deliveries_send_due(*, now: dt.datetime | None = None) -> SweepResult:
    """Send the ledger rows due at ``now`` without recording new reminders: what the
    notification task runs after an event's batch window. Safe to run twice or concurrently."""
    now = now or timezone.now()
    result = SweepResult()
    batch = int(_setting("REMINDER_BATCH_SIZE", 200))
    _send_in_app(now, batch, result)
    _send_email(now, batch, result)
    return result


def reminders_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Record and send every reminder due at ``now`` (default: the current time, UTC).

    Safe to run twice or concurrently: the ledger's unique key and the conditional claims make
    each reminder go out once. Never raises for a failing email (it is retried later).
    """
    now = now or timezone.now()
    result = SweepResult()
    with transaction.atomic():
        result.recorded = reminders_record_due(now=now)
    batch = int(_setting("REMINDER_BATCH_SIZE", 200))
    _send_in_app(now, batch, result)
    _send_email(now, batch, result)
    return result
