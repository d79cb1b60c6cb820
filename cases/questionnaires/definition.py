"""The questionnaire definition vocabulary and its validation (with ``jsonschema``).

A definition is ``{"sections": [section, ...]}``. A section is ``{"key", "title": {"en",
"zh"}, "intro"?: text, "questions": [question, ...]}`` and is one page for the applicant.
A question has:

- ``key``: unique in the whole definition (follow-ups included), ``^[a-z][a-z0-9_]{0,49}$``;
  the answers document is keyed by it;
- ``type``: ``text`` | ``number`` | ``date`` | ``choice`` | ``country`` | ``yes_no`` |
  ``group``;
- ``label`` and optional ``help``: ``{"en": ..., "zh": ...}``;
- ``required`` (default false); ``confirm``: ``applicant`` (the applicant's own words, the
  default) or ``advisor`` (the advisor checks it against a document before approving);
- ``prefill``: where the portal already knows the answer (``PREFILL_SOURCES``);
- ``record``: the applicant record field the answer is written to when the advisor approves
  (``RECORD_TARGETS``; only with ``confirm: advisor``, a fitting type, not in a group, at most
  one question per field; see ``cases/questionnaires/record.py``);
- per type: ``text`` ``max_length`` (1-2000, default 200), ``multiline``, ``format``
  (``email``, ``phone``, ``passport_number`` with ``country_from``: the key of the country
  question whose answer picks the number pattern); ``number`` (a whole number) ``min`` and
  ``max`` (inclusive, -1,000,000 to 1,000,000); ``date`` ``when`` (``past`` | ``future``) and
  ``not_before`` (the key of another date question of the same page, or of the same group
  item for a group's field, that this answer may not be earlier than: an end after its
  start);
  ``choice`` ``options`` (``[{"value", "label"}]``); ``country`` ``multiple``; ``yes_no``
  ``follow_up`` (questions asked when the answer is yes); ``group`` ``fields`` (the questions
  of one item, no nested groups), ``min_items``, ``max_items`` (1-20), ``item_label``.

Every problem is reported as a sentence naming the section, the question and the field.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from cases.questionnaires.order import not_before_errors
from portal.errors import InvalidInput

QUESTION_TYPES = ("text", "number", "date", "choice", "country", "yes_no", "group")
# Bounds an admin may give a number question (whole numbers; answers stay small JSON integers).
NUMBER_LIMIT = 1_000_000
TEXT_FORMATS = ("email", "phone", "passport_number")
# What the portal already knows, by source name (read by cases/selectors/questionnaires.py).
PREFILL_SOURCES = (
    "applicant.family_name",
    "applicant.given_names",
    "applicant.date_of_birth",
    "applicant.nationality",
    "applicant.passport_number",
    "applicant.passport_expiry",
    "applicant.email",
    "applicant.phone",
    "education",
    "employment",
)
# Record field a confirmed answer is written to on approval -> the question type that fits it
# (the fields ``applicant_record_update`` in cases/services/records.py edits).
RECORD_TARGETS: dict[str, str] = {
    "applicant.family_name": "text",
    "applicant.given_names": "text",
    "applicant.date_of_birth": "date",
    "applicant.nationality": "country",
    "applicant.passport_number": "text",
    "applicant.passport_expiry": "date",
}
# Caps that keep one answers document small (a page is one section).
MAX_SECTIONS = 40
MAX_QUESTIONS_PER_SECTION = 60
MAX_TEXT_LENGTH = 2000
MAX_GROUP_ITEMS = 20

_TEXT = {
    "type": "object",
    "properties": {"en": {"type": "string", "minLength": 1}, "zh": {"type": "string"}},
    "required": ["en", "zh"],
    "additionalProperties": False,
}
_KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,49}$"}
_COMMON: dict[str, Any] = {
    "key": _KEY,
    "type": {"enum": list(QUESTION_TYPES)},
    "label": _TEXT,
    "help": _TEXT,
    "required": {"type": "boolean"},
    "confirm": {"enum": ["applicant", "advisor"]},
    "prefill": {"enum": list(PREFILL_SOURCES)},
    "record": {"enum": list(RECORD_TARGETS)},
}
_QUESTIONS = {"type": "array", "items": {"type": "object"}, "minItems": 1}


def _schema(extra: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**_COMMON, **extra},
        "required": ["key", "type", "label", *required],
        "additionalProperties": False,
    }


QUESTION_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": _schema(
        {
            "max_length": {"type": "integer", "minimum": 1, "maximum": MAX_TEXT_LENGTH},
            "multiline": {"type": "boolean"},
            "format": {"enum": list(TEXT_FORMATS)},
            "country_from": _KEY,
        }
    ),
    "number": _schema(
        {
            "min": {"type": "integer", "minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT},
            "max": {"type": "integer", "minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT},
        }
    ),
    "date": _schema({"when": {"enum": ["past", "future"]}, "not_before": _KEY}),
    "choice": _schema(
        {
            "options": {
                "type": "array",
                "minItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"},
                        "label": _TEXT,
                    },
                    "required": ["value", "label"],
                    "additionalProperties": False,
                },
            }
        },
        ("options",),
    ),
    "country": _schema({"multiple": {"type": "boolean"}}),
    "yes_no": _schema({"follow_up": _QUESTIONS}),
    "group": _schema(
        {
            "fields": _QUESTIONS,
            "min_items": {"type": "integer", "minimum": 0, "maximum": MAX_GROUP_ITEMS},
            "max_items": {"type": "integer", "minimum": 1, "maximum": MAX_GROUP_ITEMS},
            "item_label": _TEXT,
        },
        ("fields",),
    ),
}
_VALIDATORS = {k: Draft202012Validator(v) for k, v in QUESTION_SCHEMAS.items()}
_SECTION = Draft202012Validator(
    {
        "type": "object",
        "properties": {
            "key": _KEY,
            "title": _TEXT,
            "intro": _TEXT,
            "questions": {**_QUESTIONS, "maxItems": MAX_QUESTIONS_PER_SECTION},
        },
        "required": ["key", "title", "questions"],
        "additionalProperties": False,
    }
)


def _field(error: Any) -> str:
    """The field an error is about: its path, or the missing property's name."""
    path = ".".join(str(p) for p in error.path)
    if error.validator == "required":
        missing = str(error.message).split("'")
        name = missing[1] if len(missing) > 2 else ""
        return f"{path}.{name}" if path else name
    return path


