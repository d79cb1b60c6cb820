"""What the passport reader found on an uploaded passport bio-data page (issue 13).

One row per document version of a passport requirement, written by the worker
(``cases/services/passports.py``) after the version is ready; read by case staff only. The
row keeps the fields of the machine-readable zone and whether each check digit verified, not
the image; a retention deletion of the file deletes the row with it.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.documents import Document
from portal.firms import firm_scope

if TYPE_CHECKING:
    from portal.models import User


class ReadingStatus(models.TextChoices):
    READ = "read", _("Read")
    NO_ZONE = "no_zone", _("No machine-readable zone found")
    UNREADABLE = "unreadable", _("The machine-readable zone could not be read")
    FAILED = "failed", _("The reader stopped with an error")
    UNAVAILABLE = "unavailable", _("The passport reader is not installed on this server")


class PassportReadingQuerySet(models.QuerySet["PassportReading"]):
    def visible_to(self, user: "User") -> "PassportReadingQuerySet":
        """Readings ``user`` may see: firm first, then staff who can see the document's case.
        Applicants see none (the advisor checks the reading against the record)."""
        qs = firm_scope(self, user)
        if not user.is_authenticated or not user.is_staff_member:
            return qs.none()
        return qs.filter(document__in=Document.objects.visible_to(user))


class PassportReading(models.Model):
    """The machine-readable zone (ICAO Doc 9303 TD3) of one document version, as read.

    Text fields are as the zone spells them (capital letters, no accents); ``nationality``
    is ISO 3166-1 alpha-2 ("" when the zone's code has none) and ``nationality_code`` the
    zone's own 3-letter code; ``*_valid`` say whether each check digit verified.
    ``duration_ms`` is how long the reading took (milliseconds). ``applied_at``/``applied_by``
    record the last "Apply to record".
    """

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    # One reading per version (the constraint below); a foreign key, not a one-to-one, so the
    # audit log's diff of a Document never looks for a reading (one query per upload).
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="passport_readings",
        verbose_name=_("document"),
    )
    status = models.CharField(_("status"), max_length=16, choices=ReadingStatus.choices)
    surname = models.CharField(_("surname"), max_length=44, blank=True)
    given_names = models.CharField(_("given names"), max_length=44, blank=True)
    document_number = models.CharField(_("passport number"), max_length=9, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    nationality_code = models.CharField(_("nationality code"), max_length=3, blank=True)
    issuing_state = models.CharField(_("issuing state"), max_length=3, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    expiry_date = models.DateField(_("passport expiry date"), null=True, blank=True)
    number_valid = models.BooleanField(
        default=False, verbose_name=_("passport number check digit correct")
    )
    birth_date_valid = models.BooleanField(
        default=False, verbose_name=_("date of birth check digit correct")
    )
    expiry_date_valid = models.BooleanField(
        default=False, verbose_name=_("expiry date check digit correct")
    )
    personal_number_valid = models.BooleanField(
        default=False, verbose_name=_("personal number check digit correct")
    )
    composite_valid = models.BooleanField(
        default=False, verbose_name=_("overall check digit correct")
    )
    duration_ms = models.PositiveIntegerField(default=0, verbose_name=_("reading time (ms)"))
    read_at = models.DateTimeField(auto_now_add=True, verbose_name=_("read at"))
    applied_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("applied to the record at")
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )

    objects = PassportReadingQuerySet.as_manager()

    class Meta:
        ordering = ("-read_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["document"], name="passport_reading_one_per_version")
        ]
        verbose_name = _("passport reading")
        verbose_name_plural = _("passport readings")

    def __str__(self) -> str:
        return f"document {self.document_id}: {self.status}"

    @property
    def is_read(self) -> bool:
        return self.status == ReadingStatus.READ

    @property
    def checks_ok(self) -> bool:
        return all(
            (
                self.number_valid,
                self.birth_date_valid,
                self.expiry_date_valid,
                self.personal_number_valid,
                self.composite_valid,
            )
        )
