"""Visa types and their checklists, which admins edit."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
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
        verbose_name = _("visa type")
        verbose_name_plural = _("visa types")
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

    visa_type = models.ForeignKey(
        VisaType, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("visa type")
    )
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
    # Route conditions (issue 13): ``eligibility/routes.py`` says how patterns match and which
    # route a case is on; ``cases/services/routes.py`` applies them to a case's requirements.
    route_condition = models.CharField(
        verbose_name=_("required only on routes"),
        max_length=500,
        blank=True,
        help_text=_(
            "Leave empty to ask every applicant. Otherwise the criterion ids of the rule set's "
            "routes on which this document is required, separated by commas; * matches any "
            "characters (for example k-degree, or r-class-a-* for every Class A route). On "
            "other routes the document is shown as not needed, and uploads are kept. Until the "
            "assessment shows the route, the document is asked."
        ),
    )
    # Photo checks (issue 13). The defaults are the published specification of the Beijing
    # municipal government portal for the photo of the Confirmation Letter for High-Level
    # Foreign Talents (a 24-bit colour JPEG of 40-120 KB, 354-420 pixels wide and 472-560
    # high, white background), which the issue found applies to visa photos as well. "KB" is
    # read so that both readings hold: at least 40 x 1024 and at most 120 x 1000 bytes. The
    # background, head band, brightness and sharpness figures are this portal's calibration
    # (not published); ``cases/uploads/photo.py`` says how each is measured.
    photo_check = models.BooleanField(
        _("check photos"),
        default=False,
        help_text=_(
            "Check each upload against the photo rules below and offer a corrected copy when "
            "the photo can be fixed. Defaults: the Beijing municipal portal's published photo "
            "specification (24-bit JPEG, 40-120 KB, 354-420 × 472-560 pixels, white "
            "background)."
        ),
    )
    photo_min_bytes = models.PositiveIntegerField(
        _("photo: smallest file (bytes)"),
        default=40 * 1024,
        validators=[MinValueValidator(1), MaxValueValidator(20_000_000)],
    )
    photo_max_bytes = models.PositiveIntegerField(
        _("photo: largest file (bytes)"),
        default=120_000,
        validators=[MinValueValidator(1), MaxValueValidator(20_000_000)],
    )
    photo_min_width = models.PositiveIntegerField(
        _("photo: narrowest (pixels)"),
        default=354,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
    )
    photo_max_width = models.PositiveIntegerField(
        _("photo: widest (pixels)"),
        default=420,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
    )
    photo_min_height = models.PositiveIntegerField(
        _("photo: lowest (pixels)"),
        default=472,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
        help_text=_("The photo's shape (width to height) is that of the smallest size."),
    )
    photo_max_height = models.PositiveIntegerField(
        _("photo: highest (pixels)"),
        default=560,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
    )
    photo_background_min_lightness = models.PositiveSmallIntegerField(
        _("photo: background lightness at least (0-255)"),
        default=190,
        validators=[MaxValueValidator(255)],
        help_text=_("Mean brightness of the top and side edges; 255 is pure white."),
    )
    photo_background_max_variation = models.PositiveSmallIntegerField(
        _("photo: background variation at most (0-255)"),
        default=20,
        validators=[MaxValueValidator(255)],
        help_text=_("Standard deviation of the edges' brightness: low for a plain wall."),
    )
    photo_background_max_colour = models.PositiveSmallIntegerField(
        _("photo: background colour at most (0-255)"),
        default=40,
        validators=[MaxValueValidator(255)],
        help_text=_(
            "Mean difference between the edges' strongest and weakest colour: low for "
            "white or grey."
        ),
    )
    photo_face_min_width_pct = models.PositiveSmallIntegerField(
        _("photo: face width at least (per cent of the photo's width)"),
        default=35,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    photo_face_max_width_pct = models.PositiveSmallIntegerField(
        _("photo: face width at most (per cent of the photo's width)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    photo_face_centre_min_pct = models.PositiveSmallIntegerField(
        _("photo: face centre at least (per cent of the height from the top)"),
        default=30,
        validators=[MaxValueValidator(100)],
    )
    photo_face_centre_max_pct = models.PositiveSmallIntegerField(
        _("photo: face centre at most (per cent of the height from the top)"),
        default=60,
        validators=[MaxValueValidator(100)],
    )
    photo_face_max_offset_pct = models.PositiveSmallIntegerField(
        _("photo: face off-centre at most (per cent of the width)"),
        default=10,
        validators=[MaxValueValidator(50)],
    )
    photo_min_brightness = models.PositiveSmallIntegerField(
        _("photo: face brightness at least (0-255)"),
        default=80,
        validators=[MaxValueValidator(255)],
    )
    photo_min_sharpness = models.FloatField(
        _("photo: sharpness at least"),
        default=1.5,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
        help_text=_("Variance of the Laplacian of the face; lower values allow more blur."),
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ("visa_type", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["visa_type", "code"], name="checklist_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visa_type.code}: {self.name_en}"

    def clean(self) -> None:
        """Each photo range must run from low to high (admin forms call this)."""
        super().clean()
        pairs = [
            ("photo_min_bytes", "photo_max_bytes"),
            ("photo_min_width", "photo_max_width"),
            ("photo_min_height", "photo_max_height"),
            ("photo_face_min_width_pct", "photo_face_max_width_pct"),
            ("photo_face_centre_min_pct", "photo_face_centre_max_pct"),
        ]
        errors = {
            high: _("This must not be less than the value above it.")
            for low, high in pairs
            if getattr(self, low) is not None
            and getattr(self, high) is not None
            and getattr(self, low) > getattr(self, high)
        }
        errors.update(self._route_condition_errors())
        if errors:
            raise ValidationError(errors)

    def _route_condition_errors(self) -> dict[str, Any]:
        """Messages for ``route_condition``: each pattern well formed and naming a route of a
        rule set (any version) of this visa type; the item must be required (the condition
        makes it optional off its routes). ``{}`` when the condition is fine or empty."""
        from eligibility.models import RuleSet
        from eligibility.routes import PatternError, matches, parse_route_patterns, route_ids

        try:
            patterns = parse_route_patterns(self.route_condition)
        except PatternError as exc:
            return {
                "route_condition": _(
                    "“%(pattern)s” is not a route pattern: use criterion ids of lower-case "
                    "letters, digits and hyphens, with * for any characters (for example "
                    "r-class-a-*)."
                )
                % {"pattern": exc.pattern}
            }
        if not patterns:
            return {}
        if not self.required:
            return {
                "required": _(
                    "An item with a route condition is required on those routes and optional "
                    "on the others: tick “required”, or empty the route condition."
                )
            }
        code = self.visa_type.code if self.visa_type_id else ""
        routes: list[str] = []
        for criteria in RuleSet.objects.filter(visa_type_code=code).values_list(
            "criteria", flat=True
        ):
            routes.extend(r for r in route_ids(criteria or {}) if r not in routes)
        unknown = [p for p in patterns if not any(matches([p], r) for r in routes)]
        if not unknown:
            return {}
        if not routes:
            return {
                "route_condition": _(
                    "The %(code)s visa has no rule set with routes yet, so no route can be named."
                )
                % {"code": code}
            }
        return {
            "route_condition": _(
                "No route of any %(code)s rule set matches %(patterns)s. Its routes are: "
                "%(routes)s."
            )
            % {"code": code, "patterns": ", ".join(unknown), "routes": ", ".join(routes)}
        }
