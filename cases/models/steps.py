"""Case steps: the admin-edited steps of a visa type (``StepTemplate``) and each case's copy
(``CaseStep``), ticked by the advisor with the date done and a note.

Opening a case copies the visa type's templates (``cases/services/steps.py``), as the document
checklist is copied into requirements: later template edits never rewrite open cases. A step
belongs to one lifecycle stage (``cases/models/stages.py``, the main line). Its due date is a
date in the case's time zone: ``due_offset_days`` after the day the case first entered the
step's stage, or, with ``due_after``, after the day that other step was done. A step whose
``required`` flag is set must be ticked before the case moves on from its stage
(``cases/services/transitions.py``). A step is *live* (a deadline, reminded) while it is open,
dated and its case is in the step's stage (``CaseStepQuerySet.live``).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.models.stages import Stage
from portal.dates import validate_stored_date
from portal.firms import firm_scope

if TYPE_CHECKING:
    from portal.models import User

# Longest offset an admin may enter: ten years, as for checklist due offsets.
MAX_STEP_OFFSET_DAYS = 3650
MAX_STEP_NOTE_CHARS = 2000


class StepAssignee(models.TextChoices):
    ADVISOR = "advisor", _("Advisor")
    APPLICANT = "applicant", _("Applicant")
    EMPLOYER = "employer", _("Employer")


class _StepFields(models.Model):
    """What a template and its copy on a case share."""

    code = models.SlugField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)
    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=Stage.choices,
        help_text=_("The lifecycle stage this step belongs to."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    help_en = models.TextField(_("help (English)"), blank=True)
    help_zh = models.TextField(_("help (Chinese)"), blank=True)
    assignee = models.CharField(
        _("done by"), max_length=16, choices=StepAssignee.choices, default=StepAssignee.ADVISOR
    )
    visible_to_applicant = models.BooleanField(_("applicant sees it"), default=True)
    required = models.BooleanField(
        _("required before leaving its stage"),
        default=False,
        help_text=_("The case cannot move on from the step's stage until this step is ticked."),
    )
    due_offset_days = models.PositiveIntegerField(
        _("due after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_STEP_OFFSET_DAYS)],
        help_text=_(
            "Days after the case enters the step's stage, or after the step named in “counted "
            "from” was done. Empty: no due date."
        ),
    )

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language (Chinese when active and filled in)."""
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en

    @property
    def help_text(self) -> str:
        if (get_language() or "").startswith("zh") and self.help_zh:
            return self.help_zh
        return self.help_en


class StepTemplateQuerySet(models.QuerySet["StepTemplate"]):
    def visible_to(self, user: "User") -> "StepTemplateQuerySet":
        """Templates of the user's firm (every firm for a platform admin)."""
        return firm_scope(self, user)


class StepTemplate(_StepFields):
    """One step of a visa type, which the firm's admins edit; copied onto each new case."""

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    visa_type = models.ForeignKey(
        "cases.VisaType",
        on_delete=models.CASCADE,
        related_name="step_templates",
        verbose_name=_("visa type"),
    )
    due_after = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counted from"),
        help_text=_("Count the due date from the day this earlier step was done."),
    )

    objects = StepTemplateQuerySet.as_manager()

    class Meta:
        ordering = ("visa_type", "position", "id")
        verbose_name = _("case step template")
        constraints = [
            models.UniqueConstraint(fields=["visa_type", "code"], name="step_template_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visa_type.code}: {self.name_en}"


class CaseStepQuerySet(models.QuerySet["CaseStep"]):
    def visible_to(self, user: "User") -> "CaseStepQuerySet":
        """Steps of cases ``user`` may see (``Case.objects.visible_to``, firm first); for an
        applicant only the steps marked visible to the applicant."""
        from cases.models.cases import Case

        qs = self.filter(case__in=Case.objects.visible_to(user))
        if not user.is_staff_member:
            qs = qs.filter(visible_to_applicant=True)
        return qs

    def open(self) -> "CaseStepQuerySet":
        return self.filter(done_on__isnull=True)

    def live(self) -> "CaseStepQuerySet":
        """Open, dated steps whose case is in the step's stage: the steps that are deadlines
        and get reminders (on hold, later and earlier stages: none)."""
        return self.filter(done_on__isnull=True, due_date__isnull=False, stage=F("case__stage"))


class CaseStep(_StepFields):
    """A case's copy of a step template, with its due date and whether it is done.

    ``done_on`` is the date the step was done (a date the advisor means, in the case's time
    zone); ``done_at`` (UTC) and ``done_by`` record the tick itself.
    """

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="steps", verbose_name=_("case")
    )
    template = models.ForeignKey(
        StepTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("step template"),
    )
    due_after = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("counted from"),
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_stored_date]
    )
    done_on = models.DateField(
        _("done on"), null=True, blank=True, validators=[validate_stored_date]
    )
    done_note = models.TextField(_("note"), blank=True, max_length=MAX_STEP_NOTE_CHARS)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticked by"),
    )
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = CaseStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ("case", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="case_step_code_unique")
        ]
        indexes = [
            # Deadlines and the reminder sweep read open, dated steps by due date.
            models.Index(
                fields=["due_date"], name="casestep_open_due", condition=Q(done_on__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.name_en}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None
