"""The eligibility engine: facts + criteria -> outcome and per-criterion results.

Pure: no ORM, no I/O, no clock (the caller passes ``today``). Criteria are the validated JSON of
a rule set (vocabulary in ``eligibility/rules.py``); ``compile_criteria`` turns them once into a
tree of small evaluator objects so evaluating many facts objects is cheap.

Three-valued logic: every criterion is PASS, FAIL or UNKNOWN (a fact it needs is missing).
``all_of`` / ``any_of`` combine results the way Kleene's strong logic does: all_of is FAIL if any
child fails, else UNKNOWN if any is unknown, else PASS; any_of is PASS if any child passes, else
UNKNOWN if any is unknown, else FAIL.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Tri(enum.StrEnum):
    """A criterion's result."""

    PASS = "pass"  # noqa: S105 (a result, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


class Outcome(enum.StrEnum):
    """An assessment's outcome (DESIGN.md section 4)."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_INFORMATION = "needs_information"
    NEEDS_REVIEW = "needs_review"


# --- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EducationFact:
    """One degree. ``level`` is ISCED 2011 (6 bachelor's, 7 master's, 8 doctoral);
    ``field_code`` an ISCED-F 2013 code ("" when unknown); ``institution_recognized`` None when
    the institution is not one of ours; ``expected`` for a degree not yet awarded."""

    level: int | None = None
    field_code: str = ""
    institution_recognized: bool | None = None
    graduation_date: dt.date | None = None
    expected: bool = False


@dataclass(frozen=True, slots=True)
class EmploymentFact:
    """One job. ``end`` None means ongoing; ``teaching_or_research`` None when not stated."""

    start: dt.date | None = None
    end: dt.date | None = None
    field_code: str = ""
    teaching_or_research: bool | None = None
    institution_recognized: bool | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the engine may read about one applicant and case.

    ``documents`` maps checklist item codes to requirement statuses (missing | uploaded |
    accepted | rejected | waived). ``today`` is the caller's date (the reference date when the
    case has no intended entry date). ``education`` / ``employment`` None means the applicant has
    not filled that section in yet (unknown), an empty tuple means "none".
    """

    today: dt.date
    date_of_birth: dt.date | None = None
    nationality: str = ""
    passport_expiry: dt.date | None = None
    intended_entry_date: dt.date | None = None
    education: tuple[EducationFact, ...] | None = None
    employment: tuple[EmploymentFact, ...] | None = None
    documents: Mapping[str, str] = field(default_factory=dict)
    advisor_flag: bool = False

    @property
    def reference_date(self) -> dt.date:
        """The intended entry date, else today."""
        return self.intended_entry_date or self.today


# Human names of the facts a criterion may find missing, in English and Chinese.
FACT_LABELS: dict[str, tuple[str, str]] = {
    "date_of_birth": ("date of birth", "出生日期"),
    "passport_expiry": ("passport expiry date", "护照有效期"),
    "intended_entry_date": ("intended entry date", "计划入境日期"),
    "education": ("education history", "教育经历"),
    "education.level": ("level of a degree", "学位层次"),
    "education.field": ("field of study of a degree", "学位专业领域"),
    "education.institution": (
        "the university or research institution of a degree",
        "学位授予院校或科研机构",
    ),
    "employment": ("work history", "工作经历"),
    "employment.dates": ("start date of a job", "工作开始日期"),
    "employment.field": ("field of a job", "工作领域"),
    "employment.teaching_or_research": (
        "whether a job is teaching or research",
        "工作是否为教学或科研",
    ),
    "employment.institution": ("the institution of a job", "工作单位(院校或科研机构)"),
}


# Outcome names for applicants in both languages (data, so they do not wait for translations).
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "eligible": ("Eligible", "符合条件"),
    "ineligible": ("Not eligible", "不符合条件"),
    "needs_information": ("More information needed", "需要补充信息"),
    "needs_review": ("Needs review by your advisor", "需顾问复核"),
}


def outcome_label(outcome: str, language: str = "en") -> str:
    """The outcome's name in ``language`` (en, or zh*)."""
    en, zh = OUTCOME_LABELS.get(outcome, (outcome, outcome))
    return zh if language.startswith("zh") else en


def fact_label(key: str, language: str = "en") -> str:
    """A readable name for a missing-fact key; ``document:<code>`` keys name the document."""
    zh = language.startswith("zh")
    if key.startswith("document:"):
        code = key.split(":", 1)[1]
        return f"文件:{code}" if zh else f"document: {code}"
    en, zh_name = FACT_LABELS.get(key, (key, key))
    return zh_name if zh else en


