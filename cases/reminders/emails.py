"""Reminder messages in the recipient's language (en, zh-hans): email (plain text and HTML,
with a link to the item) and the one-line title of an in-app notification.

Wording lives in per-language templates under ``templates/reminders/`` so that both languages
ship complete without a compiled message catalogue.

Event notifications (``cases/services/notifications.py``): ``Notice`` says what happened; its
title is worded when shown, in the reader's language, by ``cases/services/notification_text.py``
(the catalogue, like every page); ``render_notification_email`` bundles one recipient's notices
into one email, worded in the recipient's language.
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import (
    Case,
    CaseEvent,
    Notification,
    ReminderDelivery,
    ReminderKind,
    TargetType,
)
from cases.models.overdue import days_left_local
from portal.mail import language_of  # the one rule of every account email's language
from portal.models import User

if TYPE_CHECKING:
    from cases.services.sweep import _Fresh


@dataclass(frozen=True)
class ReminderItem:
    """What one reminder is about, as the templates need it. ``offset_days`` is the rule's
    offset (days before the due date; negative: after it); ``days_left`` is what the texts
    say: days from the case's local date when the message was built to the due date (0: due
    today, negative: days overdue), so a reminder sent late never repeats the rule's offset.
    ``path`` is the item's page for the recipient."""

    kind: str
    case_reference: str
    due_date: dt.date
    offset_days: int
    path: str
    name_en: str
    name_zh: str
    passport_expiry: dt.date | None
    days_left: int | None = None
    # A questionnaire reminder: True once the applicant saved an answer ("not finished").
    started: bool = False

    def __post_init__(self) -> None:
        if self.days_left is None:  # built without a clock: the rule's offset
            object.__setattr__(self, "days_left", self.offset_days)

    @property
    def days_overdue(self) -> int:
        """Whole days past the due date (positive when overdue)."""
        return -(self.days_left or 0)

    @property
    def url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.path

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") and self.name_zh else self.name_en


def reminder_item(
    row: ReminderDelivery, case: Case, fresh: "_Fresh", now: dt.datetime | None = None
) -> ReminderItem:
    """Build the item of ledger ``row`` from the freshly loaded ``case`` and targets; the days
    left are counted at ``now`` (aware; default: the current time) in the case's zone."""
    staff = row.recipient.is_staff_member
    path = reverse("cases:detail" if staff else "cases:my_detail", args=[case.pk])
    name_en = name_zh = ""
    if row.target_type == TargetType.REQUIREMENT:
        req = fresh.requirements[row.target_id]
        name_en, name_zh = req.name_en, req.name_zh
        path += f"#req-{req.pk}"
    elif row.target_type == TargetType.TASK:
        task = fresh.tasks[row.target_id]
        name_en = name_zh = task.title
        path += f"#task-{task.pk}"
    elif row.target_type == TargetType.STEP:
        step = fresh.steps[row.target_id]
        name_en, name_zh = step.name_en, step.name_zh
        path += f"#step-{step.pk}"
    started = False
    if row.rule.kind == ReminderKind.QUESTIONNAIRE:
        page = "cases:questionnaire_review" if staff else "cases:my_questionnaire"
        path = reverse(page, args=[case.pk])
        started = fresh.questionnaires.started(case.pk)
    return ReminderItem(
        kind=row.rule.kind,
        case_reference=case.reference,
        due_date=row.due_date,
        offset_days=row.offset_days,
        path=path,
        name_en=name_en,
        name_zh=name_zh,
        passport_expiry=case.applicant.passport_expiry,
        days_left=days_left_local(row.due_date, case.time_zone, now or timezone.now()),
        started=started,
    )


def _render(name: str, ext: str, language: str, context: dict[str, Any]) -> str:
    template = select_template([f"reminders/{name}.{language}.{ext}", f"reminders/{name}.en.{ext}"])
    return template.render(context)


def _context(user: User, items: list[ReminderItem], language: str) -> dict[str, Any]:
    return {
        "user": user,
        "items": [{"item": i, "name": i.name(language)} for i in items],
        "count": len(items),
        "single": items[0] if len(items) == 1 else None,
        "single_name": items[0].name(language) if len(items) == 1 else "",
        "preferences_url": settings.SITE_URL.rstrip("/") + reverse("reminders:preferences"),
    }


def render_reminder_email(user: User, items: list[ReminderItem]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the reminder email for ``items`` (one, or a digest) in
    ``user``'s preferred language."""
    language = language_of(user)
    with translation.override(language):
        context = _context(user, items, language)
        subject = " ".join(_render("email/subject", "txt", language, context).split())
        text = _render("email/reminder", "txt", language, context)
        html = _render("email/reminder", "html", language, context)
    return subject, text, html


def reminder_email_message(user: User, items: list[ReminderItem]) -> EmailMultiAlternatives:
    """The reminder email for ``items`` (plain text with an HTML alternative), not sent: the
    sweep sends a batch of them over one connection."""
    subject, text, html = render_reminder_email(user, items)
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_reminder_email(user: User, items: list[ReminderItem]) -> None:
    """Send one email (raises whatever the email backend raises; the sweep retries)."""
    reminder_email_message(user, items).send()


def notification_title(user: User, item: ReminderItem) -> str:
    """One line for the in-app list, in ``user``'s language."""
    language = language_of(user)
    with translation.override(language):
        context = _context(user, [item], language)
        return " ".join(render_to_string(f"reminders/notification.{language}.txt", context).split())


def render_notification_email(user: User, notices: list[Notification]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one email telling ``user`` of ``notices`` (one, or a
    burst or digest of several), in ``user``'s preferred language (the titles are worded
    from each notification's data in that language)."""
    language = language_of(user)
    base = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "user": user,
            "notices": [
                {"n": n, "title": n.text, "url": base + n.url if n.url else base} for n in notices
            ],
            "count": len(notices),
            "notifications_url": base + reverse("reminders:notifications"),
            "preferences_url": base + reverse("reminders:preferences"),
        }
        if len(notices) == 1:
            subject = notices[0].text
        else:
            subject = translation.ngettext(
                "%(n)d update on your cases", "%(n)d updates on your cases", len(notices)
            ) % {"n": len(notices)}
        text = render_to_string("reminders/email/notification.txt", context)
        html = render_to_string("reminders/email/notification.html", context)
    return " ".join(subject.split()), text, html


def notification_email_message(user: User, notices: list[Notification]) -> EmailMultiAlternatives:
    """The email telling ``user`` of ``notices``, not sent (see ``reminder_email_message``)."""
    subject, text, html = render_notification_email(user, notices)
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_notification_email(user: User, notices: list[Notification]) -> None:
    """Send one notification email (raises whatever the email backend raises; retried)."""
    notification_email_message(user, notices).send()


# --- event notifications -------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What happened, for ``notify``: ``kind`` a ``ReminderKind`` event kind; ``facts`` plain
    values the wording reads (``cases/services/notification_text.py``); ``body`` shown as-is
    under the title (a reason, a message excerpt: the person's own words, not translated);
    ``anchor`` of the case page;
    ``path`` a page other than the case page to link to (the applicant's details, say)."""

    kind: str
    case: Case
    event: CaseEvent | None
    actor: User | None
    facts: dict[str, Any]
    body: str = ""
    anchor: str = ""
    path: str = ""
