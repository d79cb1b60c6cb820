"""Build the engine's plain facts object from a case (``eligibility`` never reads cases).

Callers load the case with ``FACTS_PREFETCH`` (see ``cases_for_assessment``) so building facts
for many cases costs no query per case.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet

from cases.models import Case, DocumentRequirement, Education, Employment
from cases.reminders.schedule import local_today
from eligibility.engine import EducationFact, EmploymentFact, Facts

FACTS_PREFETCH = (
    Prefetch(
        "applicant__education",
        queryset=Education.objects.select_related("institution", "field").order_by("id"),
    ),
    Prefetch(
        "applicant__employment",
        queryset=Employment.objects.select_related("institution", "field").order_by("id"),
    ),
    Prefetch(
        "requirements", queryset=DocumentRequirement.objects.only("id", "case_id", "code", "status")
    ),
)


def cases_for_assessment(qs: QuerySet[Case]) -> QuerySet[Case]:
    """``qs`` with everything ``facts_for_case`` reads joined or prefetched (4 queries total)."""
    return qs.select_related("applicant").prefetch_related(*FACTS_PREFETCH)


def facts_for_case(case: Case, *, today: dt.date, advisor_flag: bool = False) -> Facts:
    """The engine facts of ``case``: the applicant's date of birth, nationality, passport expiry,
    education and employment rows (None when the applicant entered none), the case's intended
    entry date, the status of each document requirement by checklist code and the advisor's
    answers to the rule sets' questions (``Case.confirmations``)."""
    applicant = case.applicant
    education = [
        EducationFact(
            level=e.level,
            field_code=e.field.code if e.field is not None else "",
            institution_recognized=(
                e.institution.recognized if e.institution is not None else None
            ),
            graduation_date=e.graduation_date,
            expected=e.expected,
            field_names=(e.field.name_en, e.field.name_zh) if e.field is not None else ("", ""),
        )
        for e in applicant.education.all()
        # A degree not awarded yet does not count towards eligibility.
        if not e.expected
    ]
    employment = [
        EmploymentFact(
            start=j.start_date,
            end=j.end_date,
            field_code=j.field.code if j.field is not None else "",
            teaching_or_research=j.teaching_or_research,
            institution_recognized=(
                j.institution.recognized if j.institution is not None else None
            ),
        )
        for j in applicant.employment.all()
    ]
    return Facts(
        today=today,
        date_of_birth=applicant.date_of_birth,
        nationality=str(applicant.nationality or ""),
        passport_expiry=applicant.passport_expiry,
        intended_entry_date=case.intended_entry_date,
        application_date=(
            local_today(case.submitted_at, case.time_zone)
            if case.submitted_at
            else case.target_submission_date
        ),
        education=tuple(education) if education else None,
        employment=tuple(employment) if employment else None,
        documents={r.code: r.status for r in case.requirements.all()},
        advisor_flag=advisor_flag,
        confirmations={
            key: (bool(value.get("answer")), value.get("n"))
            for key, value in (case.confirmations or {}).items()
            if isinstance(value, dict)
        },
    )


def facts_snapshot(facts: Facts) -> dict[str, Any]:
    """A JSON-serialisable copy of ``facts`` for the Assessment record (dates as ISO strings)."""

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "today": iso(facts.today),
        "reference_date": iso(facts.reference_date),
        "date_of_birth": iso(facts.date_of_birth),
        "nationality": facts.nationality,
        "passport_expiry": iso(facts.passport_expiry),
        "intended_entry_date": iso(facts.intended_entry_date),
        "application_date": iso(facts.application_date),
        "education": None
        if facts.education is None
        else [
            {
                "level": e.level,
                "field_code": e.field_code,
                "institution_recognized": e.institution_recognized,
                "graduation_date": iso(e.graduation_date),
            }
            for e in facts.education
        ],
        "employment": None
        if facts.employment is None
        else [
            {
                "start": iso(j.start),
                "end": iso(j.end),
                "field_code": j.field_code,
                "teaching_or_research": j.teaching_or_research,
                "institution_recognized": j.institution_recognized,
            }
            for j in facts.employment
        ],
        "documents": dict(facts.documents),
        "advisor_flag": facts.advisor_flag,
        "confirmations": {k: {"answer": a, "n": n} for k, (a, n) in facts.confirmations.items()},
    }


def missing_fact_labels(
    missing: list[str], requirements: list[DocumentRequirement], language: str
) -> list[str]:
    """Readable names of missing-fact keys in ``language``; document keys use the case's
    requirement name (English or Chinese) when the case has that requirement."""
    from eligibility.engine import fact_label

    names = {r.code: (r.name_zh if language.startswith("zh") else r.name_en) for r in requirements}
    labels = []
    for key in missing:
        code = key.split(":", 1)[1] if key.startswith("document:") else None
        labels.append(
            names.get(code) or fact_label(key, language) if code else fact_label(key, language)
        )
    return labels
