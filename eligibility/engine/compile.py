"""Compiling a validated criteria document into a tree of ``Node`` objects, and the fast path:
closures that decide facts -> 0 (fail) | 1 (unknown) | 2 (pass) without building
explanations, in one pass for both the full rule set and the rule set without its
``reported`` criteria (``decide_pair``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eligibility.engine.criteria import (
    AdvisorConfirms,
    AllOf,
    AnyOf,
    FastFn,
    HasDocument,
    MaxAge,
    MinAge,
    Node,
    PassportValidMonths,
)
from eligibility.engine.degrees import (
    FieldOfStudy,
    InstitutionRecognized,
    MinDegreeLevel,
    SameDegree,
)
from eligibility.engine.employment import ExperienceYears
from eligibility.engine.facts import Facts

NODE_TYPES: dict[str, type[Node]] = {
    "min_age": MinAge,
    "max_age": MaxAge,
    "min_degree_level": MinDegreeLevel,
    "field_of_study": FieldOfStudy,
    "institution_recognized": InstitutionRecognized,
    "experience_years": ExperienceYears,
    "passport_valid_months": PassportValidMonths,
    "has_document": HasDocument,
    "advisor_confirms": AdvisorConfirms,
    "all_of": AllOf,
    "any_of": AnyOf,
    "same_degree": SameDegree,
}
GROUP_TYPES = frozenset({"all_of", "any_of", "same_degree"})
DEGREE_TYPES = frozenset({"min_degree_level", "field_of_study", "institution_recognized"})


def _fast_group(node: Node, drop_reported: bool) -> FastFn:
    """The fast function of ``node``; with ``drop_reported`` every ``reported`` child of a
    group is left out (acting as the identity: PASS in all_of, FAIL in any_of)."""
    if node.type not in ("all_of", "any_of"):
        return node.fast()
    kids = [
        _fast_group(c, drop_reported)
        for c in node.children
        if not (drop_reported and c.basis == "reported")
    ]
    if node.type == "all_of":
        if not kids:
            return lambda facts: 2
        if len(kids) == 1:
            return kids[0]

        def all_of(facts: Facts) -> int:
            result = 2
            for kid in kids:
                value = kid(facts)
                if value == 0:
                    return 0
                if value < result:
                    result = value
            return result

        return all_of
    if not kids:
        return lambda facts: 0
    if len(kids) == 1:
        return kids[0]

    def any_of(facts: Facts) -> int:
        result = 0
        for kid in kids:
            value = kid(facts)
            if value == 2:
                return 2
            if value > result:
                result = value
        return result

    return any_of


def _has_reported_below(node: Node) -> bool:
    if node.type not in ("all_of", "any_of"):
        return False  # same_degree and leaves are atomic for the reported rule
    return any(c.basis == "reported" or _has_reported_below(c) for c in node.children)


_FULL_ONLY, _BOTH, _PAIR = 0, 1, 2


def _fast_pair(node: Node) -> FastFn:
    """For an all_of / any_of with ``reported`` criteria below it: a function facts ->
    ``3 * full + official``, where ``full`` is the result with every criterion and ``official``
    the result with the reported ones left out (as if ``_fast_group(drop_reported=True)``),
    evaluating each shared child once."""
    entries: list[tuple[int, FastFn]] = []
    for child in node.children:
        if child.basis == "reported":
            entries.append((_FULL_ONLY, _fast_group(child, drop_reported=False)))
        elif _has_reported_below(child):
            entries.append((_PAIR, _fast_pair(child)))
        else:
            entries.append((_BOTH, _fast_group(child, drop_reported=False)))
    # Shared and paired children first: they can end the loop early; reported ones cannot.
    entries.sort(key=lambda e: {_PAIR: 0, _BOTH: 1, _FULL_ONLY: 2}[e[0]])

    if node.type == "all_of":

        def all_of(facts: Facts) -> int:
            full = official = 2
            for kind, fn in entries:
                if kind == _BOTH:
                    value = fn(facts)
                    if value < full:
                        full = value
                    if value < official:
                        official = value
                elif kind == _PAIR:
                    a, b = divmod(fn(facts), 3)
                    if a < full:
                        full = a
                    if b < official:
                        official = b
                else:
                    value = fn(facts)
                    if value < full:
                        full = value
                if full == 0 and official == 0:
                    break
            return 3 * full + official

        return all_of

    def any_of(facts: Facts) -> int:
        full = official = 0
        for kind, fn in entries:
            if kind == _BOTH:
                value = fn(facts)
                if value > full:
                    full = value
                if value > official:
                    official = value
            elif kind == _PAIR:
                a, b = divmod(fn(facts), 3)
                if a > full:
                    full = a
                if b > official:
                    official = b
            else:
                value = fn(facts)
                if value > full:
                    full = value
            if full == 2 and official == 2:
                break
        return 3 * full + official

    return any_of


def compile_criteria(spec: Mapping[str, Any]) -> Node:
    """Build the evaluator tree of a validated criteria document (see ``rules.validate``), with
    fast deciding functions at the root: ``decide`` (facts -> 0 fail | 1 unknown | 2 pass) and,
    when reported criteria sit below an official root, ``decide_pair`` (facts ->
    ``3 * full + official``, official = with the reported criteria left out)."""
    root = _build(spec)
    root.decide = _fast_group(root, drop_reported=False)
    root.decide_pair = (
        _fast_pair(root) if root.basis != "reported" and _has_reported_below(root) else None
    )
    return root


def _build(spec: Mapping[str, Any]) -> Node:
    kids = [_build(c) for c in spec.get("children", ())]
    return NODE_TYPES[spec["type"]](spec, kids)
