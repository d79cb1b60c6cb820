"""The K and R questionnaires seeded for every firm (version 1, published), in the order of
the sections of China's online visa application form (COVA, the China Online Visa Application
used by consulates and visa centres): personal details, passport, contact and address,
occupation, education, family, travel plan, previous visits, other countries visited,
declarations. ``confirm: advisor`` marks answers the advisor checks against a document
before approving (identity, passport, dates); the rest are the applicant's own words. Of
those, ``record`` marks the six the applicant record holds (names, date of birth,
nationality, passport number and expiry): approval writes them to the record
(``cases/questionnaires/record.py``). The longest stay per visit is a whole number of days
from 1 to 365: a visa's stay per entry is shorter than that (longer stays need a residence
permit), so the bound only catches a typing slip such as 9000 without refusing a real plan.

The definitions are data: ``cases/questionnaires/data/K.json`` and ``R.json`` (validated by
``tests/cases/questionnaires/test_definitions.py``). Used by the data migration
``0017_questionnaires`` and by ``firm_create`` (a new firm starts from the same
definitions). Changing the files does not change published versions: admins make a new
version instead.
"""

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")

SEED: dict[str, dict[str, str]] = {
    "K": {"title_en": "K visa application questions", "title_zh": "K字签证申请问卷"},
    "R": {"title_en": "R visa application questions", "title_zh": "R字签证申请问卷"},
}


def seed_definition(code: str) -> dict[str, Any]:
    """The seeded definition of visa type ``code`` (``K`` or ``R``), freshly parsed."""
    return dict(json.loads((DATA / f"{code}.json").read_text(encoding="utf-8")))


def k_definition() -> dict[str, Any]:
    """The K visa (young science and technology talent) questionnaire."""
    return seed_definition("K")


def r_definition() -> dict[str, Any]:
    """The R visa (foreign high-level talent) questionnaire: the K sections, with the
    Confirmation Letter for High-Level Foreign Talents and the host employer in the travel plan."""
    return seed_definition("R")


def install_for(questionnaire_model: Any, visa_type_model: Any, *, firm: Any = None) -> int:
    """Give each K and R visa type (of ``firm``, or of every firm) a published version 1 of
    its questionnaire when it has no questionnaire yet (idempotent). Takes the model classes,
    so the data migration can pass its historical models. Returns how many were created."""
    visa_types = visa_type_model.objects.filter(code__in=list(SEED))
    if firm is not None:
        visa_types = visa_types.filter(firm_id=firm.pk)
    created = 0
    for visa_type in visa_types:
        if questionnaire_model.objects.filter(visa_type_id=visa_type.pk).exists():
            continue
        seed = SEED[visa_type.code]
        questionnaire_model.objects.create(
            firm_id=visa_type.firm_id,
            visa_type_id=visa_type.pk,
            version=1,
            status="published",
            title_en=seed["title_en"],
            title_zh=seed["title_zh"],
            definition=seed_definition(visa_type.code),
            notes="Seeded by migration 0017_questionnaires.",
        )
        created += 1
    return created
