"""The criteria vocabulary of rule sets and its JSON schema (validated with ``jsonschema``).

A criteria document is one criterion object; groups (``all_of``, ``any_of``, ``same_degree``)
hold ``children``. Every criterion has:

- ``id``: unique in the document, e.g. ``"k-age-max"``;
- ``type``: one of ``CRITERION_SCHEMAS``;
- ``label``: ``{"en": ..., "zh": ...}`` on groups only (``all_of``, ``any_of``,
  ``same_degree``); every other criterion's label is generated from its values
  (``eligibility/engine/labels.py``), so a stored one is refused (``strip_generated_labels``
  drops them from older documents, such as copies of K v1 and R v1, before validating);
- optional ``explain``: templates per result
  (``{"pass": {"en": ..., "zh": ...}, "fail": ..., "unknown": ...}``) with ``{placeholders}``;
- ``citation``: where the rule comes from; ``basis``: ``official`` or ``reported``.

Each node is checked against its own type's schema, so an error names the criterion and field.
"""

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from eligibility.engine.labels import QUESTIONS, STORED_LABEL_TYPES
from portal.errors import InvalidInput

# STEM by default = ISCED-F 2013 broad fields 05, 06 and 07 (Eurostat's definition of STEM).
STEM_FIELDS: tuple[str, ...] = ("05", "06", "07")

_TEXT = {
    "type": "object",
    "properties": {"en": {"type": "string", "minLength": 1}, "zh": {"type": "string"}},
    "required": ["en", "zh"],
    "additionalProperties": False,
}
_EXPLAIN = {
    "type": "object",
    "properties": {
        k: {
            "type": "object",
            "properties": {"en": {"type": "string"}, "zh": {"type": "string"}},
            "additionalProperties": False,
        }
        for k in ("pass", "fail", "unknown")
    },
    "additionalProperties": False,
}
_FIELD_CODES = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[0-9]{2,4}$"},
    "minItems": 1,
    "uniqueItems": True,
}
_CHILDREN = {"type": "array", "items": {"type": "object"}, "minItems": 1}
_COMMON: dict[str, Any] = {
    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
    "type": {"type": "string"},
    "explain": _EXPLAIN,
    "citation": {"type": "string", "minLength": 1},
    "basis": {"enum": ["official", "reported"]},
    "note": {"type": "string"},
}
_REQUIRED_COMMON = ["id", "type", "citation", "basis"]


