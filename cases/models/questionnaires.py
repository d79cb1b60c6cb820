"""The applicant questionnaire: versioned definitions per visa type, a case's answers with
their review status, and the advisor's comments per question.

Writes go through ``cases/services/questionnaires.py`` (definitions) and
``cases/services/questionnaire_answers.py`` (answers, review); reads through
``cases/selectors/questionnaires.py``.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.models.cases import Case
from cases.models.visas import VisaType
from eligibility.models import UnicodeJSONEncoder
from portal.firms import firm_scope

if TYPE_CHECKING:
    from portal.models import User


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def visible_to(self, user: "User") -> "QuestionnaireQuerySet":
        """Definitions of ``user``'s firm (every firm's for a platform admin)."""
        return firm_scope(self, user)

    def published(self) -> "QuestionnaireQuerySet":
        return self.filter(status=QuestionnaireStatus.PUBLISHED)


class Questionnaire(models.Model):
    """One version of the questions a visa type asks (``definition``: see
    ``cases/questionnaires/definition.py``). Like eligibility rule sets: a draft is edited, a
    published version is immutable (at most one per visa type), publishing retires the
    previous one, and a case keeps the version it started with."""

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    visa_type = models.ForeignKey(
        VisaType,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        verbose_name=_("visa type"),
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.DRAFT,
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    definition = models.JSONField(_("definition"), encoder=UnicodeJSONEncoder)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ("visa_type", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["visa_type", "version"], name="questionnaire_version_unique"
            ),
            models.UniqueConstraint(
                fields=["visa_type"],
                condition=Q(status="published"),
                name="questionnaire_one_published_per_visa",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visa_type.code} questionnaire v{self.version} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        if (get_language() or "").startswith("zh") and self.title_zh:
            return self.title_zh
        return self.title_en


class ResponseStatus(models.TextChoices):
    """Where a case's questionnaire is; "not started" is a case without a response row."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Sent for review")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved and locked")


# The applicant may change answers only in these states.
APPLICANT_EDITABLE = (ResponseStatus.IN_PROGRESS, ResponseStatus.RETURNED)


class QuestionnaireResponseQuerySet(models.QuerySet["QuestionnaireResponse"]):
    def visible_to(self, user: "User") -> "QuestionnaireResponseQuerySet":
        """Responses of cases ``user`` may see (``Case.objects.visible_to``), firm first."""
        return firm_scope(self, user).filter(case__in=Case.objects.visible_to(user))


class QuestionnaireResponse(models.Model):
    """A case's answers to one questionnaire version (``answers``: question key -> value, see
    ``cases/questionnaires/answers.py``), with its review status. ``revision`` grows by one on
    every write: a stale page or PATCH is refused instead of overwriting a newer answer."""

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="questionnaire", verbose_name=_("case")
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("questionnaire"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ResponseStatus.choices,
        default=ResponseStatus.IN_PROGRESS,
    )
    answers = models.JSONField(_("answers"), default=dict, encoder=UnicodeJSONEncoder)
    revision = models.PositiveIntegerField(default=0, verbose_name=_("revision"))
    return_note = models.TextField(_("what to fix"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    returned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("returned at"))
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = QuestionnaireResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire answers")
        verbose_name_plural = _("questionnaire answers")
        indexes = [models.Index(fields=["firm", "status"], name="qresponse_firm_status")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_status_display()}"

    @property
    def applicant_may_edit(self) -> bool:
        return self.status in APPLICANT_EDITABLE


class QuestionComment(models.Model):
    """An advisor's comment on one answer (``question_key``; ``<group>`` for a whole group).
    Open comments are shown to the applicant while the questionnaire is returned; sending it
    again resolves them (``resolved_at``)."""

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    response = models.ForeignKey(
        QuestionnaireResponse,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("questionnaire answers"),
    )
    question_key = models.CharField(max_length=50, verbose_name=_("question"))
    body = models.TextField(_("comment"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    class Meta:
        verbose_name = _("comment on an answer")
        verbose_name_plural = _("comments on answers")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["response", "question_key"], name="qcomment_key")]

    def __str__(self) -> str:
        return f"{self.question_key}: {self.body[:40]}"
