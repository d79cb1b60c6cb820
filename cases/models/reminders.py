"""Models of deadlines and reminders: case tasks, reminder rules, the delivery ledger, in-app
notifications, preferences and calendar feeds. Writes go through ``cases/services/reminders.py``
and the sweep (``cases/services/reminder_ledger.py``, ``cases/services/sweep.py``).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.dates import validate_stored_date

if TYPE_CHECKING:
    from portal.models import User


def default_offsets() -> list[int]:
    """Days before the due date (negative: after it): 7, 2, 0 before and 3 after."""
    return [7, 2, 0, -3]


class CaseTaskQuerySet(models.QuerySet["CaseTask"]):
    def visible_to(self, user: "User") -> "CaseTaskQuerySet":
        from cases.models import Case

        return self.filter(case__in=Case.objects.visible_to(user))


class CaseTask(models.Model):
    """An ad-hoc task an advisor adds to a case: title, due date (a date in the case's time
    zone), assignee (an advisor; empty means the case's advisor), done."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case")
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_stored_date]
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_tasks",
        limit_choices_to={"role": "advisor"},
        verbose_name=_("assigned to"),
    )
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("advisor task")
        verbose_name_plural = _("advisor tasks")
        ordering = ("done", "due_date", "id")
        indexes = [models.Index(fields=["done", "due_date"], name="casetask_done_due")]

    def __str__(self) -> str:
        return self.title


class ReminderKind(models.TextChoices):
    REQUIREMENT_DUE = "requirement_due", _("Document requirement due")
    TARGET_SUBMISSION = "target_submission", _("Target submission date")
    TASK_DUE = "task_due", _("Case task due")
    PASSPORT_VALIDITY = "passport_validity", _("Passport validity (6 months after entry)")
    REVIEW_DUE = "review_due", _("Uploaded document awaiting review")
    STEP_DUE = "step_due", _("Case step due")
    # Due on the case's target submission date (``cases/services/questionnaire_reminders.py``).
    QUESTIONNAIRE = "questionnaire", _("Questionnaire not started or not finished")
    # Notifications of events people act on (issue 10): written when the event happens, emailed
    # through the same ledger (target: the CaseEvent), never by the date sweep.
    NEW_MESSAGE = "message", _("New message")
    DOCUMENT_UPLOADED = "upload", _("Document uploaded")
    DOCUMENT_REVIEWED = "review", _("Document reviewed")
    STAGE_CHANGED = "stage", _("Case stage changed")
    CASE_REASSIGNED = "reassigned", _("Case reassigned")
    ELIGIBILITY_CHANGED = "eligibility", _("Eligibility outcome changed")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    CORRECTION_PROPOSED = "correction_proposed", _("Correction proposed by the applicant")
    CORRECTION_DECIDED = "correction_decided", _("Correction confirmed or declined")


# Kinds told when something happens (``cases/services/notifications.py``), not swept by date.
EVENT_KINDS: frozenset[str] = frozenset(
    {
        ReminderKind.NEW_MESSAGE,
        ReminderKind.DOCUMENT_UPLOADED,
        ReminderKind.DOCUMENT_REVIEWED,
        ReminderKind.STAGE_CHANGED,
        ReminderKind.CASE_REASSIGNED,
        ReminderKind.ELIGIBILITY_CHANGED,
        ReminderKind.INVITATION_ACCEPTED,
        ReminderKind.CORRECTION_PROPOSED,
        ReminderKind.CORRECTION_DECIDED,
    }
)


