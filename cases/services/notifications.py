"""Telling people about the events they act on: in-app always, email by the ledger.

``notify`` is called by the service that makes the change, inside its transaction, with the
CaseEvent it wrote. For each recipient (never the actor, never a deactivated user) it writes:

* an in-app ``Notification`` of the notice's kind and facts, in the same transaction (exactly
  once by construction: the event happens once), its title worded when shown in the reader's
  language (``cases/services/notification_text.py``);
* when an active email rule of that kind exists for the recipient's side (``ReminderRule``
  with an event kind, seeded in ``cases/migrations``) and the recipient has not turned off
  optional emails, a ``ReminderDelivery`` ledger row targeting the event. The ledger's unique
  key makes it once only; the sweep (``cases/services/sweep.py``) re-checks it (deactivated,
  unassigned, preferences) and sends it after commit, by Celery.

Bursts: an email row joins the recipient's earliest pending event email (or waits
``NOTIFICATION_EMAIL_DELAY_SECONDS``, default 120), so ten uploads in a minute make one email.
With the daily digest the rows wait for 09:00 in the recipient's time zone.

Who is told of what (issue 10): a message, the other side (an internal note, case staff only);
an upload, the advisor; a review decision, the applicant, with the reason; a stage change the
applicant should know of (``APPLICANT_NOTICE_STAGES``), the applicant; a reassignment, the new
and the old advisor; an eligibility outcome changed by a new rule set, the advisor (in-app; the
email is the per-advisor summary ``cases/services/eligibility.py`` sends); an accepted
invitation, the advisors of the applicant's open cases.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Audience,
    Case,
    CaseEvent,
    Channel,
    DeliveryStatus,
    Notification,
    ReminderDelivery,
    ReminderKind,
    ReminderPreference,
    ReminderRule,
    Stage,
    TargetType,
)
from cases.reminders.emails import Notice
from cases.reminders.schedule import send_moment
from cases.services.sweep_settings import setting as _setting
from portal.models import User

# Stage moves the applicant is told of: their documents are wanted, under review, the case is
# ready, submitted, decided, paused or withdrawn. Intake, assessment and closing are internal.
APPLICANT_NOTICE_STAGES: frozenset[str] = frozenset(
    {
        Stage.DOCUMENTS,
        Stage.REVIEW,
        Stage.READY,
        Stage.SUBMITTED,
        Stage.DECIDED,
        Stage.ON_HOLD,
        Stage.WITHDRAWN,
    }
)

BODY_MAX = 2000


def _url(recipient: User, notice: Notice) -> str:
    if notice.path:
        return notice.path
    name = "cases:detail" if recipient.is_staff_member else "cases:my_detail"
    return reverse(name, args=[notice.case.pk]) + notice.anchor


def _email_send_after(
    recipient: User, pref: ReminderPreference | None, now: dt.datetime
) -> dt.datetime:
    """When the recipient's email of a new event goes out: with the daily digest, the next
    09:00 in their zone; otherwise with their earliest pending event email, else after the
    batch window."""
    if pref is not None and pref.daily_digest and recipient.is_staff_member:
        today = now.astimezone(dt.UTC).date()
        for day in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)):
            at = send_moment(
                due_date=day,
                offset_days=0,
                case_tz=recipient.time_zone,
                recipient_tz=recipient.time_zone,
                hour=int(_setting("REMINDER_LOCAL_HOUR", 9)),
            )
            if at > now:
                return at
    pending = (
        ReminderDelivery.objects.filter(
            recipient=recipient,
            target_type=TargetType.EVENT,
            status=DeliveryStatus.PENDING,
            channel=Channel.EMAIL,
        )
        .order_by("send_after")
        .values_list("send_after", flat=True)
        .first()
    )
    if pending is not None:
        return pending
    return now + dt.timedelta(seconds=_setting("NOTIFICATION_EMAIL_DELAY_SECONDS", 120))


def _recipients(users: Iterable[User | None], actor: User | None) -> list[User]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if actor is not None and user.pk == actor.pk:
            continue  # no self-notifications
        seen.add(user.pk)
        out.append(user)
    return out


def notify(*, notice: Notice, recipients: Iterable[User | None]) -> list[Notification]:
    """Tell ``recipients`` (minus the actor, duplicates and deactivated users) of ``notice``:
    one in-app notification each, in their language, and an email ledger row where a rule
    and their preferences call for one. Call it inside the change's transaction; the email
    task is enqueued on commit. Returns the notifications written."""
    return notify_all([(notice, recipients)])


def notify_all(items: list[tuple[Notice, Iterable[User | None]]]) -> list[Notification]:
    """``notify`` for many notices at once: two queries for the rules and preferences, one
    insert of notifications, plus two per email row (the batch window and the claim)."""
    pairs = [(n, u) for n, users in items for u in _recipients(users, n.actor)]
    if not pairs:
        return []
    now = timezone.now()
    rules = {
        (r.kind, r.audience): r
        for r in ReminderRule.objects.filter(
            kind__in={n.kind for n, _u in pairs}, channel=Channel.EMAIL, active=True
        ).order_by("-id")
    }
    prefs = {
        p.user_id: p
        for p in ReminderPreference.objects.filter(user_id__in={u.pk for _n, u in pairs})
    }
    notes: list[Notification] = []
    for notice, user in pairs:
        note = Notification(
            user=user,
            case=notice.case,
            kind=notice.kind,
            data={"ref": notice.case.reference, **notice.facts},
            body=notice.body[:BODY_MAX],
            url=_url(user, notice),
        )
        rule = rules.get(
            (notice.kind, Audience.ADVISOR if user.is_staff_member else Audience.APPLICANT)
        )
        pref = prefs.get(user.pk)
        skipped = rule is not None and rule.optional and pref is not None and pref.skip_optional
        if rule is not None and not skipped:
            delivery, created = ReminderDelivery.objects.get_or_create(
                rule=rule,
                target_type=TargetType.EVENT if notice.event is not None else TargetType.CASE,
                target_id=notice.event.pk if notice.event is not None else notice.case.pk,
                recipient=user,
                due_date=now.astimezone(dt.UTC).date(),
                offset_days=0,
                defaults={
                    "case": notice.case,
                    "channel": Channel.EMAIL,
                    "send_after": _email_send_after(user, pref, now),
                },
            )
            if created:
                note.delivery = delivery
        notes.append(note)
    Notification.objects.bulk_create(notes)
    if any(n.delivery_id for n in notes):
        transaction.on_commit(_enqueue_send)
    return notes


def _enqueue_send() -> None:
    from cases import tasks

    delay = int(_setting("NOTIFICATION_EMAIL_DELAY_SECONDS", 120))
    tasks.notifications_send.apply_async(countdown=delay + 5)


# --- the events -------------------------------------------------------------------------


def _staff(case: Case) -> list[User | None]:
    return [case.advisor]


def _applicant_user(case: Case) -> User | None:
    return case.applicant.user if case.applicant.user_id else None


def notify_message(
    *, case: Case, event: CaseEvent, author: User, body: str, internal: bool
) -> None:
    """A message: to the other side (staff write to the applicant, and to the advisor when
    someone else on staff wrote; the applicant writes to the advisor); an internal note to
    the case's advisor only."""
    recipients: list[User | None] = list(_staff(case))
    if not internal and author.is_staff_member:
        recipients.append(_applicant_user(case))
    notify(
        notice=Notice(
            kind=ReminderKind.NEW_MESSAGE,
            case=case,
            event=event,
            actor=author,
            facts={"who": author.get_full_name(), "internal": internal},
            body=body[:BODY_MAX],
            anchor="#messages-h",
        ),
        recipients=recipients,
    )