def _question(node: Any, where: str, seen: set[str], *, nested: str = "") -> Iterator[str]:
    if not isinstance(node, Mapping):
        yield _("%(where)s: each question must be a JSON object.") % {"where": where}
        return
    key = node.get("key") if isinstance(node.get("key"), str) else "?"
    here = _("%(where)s, question “%(key)s”") % {"where": where, "key": key}
    kind = node.get("type")
    if kind not in _VALIDATORS:
        yield _("%(here)s, field “type”: unknown type “%(type)s”; use one of %(types)s.") % {
            "here": here,
            "type": kind,
            "types": ", ".join(QUESTION_TYPES),
        }
        return
    for error in sorted(_VALIDATORS[kind].iter_errors(node), key=lambda e: list(e.path)):
        field = _field(error) or _("(question)")
        yield _("%(here)s, field “%(field)s”: %(error)s") % {
            "here": here,
            "field": field,
            "error": error.message,
        }
    if key != "?":
        if key in seen:
            yield _("%(here)s, field “key”: the key is used twice; keys must be unique.") % {
                "here": here
            }
        seen.add(key)
    if nested and (kind == "yes_no" or (kind == "group" and nested == "group")):
        where_in = _("a group") if nested == "group" else _("a yes/no follow-up")
        yield _("%(here)s, field “type”: a %(type)s question cannot be inside %(outer)s.") % {
            "here": here,
            "type": kind,
            "outer": where_in,
        }
    if kind == "choice" and isinstance(node.get("options"), list):
        values = [o.get("value") for o in node["options"] if isinstance(o, Mapping)]
        if len(values) != len(set(values)):
            yield _("%(here)s, field “options”: each option value must be unique.") % {"here": here}
    if kind == "group":
        low, high = node.get("min_items", 0), node.get("max_items", MAX_GROUP_ITEMS)
        if isinstance(low, int) and isinstance(high, int) and low > high:
            yield _("%(here)s, field “min_items”: must not be more than max_items.") % {
                "here": here
            }
    if kind == "number":
        low, high = node.get("min"), node.get("max")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            yield _("%(here)s, field “min”: must not be more than max.") % {"here": here}
    if node.get("format") == "passport_number" and not node.get("country_from"):
        yield _(
            "%(here)s, field “country_from”: a passport number needs the key of the "
            "question that gives the issuing country."
        ) % {"here": here}
    yield from _record_errors(node, here, kind, nested)
    children = node.get("follow_up") if kind == "yes_no" else node.get("fields")
    if kind in ("yes_no", "group") and isinstance(children, list):
        inner: set[str] = seen if kind == "yes_no" else set()
        for child in children:
            yield from _question(child, here, inner, nested=kind)


