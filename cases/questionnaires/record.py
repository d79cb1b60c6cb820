"""Which confirmed answers the applicant record takes over when the advisor approves (pure: no
database access).

A question with ``"record": "applicant.<field>"`` names the field of the applicant record its
answer is written to on approval, through ``applicant_record_update`` (the one writer of the
record, ``cases/services/records.py``), so the record and the form never drift apart. Only
answers the advisor checks against a document (``"confirm": "advisor"``) may carry it, and
only questions whose type fits the field (``RECORD_TARGETS``). The seeded K and R
questionnaires mark the names, date of birth, nationality, passport number and expiry.
"""

from collections.abc import Mapping
from typing import Any

from cases.questionnaires.definition import RECORD_TARGETS, iter_questions


def record_field(target: str) -> str:
    """``"applicant.family_name"`` -> ``"family_name"``."""
    return target.split(".", 1)[1]


def record_questions(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions (top level and yes/no follow-ups, in order) that carry ``record``."""
    return [q for q in iter_questions(definition) if q.get("record") in RECORD_TARGETS]


def record_values(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Record field -> the stored answer (ISO date strings, country codes, text) of each
    question marked ``record``. Unanswered questions are left out: a blank answer never
    erases what the record holds."""
    values: dict[str, Any] = {}
    for q in record_questions(definition):
        value = answers.get(q["key"])
        if value not in (None, "", []):
            values[record_field(q["record"])] = value
    return values
