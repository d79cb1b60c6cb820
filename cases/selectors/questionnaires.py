"""Reads of a case's questionnaire: the version it uses, its answers, comments, and what the
portal already knows about the applicant (prefill). The caller has fetched the case through
``case_get_for_user`` (404 for anyone who may not see it)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django_countries import countries

from cases.models import (
    PRE_SUBMISSION_STAGES,
    Applicant,
    Case,
    QuestionComment,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireStatus,
    ResponseStatus,
)
from cases.questionnaires.sheet import sheet_sections
from cases.selectors.qualifications import (
    education_list_for_applicant,
    employment_list_for_applicant,
)
from cases.services.questionnaire_record import questionnaire_record_diff
from cases.services.records import field_label, record_text, stored_value
from portal.errors import InvalidInput

# Once sent (or approved), the questionnaire is no longer the applicant's to finish.
QUESTIONNAIRE_SENT = (ResponseStatus.SUBMITTED, ResponseStatus.APPROVED)


@dataclass
class CaseQuestionnaire:
    """A case's questionnaire: the version (the response's, else the visa type's published
    one; None when the visa type has none), the response (None before the first save)."""

    questionnaire: Questionnaire | None
    response: QuestionnaireResponse | None
    comments: dict[str, list[QuestionComment]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.response.status if self.response else ResponseStatus.NOT_STARTED

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.response.answers) if self.response else {}

    @property
    def revision(self) -> int:
        return self.response.revision if self.response else 0


def case_questionnaire(*, case: Case, with_comments: bool = False) -> CaseQuestionnaire:
    """The questionnaire of ``case`` in at most 2 queries (3 with open comments, grouped by
    question key), whatever the number of answers."""
    response = (
        QuestionnaireResponse.objects.filter(case=case, firm_id=case.firm_id)
        .select_related("questionnaire")
        .first()
    )
    if response is not None:
        questionnaire: Questionnaire | None = response.questionnaire
    else:
        questionnaire = Questionnaire.objects.filter(
            visa_type_id=case.visa_type_id,
            firm_id=case.firm_id,
            status=QuestionnaireStatus.PUBLISHED,
        ).first()
    comments: dict[str, list[QuestionComment]] = defaultdict(list)
    if with_comments and response is not None:
        for comment in response.comments.filter(resolved_at__isnull=True).select_related("author"):
            comments[comment.question_key].append(comment)
    return CaseQuestionnaire(questionnaire, response, dict(comments))


def questionnaire_prefill(*, case: Case) -> dict[str, Any]:
    """Prefill values by source name (``PREFILL_SOURCES`` of the definition) from the
    applicant record and their education and employment rows (2 queries). Dates are ISO
    strings; groups lists of item dicts keyed like the seeded group fields."""
    a = case.applicant
    values: dict[str, Any] = {
        "applicant.family_name": a.family_name,
        "applicant.given_names": a.given_names,
        "applicant.date_of_birth": a.date_of_birth.isoformat() if a.date_of_birth else "",
        "applicant.nationality": str(a.nationality or ""),
        "applicant.passport_number": a.passport_number,
        "applicant.passport_expiry": a.passport_expiry.isoformat() if a.passport_expiry else "",
        "applicant.email": a.email,
        "applicant.phone": a.phone,
    }
    values["education"] = [
        {
            "institution": e.institution.name if e.institution else e.institution_name,
            "degree": e.get_level_display(),
            "field": e.field.name_en if e.field else "",
            "country": str(e.country or ""),
            "graduation_date": e.graduation_date.isoformat() if e.graduation_date else "",
        }
        for e in education_list_for_applicant(applicant=a)
    ]
    values["employment"] = [
        {
            "name": j.organisation,
            "role": j.role,
            "start_date": j.start_date.isoformat() if j.start_date else "",
            "end_date": j.end_date.isoformat() if j.end_date else "",
        }
        for j in employment_list_for_applicant(applicant=a)
    ]
    return values


def sheet_document(case: Case, response: QuestionnaireResponse) -> dict[str, Any]:
    """The data sheet as JSON: English and Chinese labels, stored values and display text."""
    questionnaire: Questionnaire = response.questionnaire
    return {
        "case": case.reference,
        "visa_type": case.visa_type.code,
        "questionnaire_version": questionnaire.version,
        "approved_at": response.approved_at.isoformat() if response.approved_at else None,
        "sections": [
            {
                "key": s["key"],
                "title_en": s["title_en"],
                "title_zh": s["title_zh"],
                "answers": [
                    {
                        k: row[k]
                        for k in ("key", "label_en", "label_zh", "value", "display", "confirm")
                    }
                    for row in s["rows"]
                ],
            }
            for s in sheet_sections(questionnaire.definition, response.answers, "en")
        ],
    }


@dataclass
class RecordPreview:
    """What approving would write to the applicant record: ``rows`` of ``{"field", "label",
    "record", "answer"}`` (display text) where the confirmed answer differs, the record's
    ``version`` (carried by the approve form), and ``problem``: why an answer cannot be
    written (approval would be refused), else empty."""

    rows: list[dict[str, str]]
    version: int
    problem: str = ""


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if name == "nationality":
        return str(countries.name(value)) or str(value)
    return record_text(name, value) if name != "passport_number" else str(value)


def questionnaire_record_preview(*, case: Case, response: QuestionnaireResponse) -> RecordPreview:
    """The write-back approval would make (no query beyond the loaded case and applicant)."""
    applicant = case.applicant
    try:
        diff = questionnaire_record_diff(applicant=applicant, response=response)
    except InvalidInput as exc:
        return RecordPreview(rows=[], version=applicant.version, problem=exc.message)
    rows = [
        {
            "field": name,
            "label": field_label(Applicant, name),
            "record": _shown(name, stored_value(applicant, name)),
            "answer": _shown(name, value),
        }
        for name, value in diff.items()
    ]
    return RecordPreview(rows=rows, version=applicant.version)


def questionnaire_deadlines(
    cases: QuerySet[Case], *, low: dt.date, high: dt.date
) -> QuerySet[Case]:
    """Cases of ``cases`` whose questionnaire is still the applicant's to send (not started,
    in progress or returned) and whose target submission date, the questionnaire's due date,
    is in [low, high]: not yet submitted, and with a questionnaire (an answers row, or a
    published version for the visa type). The applicant's login, the advisor and the
    response are joined: one query."""
    published = Questionnaire.objects.filter(
        visa_type_id=OuterRef("visa_type_id"), status=QuestionnaireStatus.PUBLISHED
    )
    return (
        cases.filter(
            stage__in=PRE_SUBMISSION_STAGES,
            target_submission_date__gte=low,
            target_submission_date__lte=high,
        )
        .filter(Q(questionnaire__isnull=False) | Exists(published))
        .exclude(questionnaire__status__in=QUESTIONNAIRE_SENT)
        .select_related("applicant__user", "advisor", "questionnaire")
    )
