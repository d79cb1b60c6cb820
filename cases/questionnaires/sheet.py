"""Answers as people read them: display values per question type, the rows of the check
page, the advisor's review and the data sheet (pure: no database access).

A row is ``{"section", "key", "label", "label_en", "label_zh", "value", "display",
"confirm", "items"}``; ``items`` (groups only) holds one list of ``(label, display)`` pairs
per item. Rows follow the definition's order, which is the official form's order.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django_countries import countries

from cases.questionnaires.definition import text


def display_value(question: Mapping[str, Any], value: Any, lang: str) -> str:
    """One answer as text: option labels, country names, "Yes"/"No"; empty when blank."""
    kind = question["type"]
    if value in (None, "", []):
        return ""
    if kind == "choice":
        for option in question.get("options", []):
            if option["value"] == value:
                return text(option["label"], lang)
        return str(value)
    if kind == "country":
        codes = value if isinstance(value, list) else [value]
        return ", ".join(str(countries.name(c)) or str(c) for c in codes)
    if kind == "yes_no":
        return _("Yes") if value == "yes" else _("No")
    return str(value)


def _row(section: Mapping[str, Any], q: Mapping[str, Any], answers: Mapping[str, Any], lang: str):  # type: ignore[no-untyped-def]
    value = answers.get(q["key"], [] if q["type"] == "group" else "")
    row: dict[str, Any] = {
        "section": section["key"],
        "key": q["key"],
        "label": text(q["label"], lang),
        "label_en": q["label"]["en"],
        "label_zh": q["label"].get("zh", ""),
        "value": value,
        "confirm": q.get("confirm", "applicant"),
        "items": [],
        "display": "",
    }
    if q["type"] == "group":
        items = value if isinstance(value, list) else []
        row["items"] = [
            [
                (text(f["label"], lang), display_value(f, item.get(f["key"]), lang))
                for f in q["fields"]
            ]
            for item in items
            if isinstance(item, Mapping)
        ]
        row["display"] = "; ".join(", ".join(d for _label, d in item if d) for item in row["items"])
    else:
        row["display"] = display_value(q, value, lang)
    return row


def section_rows(
    section: Mapping[str, Any], answers: Mapping[str, Any], lang: str
) -> Iterator[dict[str, Any]]:
    """The rows of one section; follow-ups only when their question was answered yes."""
    for q in section["questions"]:
        yield _row(section, q, answers, lang)
        if q["type"] == "yes_no" and answers.get(q["key"]) == "yes":
            for f in q.get("follow_up", []):
                yield _row(section, f, answers, lang)


def sheet_sections(definition: Mapping[str, Any], answers: Mapping[str, Any], lang: str):  # type: ignore[no-untyped-def]
    """``[{"key", "title", "title_en", "title_zh", "rows": [...]}]`` for every section."""
    return [
        {
            "key": s["key"],
            "title": text(s["title"], lang),
            "title_en": s["title"]["en"],
            "title_zh": s["title"].get("zh", ""),
            "rows": list(section_rows(s, answers, lang)),
        }
        for s in definition["sections"]
    ]