def notify_upload(
    *, case: Case, event: CaseEvent, uploader: User, name_en: str, name_zh: str, requirement_id: int
) -> None:
    """An upload: to the case's advisor (the name shown in the reader's language)."""
    advisor = case.advisor
    if advisor is None:
        return
    notify(
        notice=Notice(
            kind=ReminderKind.DOCUMENT_UPLOADED,
            case=case,
            event=event,
            actor=uploader,
            facts={"who": uploader.get_full_name(), "name_en": name_en, "name_zh": name_zh},
            anchor=f"#req-{requirement_id}",
        ),
        recipients=[advisor],
    )


def notify_review(
    *,
    case: Case,
    event: CaseEvent,
    reviewer: User,
    decision: str,
    reason: str,
    name_en: str,
    name_zh: str,
    requirement_id: int,
) -> None:
    """A review decision: to the applicant, with the reason."""
    user = _applicant_user(case)
    if user is None:
        return
    notify(
        notice=Notice(
            kind=ReminderKind.DOCUMENT_REVIEWED,
            case=case,
            event=event,
            actor=reviewer,
            facts={"name_en": name_en, "name_zh": name_zh, "decision": decision},
            body=reason,
            anchor=f"#req-{requirement_id}",
        ),
        recipients=[user],
    )


