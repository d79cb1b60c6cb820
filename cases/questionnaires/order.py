"""Date order within a questionnaire page: a date question's ``not_before`` names another date
question whose answer it may not precede (an end date after its start, an expiry after the
issue date).

Scope: the other question is on the same page (a top-level question or a yes/no follow-up of
that page) or, for a field of a group, in the same group item (each employer's "To" against
that employer's "From"). Only two answered, otherwise valid dates are compared; a blank or
malformed date gets its own message from ``cases/questionnaires/answers.py``.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _


def _flat(questions: Any) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for q in questions if isinstance(questions, list) else []:
        if isinstance(q, dict):
            flat.append(q)
            if q.get("type") == "yes_no" and isinstance(q.get("follow_up"), list):
                flat.extend(f for f in q["follow_up"] if isinstance(f, dict))
    return flat


def date_order_pairs(questions: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(later, earlier)`` for each date question of ``questions`` (one page's questions,
    follow-ups included, or one group's fields) whose ``not_before`` names another date
    question of the same list; tolerant of malformed input."""
    dates = {q.get("key"): q for q in _flat(questions) if q.get("type") == "date"}
    for q in dates.values():
        ref = q.get("not_before")
        if isinstance(ref, str) and ref in dates and ref != q.get("key"):
            yield q, dates[ref]


def not_before_errors(definition: Mapping[str, Any]) -> Iterator[str]:
    """A sentence for each ``not_before`` that does not name another date question of the same
    page or group item."""
    scopes: list[list[dict[str, Any]]] = []
    for section in definition.get("sections") or []:
        if not isinstance(section, Mapping):
            continue
        page = _flat(section.get("questions"))
        scopes.append(page)
        scopes.extend(
            _flat(q["fields"])
            for q in page
            if q.get("type") == "group" and isinstance(q.get("fields"), list)
        )
    for scope in scopes:
        valid = {id(later) for later, _earlier in date_order_pairs(scope)}
        for q in scope:
            if q.get("type") == "date" and "not_before" in q and id(q) not in valid:
                yield _(
                    "Question “%(key)s”, field “not_before”: “%(ref)s” is not another date "
                    "question of the same page or group."
                ) % {"key": q.get("key"), "ref": q.get("not_before")}


def date_order_errors(
    questions: Any, cleaned: Mapping[str, Any], *, label: Any, prefix: str = ""
) -> dict[str, str]:
    """Errors (keyed ``prefix + key``) for answered dates earlier than their ``not_before``.
    ``cleaned`` holds ISO 8601 date strings (``""`` when blank); ``label(q)`` gives a
    question's label in the reader's language. Dates already in error are skipped by the
    caller passing only clean values."""
    errors: dict[str, str] = {}
    for later, earlier in date_order_pairs(questions):
        end, start = cleaned.get(later["key"]), cleaned.get(earlier["key"])
        if isinstance(end, str) and isinstance(start, str) and end and start and end < start:
            errors[prefix + later["key"]] = _(
                "“%(label)s” must be the same day as “%(other)s” or later."
            ) % {"label": label(later), "other": label(earlier)}
    return errors
