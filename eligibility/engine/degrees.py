"""Criteria about degrees (ISCED 2011 level, ISCED-F 2013 field, recognized institution) and
``same_degree``, the group whose conditions one and the same degree must meet together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from eligibility.engine.criteria import FastFn, Node, matches_fields
from eligibility.engine.facts import EducationFact, Facts, Tri, degree_level_name
from eligibility.engine.results import CriterionResult


class _DegreeNode(Node):
    """A criterion about a single degree; standing alone it passes when any degree passes."""

    __slots__ = ()

    def check(self, edu: EducationFact) -> tuple[Tri, str]:  # pragma: no cover - abstract
        """(result for this degree, missing-fact key when unknown)."""
        raise NotImplementedError

    def params(self, edu: EducationFact | None) -> dict[str, Any]:
        return {}

    def row_fast(self) -> Callable[[EducationFact], int]:  # pragma: no cover - abstract
        """One degree -> 0 | 1 | 2, like ``check``."""
        raise NotImplementedError

    def fast(self) -> FastFn:
        check = self.row_fast()

        def run(facts: Facts) -> int:
            rows = facts.education
            if rows is None:
                return 1
            result = 0
            for edu in rows:
                value = check(edu)
                if value == 2:
                    return 2
                if value == 1:
                    result = 1
            return result

        return run

    def evaluate(self, facts: Facts) -> CriterionResult:
        if facts.education is None:
            return CriterionResult(self, Tri.UNKNOWN, self.params(None), ("education",))
        missing: list[str] = []
        for edu in facts.education:
            result, key = self.check(edu)
            if result is Tri.PASS:
                return CriterionResult(self, Tri.PASS, self.params(edu))
            if result is Tri.UNKNOWN:
                missing.append(key)
        if missing:
            return CriterionResult(
                self, Tri.UNKNOWN, self.params(None), tuple(sorted(set(missing)))
            )
        return CriterionResult(self, Tri.FAIL, self.params(None))


class MinDegreeLevel(_DegreeNode):
    __slots__ = ()

    def check(self, edu: EducationFact) -> tuple[Tri, str]:
        if edu.level is None:
            return Tri.UNKNOWN, "education.level"
        return (Tri.PASS if edu.level >= self.spec["level"] else Tri.FAIL), ""

    def params(self, edu: EducationFact | None) -> dict[str, Any]:
        """The levels as numbers (``min``, ``best``) and by name in each language."""
        best = edu.level if edu else None
        return {
            "min": self.spec["level"],
            "best": best if best is not None else "",
            "min_en": degree_level_name(self.spec["level"], "en"),
            "min_zh": degree_level_name(self.spec["level"], "zh"),
            "best_en": degree_level_name(best, "en"),
            "best_zh": degree_level_name(best, "zh"),
        }

    def row_fast(self) -> Callable[[EducationFact], int]:
        level = self.spec["level"]
        return lambda e: 1 if e.level is None else (2 if e.level >= level else 0)


class FieldOfStudy(_DegreeNode):
    __slots__ = ()

    def check(self, edu: EducationFact) -> tuple[Tri, str]:
        if not edu.field_code:
            return Tri.UNKNOWN, "education.field"
        return (Tri.PASS if matches_fields(edu.field_code, self.spec["fields"]) else Tri.FAIL), ""

    def params(self, edu: EducationFact | None) -> dict[str, Any]:
        """The accepted codes (``fields``), the degree's code and its field's name in each
        language (``field_en``, ``field_zh``: what applicants read; the code only for facts
        built without names, as benchmarks build them)."""
        code = edu.field_code if edu else ""
        en, zh = edu.field_names if edu else ("", "")
        return {
            "fields": ", ".join(self.spec["fields"]),
            "code": code,
            "field_en": en or code,
            "field_zh": zh or en or code,
        }

    def row_fast(self) -> Callable[[EducationFact], int]:
        prefixes = tuple(self.spec["fields"])
        return lambda e: 1 if not e.field_code else (2 if e.field_code.startswith(prefixes) else 0)


class InstitutionRecognized(_DegreeNode):
    __slots__ = ()

    def check(self, edu: EducationFact) -> tuple[Tri, str]:
        if edu.institution_recognized is None:
            return Tri.UNKNOWN, "education.institution"
        return (Tri.PASS if edu.institution_recognized else Tri.FAIL), ""

    def row_fast(self) -> Callable[[EducationFact], int]:
        return lambda e: (
            1 if e.institution_recognized is None else (2 if e.institution_recognized else 0)
        )


class SameDegree(Node):
    """A group of degree criteria that one and the same degree must meet together."""

    __slots__ = ()

    def fast(self) -> FastFn:
        checks = [c.row_fast() for c in self.children]  # type: ignore[attr-defined]

        def run(facts: Facts) -> int:
            rows = facts.education
            if rows is None:
                return 1
            result = 0
            for edu in rows:
                row = 2
                for check in checks:
                    value = check(edu)
                    if value == 0:
                        row = 0
                        break
                    if value == 1:
                        row = 1
                if row == 2:
                    return 2
                if row == 1:
                    result = 1
            return result

        return run

    def evaluate(self, facts: Facts) -> CriterionResult:
        children: list[_DegreeNode] = self.children  # type: ignore[assignment]
        if facts.education is None:
            return CriterionResult(self, Tri.UNKNOWN, {}, ("education",))
        missing: set[str] = set()
        best: EducationFact | None = None
        any_unknown = False
        for edu in facts.education:
            row = Tri.PASS
            row_missing: list[str] = []
            for child in children:
                result, key = child.check(edu)
                if result is Tri.FAIL:
                    row = Tri.FAIL
                    break
                if result is Tri.UNKNOWN:
                    row = Tri.UNKNOWN
                    row_missing.append(key)
            if row is Tri.PASS:
                best = edu
                break
            if row is Tri.UNKNOWN:
                any_unknown = True
                missing.update(row_missing)
        if best is not None:
            result = Tri.PASS
            missing = set()
        else:
            result = Tri.UNKNOWN if any_unknown else Tri.FAIL
        # With a degree meeting everything, each condition is explained by that degree; without
        # one, each condition on its own over all degrees (with the values of the degree that
        # meets it, if any), so "A degree at ISCED level 7..." names a real level.
        kids = [
            CriterionResult(c, c.check(best)[0], c.params(best))
            if best
            else _child_over_rows(c, facts.education)
            for c in children
        ]
        return CriterionResult(self, result, {}, tuple(sorted(missing)), kids)


def _child_over_rows(child: _DegreeNode, rows: Iterable[EducationFact]) -> CriterionResult:
    return child.evaluate(Facts(today=dt.date.min, education=tuple(rows)))
