"""Visa types and their checklists, which admins edit."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.firms import firm_scope

if TYPE_CHECKING:
    from portal.models import User


def default_accepted_types() -> list[str]:
    return list(settings.DOCUMENT_DEFAULT_TYPES)


def default_max_bytes() -> int:
    return int(settings.DOCUMENT_DEFAULT_MAX_BYTES)


def default_case_quota_bytes() -> int:
    return int(settings.CASE_DEFAULT_QUOTA_BYTES)


def default_case_quota_files() -> int:
    return int(settings.CASE_DEFAULT_QUOTA_FILES)


class VisaTypeQuerySet(models.QuerySet["VisaType"]):
    def visible_to(self, user: "User") -> "VisaTypeQuerySet":
        """Visa types ``user`` may see or choose: those of their firm (every firm for a
        platform admin); none for inactive or anonymous users."""
        return firm_scope(self, user)


class VisaType(models.Model):
    """A visa category (K, R, ...) of one firm, with that firm's checklist, storage quota and
    retention, which the firm's admins edit. Each firm has its own K and R (seeded when the
    firm is created); ``code`` is unique within a firm. Rule sets (the law) are shared by code.
    """

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="visa_types", verbose_name=_("firm")
    )
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    quota_bytes = models.PositiveBigIntegerField(
        _("storage per case (bytes)"),
        default=default_case_quota_bytes,
        validators=[MinValueValidator(1)],
        help_text=_("Total size of the stored files of one case; 300 MB by default."),
    )
    quota_files = models.PositiveIntegerField(
        _("files per case"),
        default=default_case_quota_files,
        validators=[MinValueValidator(1)],
        help_text=_("Number of stored file versions of one case; 200 by default."),
    )
    retention_days_after_close = models.PositiveIntegerField(
        _("delete files after close (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(36_500)],  # 100 years; more overflows dates
        help_text=_(
            "Document files of a closed or withdrawn case are deleted this many days after it "
            "closed (a tombstone with name and hash stays). Empty keeps them."
        ),
    )

    objects = VisaTypeQuerySet.as_manager()

    class Meta:
        ordering = ("code", "firm_id")
        constraints = [
            models.UniqueConstraint(fields=["firm", "code"], name="visa_type_firm_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the active language (Chinese when available and active)."""
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name


class ChecklistItem(models.Model):
    """One document a visa type asks for.

    ``accepted_types`` holds MIME types (application/pdf, image/jpeg, image/png);
    ``max_size_bytes`` is in bytes; ``due_offset_days`` counts days from the case's opening date.
    """

    visa_type = models.ForeignKey(VisaType, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    help_en = models.TextField(_("help (English)"), blank=True)
    help_zh = models.TextField(_("help (Chinese)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    accepted_types = models.JSONField(_("accepted file types"), default=default_accepted_types)
    max_size_bytes = models.PositiveBigIntegerField(
        _("maximum size (bytes)"), default=default_max_bytes, validators=[MinValueValidator(1)]
    )
    due_offset_days = models.PositiveIntegerField(
        _("due offset (days)"), default=14, validators=[MaxValueValidator(3650)]
    )

    class Meta:
        ordering = ("visa_type", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["visa_type", "code"], name="checklist_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visa_type.code}: {self.name_en}"
