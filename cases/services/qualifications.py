"""Writes to an applicant's education and employment rows (the facts eligibility reads).

The applicant keeps them current; staff on any of the applicant's cases correct them. Each change
writes a CaseEvent (kind update) on the applicant's open cases in the same transaction.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Applicant, Case, Education, Employment, EventKind
from cases.services.events import event_build, events_record
from cases.services.timeline_text import event_data
from eligibility.models import FieldLevel
from portal.dates import check_not_too_far_ahead
from portal.errors import InvalidInput, NotAllowed
from portal.models import User

EDUCATION_FIELDS = (
    "level",
    "field",
    "institution",
    "institution_name",
    "country",
    "graduation_date",
    "expected",
    "degree_document_on_file",
)
# Without a date of birth, a job starting before this is a typo (the form's year-of-birth floor).
EARLIEST_START = dt.date(1900, 1, 1)

EMPLOYMENT_FIELDS = (
    "organisation",
    "role",
    "field",
    "start_date",
    "end_date",
    "teaching_or_research",
    "institution",
)


def _check(actor: User, applicant: Applicant) -> None:
    if not permissions.can_edit_applicant(actor, applicant):
        raise NotAllowed(_("You cannot change this applicant's qualifications."))


def _record(applicant: Applicant, actor: User, data: dict[str, Any]) -> None:
    cases = list(Case.objects.open().filter(applicant=applicant).only("pk"))
    events_record(event_build(case=c, actor=actor, kind=EventKind.UPDATE, data=data) for c in cases)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(updated_at=timezone.now())


def _education_data(education: Education, change: str) -> dict[str, Any]:
    field = education.field
    return event_data(
        "education",
        change=change,
        education=education.pk,
        level=education.level,
        field_code=field.code if field is not None else "",
        field_en=field.name_en if field is not None else "",
        field_zh=field.name_zh if field is not None else "",
    )


def _employment_data(employment: Employment, change: str) -> dict[str, Any]:
    return event_data(
        "employment",
        change=change,
        employment=employment.pk,
        role=employment.role,
        organisation=employment.organisation,
    )


def _validate_education(applicant: Applicant, data: dict[str, Any], today: dt.date) -> None:
    field = data.get("field")
    if field is not None and field.level != FieldLevel.DETAILED:
        raise InvalidInput(
            _("Choose a detailed field of study (a 4-digit ISCED-F code)."),
            details={"field": "field"},
        )
    if data.get("institution") is None and not (data.get("institution_name") or "").strip():
        raise InvalidInput(
            _("Choose the institution from the list, or type its name if it is not listed."),
            details={"field": "institution"},
        )
    graduated = data.get("graduation_date")
    if graduated:
        birth = applicant.date_of_birth
        if birth and graduated <= birth:
            raise InvalidInput(
                _("The graduation date must be after the date of birth (%(birth)s).")
                % {"birth": birth.isoformat()},
                details={"field": "graduation_date"},
            )
        if graduated > today and not data.get("expected"):
            raise InvalidInput(
                _(
                    "The graduation date is in the future; tick “not awarded yet” if you expect "
                    "to graduate then."
                ),
                details={"field": "graduation_date"},
            )
        check_not_too_far_ahead(graduated, field="graduation_date", today=today)
    elif not data.get("expected"):
        raise InvalidInput(
            _("Enter the graduation date (or the expected date and tick “not awarded yet”)."),
            details={"field": "graduation_date"},
        )


def _validate_employment(applicant: Applicant, data: dict[str, Any], today: dt.date) -> None:
    field = data.get("field")
    if field is not None and field.level != FieldLevel.DETAILED:
        raise InvalidInput(
            _("Choose a detailed field (a 4-digit ISCED-F code)."), details={"field": "field"}
        )
    start, end = data.get("start_date"), data.get("end_date")
    if start is None:
        raise InvalidInput(_("Enter the start date."), details={"field": "start_date"})
    if start > today:
        raise InvalidInput(
            _("The start date cannot be in the future."), details={"field": "start_date"}
        )
    birth = applicant.date_of_birth
    if birth and start < birth:
        raise InvalidInput(
            _("The start date must be on or after the date of birth (%(birth)s).")
            % {"birth": birth.isoformat()},
            details={"field": "start_date"},
        )
    if start < EARLIEST_START:
        raise InvalidInput(
            _("Check the start date; it is before %(earliest)s.")
            % {"earliest": EARLIEST_START.isoformat()},
            details={"field": "start_date"},
        )
    if end is not None and end < start:
        raise InvalidInput(
            _("The end date must be on or after the start date."), details={"field": "end_date"}
        )
    check_not_too_far_ahead(end, field="end_date", today=today)


def education_save(
    *,
    applicant: Applicant,
    actor: User,
    data: dict[str, Any],
    education: Education | None = None,
) -> Education:
    """Add (``education`` None) or change a degree of ``applicant``. ``data`` holds
    ``EDUCATION_FIELDS`` (``field`` a detailed FieldOfStudy, ``institution`` an Institution or
    None). Rules: graduation after birth; no future graduation unless ``expected``, and an
    expected one at most 10 years ahead; institution chosen or named. Raises ``NotAllowed``
    and ``InvalidInput`` (``details["field"]`` names the form field); nothing is stored
    then."""
    _check(actor, applicant)
    if education is not None and education.applicant_id != applicant.pk:
        raise NotAllowed(_("This degree belongs to another applicant."))
    values = {k: data.get(k) for k in EDUCATION_FIELDS if k in data}
    values["institution_name"] = (values.get("institution_name") or "").strip()
    values["country"] = values.get("country") or ""
    _validate_education(applicant, values, timezone.localdate())
    with transaction.atomic():
        if education is None:
            education = Education.objects.create(applicant=applicant, **values)
            change = "added"
        else:
            Education.objects.filter(pk=education.pk).update(**values, updated_at=timezone.now())
            education.refresh_from_db()
            change = "changed"
        _record(applicant, actor, _education_data(education, change))
    return education


def education_delete(*, education: Education, actor: User) -> None:
    """Remove a degree row. Raises ``NotAllowed``."""
    applicant = education.applicant
    _check(actor, applicant)
    with transaction.atomic():
        data = _education_data(education, "removed")
        education.delete()
        _record(applicant, actor, data)


def employment_save(
    *,
    applicant: Applicant,
    actor: User,
    data: dict[str, Any],
    employment: Employment | None = None,
) -> Employment:
    """Add or change a job of ``applicant`` (``EMPLOYMENT_FIELDS``). Rules: a start date not in
    the future, on or after the date of birth when known (else from 1900); end on or after
    start (empty = current) and at most 10 years ahead. Raises ``NotAllowed`` and
    ``InvalidInput`` (``details["field"]``)."""
    _check(actor, applicant)
    if employment is not None and employment.applicant_id != applicant.pk:
        raise NotAllowed(_("This job belongs to another applicant."))
    values = {k: data.get(k) for k in EMPLOYMENT_FIELDS if k in data}
    for key in ("organisation", "role"):
        values[key] = (values.get(key) or "").strip()
        if not values[key]:
            raise InvalidInput(_("This field is required."), details={"field": key})
    _validate_employment(applicant, values, timezone.localdate())
    with transaction.atomic():
        if employment is None:
            employment = Employment.objects.create(applicant=applicant, **values)
            change = "added"
        else:
            Employment.objects.filter(pk=employment.pk).update(**values, updated_at=timezone.now())
            employment.refresh_from_db()
            change = "changed"
        _record(applicant, actor, _employment_data(employment, change))
    return employment


def employment_delete(*, employment: Employment, actor: User) -> None:
    """Remove a job row. Raises ``NotAllowed``."""
    applicant = employment.applicant
    _check(actor, applicant)
    with transaction.atomic():
        data = _employment_data(employment, "removed")
        employment.delete()
        _record(applicant, actor, data)