class Audience(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ADVISOR = "advisor", _("Assigned advisor")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In-app notification")


def validate_offsets(value: object) -> None:
    """Offsets are a non-empty list of distinct whole days between -60 and 365."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ValidationError(_("Write the offsets as a list of whole days, e.g. [7, 2, 0, -3]."))
    if len(set(value)) != len(value) or not all(-60 <= v <= 365 for v in value):
        raise ValidationError(_("Offsets must be distinct and between -60 and 365 days."))


class ReminderRule(models.Model):
    """What to remind whom about, and when: ``offsets`` in days before the due date (negative
    numbers are days after it: 7, 2, 0, -3 means a week, two days, on the day and three days
    overdue). ``optional`` reminders may be turned off by users in their preferences, except
    the overdue notice (negative offset) to the assigned advisor, which always goes out."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("watches"), max_length=24, choices=ReminderKind.choices)
    offsets = models.JSONField(
        _("offsets (days)"),
        default=default_offsets,
        validators=[validate_offsets],
        help_text=_("Days before the due date; negative numbers are days after it."),
    )
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    active = models.BooleanField(_("active"), default=True)
    optional = models.BooleanField(
        _("optional"),
        default=True,
        help_text=_("Users who turn off optional reminders do not get this one."),
    )
    review_within_working_days = models.PositiveSmallIntegerField(
        _("review within (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Only for “uploaded document awaiting review” rules: the review is due this many "
            "working days (Monday to Friday) after the upload; the offsets count from that day."
        ),
    )

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ("kind", "audience", "channel", "id")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


class TargetType(models.TextChoices):
    REQUIREMENT = "requirement", _("Document requirement")
    CASE = "case", _("Case")
    TASK = "task", _("Case task")
    EVENT = "event", _("Case event")
    STEP = "step", _("Case step")


class ReminderDelivery(models.Model):
    """The ledger: one row per (rule, target, recipient, due date, offset), claimed by insert.

    The unique key makes a second sweep, a retried task or a second beat a no-op. ``send_after``
    (UTC) is 09:00 in the recipient's time zone on the reminder day, later after a failed try.
    """

    rule = models.ForeignKey(
        ReminderRule,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("reminder rule"),
    )
    target_type = models.CharField(
        max_length=16, choices=TargetType.choices, verbose_name=_("reminder about")
    )
    target_id = models.BigIntegerField(verbose_name=_("item number"))
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("recipient"),
    )
    due_date = models.DateField(verbose_name=_("due date"))
    offset_days = models.IntegerField(verbose_name=_("offset (days)"))
    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        verbose_name=_("status"),
    )
    send_after = models.DateTimeField(verbose_name=_("send after"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sending started at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("scheduled reminder")
        ordering = ("-created_at", "-id")
        verbose_name_plural = _("scheduled reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target_type", "target_id", "recipient", "due_date", "offset_days"],
                name="reminder_delivery_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                name="delivery_pending_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["case", "status"], name="delivery_case_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.target_type}:{self.target_id} → {self.recipient_id}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification for one user: its ``kind`` (a ``ReminderKind``) and ``data``
    (the facts its title is worded from: the case reference, names in both languages, stage
    and outcome keys, due dates), its title rendered when shown in the reader's language
    (``text``, ``cases/services/notification_text.py``). For a notification of an event
    (``cases/services/notifications.py``) ``delivery`` is its email's ledger row, when an
    email is due. ``title`` is an older notification's stored title, shown as-is only when
    migration 0039 could not recover its kind and data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    delivery = models.OneToOneField(
        ReminderDelivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reminder delivery"),
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=ReminderKind.choices, blank=True, default=""
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    title = models.CharField(max_length=300, blank=True, verbose_name=_("title"))
    # Details shown under the title and in the email (a rejection reason, a message excerpt).
    body = models.TextField(blank=True, verbose_name=_("details"))
    url = models.CharField(max_length=300, blank=True, verbose_name=_("link"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The title in the active language (``cases/services/notification_text.py``)."""
        from cases.services.notification_text import notification_text

        return notification_text(self)

    @property
    def text_html(self) -> str:
        """``text`` as HTML, names and typed values marked ``translate="no"``."""
        from cases.services.notification_text import notification_html

        return notification_html(self)


class ReminderPreference(models.Model):
    """A user's reminder choices; a missing row means the defaults (no digest, all reminders).

    ``daily_digest`` (advisors) bundles the day's reminder emails into one; ``skip_optional``
    turns off reminders whose rule is optional (never the advisor's overdue notice).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("user"),
    )
    daily_digest = models.BooleanField(
        _("one daily digest email instead of one per item"), default=False
    )
    skip_optional = models.BooleanField(_("turn off optional reminders"), default=False)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"{self.user_id}: digest={self.daily_digest} skip_optional={self.skip_optional}"


class CalendarFeed(models.Model):
    """A user's private ICS feed; only the SHA-256 of the URL token is stored, so the link can
    be shown once and revoked (delete the row) or replaced."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token hash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
