"""What evaluating criteria gives back: one ``CriterionResult`` per criterion (with its
explanation in English and Chinese) and the ``Evaluation`` of a whole rule set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eligibility.engine.explanations import FALLBACK_EXPLAIN
from eligibility.engine.facts import Facts, Outcome, Tri

if TYPE_CHECKING:
    from eligibility.engine.criteria import Node


@dataclass(slots=True)
class CriterionResult:
    """The result of one criterion: ``params`` fill its explanation templates; ``missing`` lists
    fact keys that would decide it; ``children`` for groups."""

    node: Node
    result: Tri
    params: dict[str, Any]
    missing: tuple[str, ...] = ()
    children: list[CriterionResult] = field(default_factory=list)

    def explanation(self, language: str = "en") -> str:
        """The explanation in ``language`` (en or zh*) with the values filled in. A template
        naming a value that is unknown (absent, None or empty) gives the neutral sentence of
        ``FALLBACK_EXPLAIN`` for the result instead of a blank or "None"."""
        if self.result is Tri.UNKNOWN and len(self.missing) == 1 and self.missing[0] in _SECTIONS:
            en, zh = _SECTIONS[self.missing[0]]
            return zh if language.startswith("zh") else en
        templates = self.node.explain.get(self.result.value) or {}
        lang = "zh" if language.startswith("zh") else "en"
        template = templates.get(lang) or templates.get("en", "")
        values = _SafeDict(self.params)
        text = template.format_map(values)
        return FALLBACK_EXPLAIN[self.result.value][lang] if values.unfilled else text

    def label(self, language: str = "en") -> str:
        """The criterion's label in ``language``: generated from its values (groups: the
        stored label), see ``eligibility/engine/labels.py``."""
        lang = "zh" if language.startswith("zh") else "en"
        return self.node.label.get(lang) or self.node.label.get("en") or self.node.id

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot with both languages, for storing in an Assessment
        (citations stay in the immutable rule set, looked up by criterion id)."""
        return {
            "id": self.node.id,
            "type": self.node.type,
            "result": self.result.value,
            "basis": self.node.basis,
            "label": {"en": self.label("en"), "zh": self.label("zh")},
            "explanation": {"en": self.explanation("en"), "zh": self.explanation("zh")},
            "missing": list(self.missing),
            "children": [c.as_dict() for c in self.children],
        }


# A whole section not entered yet explains an unknown criterion better than its own template.
_SECTIONS: dict[str, tuple[str, str]] = {
    "education": ("No education history has been entered yet.", "尚未填写教育经历。"),
    "employment": ("No work history has been entered yet.", "尚未填写工作经历。"),
}


class _SafeDict(dict[str, Any]):
    """The params for ``str.format_map``: a name without a value (absent, None or empty) is
    left as ``{name}`` and noted in ``unfilled``."""

    unfilled = False

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None or value == "":
            self.unfilled = True
            return "{" + key + "}"
        return value


class Evaluation:
    """The engine's answer: ``outcome`` and whether a ``reported`` criterion decided it; the
    explained result tree (``root``) and the missing fact keys (``missing_facts``, sorted,
    unique; only for needs_information) are built on first access, so deciding many cases is
    cheap and explaining one costs a second walk."""

    __slots__ = ("_facts", "_node", "_root", "decided_by_reported", "outcome")

    def __init__(self, outcome: Outcome, node: Node, facts: Facts, decided_by_reported: bool):
        self.outcome = outcome
        self.decided_by_reported = decided_by_reported
        self._node = node
        self._facts = facts
        self._root: CriterionResult | None = None

    @property
    def root(self) -> CriterionResult:
        if self._root is None:
            self._root = self._node.evaluate(self._facts)
        return self._root

    @property
    def missing_facts(self) -> list[str]:
        if self.outcome is not Outcome.NEEDS_INFORMATION:
            return []
        return list(self.root.missing)

    def results(self) -> list[dict[str, Any]]:
        return [self.root.as_dict()]
