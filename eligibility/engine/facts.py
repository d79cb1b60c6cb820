"""What the engine reads and answers in: the result and outcome values, the facts of one
applicant and case, and readable names (English and Chinese) for outcomes and missing facts."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Tri(enum.StrEnum):
    """A criterion's result."""

    PASS = "pass"  # noqa: S105 (a result, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


class Outcome(enum.StrEnum):
    """An assessment's outcome (docs/architecture.md, "Eligibility")."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_INFORMATION = "needs_information"
    NEEDS_REVIEW = "needs_review"


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
    # The field's name (English, Chinese) for explanations; ("", "") when not known.
    field_names: tuple[str, str] = ("", "")


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
    # The date the visa application is (to be) lodged: submitted, else planned; None unknown.
    application_date: dt.date | None = None
    education: tuple[EducationFact, ...] | None = None
    employment: tuple[EmploymentFact, ...] | None = None
    documents: Mapping[str, str] = field(default_factory=dict)
    advisor_flag: bool = False
    # The advisor's answers to ``advisor_confirms`` questions: question key -> (yes or no,
    # the number asked about, e.g. 2 blank pages; None for a question without a number).
    confirmations: Mapping[str, tuple[bool, int | None]] = field(default_factory=dict)

    @property
    def reference_date(self) -> dt.date:
        """The intended entry date, else today."""
        return self.intended_entry_date or self.today

    def anchor_date(self, anchor: str) -> dt.date:
        """The date a validity period counts from: ``"entry"`` the intended entry date,
        ``"application"`` the application date; today when that date is not known."""
        if anchor == "application":
            return self.application_date or self.today
        return self.reference_date


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
    "employment.institution": ("the institution of a job", "工作单位（院校或科研机构）"),
}


# Outcome names for applicants in both languages (data, so they do not wait for translations).
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "eligible": ("Eligible", "符合条件"),
    "ineligible": ("Not eligible", "不符合条件"),
    "needs_information": ("More information needed", "需要补充信息"),
    "needs_review": ("Needs review by your advisor", "需顾问复核"),
}


# Degree levels (ISCED 2011 levels 6-8) by name, so explanations never show the bare number.
DEGREE_LEVEL_NAMES: dict[int, tuple[str, str]] = {
    6: ("bachelor's degree", "学士学位"),
    7: ("master's degree", "硕士学位"),
    8: ("doctoral degree", "博士学位"),
}

# A criterion's three-valued result and its basis in words (issue 11: pages never show the raw
# "pass"/"fail"/"reported"); the one mapping the case pages and the admin's preview use.
RESULT_LABELS: dict[str, tuple[str, str]] = {
    "pass": ("met", "符合"),
    "fail": ("not met", "不符合"),
    "unknown": ("unknown", "无法确定"),
}
BASIS_LABELS: dict[str, tuple[str, str]] = {
    "official": ("official", "官方公布"),
    "reported": ("reported, not official", "仅见于报道，非官方公布"),
}


def degree_level_name(level: int | None, language: str = "en") -> str:
    """The name of ISCED 2011 ``level`` in ``language``; "" for an unknown level."""
    en, zh = DEGREE_LEVEL_NAMES.get(level or 0, ("", ""))
    return zh if language.startswith("zh") else en


def result_label(result: str, language: str = "en") -> str:
    """A criterion result (``pass``, ``fail``, ``unknown``) in words in ``language``."""
    en, zh = RESULT_LABELS.get(result, RESULT_LABELS["unknown"])
    return zh if language.startswith("zh") else en


def basis_label(basis: str, language: str = "en") -> str:
    """A criterion's basis (``official``, ``reported``) in words in ``language``."""
    en, zh = BASIS_LABELS.get(basis, (basis, basis))
    return zh if language.startswith("zh") else en


def outcome_label(outcome: str, language: str = "en") -> str:
    """The outcome's name in ``language`` (en, or zh*)."""
    en, zh = OUTCOME_LABELS.get(outcome, (outcome, outcome))
    return zh if language.startswith("zh") else en


def fact_label(key: str, language: str = "en") -> str:
    """A readable name for a missing-fact key; ``document:<code>`` keys name the document,
    ``confirm:<question>`` keys the advisor's check (``labels.QUESTIONS``)."""
    zh = language.startswith("zh")
    if key.startswith("confirm:"):
        from eligibility.engine.labels import QUESTIONS

        question = QUESTIONS.get(key.split(":", 1)[1])
        if question is not None:
            return question.fact_zh if zh else question.fact_en
    if key.startswith("document:"):
        code = key.split(":", 1)[1]
        return f"文件：{code}" if zh else f"document: {code}"
    en, zh_name = FACT_LABELS.get(key, (key, key))
    return zh_name if zh else en
