"""The applicant: the person a case is for."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.dates import validate_stored_date
from portal.identity import (
    CanonicalEmailField,
    email_canonical,
    email_normalize,
    validate_email_identity,
)


class Applicant(models.Model):
    """The person applying for a visa; names as printed in the passport.

    ``firm`` is the advisory firm whose applicant this is (an applicant belongs to one firm;
    only that firm's staff may find them). ``user`` is the optional login (created by an
    invitation). ``nationality`` is an ISO 3166-1 alpha-2 code.
    """

    firm = models.ForeignKey(
        "portal.Firm", on_delete=models.PROTECT, related_name="applicants", verbose_name=_("firm")
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applicant_profile",
        verbose_name=_("login account"),
    )
    given_names = models.CharField(_("given names"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120)
    email = models.EmailField(_("email"), validators=[validate_email_identity])
    # The comparison key of ``email`` (portal/identity.py): one applicant per person and firm.
    email_canonical = CanonicalEmailField(verbose_name=_("email (for comparison)"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_stored_date]
    )
    nationality = CountryField(_("nationality"), blank=True)
    passport_number = models.CharField(_("passport number"), max_length=40, blank=True)
    passport_expiry = models.DateField(
        _("passport expiry date"), null=True, blank=True, validators=[validate_stored_date]
    )
    # Bumped by every change of the record (cases/services/records.py): a form or API client
    # sends the version it read, and a stale one is refused instead of overwriting.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ("family_name", "given_names")
        indexes = [models.Index(fields=["family_name", "given_names"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "email_canonical"],
                name="applicant_firm_email_canonical_unique",
                violation_error_message=_(
                    "An applicant with this email address already exists in this firm."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        """The stored form of the email and its canonical key (``portal/identity.py``)."""
        self.email = email_normalize(self.email or "")
        self.email_canonical = email_canonical(self.email)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()
