"""From compiled criteria and facts to an outcome: ``evaluate`` (the fast path, explaining on
demand), ``evaluate_explained`` (the slow reference path) and ``assess`` (compile and evaluate
in one call)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eligibility.engine.compile import compile_criteria
from eligibility.engine.criteria import Node, kleene
from eligibility.engine.facts import Facts, Outcome, Tri
from eligibility.engine.results import CriterionResult, Evaluation


def _without_reported(r: CriterionResult, neutral: Tri) -> Tri:
    """``r``'s result had every ``reported`` criterion been left out of the rule set (a left-out
    criterion acts as the identity of its group: PASS inside all_of, FAIL inside any_of)."""
    if r.node.basis == "reported":
        return neutral
    if r.node.type == "all_of":
        return kleene((_without_reported(c, Tri.PASS) for c in r.children), Tri.FAIL)
    if r.node.type == "any_of":
        return kleene((_without_reported(c, Tri.FAIL) for c in r.children), Tri.PASS)
    return r.result


def evaluate(root: Node, facts: Facts) -> Evaluation:
    """Evaluate compiled criteria against ``facts``.

    Outcome: UNKNOWN at the root -> needs_information (``missing_facts`` says which); otherwise
    eligible / ineligible, turned into needs_review when a ``reported`` (not ``official``)
    criterion decides it, i.e. leaving the reported criteria out would change the result, or
    when the advisor flagged the case.
    """
    pair = root.decide_pair
    if pair is not None:
        result, official = divmod(pair(facts), 3)
    else:
        decide = root.decide
        if decide is None:
            raise ValueError("compile the criteria with compile_criteria() first")
        result = decide(facts)
        official = -1 if root.basis == "reported" else result
    if result == 1:
        return Evaluation(Outcome.NEEDS_INFORMATION, root, facts, False)
    reported = official != result
    if reported or facts.advisor_flag:
        outcome = Outcome.NEEDS_REVIEW
    elif result == 2:
        outcome = Outcome.ELIGIBLE
    else:
        outcome = Outcome.INELIGIBLE
    return Evaluation(outcome, root, facts, reported)


def evaluate_explained(root: Node, facts: Facts) -> tuple[Outcome, CriterionResult]:
    """The slow reference path: the outcome computed from the full result tree (used by the
    tests to prove ``evaluate``'s fast path gives the same answers)."""
    result = root.evaluate(facts)
    if result.result is Tri.UNKNOWN:
        return Outcome.NEEDS_INFORMATION, result
    reported = _without_reported(result, Tri.UNKNOWN) is not result.result
    if reported or facts.advisor_flag:
        return Outcome.NEEDS_REVIEW, result
    return (Outcome.ELIGIBLE if result.result is Tri.PASS else Outcome.INELIGIBLE), result


def assess(criteria: Mapping[str, Any], facts: Facts) -> Evaluation:
    """Compile and evaluate in one call (compile once with ``compile_criteria`` for batches)."""
    return evaluate(compile_criteria(criteria), facts)