# --- results ----------------------------------------------------------------------------------


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
        """The explanation in ``language`` (en or zh*) with the values filled in."""
        if self.result is Tri.UNKNOWN and len(self.missing) == 1 and self.missing[0] in _SECTIONS:
            en, zh = _SECTIONS[self.missing[0]]
            return zh if language.startswith("zh") else en
        templates = self.node.explain.get(self.result.value) or {}
        lang = "zh" if language.startswith("zh") else "en"
        template = templates.get(lang) or templates.get("en", "")
        return template.format_map(_SafeDict(self.params))

    def label(self, language: str = "en") -> str:
        lang = "zh" if language.startswith("zh") else "en"
        return self.node.label.get(lang) or self.node.label.get("en", self.node.id)

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

FastFn = Callable[[Facts], int]
_INT = {Tri.FAIL: 0, Tri.UNKNOWN: 1, Tri.PASS: 2}


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


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


# --- criteria ---------------------------------------------------------------------------------

# Default explanation templates per criterion type; a criterion's own ``explain`` overrides them.
DEFAULT_EXPLAIN: dict[str, dict[str, dict[str, str]]] = {
    "min_age": {
        "pass": {
            "en": "Age {age} on {date} is at least {min}.",
            "zh": "{date}时年龄为{age}岁,不低于{min}岁。",
        },
        "fail": {
            "en": "Age {age} on {date} is below the minimum of {min}.",
            "zh": "{date}时年龄为{age}岁,低于最低要求{min}岁。",
        },
        "unknown": {"en": "The date of birth is missing.", "zh": "缺少出生日期。"},
    },
    "max_age": {
        "pass": {
            "en": "Age {age} on {date} is at most {max}.",
            "zh": "{date}时年龄为{age}岁,不超过{max}岁。",
        },
        "fail": {
            "en": "Age {age} on {date} is above the maximum of {max}.",
            "zh": "{date}时年龄为{age}岁,超过上限{max}岁。",
        },
        "unknown": {"en": "The date of birth is missing.", "zh": "缺少出生日期。"},
    },
    "min_degree_level": {
        "pass": {
            "en": "A degree at ISCED level {best} meets the minimum level {min}.",
            "zh": "ISCED {best}级学位达到最低{min}级要求。",
        },
        "fail": {
            "en": "No degree reaches ISCED level {min} (bachelor's = 6).",
            "zh": "没有达到ISCED {min}级(学士=6)的学位。",
        },
        "unknown": {
            "en": "The level of a degree is missing.",
            "zh": "缺少学位层次信息。",
        },
    },
    "field_of_study": {
        "pass": {
            "en": "Field of study {code} is in the accepted fields.",
            "zh": "专业领域{code}属于认可范围。",
        },
        "fail": {
            "en": "No degree is in an accepted field ({fields}).",
            "zh": "没有属于认可专业领域({fields})的学位。",
        },
        "unknown": {"en": "The field of a degree is missing.", "zh": "缺少学位的专业领域。"},
    },
    "institution_recognized": {
        "pass": {
            "en": "The degree is from a recognized university or research institution.",
            "zh": "学位来自认可的大学或科研机构。",
        },
        "fail": {
            "en": "The institution is not on the recognized list.",
            "zh": "该院校不在认可名单内。",
        },
        "unknown": {
            "en": "The institution of a degree is not in our list yet; an advisor must check it.",
            "zh": "学位院校尚未收录,需由顾问核实。",
        },
    },
    "experience_years": {
        "pass": {
            "en": "{years} years of qualifying experience (at least {min} needed).",
            "zh": "符合条件的工作经历{years}年(至少需要{min}年)。",
        },
        "fail": {
            "en": "{years} years of qualifying experience; at least {min} needed.",
            "zh": "符合条件的工作经历为{years}年,至少需要{min}年。",
        },
        "unknown": {
            "en": "Some work history details are missing.",
            "zh": "部分工作经历信息缺失。",
        },
    },
    "passport_valid_months": {
        "pass": {
            "en": "The passport is valid until {expiry}, at least {months} months after {date}.",
            "zh": "护照有效期至{expiry},在{date}之后至少还有{months}个月。",
        },
        "fail": {
            "en": "The passport expires on {expiry}, less than {months} months after {date}.",
            "zh": "护照于{expiry}到期,距{date}不足{months}个月。",
        },
        "unknown": {"en": "The passport expiry date is missing.", "zh": "缺少护照有效期。"},
    },
    "has_document": {
        "pass": {"en": "“{document}” has been accepted.", "zh": "“{document}”已被接受。"},
        "fail": {
            "en": "“{document}” was waived for this case.",
            "zh": "本案已免除“{document}”。",
        },
        "unknown": {
            "en": "“{document}” has not been accepted yet.",
            "zh": "“{document}”尚未被接受。",
        },
    },
    "all_of": {
        "pass": {"en": "Every condition is met.", "zh": "所有条件均满足。"},
        "fail": {"en": "A required condition is not met.", "zh": "有必要条件未满足。"},
        "unknown": {"en": "Some information is missing.", "zh": "部分信息缺失。"},
    },
    "any_of": {
        "pass": {"en": "At least one route is met.", "zh": "至少满足一种途径。"},
        "fail": {"en": "No route is met.", "zh": "没有满足任何途径。"},
        "unknown": {"en": "Some information is missing.", "zh": "部分信息缺失。"},
    },
    "same_degree": {
        "pass": {
            "en": "One degree meets all these conditions together.",
            "zh": "有一个学位同时满足这些条件。",
        },
        "fail": {
            "en": "No single degree meets all these conditions together.",
            "zh": "没有一个学位同时满足这些条件。",
        },
        "unknown": {
            "en": "Some details of a degree are missing.",
            "zh": "学位信息不完整。",
        },
    },
}


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
        self.label: dict[str, str] = dict(spec.get("label") or {})
        self.citation: str = spec.get("citation", "")
        self.basis: str = spec.get("basis", "official")
        defaults = DEFAULT_EXPLAIN.get(self.type, {})
        own = spec.get("explain") or {}
        self.explain = {
            k: {**defaults.get(k, {}), **own.get(k, {})} for k in Tri._value2member_map_
        }
        self.children = children or []
        # Set on the root by ``compile_criteria``.
        self.decide: FastFn | None = None
        self.decide_pair: FastFn | None = None

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
        return {"min": self.spec["level"], "best": edu.level if edu else ""}

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
        return {"fields": ", ".join(self.spec["fields"]), "code": edu.field_code if edu else ""}

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
        kids = [
            CriterionResult(
                c,
                c.check(best)[0] if best else _child_over_rows(c, facts.education),
                c.params(best),
            )
            for c in children
        ]
        return CriterionResult(self, result, {}, tuple(sorted(missing)), kids)


