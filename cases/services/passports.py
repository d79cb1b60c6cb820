"""The passport reader's writes (issue 13): read the machine-readable zone of a ready version
of a passport bio-data page (``cases.tasks.passport_read``, queued on commit when the version
becomes ready), and "Apply to record": copy fields read into the applicant's record through
``applicant_record_update``, which writes the CaseEvents.

Reading never changes the upload: whatever happens (no zone, a blurred page, Tesseract not
installed, an error) the version stays ready and reviewable, and the row says what happened.
"""

import logging
import time
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    PASSPORT_REQUIREMENT_CODES,
    Document,
    PassportReading,
    ReadingStatus,
    VersionState,
)
from cases.services.records import RecordChange, applicant_record_update
from cases.uploads.mrz import read_mrz_page, tesseract_available
from portal.errors import InvalidInput, NotAllowed
from portal.models import User

log = logging.getLogger(__name__)

# Record fields "Apply to record" may write, and the reading's field and check digit for each.
APPLY_FIELDS = {
    "family_name": ("surname", None),
    "given_names": ("given_names", None),
    "passport_number": ("document_number", "number_valid"),
    "nationality": ("nationality", None),
    "date_of_birth": ("date_of_birth", "birth_date_valid"),
    "passport_expiry": ("expiry_date", "expiry_date_valid"),
}


def passport_document_ids(document_ids: Iterable[int]) -> list[int]:
    """The ids among ``document_ids`` that are ready versions of a passport requirement."""
    return list(
        Document.objects.filter(
            pk__in=list(document_ids),
            state=VersionState.READY,
            requirement__code__in=PASSPORT_REQUIREMENT_CODES,
        ).values_list("pk", flat=True)
    )


def passport_read(*, document_id: int) -> str:
    """Read the zone of one ready passport version and store a ``PassportReading``; return
    its status (a ``ReadingStatus`` value, or ``"skipped"``: not a ready passport version, its
    file deleted). Safe to run twice: a version already read keeps its first reading. Never
    raises for what is on the page; an error of the reader is stored as ``failed``."""
    existing = PassportReading.objects.filter(document_id=document_id).first()
    if existing is not None:
        return existing.status
    document = (
        Document.objects.select_related("requirement__case")
        .filter(
            pk=document_id,
            state=VersionState.READY,
            file_deleted_at__isnull=True,
            requirement__code__in=PASSPORT_REQUIREMENT_CODES,
        )
        .first()
    )
    if document is None:
        return "skipped"
    values: dict[str, object] = {}
    started = time.perf_counter()
    if not tesseract_available():
        status = ReadingStatus.UNAVAILABLE
    else:
        try:
            with document.file.open("rb") as handle:
                result = read_mrz_page(stream=handle, content_type=document.content_type)
        except Exception:
            # No personal data in the log: the id and the error class are enough to look.
            log.exception("passport reading of document %s failed", document_id)
            status = ReadingStatus.FAILED
        else:
            if result.fields is None:
                no_zone = result.reason == "no_zone"
                status = ReadingStatus.NO_ZONE if no_zone else ReadingStatus.UNREADABLE
            else:
                status = ReadingStatus.READ
                f = result.fields
                values = {
                    "surname": f.surname[:44],
                    "given_names": f.given_names[:44],
                    "document_number": f.document_number[:9],
                    "nationality": f.nationality_alpha2,
                    "nationality_code": f.nationality[:3],
                    "issuing_state": f.issuing_state[:3],
                    "date_of_birth": f.birth_date,
                    "sex": f.sex,
                    "expiry_date": f.expiry_date,
                    "number_valid": f.checks["document_number"],
                    "birth_date_valid": f.checks["birth_date"],
                    "expiry_date_valid": f.checks["expiry_date"],
                    "personal_number_valid": f.checks["personal_number"],
                    "composite_valid": f.checks["composite"],
                }
    duration_ms = round((time.perf_counter() - started) * 1000)
    try:
        with transaction.atomic():
            PassportReading.objects.create(
                firm_id=document.requirement.case.firm_id,
                document=document,
                status=status,
                duration_ms=duration_ms,
                **values,
            )
    except IntegrityError:  # another delivery of the task stored it first
        return PassportReading.objects.get(document_id=document_id).status
    return str(status)


def passport_reading_apply(
    *, reading: PassportReading, fields: Iterable[str], version: int, actor: User
) -> RecordChange:
    """Write the chosen ``fields`` (keys of ``APPLY_FIELDS``) of ``reading`` into the
    applicant's record through ``applicant_record_update`` (its permission check, validation,
    stale-version refusal and one CaseEvent per changed field, marked as from the passport
    reader), and note who applied it. Raises ``NotAllowed``, ``InvalidInput`` (nothing
    chosen, an unknown field, a field not read, a field whose check digit failed) and
    ``StaleObject``."""
    case = reading.document.requirement.case
    applicant = case.applicant
    if not permissions.can_edit_applicant_record(actor, applicant):
        raise NotAllowed(
            _("Only the advisor of one of the applicant's cases can change these details.")
        )
    chosen = list(dict.fromkeys(fields))
    if not reading.is_read:
        raise InvalidInput(_("Nothing was read from this page, so there is nothing to apply."))
    if not chosen:
        raise InvalidInput(_("Choose at least one detail to copy into the record."))
    changes: dict[str, object] = {}
    for name in chosen:
        if name not in APPLY_FIELDS:
            raise InvalidInput(
                _("These fields cannot be changed here: %(names)s.") % {"names": name},
                details={"field": name},
            )
        source, check = APPLY_FIELDS[name]
        value = getattr(reading, source)
        if value in (None, ""):
            raise InvalidInput(
                _("The passport reader did not read this detail: type it in by hand."),
                details={"field": name},
            )
        if check and not getattr(reading, check):
            raise InvalidInput(
                _(
                    "The check digit of this detail does not match, so it may have been misread. "
                    "Compare it with the page and type it in by hand."
                ),
                details={"field": name},
            )
        changes[name] = value
    with transaction.atomic():
        change = applicant_record_update(
            applicant=applicant,
            actor=actor,
            changes=changes,
            version=version,
            event_data={"source": "passport-reader", "reading": str(reading.pk)},
        )
        now = timezone.now()
        PassportReading.objects.filter(pk=reading.pk).update(applied_at=now, applied_by=actor)
        reading.applied_at, reading.applied_by = now, actor
    return change
