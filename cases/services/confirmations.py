"""The advisor's answers to the questions a rule set asks them to confirm (issue 13): facts
the portal cannot read from a record, such as "The passport has at least 2 blank visa pages"
(``advisor_confirms`` criteria, vocabulary in ``eligibility/engine/labels.py``).

An answer is stored on the case (``Case.confirmations``) with a CaseEvent in one transaction,
then the case is assessed again (``case_assess``) so the criterion turns from unknown to met or
not met at once. Case staff only (the assigned advisor, a supervisor, an admin of the firm).
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, EventKind
from cases.services.eligibility import case_assess
from cases.services.events import event_record
from cases.services.timeline_text import event_data
from eligibility.engine import QUESTIONS, confirm_questions, generated_label
from eligibility.models import RuleSet
from portal.errors import InvalidInput, NotAllowed
from portal.models import User


def case_confirmation_questions(case: Case) -> list[tuple[str, int | None]]:
    """``[(question, number or None)]`` asked by the published rule set of ``case``'s visa
    type (none when it has no published rule set). One query."""
    rule_set = RuleSet.objects.published().filter(visa_type_code=case.visa_type.code).first()
    return confirm_questions(rule_set.criteria) if rule_set is not None else []


def case_confirmation_answer(
    *, case: Case, question: str, answer: bool, n: int | None, actor: User
) -> dict[str, Any]:
    """Record the advisor's yes (``answer`` True) or no to ``question`` about ``n`` (the
    number the page showed, e.g. 2 blank pages; None for a question without one) and assess
    the case again. Returns the stored answer ``{"answer", "n", "by", "at"}``.

    Raises ``NotAllowed`` unless ``actor`` is staff on the case; ``InvalidInput`` when the
    published rule set does not ask that question, or asks it about another number (the
    rules changed since the page was shown: reload it).
    """
    if not permissions.can_confirm_facts(actor, case):
        raise NotAllowed(_("Only the case's advisor, a supervisor or an admin can answer this."))
    asked = dict(case_confirmation_questions(case))
    if question not in asked or question not in QUESTIONS:
        raise InvalidInput(_("The rules of this visa do not ask this question."))
    if asked[question] != n:
        raise InvalidInput(
            _("The rules changed since this page was shown: reload it and answer again.")
        )
    spec = {"type": "advisor_confirms", "question": question, QUESTIONS[question].param: n}
    stored: dict[str, Any] = {
        "answer": bool(answer),
        "n": n,
        "by": actor.pk,
        "at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = (locked.confirmations or {}).get(question)
        locked.confirmations = {**(locked.confirmations or {}), question: stored}
        Case.objects.filter(pk=case.pk).update(
            confirmations=locked.confirmations, updated_at=timezone.now()
        )
        case.confirmations = locked.confirmations
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.UPDATE,
            before=_word(before["answer"]) if before else "",
            after=_word(stored["answer"]),
            data=event_data(
                "confirmation",
                confirmation=question,
                n=n,
                answer=stored["answer"],
                statement_en=generated_label(spec, "en") or question,
                statement_zh=generated_label(spec, "zh-hans") or "",
            ),
        )
        case_assess(case=case, actor=actor)
    return stored


def _word(answer: bool) -> str:
    return "yes" if answer else "no"