def _child_over_rows(child: _DegreeNode, rows: Iterable[EducationFact]) -> Tri:
    return child.evaluate(Facts(today=dt.date.min, education=tuple(rows))).result


def _merged_days(periods: list[tuple[dt.date, dt.date]]) -> int:
    """Total days covered by ``periods`` (start inclusive, end exclusive), overlaps once."""
    total = 0
    current_start: dt.date | None = None
    current_end: dt.date | None = None
    for start, end in sorted(periods):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        total += (current_end - current_start).days
    return total


DAYS_PER_YEAR = 365.25


class ExperienceYears(Node):
    """Years of teaching or research (per the criterion's filters) up to the reference date,
    overlapping jobs counted once. Passes with at least one qualifying job and at least
    ``min_years`` in total."""

    __slots__ = ()

    def _qualifies(self, job: EmploymentFact) -> tuple[Tri, str]:
        spec = self.spec
        if job.start is None:
            return Tri.UNKNOWN, "employment.dates"
        fields = spec.get("fields")
        unknown_key = ""
        if fields:
            if not job.field_code:
                unknown_key = "employment.field"
            elif not matches_fields(job.field_code, fields):
                return Tri.FAIL, ""
        if spec.get("teaching_or_research", True):
            if job.teaching_or_research is None:
                unknown_key = unknown_key or "employment.teaching_or_research"
            elif not job.teaching_or_research:
                return Tri.FAIL, ""
        if spec.get("institution_recognized", False):
            if job.institution_recognized is None:
                unknown_key = unknown_key or "employment.institution"
            elif not job.institution_recognized:
                return Tri.FAIL, ""
        return (Tri.UNKNOWN, unknown_key) if unknown_key else (Tri.PASS, "")

    def fast(self) -> FastFn:
        spec = self.spec
        if spec.get("min_years", 0) > 0:
            return super().fast()
        # Same decisions as ``_qualifies`` (a job passes, fails or is unknown), inlined.
        prefixes = tuple(spec.get("fields") or ())
        need_teaching = spec.get("teaching_or_research", True)
        need_recognized = spec.get("institution_recognized", False)

        def run(facts: Facts) -> int:
            jobs = facts.employment
            if jobs is None:
                return 1
            result = 0
            for job in jobs:
                if job.start is None:
                    result = 1
                    continue
                value = 2
                if prefixes:
                    if not job.field_code:
                        value = 1
                    elif not job.field_code.startswith(prefixes):
                        continue
                if need_teaching:
                    if job.teaching_or_research is None:
                        value = 1
                    elif not job.teaching_or_research:
                        continue
                if need_recognized:
                    if job.institution_recognized is None:
                        value = 1
                    elif not job.institution_recognized:
                        continue
                if value == 2:
                    return 2
                result = 1
            return result

        return run

    def evaluate(self, facts: Facts) -> CriterionResult:
        min_years = self.spec.get("min_years", 0)
        if facts.employment is None:
            return CriterionResult(
                self, Tri.UNKNOWN, {"min": min_years, "years": 0}, ("employment",)
            )
        on = facts.reference_date
        sure: list[tuple[dt.date, dt.date]] = []
        maybe: list[tuple[dt.date, dt.date]] = []
        missing: set[str] = set()
        undated_maybe = False
        for job in facts.employment:
            result, key = self._qualifies(job)
            if result is Tri.FAIL:
                continue
            if job.start is None:
                undated_maybe = True
                missing.add(key)
                continue
            end = min(job.end or on, on)
            period = (job.start, max(end, job.start))
            if result is Tri.PASS:
                sure.append(period)
            else:
                maybe.append(period)
                missing.add(key)
        sure_years = _merged_days(sure) / DAYS_PER_YEAR
        params = {"min": min_years, "years": round(sure_years, 1)}
        if sure and sure_years >= min_years:
            return CriterionResult(self, Tri.PASS, params)
        possible_years = _merged_days(sure + maybe) / DAYS_PER_YEAR
        if undated_maybe or ((sure or maybe) and possible_years >= min_years):
            return CriterionResult(self, Tri.UNKNOWN, params, tuple(sorted(missing)))
        return CriterionResult(self, Tri.FAIL, params)