def notify_stage(*, case: Case, event: CaseEvent, actor: User, to: str, reason: str) -> None:
    """A stage change the applicant should know of (``APPLICANT_NOTICE_STAGES``)."""
    if to not in APPLICANT_NOTICE_STAGES:
        return
    notify(
        notice=Notice(
            kind=ReminderKind.STAGE_CHANGED,
            case=case,
            event=event,
            actor=actor,
            facts={"stage": to},
            body=reason,
        ),
        recipients=[_applicant_user(case)],
    )


def notify_reassigned(
    *,
    case: Case,
    event: CaseEvent | None,
    actor: User | None,
    old_advisor: User | None,
    new_advisor: User | None,
) -> None:
    """A reassignment: to the new advisor ("now assigned to you") and the old one ("reassigned
    to ..."); the old advisor's later notifications stop (the sweep checks the assignment)."""
    facts = {"who": new_advisor.get_full_name() if new_advisor else "—"}
    if new_advisor is not None:
        mine = {**facts, "mine": True}
        notify(
            notice=Notice(ReminderKind.CASE_REASSIGNED, case, event, actor, mine),
            recipients=[new_advisor],
        )
    if old_advisor is not None:
        notify(
            notice=Notice(ReminderKind.CASE_REASSIGNED, case, event, actor, facts),
            recipients=[old_advisor],
        )


def notify_invitation_accepted(*, user: User) -> int:
    """``user`` (an applicant) accepted their invitation: tell the advisor of each of their
    open cases. Returns the number of notifications written."""
    cases = Case.objects.open().filter(applicant__user=user).select_related("advisor", "applicant")
    written = 0
    with transaction.atomic():
        for case in cases:
            written += len(
                notify(
                    notice=Notice(
                        kind=ReminderKind.INVITATION_ACCEPTED,
                        case=case,
                        event=None,
                        actor=user,
                        facts={"who": case.applicant.full_name or user.get_full_name()},
                    ),
                    recipients=[case.advisor],
                )
            )
    return written


def notify_reassigned_by_ids(
    *,
    case_id: int,
    old_advisor_id: int | None,
    new_advisor_id: int | None,
    actor_id: int | None = None,
    event_id: int | None = None,
) -> None:
    """``notify_reassigned`` from ids, for a reassignment service's on-commit hook (outside
    its transaction: the notices are written in their own)."""
    users = User.objects.in_bulk([i for i in (old_advisor_id, new_advisor_id, actor_id) if i])
    case = Case.objects.select_related("applicant", "advisor").filter(pk=case_id).first()
    if case is None:
        return
    event = CaseEvent.objects.filter(pk=event_id, case=case).first() if event_id else None
    with transaction.atomic():
        notify_reassigned(
            case=case,
            event=event,
            actor=users.get(actor_id) if actor_id else None,
            old_advisor=users.get(old_advisor_id) if old_advisor_id else None,
            new_advisor=users.get(new_advisor_id) if new_advisor_id else None,
        )
