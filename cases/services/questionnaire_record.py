"""Approval's write-back: the confirmed identity and passport answers become the applicant
record, through ``applicant_record_update`` (``cases/services/records.py``), the record's one
writer, so it validates them like intake and writes one CaseEvent per changed field.

The advisor approves what they saw: the review page lists what the record will take over and
carries the record's ``version``; if the record changed after that (someone corrected it,
an applicant's correction was confirmed), approval is refused with ``StaleObject`` and nothing
is approved or written, so no newer correction is overwritten unseen.
"""

from typing import Any

from django.utils.translation import gettext as _

from cases.models import Applicant, Case, QuestionnaireResponse
from cases.questionnaires.record import record_values
from cases.services.records import (
    RecordChange,
    applicant_record_check,
    applicant_record_update,
    record_diff,
)
from portal.errors import InvalidInput, StaleObject
from portal.models import User


def questionnaire_record_diff(
    *, applicant: Applicant, response: QuestionnaireResponse
) -> dict[str, Any]:
    """Record field -> the cleaned confirmed answer, for the fields where it differs from what
    ``applicant`` holds (empty: approval writes nothing). Raises ``InvalidInput`` (naming the
    question's record field) for an answer the record would refuse."""
    values = record_values(response.questionnaire.definition, response.answers)
    if not values:
        return {}
    try:
        cleaned = applicant_record_check(applicant=applicant, changes=values)
    except InvalidInput as exc:
        raise InvalidInput(
            _(
                "An answer cannot be written to the applicant's record: %(why)s Return the "
                "questionnaire so the applicant corrects it, or correct the record first."
            )
            % {"why": exc.message},
            details=exc.details,
        ) from exc
    return record_diff(applicant, cleaned)


def questionnaire_record_write(
    *, case: Case, response: QuestionnaireResponse, actor: User, record_version: int | None
) -> RecordChange:
    """Write the confirmed answers of ``response`` that differ from the record (inside the
    caller's transaction; the applicant row is locked). ``record_version``: the record's
    version the approver saw (None: the current one, no check). Raises ``StaleObject`` when
    something would be written and the record changed since ``record_version``."""
    current = Applicant.objects.select_for_update().get(pk=case.applicant_id)
    diff = questionnaire_record_diff(applicant=current, response=response)
    if not diff:
        return RecordChange()
    if record_version is not None and record_version != current.version:
        raise StaleObject(
            _(
                "The applicant's record changed after you opened this page, so nothing was "
                "approved. Check what the record now holds against the answers below, then "
                "approve again."
            ),
            details={"record_version": current.version},
        )
    return applicant_record_update(
        applicant=case.applicant, actor=actor, changes=diff, version=current.version
    )