def _schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A leaf criterion: no ``label`` (generated from its values)."""
    return {
        "type": "object",
        "properties": {**_COMMON, **extra},
        "required": [*_REQUIRED_COMMON, *required],
        "additionalProperties": False,
    }


def _group_schema() -> dict[str, Any]:
    """A group: a stored ``label`` (it has no value to generate one from) and children."""
    return {
        "type": "object",
        "properties": {**_COMMON, "label": _TEXT, "children": _CHILDREN},
        "required": [*_REQUIRED_COMMON, "label", "children"],
        "additionalProperties": False,
    }


def _confirms_schema() -> dict[str, Any]:
    """``advisor_confirms``: a question of ``QUESTIONS`` and, for a question with a number,
    that number (e.g. ``{"question": "blank_pages", "pages": 2}``)."""
    params = {q.param for q in QUESTIONS.values() if q.param}
    return {
        **_schema(
            {
                "question": {"enum": sorted(QUESTIONS)},
                **{p: {"type": "integer", "minimum": 1, "maximum": 1000} for p in params},
            },
            ["question"],
        ),
        "allOf": [
            {
                "if": {"properties": {"question": {"const": key}}},
                "then": {"required": [q.param]}
                if q.param
                else {"not": {"anyOf": [{"required": [p]} for p in sorted(params)]}},
            }
            for key, q in QUESTIONS.items()
        ],
    }


CRITERION_SCHEMAS: dict[str, dict[str, Any]] = {
    "min_age": _schema({"years": {"type": "integer", "minimum": 0, "maximum": 130}}, ["years"]),
    "max_age": _schema({"years": {"type": "integer", "minimum": 0, "maximum": 130}}, ["years"]),
    "min_degree_level": _schema(
        {"level": {"type": "integer", "minimum": 1, "maximum": 8}}, ["level"]
    ),
    "field_of_study": _schema({"fields": _FIELD_CODES}, ["fields"]),
    "institution_recognized": _schema({}, []),
    "experience_years": _schema(
        {
            "min_years": {"type": "number", "minimum": 0, "maximum": 60},
            "fields": _FIELD_CODES,
            "teaching_or_research": {"type": "boolean"},
            "institution_recognized": {"type": "boolean"},
        },
        ["min_years"],
    ),
    "passport_valid_months": _schema(
        {
            "months": {"type": "integer", "minimum": 0, "maximum": 120},
            # What the months count from: the intended entry date or the date of application.
            "from": {"enum": ["entry", "application"]},
        },
        ["months"],
    ),
    "has_document": _schema(
        {
            "document": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
            # The document's name in the generated label: text, or {"en": ..., "zh": ...}.
            "document_name": {"anyOf": [{"type": "string"}, _TEXT]},
        },
        ["document"],
    ),
    "advisor_confirms": _confirms_schema(),
    "all_of": _group_schema(),
    "any_of": _group_schema(),
    "same_degree": _group_schema(),
}
_VALIDATORS = {k: Draft202012Validator(v) for k, v in CRITERION_SCHEMAS.items()}
DEGREE_TYPES = frozenset({"min_degree_level", "field_of_study", "institution_recognized"})


def _walk(node: Any, path: str, seen: set[str]) -> Iterator[str]:
    if not isinstance(node, Mapping):
        yield _("%(path)s: each criterion must be a JSON object.") % {"path": path}
        return
    raw_id = node.get("id")
    ident = raw_id if isinstance(raw_id, str) else "?"
    where = _("Criterion “%(id)s” (%(path)s)") % {"id": ident, "path": path}
    kind = node.get("type")
    if kind not in _VALIDATORS:
        yield _("%(where)s: unknown type “%(type)s”; use one of %(types)s.") % {
            "where": where,
            "type": kind,
            "types": ", ".join(sorted(_VALIDATORS)),
        }
        return
    for error in sorted(_VALIDATORS[kind].iter_errors(node), key=lambda e: list(e.path)):
        field = ".".join(str(p) for p in error.path) or _("(criterion)")
        yield _("%(where)s, field “%(field)s”: %(error)s") % {
            "where": where,
            "field": field,
            "error": error.message,
        }
    if ident != "?":
        if ident in seen:
            yield _("%(where)s: the id is used twice; ids must be unique.") % {"where": where}
        seen.add(ident)
    children = node.get("children")
    if isinstance(children, list):
        for i, child in enumerate(children):
            child_path = f"{path}.children[{i}]"
            if (
                kind == "same_degree"
                and isinstance(child, Mapping)
                and child.get("type") not in DEGREE_TYPES
            ):
                yield _(
                    "Criterion “%(id)s” (%(path)s): a same_degree group may only hold "
                    "min_degree_level, field_of_study and institution_recognized."
                ) % {"id": child.get("id", "?"), "path": child_path}
                continue
            yield from _walk(child, child_path, seen)


def strip_generated_labels(criteria: Any) -> Any:
    """A copy of ``criteria`` without the stored ``label`` of criteria whose label is generated
    (every type but the groups): documents written before labels were generated (K v1, R v1
    and their copies) then validate, and the label shown always follows the value. Anything
    that is not a criteria document is returned unchanged (validation reports it)."""
    if not isinstance(criteria, Mapping):
        return criteria
    doc = copy.deepcopy(dict(criteria))
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("type") not in STORED_LABEL_TYPES and node.get("type") in CRITERION_SCHEMAS:
            node.pop("label", None)
        children = node.get("children")
        if isinstance(children, list):
            stack.extend(children)
    return doc


def criteria_errors(criteria: Any) -> list[str]:
    """Every problem of a criteria document as a sentence naming the criterion and field;
    empty when valid."""
    return list(_walk(criteria, "root", set()))


def validate_criteria(criteria: Any) -> None:
    """Raise ``InvalidInput`` (message lists every problem, ``details["errors"]``) unless
    ``criteria`` is a valid criteria document."""
    errors = criteria_errors(criteria)
    if errors:
        raise InvalidInput(" ".join(errors), details={"errors": errors})
