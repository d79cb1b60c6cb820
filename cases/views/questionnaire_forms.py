"""The questionnaire's HTML form without JavaScript: the fields of one section page built from
the definition (values, prefill, errors, comments), and the POST parsed back into the answers
document that ``questionnaire_section_save`` validates.

Form names: a question's key; ``<group>-<index>-<field>`` for a field of a group item and
``<group>-<index>-remove`` for its "remove" box. A group page always shows one empty item more
than it has (up to ``max_items``), so "Add another" is a plain submit.
"""

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django_countries import countries

from cases.questionnaires.definition import MAX_GROUP_ITEMS, text


def _options(q: Mapping[str, Any], value: Any, lang: str) -> list[tuple[str, str, bool]]:
    selected = value if isinstance(value, list) else [value]
    if q["type"] == "country":
        return [(code, str(name), code in selected) for code, name in countries]
    if q["type"] == "yes_no":
        return [("yes", _("Yes"), value == "yes"), ("no", _("No"), value == "no")]
    return [(o["value"], text(o["label"], lang), o["value"] == value) for o in q["options"]]


def _widget(q: Mapping[str, Any]) -> str:
    kind = q["type"]
    if kind == "text":
        return "textarea" if q.get("multiline") else "text"
    if kind == "country":
        return "select_multiple" if q.get("multiple") else "select"
    if kind in ("choice", "yes_no"):
        return "radios"
    return kind  # date, number


def _field(
    q: Mapping[str, Any], name: str, value: Any, errors: Mapping[str, str], lang: str
) -> dict[str, Any]:
    return {
        "name": name,
        "id": f"q-{name}",
        "key": q["key"],
        "label": text(q.get("label"), lang),
        "help": text(q.get("help"), lang),
        "widget": _widget(q),
        "value": "" if value is None else value,
        "options": _options(q, value, lang) if q["type"] in ("choice", "country", "yes_no") else [],
        "error": errors.get(name, ""),
        "required": bool(q.get("required")),
        "max_length": q.get("max_length", 200),
        "min": q.get("min"),
        "max": q.get("max"),
        "follow_ups": [],
        "comments": [],
    }


def _initial(q: Mapping[str, Any], answers: Mapping[str, Any], prefill: Mapping[str, Any]) -> Any:
    if q["key"] in answers:
        return answers[q["key"]]
    source = q.get("prefill")
    value = prefill.get(source) if source else None
    if q["type"] == "group" and isinstance(value, list):
        keys = {f["key"] for f in q["fields"]}
        return [{k: v for k, v in item.items() if k in keys} for item in value]
    return value


def section_fields(
    section: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    prefill: Mapping[str, Any],
    errors: Mapping[str, str],
    comments: Mapping[str, list[Any]],
    lang: str,
    extra_item: bool = True,
) -> list[dict[str, Any]]:
    """The page's fields, in order; a yes/no question carries its ``follow_ups``; a group
    its ``items`` (each a list of fields) and ``can_add``."""
    fields = []
    for q in section["questions"]:
        value = _initial(q, answers, prefill)
        if q["type"] == "group":
            items = [i for i in (value or []) if isinstance(i, Mapping)]
            limit = int(q.get("max_items", MAX_GROUP_ITEMS))
            shown = items + ([{}] if extra_item and len(items) < limit else [])
            field = _field(q, q["key"], None, errors, lang)
            field["widget"] = "group"
            field["item_label"] = text(q.get("item_label"), lang) or field["label"]
            field["items"] = [
                {
                    "number": i + 1,
                    "remove": f"{q['key']}-{i}-remove" if i < len(items) else "",
                    "fields": [
                        _field(f, f"{q['key']}-{i}-{f['key']}", item.get(f["key"]), errors, lang)
                        for f in q["fields"]
                    ],
                }
                for i, item in enumerate(shown)
            ]
        else:
            field = _field(q, q["key"], value, errors, lang)
            for f in q.get("follow_up", []):
                fields_f = section_fields(
                    {"questions": [f]},
                    answers,
                    prefill=prefill,
                    errors=errors,
                    comments=comments,
                    lang=lang,
                    extra_item=extra_item,
                )
                field["follow_ups"].extend(fields_f)
        field["comments"] = list(comments.get(q["key"], []))
        fields.append(field)
    return fields


def parse_post(section: Mapping[str, Any], post: QueryDict) -> dict[str, Any]:
    """The answers document of one section from a submitted page (removed items dropped;
    a question whose field is missing from the POST is left out, so its stored answer stays)."""
    data: dict[str, Any] = {}

    def one(q: Mapping[str, Any]) -> None:
        key = q["key"]
        if q["type"] == "group":
            items = []
            for i in range(int(q.get("max_items", MAX_GROUP_ITEMS)) + 1):
                names = [f"{key}-{i}-{f['key']}" for f in q["fields"]]
                if not any(n in post for n in names) or post.get(f"{key}-{i}-remove"):
                    continue
                items.append(
                    {f["key"]: _scalar(f, post, n) for f, n in zip(q["fields"], names, strict=True)}
                )
            data[key] = items
        elif key in post or (q["type"] == "country" and q.get("multiple")):
            data[key] = _scalar(q, post, key)
        # A field the page did not send keeps its stored answer (the service merges).
        for f in q.get("follow_up", []):
            one(f)

    for q in section["questions"]:
        one(q)
    return data


def _scalar(q: Mapping[str, Any], post: QueryDict, name: str) -> Any:
    if q["type"] == "country" and q.get("multiple"):
        return [v for v in post.getlist(name) if v]
    return post.get(name, "")
