"""Education and employment rows of an applicant: the facts eligibility reads.

Imported by ``cases/models.py``; written through ``cases/services_qualifications.py``.
"""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

if TYPE_CHECKING:
    from portal.models import User


class DegreeLevel(models.IntegerChoices):
    """ISCED 2011 levels of the degrees eligibility reads (the numbers are ISCED's; people read
    the names only, issue 11: no "ISCED 6" jargon)."""

    BACHELOR = 6, _("Bachelor's degree or equivalent")
    MASTER = 7, _("Master's degree or equivalent")
    DOCTORAL = 8, _("Doctoral degree or equivalent")


class EducationQuerySet(models.QuerySet["Education"]):
    def visible_to(self, user: "User") -> "EducationQuerySet":
        from cases.models import Case

        return self.filter(applicant__cases__in=Case.objects.visible_to(user)).distinct()


class Education(models.Model):
    """One degree: ISCED 2011 ``level``, ISCED-F 2013 detailed ``field``, institution (one of
    ours when known, else its name as typed), country (ISO 3166-1), graduation date (or the
    expected date when ``expected``), and whether the degree document is on file."""

    applicant = models.ForeignKey(
        "cases.Applicant",
        on_delete=models.CASCADE,
        related_name="education",
        verbose_name=_("applicant"),
    )
    level = models.PositiveSmallIntegerField(_("degree level"), choices=DegreeLevel.choices)
    field = models.ForeignKey(
        "eligibility.FieldOfStudy",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("field of study"),
        limit_choices_to={"level": "detailed"},
    )
    institution = models.ForeignKey(
        "eligibility.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    institution_name = models.CharField(
        _("institution name (if not in the list)"), max_length=255, blank=True
    )
    country = CountryField(_("country"), blank=True)
    graduation_date = models.DateField(_("graduation date"), null=True, blank=True)
    expected = models.BooleanField(
        _("not awarded yet (expected)"),
        default=False,
        help_text=_("Tick if the graduation date is in the future."),
    )
    degree_document_on_file = models.BooleanField(_("degree document on file"), default=False)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = EducationQuerySet.as_manager()

    class Meta:
        ordering = ("applicant", "-graduation_date", "id")
        verbose_name = _("education")
        verbose_name_plural = _("education")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.field_id}"

    @property
    def institution_display(self) -> str:
        return self.institution.display_name if self.institution else self.institution_name


class EmploymentQuerySet(models.QuerySet["Employment"]):
    def visible_to(self, user: "User") -> "EmploymentQuerySet":
        from cases.models import Case

        return self.filter(applicant__cases__in=Case.objects.visible_to(user)).distinct()


class Employment(models.Model):
    """One job: organisation, role, ISCED-F field, start and end dates (end empty = current),
    whether it is teaching or research, and the institution when it is one of ours."""

    applicant = models.ForeignKey(
        "cases.Applicant",
        on_delete=models.CASCADE,
        related_name="employment",
        verbose_name=_("applicant"),
    )
    organisation = models.CharField(_("organisation"), max_length=255)
    role = models.CharField(_("role"), max_length=255)
    field = models.ForeignKey(
        "eligibility.FieldOfStudy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("field"),
        limit_choices_to={"level": "detailed"},
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Empty if current.")
    )
    teaching_or_research = models.BooleanField(_("teaching or research role"), default=False)
    institution = models.ForeignKey(
        "eligibility.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution (if a university or research institution)"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        ordering = ("applicant", "-start_date", "id")
        verbose_name = _("employment")
        verbose_name_plural = _("employment")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} at {self.organisation}"
