"""Corrections an applicant proposes to their own identity and passport details.

The applicant never changes those fields directly: they propose new values, and staff on one
of their cases confirm (the values are written by ``cases/services/records.py``) or decline
with a reason. Written only by ``cases/services/corrections.py``.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cases.models.applicants import Applicant
from portal.firms import firm_scope

if TYPE_CHECKING:
    from portal.models import User


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for your advisor")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Replaced by a newer correction")


class CorrectionQuerySet(models.QuerySet["CorrectionProposal"]):
    def visible_to(self, user: "User") -> "CorrectionQuerySet":
        """Proposals ``user`` may see, firm first: the applicant their own; staff those of
        applicants with a case they may see (``Case.objects.visible_to``)."""
        from cases.models.cases import Case

        qs = firm_scope(self, user)
        if not user.is_authenticated:
            return qs
        if user.is_staff_member:
            cases = Case.objects.visible_to(user).filter(applicant=OuterRef("applicant_id"))
            return qs.filter(Exists(cases))
        return qs.filter(applicant__user=user)

    def pending(self) -> "CorrectionQuerySet":
        return self.filter(status=CorrectionStatus.PENDING)


class CorrectionProposal(models.Model):
    """New values the applicant proposes for some of ``APPLICANT_RECORD_FIELDS``.

    ``changes`` maps a field name to the proposed value as text (dates ISO 8601, nationality an
    ISO 3166-1 alpha-2 code); ``before`` holds the recorded values when it was proposed, with
    the passport number masked. At most one proposal per applicant is pending.
    """

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("applicant")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    changes = models.JSONField(default=dict, verbose_name=_("proposed changes"))
    before = models.JSONField(default=dict, verbose_name=_("values before"))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decline_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed correction")
        verbose_name_plural = _("proposed corrections")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status="pending"),
                name="correction_one_pending_per_applicant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.status}"