class PassportValidMonths(Node):
    __slots__ = ()

    def evaluate(self, facts: Facts) -> CriterionResult:
        months = self.spec["months"]
        on = facts.reference_date
        if facts.passport_expiry is None:
            return CriterionResult(
                self, Tri.UNKNOWN, {"months": months, "date": on.isoformat()}, ("passport_expiry",)
            )
        ok = facts.passport_expiry >= add_months(on, months)
        params = {"months": months, "date": on.isoformat(), "expiry": facts.passport_expiry}
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


class AllOf(Node):
    __slots__ = ()

    def evaluate(self, facts: Facts) -> CriterionResult:
        kids = [c.evaluate(facts) for c in self.children]
        results = {k.result for k in kids}
        if Tri.FAIL in results:
            result = Tri.FAIL
        elif Tri.UNKNOWN in results:
            result = Tri.UNKNOWN
        else:
            result = Tri.PASS
        missing: tuple[str, ...] = ()
        if result is Tri.UNKNOWN:
            missing = tuple(sorted({m for k in kids if k.result is Tri.UNKNOWN for m in k.missing}))
        return CriterionResult(self, result, {}, missing, kids)


class AnyOf(Node):
    __slots__ = ()

    def evaluate(self, facts: Facts) -> CriterionResult:
        kids = [c.evaluate(facts) for c in self.children]
        results = {k.result for k in kids}
        if Tri.PASS in results:
            result = Tri.PASS
        elif Tri.UNKNOWN in results:
            result = Tri.UNKNOWN
        else:
            result = Tri.FAIL
        missing: tuple[str, ...] = ()
        if result is Tri.UNKNOWN:
            missing = tuple(sorted({m for k in kids if k.result is Tri.UNKNOWN for m in k.missing}))
        return CriterionResult(self, result, {}, missing, kids)


NODE_TYPES: dict[str, type[Node]] = {
    "min_age": MinAge,
    "max_age": MaxAge,
    "min_degree_level": MinDegreeLevel,
    "field_of_study": FieldOfStudy,
    "institution_recognized": InstitutionRecognized,
    "experience_years": ExperienceYears,
    "passport_valid_months": PassportValidMonths,
    "has_document": HasDocument,
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


def _without_reported(r: CriterionResult, neutral: Tri) -> Tri:
    """``r``'s result had every ``reported`` criterion been left out of the rule set (a left-out
    criterion acts as the identity of its group: PASS inside all_of, FAIL inside any_of)."""
    if r.node.basis == "reported":
        return neutral
    if r.node.type == "all_of":
        kids = [_without_reported(c, Tri.PASS) for c in r.children]
        if Tri.FAIL in kids:
            return Tri.FAIL
        return Tri.UNKNOWN if Tri.UNKNOWN in kids else Tri.PASS
    if r.node.type == "any_of":
        kids = [_without_reported(c, Tri.FAIL) for c in r.children]
        if Tri.PASS in kids:
            return Tri.PASS
        return Tri.UNKNOWN if Tri.UNKNOWN in kids else Tri.FAIL
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
