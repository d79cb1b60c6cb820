"""Reads of the passport reader's results (issue 13), for case staff.

``passport_comparison`` lines each detail read from the machine-readable zone up against the
applicant's record and says, in words, whether they agree: names are compared as the zone
writes them (capital letters, accents and punctuation dropped, ICAO Doc 9303 part 3 section
6), so "García López" and "GARCIA LOPEZ" agree.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_countries import countries

from cases.models import Applicant, Document, PassportReading
from cases.services.passports import APPLY_FIELDS
from portal.models import User


def passport_reading_for_document(*, user: User, document: Document) -> PassportReading | None:
    """The reading of ``document`` if ``user`` may see it (case staff), else ``None`` (none
    made yet, or not theirs to see)."""
    return (
        PassportReading.objects.visible_to(user)
        .select_related("applied_by")
        .filter(document=document)
        .first()
    )


@dataclass(frozen=True)
class ComparisonRow:
    """One detail: ``label``; ``read`` and ``recorded`` as shown (``""``: nothing);
    ``same`` whether they agree; ``field`` the record field "Apply to record" writes (``""``:
    none, e.g. sex, which the record does not hold); ``check`` ``True``/``False`` when the
    detail has a check digit (verified or not), ``None`` when it has none; ``applicable``
    whether it may be applied (read, different, and its check digit verified)."""

    label: str
    read: str
    recorded: str
    same: bool
    field: str
    check: bool | None
    applicable: bool


def mrz_form(text: str) -> str:
    """``text`` as a machine-readable zone would spell it: accents removed, capital letters,
    anything but letters and digits a single space (``"García-López"`` -> ``"GARCIA LOPEZ"``)."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain.upper()).split())


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _country(code: str) -> str:
    return f"{countries.name(code)} ({code})" if code else ""


def passport_comparison(*, reading: PassportReading, applicant: Applicant) -> list[ComparisonRow]:
    """The rows of the comparison page, in the passport's order (no queries)."""
    if not reading.is_read:
        return []
    nationality_read = _country(reading.nationality) or reading.nationality_code
    rows = [
        ("family_name", _("Family name"), reading.surname, applicant.family_name, None, True),
        ("given_names", _("Given names"), reading.given_names, applicant.given_names, None, True),
        (
            "passport_number",
            _("Passport number"),
            reading.document_number,
            applicant.passport_number,
            reading.number_valid,
            True,
        ),
        (
            "nationality",
            _("Nationality"),
            nationality_read,
            _country(str(applicant.nationality or "")),
            None,
            False,
        ),
        (
            "date_of_birth",
            _("Date of birth"),
            _date(reading.date_of_birth),
            _date(applicant.date_of_birth),
            reading.birth_date_valid,
            False,
        ),
        (
            "passport_expiry",
            _("Passport expiry date"),
            _date(reading.expiry_date),
            _date(applicant.passport_expiry),
            reading.expiry_date_valid,
            False,
        ),
    ]
    result = []
    for name, label, read, recorded, check, textual in rows:
        if name == "nationality":
            same = bool(reading.nationality) and reading.nationality == str(
                applicant.nationality or ""
            )
        elif textual:
            same = mrz_form(read) == mrz_form(recorded)
        else:
            same = read == recorded
        source = APPLY_FIELDS[name][0]
        has_value = getattr(reading, source) not in (None, "")
        result.append(
            ComparisonRow(
                label=label,
                read=read,
                recorded=recorded,
                same=same,
                field=name,
                check=check,
                applicable=has_value and not same and check is not False,
            )
        )
    sex = {"F": _("Female"), "M": _("Male"), "X": _("Not specified")}.get(reading.sex, "")
    result.append(ComparisonRow(_("Sex"), sex, "", False, "", None, False))
    return result
