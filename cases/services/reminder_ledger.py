"""Step 1 of the reminder sweep: find what is due and record it in the delivery ledger.

For each active rule, one indexed query per kind finds the items whose reminder moment (09:00
recipient-local, see ``cases.reminders.schedule.send_moment``) fell within the last
``REMINDER_CATCH_UP_HOURS``; one ``INSERT .. ON CONFLICT DO NOTHING`` records them. The unique key
(rule, target, recipient, due date, offset) makes a second sweep, a retried task or a second
beat a no-op. Sending is step 2, ``cases.services.sweep``.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from cases.models import (
    EVENT_KINDS,
    Audience,
    Case,
    CaseTask,
    ReminderDelivery,
    ReminderKind,
    ReminderRule,
    StepAssignee,
    TargetType,
)
from cases.reminders.schedule import add_working_days, due_date_window, send_moment, zone
from cases.selectors import deadlines
from cases.selectors.steps import step_deadlines
from cases.services.questionnaire_reminders import questionnaire_items
from cases.services.sweep_settings import setting as _setting
from portal.models import User


@dataclass
class _Candidate:
    target_type: str
    target_id: int
    case: Case
    due_date: dt.date
    applicant: User | None
    staff: User | None
    # False: never remind about this item as overdue (see ``Deadline.may_be_overdue``).
    may_be_overdue: bool = True


def _window(offsets: Iterable[int], today: dt.date) -> tuple[dt.date, dt.date]:
    ranges = [due_date_window(today, o) for o in offsets]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _candidates(kind: str, low: dt.date, high: dt.date) -> list[_Candidate]:
    """Items of ``kind`` due in [low, high]: one query (two for the passport check's join)."""
    cases = Case.objects.all()
    if kind == ReminderKind.REQUIREMENT_DUE:
        return [
            _Candidate(
                TargetType.REQUIREMENT,
                r.pk,
                r.case,
                r.due_date,  # type: ignore[arg-type]
                r.case.applicant.user,
                r.case.advisor,
                r.may_be_overdue,  # type: ignore[attr-defined]
            )
            for r in deadlines.requirement_deadlines(cases, low=low, high=high)
        ]
    if kind == ReminderKind.TARGET_SUBMISSION:
        return [
            _Candidate(
                TargetType.CASE,
                c.pk,
                c,
                c.target_submission_date,  # type: ignore[arg-type]
                c.applicant.user,
                c.advisor,
            )
            for c in deadlines.target_deadlines(cases, low=low, high=high)
        ]
    if kind == ReminderKind.TASK_DUE:
        return [
            _Candidate(
                TargetType.TASK,
                t.pk,
                t.case,
                t.due_date,  # type: ignore[arg-type]
                None,  # tasks are internal to the firm
                t.assignee or t.case.advisor,
            )
            for t in deadlines.task_deadlines(CaseTask.objects.all(), low=low, high=high)
        ]
    if kind == ReminderKind.REVIEW_DUE:
        # ``due_date`` here is the local upload date; each rule adds its working days.
        return [
            _Candidate(
                TargetType.REQUIREMENT,
                r.pk,
                r.case,
                r.current_document.uploaded_at.astimezone(zone(r.case.time_zone)).date(),  # type: ignore[union-attr]
                None,  # the review is the advisor's work
                r.case.advisor,
            )
            for r in deadlines.review_deadlines(cases, low=low, high=high)
        ]
    if kind == ReminderKind.STEP_DUE:
        # The applicant is reminded only of steps they do and see; the advisor of every step
        # (they chase the employer's too).
        return [
            _Candidate(
                TargetType.STEP,
                s.pk,
                s.case,
                s.due_date,  # type: ignore[arg-type]
                s.case.applicant.user
                if s.visible_to_applicant and s.assignee == StepAssignee.APPLICANT
                else None,
                s.case.advisor,
            )
            for s in step_deadlines(cases, low=low, high=high)
        ]
    if kind == ReminderKind.QUESTIONNAIRE:
        return [
            _Candidate(TargetType.CASE, q.case.pk, q.case, q.due_date, q.applicant, q.staff)
            for q in questionnaire_items(low, high)
        ]
    if kind == ReminderKind.PASSPORT_VALIDITY:
        return [
            _Candidate(TargetType.CASE, c.pk, c, c.passport_due, c.applicant.user, c.advisor)  # type: ignore[attr-defined]
            for c in deadlines.passport_deadlines(cases, low=low, high=high)
        ]
    return []


def reminders_record_due(*, now: dt.datetime) -> int:
    """Record every reminder whose moment is in (now - catch-up, now] in the ledger; returns the
    number of rows offered to the insert (existing keys are skipped by the database). One query
    for the rules, one or two per watched kind, one insert per 500 rows."""
    catch_up = dt.timedelta(hours=_setting("REMINDER_CATCH_UP_HOURS", 24))
    hour = int(_setting("REMINDER_LOCAL_HOUR", 9))
    today = now.astimezone(dt.UTC).date()
    rules_by_kind: dict[str, list[ReminderRule]] = defaultdict(list)
    # Event notifications are recorded when the event happens (cases/services/notifications.py).
    for rule in ReminderRule.objects.filter(active=True).exclude(kind__in=EVENT_KINDS):
        if isinstance(rule.offsets, list) and rule.offsets:
            rules_by_kind[rule.kind].append(rule)
    rows: list[ReminderDelivery] = []
    for kind, rules in rules_by_kind.items():
        low, high = _window({o for r in rules for o in r.offsets}, today)
        if kind == ReminderKind.REVIEW_DUE:
            # Items are found by upload date: up to the longest review period before ``low``.
            span = max(r.review_within_working_days for r in rules)
            low -= dt.timedelta(days=span + 2 * (span // 5 + 1) + 1)
        for item in _candidates(kind, low, high):
            for rule in rules:
                recipient = item.applicant if rule.audience == Audience.APPLICANT else item.staff
                if recipient is None or not recipient.is_active:
                    continue
                due_date = item.due_date
                if kind == ReminderKind.REVIEW_DUE:
                    due_date = add_working_days(item.due_date, rule.review_within_working_days)
                for offset in rule.offsets:
                    if offset < 0 and not item.may_be_overdue:
                        continue  # an optional item or a case past review is never overdue
                    at = send_moment(
                        due_date=due_date,
                        offset_days=offset,
                        case_tz=item.case.time_zone,
                        recipient_tz=recipient.time_zone,
                        hour=hour,
                    )
                    if now - catch_up < at <= now:
                        rows.append(
                            ReminderDelivery(
                                rule=rule,
                                target_type=item.target_type,
                                target_id=item.target_id,
                                case=item.case,
                                recipient=recipient,
                                due_date=due_date,
                                offset_days=offset,
                                channel=rule.channel,
                                send_after=at,
                            )
                        )
    if rows:
        ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)