def _record_errors(node: Mapping[str, Any], here: str, kind: str, nested: str) -> Iterator[str]:
    target = node.get("record")
    if target not in RECORD_TARGETS:
        return  # absent, or refused by the schema above
    if node.get("confirm") != "advisor":
        yield _(
            "%(here)s, field “record”: only an answer the advisor confirms (confirm: advisor) "
            "can be written to the applicant record."
        ) % {"here": here}
    if nested == "group":
        yield _("%(here)s, field “record”: a field of a group cannot be written to the record.") % {
            "here": here
        }
    want = RECORD_TARGETS[target]
    if kind != want or (kind == "country" and node.get("multiple")):
        yield _(
            "%(here)s, field “record”: %(target)s needs a question of type %(type)s (one answer)."
        ) % {"here": here, "target": target, "type": want}


def _record_twice_errors(definition: Mapping[str, Any]) -> Iterator[str]:
    seen: set[str] = set()
    for q in iter_questions(definition):
        target = q.get("record")
        if isinstance(target, str) and target in seen:
            yield _(
                "Question “%(key)s”, field “record”: another question already writes %(target)s."
            ) % {"key": q.get("key"), "target": target}
        if isinstance(target, str):
            seen.add(target)


def definition_errors(definition: Any) -> list[str]:
    """Every problem of a questionnaire definition as a sentence naming the section, the
    question and the field; empty when valid."""
    if not isinstance(definition, Mapping) or not isinstance(definition.get("sections"), list):
        return [_("The definition must be a JSON object with a list of “sections”.")]
    sections = definition["sections"]
    errors: list[str] = []
    if not sections:
        errors.append(_("The definition needs at least one section."))
    if len(sections) > MAX_SECTIONS:
        errors.append(_("A definition has at most %(n)d sections.") % {"n": MAX_SECTIONS})
    if set(definition) - {"sections"}:
        errors.append(_("The definition may only hold “sections”."))
    seen: set[str] = set()
    section_keys: set[str] = set()
    for i, section in enumerate(sections):
        key = section.get("key") if isinstance(section, Mapping) else None
        where = _("Section “%(key)s”") % {"key": key if isinstance(key, str) else i + 1}
        if not isinstance(section, Mapping):
            errors.append(_("%(where)s: each section must be a JSON object.") % {"where": where})
            continue
        for error in sorted(_SECTION.iter_errors(section), key=lambda e: list(e.path)):
            if list(error.path)[:1] == ["questions"] and len(error.path) > 1:
                continue  # a question's own error is reported below, with its key
            field = _field(error) or _("(section)")
            errors.append(
                _("%(where)s, field “%(field)s”: %(error)s")
                % {"where": where, "field": field, "error": error.message}
            )
        if isinstance(key, str):
            if key in section_keys:
                errors.append(_("%(where)s: the key is used twice.") % {"where": where})
            section_keys.add(key)
        for question in section.get("questions") or []:
            errors.extend(_question(question, where, seen))
    errors.extend(_country_from_errors(definition))
    errors.extend(_record_twice_errors(definition))
    errors.extend(not_before_errors(definition))
    return errors


def _country_from_errors(definition: Mapping[str, Any]) -> Iterator[str]:
    countries = {q["key"] for q in iter_questions(definition) if q.get("type") == "country"}
    for q in iter_questions(definition):
        ref = q.get("country_from")
        if ref and ref not in countries:
            yield _(
                "Question “%(key)s”, field “country_from”: “%(ref)s” is not a country question."
            ) % {"key": q.get("key"), "ref": ref}


def validate_definition(definition: Any) -> None:
    """Raise ``InvalidInput`` (``details["errors"]``: every problem, ``details["field"]``:
    ``definition``) unless ``definition`` is valid."""
    errors = definition_errors(definition)
    if errors:
        raise InvalidInput(" ".join(errors), details={"errors": errors, "field": "definition"})


def iter_questions(definition: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every top-level question and yes/no follow-up, in order (group fields excluded);
    tolerant of malformed input."""

    def walk(questions: Any) -> Iterator[dict[str, Any]]:
        for q in questions if isinstance(questions, list) else []:
            if isinstance(q, dict):
                yield q
                if q.get("type") == "yes_no":
                    yield from walk(q.get("follow_up"))

    for section in definition.get("sections") or []:
        if isinstance(section, dict):
            yield from walk(section.get("questions"))


def section_keys(definition: Mapping[str, Any]) -> list[str]:
    return [s["key"] for s in definition.get("sections", [])]


def section_by_key(definition: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    for section in definition.get("sections", []):
        if section.get("key") == key:
            return dict(section)
    return None


def text(value: Mapping[str, str] | None, language: str) -> str:
    """The Chinese or English text of a ``{"en", "zh"}`` object (English when no Chinese)."""
    if not value:
        return ""
    if language.startswith("zh") and value.get("zh"):
        return value["zh"]
    return value.get("en", "")
