"""The case and its reference counter."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.dates import validate_stored_date
from portal.firms import firm_scope
from portal.models import validate_time_zone

if TYPE_CHECKING:
    from portal.models import User
from cases.models.applicants import Applicant
from cases.models.stages import OPEN_STAGES, Decision, Stage
from cases.models.visas import VisaType


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: "User") -> "CaseQuerySet":
        """Cases ``user`` may see, firm first (``portal.firms.firm_scope``): within their firm,
        admins and supervisors all, advisors those assigned to them, applicants their own;
        platform admins every firm's; inactive or anonymous users none."""
        qs = firm_scope(self, user)
        if not user.is_authenticated or user.is_platform_admin:
            return qs
        if user.is_portal_admin or (user.is_advisor and user.is_supervisor):
            return qs
        if user.is_advisor:
            return qs.filter(advisor=user)
        return qs.filter(applicant__user=user)

    def open(self) -> "CaseQuerySet":
        return self.filter(stage__in=[*OPEN_STAGES, Stage.ON_HOLD])


class Case(models.Model):
    """An application of one applicant for one visa type, moving through stages.

    ``firm`` is the applicant's, the advisor's and the visa type's firm (``case_open`` checks
    they agree). Dates a person means (intended entry, target submission) are dates; moments
    are UTC datetimes.
    """

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="cases", verbose_name=_("firm")
    )
    # Unique within the firm: each firm numbers its own cases (K-2026-00001 onwards), so a
    # reference never tells one firm how many cases another opened.
    reference = models.CharField(_("reference"), max_length=20)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    visa_type = models.ForeignKey(
        VisaType, on_delete=models.PROTECT, related_name="cases", verbose_name=_("visa type")
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advised_cases",
        limit_choices_to={"role": "advisor"},
        verbose_name=_("advisor"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    stage_before_hold = models.CharField(
        max_length=16, choices=Stage.choices, blank=True, verbose_name=_("stage before the hold")
    )
    opened_on = models.DateField(_("opened on"), validators=[validate_stored_date])
    intended_entry_date = models.DateField(
        _("intended entry date"), null=True, blank=True, validators=[validate_stored_date]
    )
    target_submission_date = models.DateField(
        _("target submission date"), null=True, blank=True, validators=[validate_stored_date]
    )
    # Due dates of the case are calendar dates in this IANA zone.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    ready_override_reason = models.TextField(_("ready override reason"), blank=True)
    # The advisor's answers to the rule sets' advisor-confirmed questions (eligibility
    # ``advisor_confirms``, e.g. blank passport pages): {question: {"answer": true | false,
    # "n": the number asked about or null, "by": user id, "at": ISO time}}. Written only by
    # ``case_confirmation_answer`` (cases/services/confirmations.py), with a CaseEvent.
    confirmations = models.JSONField(
        _("advisor's confirmations"), default=dict, blank=True, editable=False
    )
    # Bumped by every edit of the dates, time zone or advisor (cases/services/records.py,
    # case_assign_advisor): an edit sent with an older version is refused as stale.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # Reference, applicant names, email and passport number, normalised
    # (cases/models/search.py); written by the services, searched through a trigram index.
    search_text = models.TextField(
        blank=True, default="", editable=False, verbose_name=_("search text")
    )
    # The per-case document summary (cases/models/summary.py), kept by
    # cases/services/summary.py:case_summary_refresh, which every service that changes a
    # requirement's status, required flag or due date, or the case's stage, calls in its
    # transaction. Time enters only when read: a case is overdue while documents_due_on is
    # before today in its time zone (cases/models/overdue.py, case_overdue_q).
    documents_due_on = models.DateField(
        _("documents due on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The earliest due date of a required document waiting on the applicant, while the "
            "case collects documents."
        ),
    )
    passport_due_on = models.DateField(
        _("passport check due on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Before submission, when the applicant's passport may expire less than 6 months "
            "after the intended entry: the target submission date, else the entry date."
        ),
    )
    documents_needed_count = models.PositiveIntegerField(
        _("documents still needed"),
        default=0,
        editable=False,
        help_text=_("Required documents waiting on the applicant (missing or rejected)."),
    )
    documents_to_review_count = models.PositiveIntegerField(
        _("documents awaiting review"),
        default=0,
        editable=False,
        help_text=_("Required documents uploaded and waiting on the advisor's review."),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ("-opened_on", "-id")
        indexes = [
            models.Index(fields=["stage"]),
            models.Index(fields=["firm", "stage"], name="case_firm_stage"),
            models.Index(fields=["advisor", "stage"]),
            models.Index(fields=["target_submission_date"], name="case_target_submission"),
            # The case list's default order: a page is an index range scan, not a sort of all.
            models.Index(fields=["-opened_on", "-id"], name="case_list_order_idx"),
            # The overdue filter and the dashboards: cases with a document due, by due date,
            # with the zone the comparison needs (an index-only count of the overdue cases).
            models.Index(
                fields=["firm", "documents_due_on", "time_zone"],
                name="case_documents_due_idx",
                condition=models.Q(documents_due_on__isnull=False),
            ),
            # The passport deadlines of the dashboards and the sweep, by due date.
            models.Index(
                fields=["firm", "passport_due_on"],
                name="case_passport_due_idx",
                condition=models.Q(passport_due_on__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["firm", "reference"], name="case_reference_firm_unique")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES or self.stage == Stage.ON_HOLD

    @property
    def is_paused_or_withdrawn(self) -> bool:
        """On hold or withdrawn: off the main line, shown as a note beside the stage bar."""
        return self.stage in (Stage.ON_HOLD, Stage.WITHDRAWN)

    @property
    def awaits_decision(self) -> bool:
        """Submitted to the consulate; the next move records the decision."""
        return self.stage == Stage.SUBMITTED


class CaseReferenceCounter(models.Model):
    """Last number used for case references per firm, visa code and year (``K-2026-00042``)."""

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.CASCADE, related_name="+", verbose_name=_("firm")
    )
    prefix = models.CharField(max_length=8, verbose_name=_("reference prefix"))
    year = models.PositiveIntegerField(verbose_name=_("year"))
    last_number = models.PositiveIntegerField(default=0, verbose_name=_("last number used"))

    class Meta:
        verbose_name = _("case reference counter")
        verbose_name_plural = _("case reference counters")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "prefix", "year"], name="case_reference_counter_firm_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"
