"""The case timeline (events) and the message thread."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from portal.models import User
from cases.models.cases import Case


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    STAGE = "stage", _("Stage change")
    UPLOAD = "upload", _("Upload")
    REVIEW = "review", _("Review")
    WAIVE = "waive", _("Requirement waived")
    ASSESSMENT = "assessment", _("Assessment")
    MESSAGE = "message", _("Message")
    REMINDER = "reminder", _("Reminder")
    OVERRIDE = "override", _("Override")
    INVITE = "invite", _("Invitation sent")
    UPDATE = "update", _("Case details changed")
    STEP = "step", _("Case step")


# Events that move a case into a stage: its opening (into intake) and every stage change, an
# override of the ready guard included. A stay in a stage runs from one of these to the next.
STAGE_ENTRY_KINDS = (EventKind.OPENED, EventKind.STAGE, EventKind.OVERRIDE)


class CaseEvent(models.Model):
    """One line of a case's timeline and audit trail, written with the change it records."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices, verbose_name=_("kind"))
    before = models.CharField(max_length=64, blank=True, verbose_name=_("value before"))
    after = models.CharField(max_length=64, blank=True, verbose_name=_("value after"))
    # Older events' sentence (before issue 11), shown as-is only when migration 0039 could not
    # recover ``data`` from it; new events leave it empty and are worded from ``data``.
    summary = models.CharField(max_length=500, blank=True, verbose_name=_("summary"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("details (data)"))
    internal = models.BooleanField(default=False, verbose_name=_("staff only"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    # On an event that moved the case out of a stage (a stage change or an override): when
    # the case had entered the stage it left (``before``), i.e. the time of the case's previous
    # opening, stage change or override. Written by ``case_transition``; the stay is
    # ``created_at - stage_entered_at`` (the days-per-stage report, cases/selectors/reports.py).
    stage_entered_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("stage entered at")
    )

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ("-created_at", "-id")
        indexes = [
            # Stays that ended in a period, for the days-per-stage report: one range scan of
            # this index (index-only on PostgreSQL) instead of a window over every case's
            # whole history.
            models.Index(
                fields=["created_at"],
                include=["case", "before", "stage_entered_at"],
                condition=Q(stage_entered_at__isnull=False),
                name="caseevent_stage_stay_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.before}->{self.after}"

    @property
    def summary_text(self) -> str:
        """The summary in the viewer's (active) language, rendered from ``data`` when shown
        (``cases/services/timeline_text.py``); an older event nothing could be recovered from
        shows its stored ``summary``."""
        from cases.services.timeline_text import event_text

        return event_text(self)

    @property
    def summary_html(self) -> str:
        """``summary_text`` as HTML, typed values marked ``translate="no"``."""
        from cases.services.timeline_text import event_html

        return event_html(self)

    @property
    def change_text(self) -> str:
        """``before → after`` in words of the active language (stages, outcomes, statuses),
        or ``""``."""
        from cases.services.timeline_text import event_change

        return event_change(self)

    @property
    def change_html(self) -> str:
        """``change_text`` as HTML."""
        from cases.services.timeline_text import event_change_html

        return event_change_html(self)


# CaseEvent.data key of a change of what a case's route needs (``cases/services/routes.py``):
# ``{"needed": [{"code", "en", "zh"}], "not_needed": [...]}``.
ROUTE_CHANGE_KEY = "route_requirements"


def route_change_summary(change: dict[str, Any], *, language: str) -> str:
    """The sentence of a route change in ``language`` ("en" or "zh..."), each document named in
    that language (its English name when it has no Chinese one)."""
    from django.utils.translation import gettext

    zh = language.startswith("zh")

    def names(key: str) -> str:
        items = change.get(key) or []
        return ("、" if zh else ", ").join(
            str((i.get("zh") if zh else "") or i.get("en", "")) for i in items
        )

    with translation.override("zh-hans" if zh else "en"):
        parts = []
        if change.get("needed"):
            parts.append(
                gettext("Now needed for the route: %(names)s") % {"names": names("needed")}
            )
        if change.get("not_needed"):
            parts.append(
                gettext("Not needed for the route: %(names)s") % {"names": names("not_needed")}
            )
        return ("；" if zh else "; ").join(parts)


class MessageQuerySet(models.QuerySet["Message"]):
    def visible_to(self, user: "User") -> "MessageQuerySet":
        qs = self.filter(case__in=Case.objects.visible_to(user))
        if not user.is_staff_member:
            qs = qs.filter(internal=False)
        return qs


class Message(models.Model):
    """A message in a case's thread; ``internal`` notes are for advisors only."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("message"))
    internal = models.BooleanField(default=False, verbose_name=_("staff only"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ("created_at", "id")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"
