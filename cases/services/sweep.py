"""The reminder sweep: find what is due, record it in the ledger, send it, exactly once.

1. Claim by insert: ``cases/services/reminder_ledger.py`` records what is due.
2. Send after that commit: due ledger rows are fetched in batches, suppression is re-checked
   against fresh rows (deactivated users, inactive cases, satisfied requirements, done tasks,
   changed dates, preferences), in-app notifications are written in the same transaction that
   marks them sent. The emails of a batch (one per row, or one advisor digest) are claimed in
   bulk (SELECT ... FOR UPDATE SKIP LOCKED, then one UPDATE), sent over one mail connection,
   and marked sent in bulk (``_SentMarks``). A failure is retried with exponential backoff and
   recorded as failed after ``REMINDER_MAX_ATTEMPTS``; it never stops the others. Constant
   queries per batch (``REMINDER_BATCH_SIZE``, 200), whatever the number of emails.

Delivery guarantee: a row is sent by one sweep only; a batch slower than a third of the claim
timeout renews its claim. If a worker dies between sending emails and marking them sent (the
mark window, ``REMINDER_MARK_WINDOW_SECONDS``: 0.25 s by default, 0 for one UPDATE per email),
those rows are re-sent after ``REMINDER_CLAIM_TIMEOUT_SECONDS``: at least once in that window,
exactly once otherwise.
"""

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases.models import (
    EVENT_KINDS,
    Channel,
    DeliveryStatus,
    Notification,
    ReminderDelivery,
)
from cases.reminders import emails
from cases.services.notification_text import reminder_data
from cases.services.reminder_ledger import reminders_record_due
from cases.services.sweep_checks import _Fresh, _load_fresh, _suppression
from cases.services.sweep_settings import setting as _setting

__all__ = [
    "SweepResult",
    "_Fresh",
    "deliveries_send_due",
    "reminders_record_due",
    "reminders_sweep",
]

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


# --- 2. re-check (``cases/services/sweep_checks.py``) and send ---------------------------------


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
                        kind=row.rule.kind,
                        data=reminder_data(item, staff=row.recipient.is_staff_member),
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


