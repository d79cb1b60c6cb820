"""Routes of a rule set, and route conditions of checklist items (issue 13). Pure: no database.

A **route** is a criterion that is a direct child of an ``any_of`` criterion: one of the
alternative ways of qualifying. K v1 has ``k-degree`` and ``k-teaching-research`` (children of
``k-route``); R v1 has ``r-confirmation-letter`` and ``r-class-a-research`` (children of the
root). Later versions may rename or split routes (R v2 replaces ``r-class-a-research`` by
several ``r-class-a-...`` routes), so a condition names routes by **pattern**, never by version.

A **route condition** is a list of patterns in the shell style of :mod:`fnmatch`, matched
case-sensitively against criterion ids: ``*`` any run of characters, ``?`` one character
(for example ``k-degree`` or ``r-class-a-*``). Written as text, patterns are separated by
commas, semicolons, spaces or new lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

# A criterion id is lower-case letters, digits and hyphens (the seeded rule sets); a pattern
# may add the wildcards * and ?. Brackets and other fnmatch syntax are refused: they are easy to
# get wrong and no route needs them.
PATTERN_RE = re.compile(r"^[a-z0-9*?][a-z0-9*?-]*$")
PATTERN_MAX_CHARS = 80
_SEPARATORS = re.compile(r"[\s,;]+")

# Result values of the engine (``eligibility.engine.facts.Tri``), ordered from worst to best.
_RANK = {"fail": 0, "unknown": 1, "pass": 2}
_BY_RANK = {rank: name for name, rank in _RANK.items()}


class PatternError(ValueError):
    """A route pattern that is not well formed; ``pattern`` is the offending text."""

    def __init__(self, pattern: str):
        super().__init__(pattern)
        self.pattern = pattern


def parse_route_patterns(text: str) -> list[str]:
    """The patterns of a condition written as text, in order, duplicates dropped; ``[]`` for
    blank text (no condition). Raises ``PatternError`` for a pattern with characters other than
    ``a-z``, ``0-9``, ``-``, ``*`` and ``?``, starting with a hyphen, or over 80 characters."""
    patterns: list[str] = []
    for part in _SEPARATORS.split(text or ""):
        if not part:
            continue
        if len(part) > PATTERN_MAX_CHARS or not PATTERN_RE.match(part):
            raise PatternError(part)
        if part not in patterns:
            patterns.append(part)
    return patterns


def matches(patterns: Iterable[str], criterion_id: str) -> bool:
    """Whether ``criterion_id`` matches any of ``patterns`` (fnmatch, case-sensitive)."""
    return any(fnmatchcase(criterion_id, p) for p in patterns)


def route_ids(criteria: Mapping[str, Any]) -> list[str]:
    """The ids of the routes of a rule set's criteria tree (``RuleSet.criteria``), depth first:
    every direct child of an ``any_of`` criterion, at any depth."""
    ids: list[str] = []

    def walk(node: Mapping[str, Any]) -> None:
        children = node.get("children") or []
        for child in children:
            if node.get("type") == "any_of":
                ids.append(str(child.get("id", "")))
            walk(child)

    walk(criteria)
    return ids


def route_results(results: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{route id: "pass" | "unknown" | "fail"}`` from a stored result tree
    (``Assessment.results``: ``[{"id", "type", "result", "children": [...]}]``).

    A route nested inside another route (a child of an ``any_of`` inside a route) counts at most
    as well as the route around it: a nested alternative that passes inside a route that fails
    is not a route the case is on.
    """
    out: dict[str, str] = {}

    def walk(node: Mapping[str, Any], ceiling: int) -> None:
        for child in node.get("children") or []:
            child_ceiling = ceiling
            if node.get("type") == "any_of":
                rank = min(_RANK.get(str(child.get("result")), 1), ceiling)
                out[str(child.get("id", ""))] = _BY_RANK[rank]
                child_ceiling = rank
            walk(child, child_ceiling)

    for root in results or []:
        walk(root, _RANK["pass"])
    return out


def condition_applies(patterns: Iterable[str], routes: Mapping[str, str] | None) -> bool:
    """Whether an item with this route condition is asked of a case whose current assessment
    gave ``routes`` (``route_results``; ``None`` or ``{}`` when the case has no assessment).

    - No patterns: no condition, always asked.
    - Some route passes: the case is on the passing route(s); asked when a pattern names one.
    - No route passes yet but some are unknown: the case may still be on any unknown route;
      asked when a pattern names one (a route that failed is not the case's).
    - Not known at all (no assessment, every route failed, or no route of the assessment's rule
      set matches the patterns, e.g. after a rule set renamed its routes): asked. Until the
      route is known every conditional item stays asked, so nothing is dropped by mistake.
    """
    pats = list(patterns)
    if not pats or not routes:
        return True
    named = {rid for rid in routes if matches(pats, rid)}
    if not named:
        return True
    for wanted in ("pass", "unknown"):
        candidates = {rid for rid, result in routes.items() if result == wanted}
        if candidates:
            return bool(candidates & named)
    return True
