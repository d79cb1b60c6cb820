"""Reads of the advisor's confirmations (issue 13): the questions the published rule set of a
case's visa type asks the advisor, each with the answer on record, for the confirmations page
and the passport page. Case staff only (the views check ``staff_case`` first)."""

import datetime as dt
from dataclasses import dataclass

from cases.models import Case
from cases.services.confirmations import case_confirmation_questions
from eligibility.engine import QUESTIONS, generated_label


@dataclass(frozen=True)
class ConfirmationRow:
    """One question: ``question`` its key, ``n`` its number (None: none), ``statement`` the
    sentence confirmed in ``language``; ``answer`` True / False for an answer about this
    ``n``, None when unanswered (or answered about another number: asked again); ``at`` when
    it was answered."""

    question: str
    n: int | None
    statement: str
    answer: bool | None
    at: dt.datetime | None


def confirmation_rows(*, case: Case, language: str) -> list[ConfirmationRow]:
    """The published rule set's questions for ``case`` in document order (one query)."""
    rows = []
    stored = case.confirmations or {}
    for question, n in case_confirmation_questions(case):
        param = QUESTIONS[question].param
        spec = {"type": "advisor_confirms", "question": question, **({param: n} if param else {})}
        value = stored.get(question)
        answer = None
        at = None
        if isinstance(value, dict) and value.get("n") == n:
            answer = bool(value.get("answer"))
            at = dt.datetime.fromisoformat(value["at"]) if value.get("at") else None
        rows.append(
            ConfirmationRow(
                question=question,
                n=n,
                statement=generated_label(spec, language) or question,
                answer=answer,
                at=at,
            )
        )
    return rows
