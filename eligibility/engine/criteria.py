"""Compiled criteria: the ``Node`` base class every criterion type implements, the date and
field helpers they share, the criteria about the person, passport and documents, and the
``all_of`` / ``any_of`` groups. Degree criteria live in ``degrees.py``, work experience in
``employment.py``; ``compile.py`` maps each type name of the rules vocabulary to its class."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from eligibility.engine.explanations import DEFAULT_EXPLAIN
from eligibility.engine.facts import Facts, Tri
from eligibility.engine.labels import QUESTIONS, criterion_label
from eligibility.engine.results import CriterionResult

# A criterion's fast deciding function: facts -> 0 (fail) | 1 (unknown) | 2 (pass).
FastFn = Callable[[Facts], int]
_INT = {Tri.FAIL: 0, Tri.UNKNOWN: 1, Tri.PASS: 2}


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on`` (a birthday on 29 February counts on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def matches_fields(code: str, prefixes: Sequence[str]) -> bool:
    """True when ISCED-F ``code`` starts with one of ``prefixes`` ("06" matches "0613")."""
    return code.startswith(tuple(prefixes))


class Node:
    """A compiled criterion. Subclasses implement ``evaluate``."""

    __slots__ = (
        "basis",
        "children",
        "citation",
        "decide",
        "decide_pair",
        "explain",
        "id",
        "label",
        "spec",
        "type",
    )

    def __init__(self, spec: Mapping[str, Any], children: list[Node] | None = None) -> None:
        self.spec = spec
        self.id: str = spec["id"]
        self.type: str = spec["type"]
        # Generated from the type and values (``labels.py``); stored only for groups.
        self.label: dict[str, str] = {
            "en": criterion_label(spec, "en"),
            "zh": criterion_label(spec, "zh"),
        }
        self.citation: str = spec.get("citation", "")
        self.basis: str = spec.get("basis", "official")
        defaults = DEFAULT_EXPLAIN.get(self.explain_key(), {})
        own = spec.get("explain") or {}
        self.explain = {
            k: {**defaults.get(k, {}), **own.get(k, {})} for k in Tri._value2member_map_
        }
        self.children = children or []
        # Set on the root by ``compile_criteria``.
        self.decide: FastFn | None = None
        self.decide_pair: FastFn | None = None

    def explain_key(self) -> str:
        """The key of this criterion's default templates in ``DEFAULT_EXPLAIN`` (its type;
        a subclass may pick a variant from its parameters)."""
        return self.type

    def evaluate(self, facts: Facts) -> CriterionResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def fast(self) -> FastFn:
        """A function facts -> 0 (fail) | 1 (unknown) | 2 (pass) giving the same result as
        ``evaluate`` without building explanations. Kleene all_of is then ``min`` and any_of
        ``max``. Subclasses override it where speed matters."""

        def run(facts: Facts) -> int:
            return _INT[self.evaluate(facts).result]

        return run


class MinAge(Node):
    __slots__ = ()

    def fast(self) -> FastFn:
        limit = self.spec["years"]

        def run(facts: Facts) -> int:
            birth = facts.date_of_birth
            if birth is None:
                return 1
            on = facts.intended_entry_date or facts.today
            age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
            return 2 if age >= limit else 0

        return run

    def evaluate(self, facts: Facts) -> CriterionResult:
        limit = self.spec["years"]
        if facts.date_of_birth is None:
            return CriterionResult(self, Tri.UNKNOWN, {"min": limit}, ("date_of_birth",))
        on = facts.reference_date
        age = age_on(facts.date_of_birth, on)
        result = Tri.PASS if age >= limit else Tri.FAIL
        return CriterionResult(self, result, {"age": age, "min": limit, "date": on.isoformat()})


class MaxAge(Node):
    __slots__ = ()

    def fast(self) -> FastFn:
        limit = self.spec["years"]

        def run(facts: Facts) -> int:
            birth = facts.date_of_birth
            if birth is None:
                return 1
            on = facts.intended_entry_date or facts.today
            age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
            return 2 if age <= limit else 0

        return run

    def evaluate(self, facts: Facts) -> CriterionResult:
        limit = self.spec["years"]
        if facts.date_of_birth is None:
            return CriterionResult(self, Tri.UNKNOWN, {"max": limit}, ("date_of_birth",))
        on = facts.reference_date
        age = age_on(facts.date_of_birth, on)
        result = Tri.PASS if age <= limit else Tri.FAIL
        return CriterionResult(self, result, {"age": age, "max": limit, "date": on.isoformat()})


class PassportValidMonths(Node):
    """PASS when the passport is valid at least ``months`` months after the anchor date:
    ``"from": "entry"`` (the default) the intended entry date, ``"application"`` the date of
    application (consular checklists count from it); either is today when not yet known."""

    __slots__ = ()

    def evaluate(self, facts: Facts) -> CriterionResult:
        months = self.spec["months"]
        anchor = self.spec.get("from", "entry")
        on = facts.anchor_date(anchor)
        base = {"months": months, "date": on.isoformat(), "from": anchor}
        if facts.passport_expiry is None:
            return CriterionResult(self, Tri.UNKNOWN, base, ("passport_expiry",))
        ok = facts.passport_expiry >= add_months(on, months)
        params = {**base, "expiry": facts.passport_expiry}
        return CriterionResult(self, Tri.PASS if ok else Tri.FAIL, params)


class HasDocument(Node):
    """PASS when the checklist item's requirement is accepted; FAIL when it was waived;
    otherwise UNKNOWN (the document is still to come, or, when assessing other routes, the
    case does not ask for it yet)."""

    __slots__ = ()

    def evaluate(self, facts: Facts) -> CriterionResult:
        code = self.spec["document"]
        status = facts.documents.get(code)
        params = {"document": self.spec.get("document_name") or code}
        if status == "accepted":
            return CriterionResult(self, Tri.PASS, params)
        if status == "waived":
            return CriterionResult(self, Tri.FAIL, params)
        return CriterionResult(self, Tri.UNKNOWN, params, (f"document:{code}",))


class AdvisorConfirms(Node):
    """A fact the advisor checks and answers yes or no on the case (``labels.QUESTIONS``,
    e.g. ``blank_pages`` with ``"pages": 2``). UNKNOWN until answered; for a question with a
    number, a "yes" to at least ``n`` passes for any ``n`` up to it and a "no" to at most ``n``
    fails for any ``n`` from it; an answer to another number is UNKNOWN again (asked anew)."""

    __slots__ = ()

    def evaluate(self, facts: Facts) -> CriterionResult:
        key = self.spec["question"]
        question = QUESTIONS[key]
        n = self.spec.get(question.param) if question.param else None
        params = {"n": n if n is not None else ""}
        answer = facts.confirmations.get(key)
        if answer is None:
            return CriterionResult(self, Tri.UNKNOWN, params, (f"confirm:{key}",))
        yes, asked = answer
        if n is None:
            return CriterionResult(self, Tri.PASS if yes else Tri.FAIL, params)
        if yes and asked is not None and asked >= n:
            return CriterionResult(self, Tri.PASS, params)
        if not yes and asked is not None and asked <= n:
            return CriterionResult(self, Tri.FAIL, params)
        return CriterionResult(self, Tri.UNKNOWN, params, (f"confirm:{key}",))


def kleene(results: Iterable[Tri], dominant: Tri) -> Tri:
    """Combine a group's results with Kleene's strong logic: ``dominant`` (FAIL for all_of, PASS
    for any_of) when any result is it, else UNKNOWN when any result is unknown, else the other
    definite value (also for an empty group: all_of of nothing passes, any_of of nothing fails)."""
    seen = set(results)
    if dominant in seen:
        return dominant
    if Tri.UNKNOWN in seen:
        return Tri.UNKNOWN
    return Tri.PASS if dominant is Tri.FAIL else Tri.FAIL


class _Group(Node):
    """all_of / any_of: the children's results combined by ``kleene``; an unknown group lists
    the missing facts of its unknown children (sorted, unique)."""

    __slots__ = ()
    DOMINANT: ClassVar[Tri]

    def evaluate(self, facts: Facts) -> CriterionResult:
        kids = [c.evaluate(facts) for c in self.children]
        result = kleene((k.result for k in kids), self.DOMINANT)
        missing: tuple[str, ...] = ()
        if result is Tri.UNKNOWN:
            missing = tuple(sorted({m for k in kids if k.result is Tri.UNKNOWN for m in k.missing}))
        return CriterionResult(self, result, {}, missing, kids)


class AllOf(_Group):
    """FAIL if any child fails, else UNKNOWN if any is unknown, else PASS."""

    __slots__ = ()
    DOMINANT = Tri.FAIL


class AnyOf(_Group):
    """PASS if any child passes, else UNKNOWN if any is unknown, else FAIL."""

    __slots__ = ()
    DOMINANT = Tri.PASS