def _claim(row_ids: list[int], now: dt.datetime) -> tuple[list[int], dt.datetime]:
    """Claim the due ledger rows among ``row_ids`` in bulk: one SELECT ... FOR UPDATE SKIP
    LOCKED of the rows still due (pending, or claimed longer ago than the claim timeout) and
    one UPDATE to "sending". Returns (the ids this sweep won, the claim's stamp: the value
    written to ``claimed_at``, aware UTC). A concurrent sweep skips the locked rows and, once this
    transaction commits, no longer sees them as due, so each row is won once. (SQLite has no
    row locks: its write lock, taken at BEGIN, serialises the two statements instead.)"""
    stamp = timezone.now()
    if not row_ids:
        return [], stamp
    with transaction.atomic():
        won = list(
            _due_rows(now)
            .filter(pk__in=row_ids)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if won:
            ReminderDelivery.objects.filter(pk__in=won).update(
                status=DeliveryStatus.SENDING, claimed_at=stamp, attempts=F("attempts") + 1
            )
    return won, stamp


def _renew(row_ids: list[int], stamp: dt.datetime) -> tuple[set[int], dt.datetime]:
    """Renew this sweep's claim of ``row_ids`` (still "sending" with ``claimed_at`` ==
    ``stamp``) so that a slow batch never lets its unsent rows go stale and be taken by another
    sweep. Returns (the ids still ours, the new stamp); a row another sweep took over is not."""
    new = timezone.now()
    with transaction.atomic():
        kept = list(
            ReminderDelivery.objects.filter(
                pk__in=row_ids, status=DeliveryStatus.SENDING, claimed_at=stamp
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if kept:
            ReminderDelivery.objects.filter(pk__in=kept).update(claimed_at=new)
    return set(kept), new


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


class _SentMarks:
    """Rows whose email went out, marked "sent" in bulk: one UPDATE when the oldest unmarked
    email is ``window`` seconds old (``REMINDER_MARK_WINDOW_SECONDS``, default 0.25; 0 marks
    each email at once), before any pause, and at the end of a batch. A worker killed between
    sending and marking re-sends, after the claim timeout, only the emails of that window."""

    def __init__(self, window: float, result: SweepResult) -> None:
        self.window = window
        self.result = result
        self.ids: list[int] = []
        self.oldest = 0.0

    def add(self, rows: list[ReminderDelivery]) -> None:
        if not self.ids:
            self.oldest = time.monotonic()
        self.ids.extend(r.pk for r in rows)
        if time.monotonic() - self.oldest >= self.window:
            self.flush()

    def flush(self) -> None:
        if not self.ids:
            return
        ReminderDelivery.objects.filter(pk__in=self.ids).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        self.result.sent += len(self.ids)
        self.ids = []


def _message(
    group: list[ReminderDelivery], fresh: _Fresh, now: dt.datetime
) -> EmailMultiAlternatives:
    recipient = group[0].recipient
    if group[0].rule.kind in EVENT_KINDS:
        return emails.notification_email_message(recipient, [fresh.notices[r.pk] for r in group])
    items = [emails.reminder_item(r, fresh.cases[r.case_id], fresh, now) for r in group]
    return emails.reminder_email_message(recipient, items)


def _close(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception as exc:  # a dropped connection: nothing to close
        log.info("Closing the mail connection failed: %s", exc)


def _send_groups(
    groups: list[list[ReminderDelivery]],
    stamp: dt.datetime,
    fresh: _Fresh,
    now: dt.datetime,
    result: SweepResult,
) -> None:
    """Send the claimed ``groups`` (one email each) over one mail connection, opened at the
    first email and reopened only after a failure (a broken connection is not reused)."""
    pause = _setting("REMINDER_SEND_PAUSE_SECONDS", 0)
    renew_after = _setting("REMINDER_CLAIM_TIMEOUT_SECONDS", 900) / 3
    marks = _SentMarks(_setting("REMINDER_MARK_WINDOW_SECONDS", 0.25), result)
    claimed_at = time.monotonic()
    connection: BaseEmailBackend | None = None
    try:
        for index, group in enumerate(groups):
            if time.monotonic() - claimed_at >= renew_after:
                rest = [r.pk for g in groups[index:] for r in g]
                kept, stamp = _renew(rest, stamp)
                claimed_at = time.monotonic()
                group = [r for r in group if r.pk in kept]
                groups[index + 1 :] = [[r for r in g if r.pk in kept] for g in groups[index + 1 :]]
                if not group:
                    continue
            try:
                message = _message(group, fresh, now)
                if connection is None:
                    connection = get_connection()
                    connection.open()
                connection.send_messages([message])
            except Exception as exc:
                log.warning("Reminder email to user %s failed: %s", group[0].recipient_id, exc)
                _record_failure(group, exc, result)
                if connection is not None:
                    _close(connection)
                connection = None
                continue
            result.emails += 1
            marks.add(group)
            if pause:
                marks.flush()
                time.sleep(pause)
    finally:
        marks.flush()
        if connection is not None:
            _close(connection)


def _send_email(now: dt.datetime, batch: int, result: SweepResult) -> None:
    """Email reminders, one message per row, or one digest per advisor who chose it. Rows are
    fetched in batches; the suppression re-check uses rows loaded right before sending; each
    batch is claimed in bulk, sent over one connection and marked sent in bulk (constant
    queries per batch)."""
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
        won_ids, stamp = _claim([r.pk for g in groups for r in g], now)
        won = set(won_ids)
        mine = [[r for r in g if r.pk in won] for g in groups]
        _send_groups([g for g in mine if g], stamp, fresh, now, result)
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
