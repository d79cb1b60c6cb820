"""Criterion labels generated from their type and values, in English and Chinese (issue 13).

A criterion that tests a value (``max_age`` 45, ``passport_valid_months`` 6, an advisor's
question with its number of pages...) is labelled by ``generated_label`` from that value, so a
label can never say 45 while the rule tests 32. Only the groups (``all_of``, ``any_of``,
``same_degree``), which test no value of their own, carry a stored ``label`` in the rule set
(``eligibility/rules.py`` refuses a stored label on any other criterion). Rule sets stored
before this (K v1, R v1) still hold labels on their leaves; the engine ignores them.

``QUESTIONS`` is the vocabulary of ``advisor_confirms`` criteria: facts the advisor checks and
answers yes or no on the case (``Facts.confirmations``), each with an optional number parameter
(``param``) and the sentence asked, ``{n}`` standing for that number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Types whose label is stored in the rule set: groups, which have no value of their own.
STORED_LABEL_TYPES = frozenset({"all_of", "any_of", "same_degree"})

STEM = ("05", "06", "07")

_LEVELS: dict[int, tuple[str, str]] = {
    6: ("Bachelor's degree or higher", "学士及以上学位"),
    7: ("Master's degree or higher", "硕士及以上学位"),
    8: ("Doctoral degree", "博士学位"),
}


@dataclass(frozen=True)
class Question:
    """One question of the ``advisor_confirms`` vocabulary: ``param`` the name of its number
    in the criterion (``""``: none), ``en`` / ``zh`` the statement the advisor confirms with
    ``{n}`` for that number, ``fact_en`` / ``fact_zh`` its name as a missing fact."""

    param: str
    en: str
    zh: str
    fact_en: str
    fact_zh: str


QUESTIONS: dict[str, Question] = {
    "blank_pages": Question(
        "pages",
        "The passport has at least {n} blank visa pages",
        "护照至少有{n}页空白签证页",
        "the advisor's check of the passport's blank visa pages",
        "顾问对护照空白签证页的确认",
    ),
    "talent_programme": Question(
        "",
        "Selected for a domestic talent introduction programme",
        "入选国内人才引进计划",
        "the advisor's check of a talent programme selection",
        "顾问对人才引进计划入选情况的确认",
    ),
    "recognised_award": Question(
        "",
        "Winner of a Nobel Prize or another award named in the Class A achievement standard",
        "诺贝尔奖或A类成就标准所列奖项的获得者",
        "the advisor's check of an internationally recognised award",
        "顾问对国际公认奖项的确认",
    ),
    "academician": Question(
        "",
        "Academician of a national academy of sciences or engineering",
        "各国科学院院士或工程院院士",
        "the advisor's check of an academy membership",
        "顾问对院士身份的确认",
    ),
    "points": Question(
        "points",
        "At least {n} points in the points-based assessment of the classification standard",
        "分类标准计点积分不低于{n}分",
        "the advisor's check of the points-based assessment",
        "顾问对计点积分的确认",
    ),
}


# ISCED-F 2013 broad fields by name (eligibility/data/isced_f_2013.py; the engine reads no
# data module), so a label names a broad field rather than its code.
BROAD_FIELDS: dict[str, tuple[str, str]] = {
    "00": ("Generic programmes and qualifications", "通用课程与资格"),
    "01": ("Education", "教育"),
    "02": ("Arts and humanities", "艺术与人文"),
    "03": ("Social sciences, journalism and information", "社会科学、新闻与信息"),
    "04": ("Business, administration and law", "商业、管理与法律"),
    "05": ("Natural sciences, mathematics and statistics", "自然科学、数学与统计学"),
    "06": ("Information and Communication Technologies (ICTs)", "信息与通信技术"),
    "07": ("Engineering, manufacturing and construction", "工程、制造与建筑"),
    "08": ("Agriculture, forestry, fisheries and veterinary", "农业、林业、渔业与兽医"),
    "09": ("Health and welfare", "卫生与福利"),
    "10": ("Services", "服务"),
}


def _field_names(codes: list[str], zh: bool) -> str:
    """The ISCED-F fields ``codes`` joined in ``zh`` or English: broad fields by name, narrower
    codes as "ISCED-F 0613" (a rule set naming them is rare; the seeded ones use STEM)."""
    return ("、" if zh else ", ").join(
        BROAD_FIELDS[c][1 if zh else 0] if c in BROAD_FIELDS else f"ISCED-F {c}" for c in codes
    )


def _document_name(spec: Mapping[str, Any], zh: bool) -> str:
    name = spec.get("document_name") or spec.get("document", "")
    if isinstance(name, Mapping):
        return str((name.get("zh") if zh else None) or name.get("en", ""))
    return str(name)


def _experience(spec: Mapping[str, Any], zh: bool) -> str:
    years = spec.get("min_years", 0)
    years_text = f"{years:g}"
    teaching = spec.get("teaching_or_research", True)
    fields = spec.get("fields")
    recognized = spec.get("institution_recognized", False)
    if zh:
        where = "在知名高校或科研机构" if recognized else ""
        field = ""
        if fields:
            field = "理工科" if tuple(fields) == STEM else f"{_field_names(fields, True)}领域"
        work = "教学或科研工作" if teaching else "工作"
        text = f"{where}从事{field}{work}"
        return f"{text}至少{years_text}年" if years else text
    work = "teaching or research" if teaching else "work"
    text = f"At least {years_text} years of {work}" if years else work.capitalize()
    if fields:
        text += (
            " in a STEM field" if tuple(fields) == STEM else f" in {_field_names(fields, False)}"
        )
    if recognized:
        text += " at a well-known university or research institution"
    return text


def generated_label(spec: Mapping[str, Any], language: str = "en") -> str | None:
    """The label of criterion ``spec`` in ``language`` (en, or zh*) made from its type and
    values; ``None`` for the group types of ``STORED_LABEL_TYPES`` (their stored label is
    used) and for an unknown type."""
    zh = language.startswith("zh")
    kind = spec.get("type")
    if kind == "min_age":
        return f"年满{spec['years']}周岁" if zh else f"At least {spec['years']} years old"
    if kind == "max_age":
        return f"不超过{spec['years']}周岁" if zh else f"At most {spec['years']} years old"
    if kind == "min_degree_level":
        level = spec["level"]
        en, zh_text = _LEVELS.get(
            level,
            (f"A qualification at ISCED level {level} or higher", f"ISCED {level}级及以上学历"),
        )
        return zh_text if zh else en
    if kind == "field_of_study":
        if tuple(spec["fields"]) == STEM:
            if zh:
                return "理工科（STEM）专业"
            return "Field of study in science, technology, engineering or mathematics (STEM)"
        fields = _field_names(spec["fields"], zh)
        return f"专业领域属于{fields}" if zh else f"Field of study in {fields}"
    if kind == "institution_recognized":
        return "知名高校或科研机构" if zh else "Well-known university or research institution"
    if kind == "experience_years":
        return _experience(spec, zh)
    if kind == "passport_valid_months":
        months = spec["months"]
        application = spec.get("from", "entry") == "application"
        if zh:
            anchor = "申请日期" if application else "计划入境日期"
            return f"护照在{anchor}后至少还有{months}个月有效期"
        anchor = "the date of application" if application else "the intended entry date"
        return f"Passport valid at least {months} months after {anchor}"
    if kind == "has_document":
        name = _document_name(spec, zh)
        return f"已提交并接受“{name}”" if zh else f"“{name}” accepted"
    if kind == "advisor_confirms":
        question = QUESTIONS.get(spec.get("question", ""))
        if question is None:
            return None
        n = spec.get(question.param, "") if question.param else ""
        return (question.zh if zh else question.en).format(n=n)
    return None


def criterion_label(spec: Mapping[str, Any], language: str = "en") -> str:
    """The label shown for ``spec``: generated from its values, else (groups) its stored
    ``label`` in ``language``, else its id."""
    generated = generated_label(spec, language)
    if generated is not None:
        return generated
    stored = spec.get("label") or {}
    lang = "zh" if language.startswith("zh") else "en"
    return stored.get(lang) or stored.get("en") or str(spec.get("id", ""))


def confirm_questions(criteria: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    """The ``advisor_confirms`` questions a criteria document asks, in document order, each
    once: ``[(question key, its number or None)]`` (e.g. ``[("blank_pages", 2)]``)."""
    found: dict[str, int | None] = {}
    stack: list[Any] = [criteria]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        if node.get("type") == "advisor_confirms" and node.get("question") in QUESTIONS:
            key = node["question"]
            param = QUESTIONS[key].param
            found.setdefault(key, node.get(param) if param else None)
        stack.extend(reversed(node.get("children") or []))
    return list(found.items())
