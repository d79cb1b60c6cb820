"""The words of a timeline event, rendered when it is shown, in the active language (issue 11).

An event (``CaseEvent``) stores its ``kind``, ``before``/``after`` keys and structured ``data``;
no sentence is stored. ``data["what"]`` names the renderer of its summary (``_RENDERERS``, one
per kind of sentence), reading ids, codes, names in both languages (``name_en``/``name_zh``),
file names, versions, dates and what people typed; writers build it with ``event_data``.
``event_text`` / ``event_html`` give the summary as text (API, exports) or HTML (typed values
marked ``translate="no"``); ``event_change`` / ``event_change_html`` give ``before → after``
with stage, outcome and status keys as translated words (``""`` when it says nothing to a
reader). Older events migration 0039 could not parse have no ``what``: their stored
``summary`` is shown as written.
"""

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext

from portal.text import listed

if TYPE_CHECKING:
    from cases.models import CaseEvent

# (pattern in the active language, its values, the keys of values shown as typed: names,
# file names, references, reasons; marked translate="no" in HTML)
Phrase = tuple[str, dict[str, Any], frozenset[str]]
TYPED = frozenset({"file", "reason", "title", "who", "email", "ref", "excerpt", "what", "key"})


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def pick(data: Mapping[str, Any], key: str = "name") -> str:
    """``data[key + "_zh"]`` for a Chinese reader when there is one, else ``data[key + "_en"]``
    (else ``data[key]``)."""
    if _zh() and data.get(f"{key}_zh"):
        return str(data[f"{key}_zh"])
    return str(data.get(f"{key}_en") or data.get(key) or "")


def _label(model_path: str, name: object) -> str:
    from django.apps import apps

    model = apps.get_model(model_path)
    try:
        return str(capfirst(model._meta.get_field(str(name)).verbose_name))
    except FieldDoesNotExist:  # a field renamed since the event: show its old name
        return str(name)


def _list(labels: list[str]) -> str:
    return listed(labels)


def _fields(data: Mapping[str, Any], model: str = "cases.Applicant") -> str:
    return _list([_label(model, f) for f in data.get("fields") or []])


def _version(data: Mapping[str, Any]) -> str:
    return str(data.get("version") or data.get("v") or "")


def _opened(d: Mapping[str, Any]) -> Phrase:
    return "%(ref)s", {"ref": d.get("ref", "")}, TYPED


def _stage(d: Mapping[str, Any]) -> Phrase:
    return "%(reason)s", {"reason": d.get("reason", "")}, TYPED


def _message(d: Mapping[str, Any]) -> Phrase:
    return "%(excerpt)s", {"excerpt": d.get("excerpt", "")}, TYPED


def _upload(d: Mapping[str, Any]) -> Phrase:
    values = {"name": pick(d), "file": d.get("file", ""), "v": _version(d)}
    return gettext("%(name)s: %(file)s (v%(v)s)"), values, TYPED


def _upload_checked(d: Mapping[str, Any]) -> Phrase:
    from cases.models import FailureKind, VersionState

    state = str(d.get("state", ""))
    reason = str(d.get("reason", ""))
    if state == VersionState.FAILED and reason in FailureKind.values:
        reason = str(FailureKind(reason).label)
    values = {
        "name": pick(d),
        "file": d.get("file", ""),
        "v": _version(d),
        "state": _choice(VersionState, state),
        "reason": reason,
    }
    if not reason:
        return gettext("%(name)s: %(file)s (v%(v)s) %(state)s"), values, TYPED
    return gettext("%(name)s: %(file)s (v%(v)s) %(state)s: %(reason)s"), values, TYPED


def _review(d: Mapping[str, Any]) -> Phrase:
    values = {"name": pick(d), "v": _version(d), "reason": d.get("reason", "")}
    if values["reason"]:
        return gettext("%(name)s v%(v)s: %(reason)s"), values, TYPED
    return gettext("%(name)s v%(v)s"), values, TYPED


def _waive(d: Mapping[str, Any]) -> Phrase:
    return gettext("%(name)s: %(reason)s"), {"name": pick(d), "reason": d.get("reason", "")}, TYPED


def _due_date(d: Mapping[str, Any]) -> Phrase:
    return gettext("Due date of %(name)s set"), {"name": pick(d)}, TYPED


def _assessment(d: Mapping[str, Any]) -> Phrase:
    from eligibility.models import AssessmentOutcome

    values = {
        "visa": d.get("visa", ""),
        "v": _version(d),
        "outcome": _choice(AssessmentOutcome, d.get("outcome", "")),
    }
    return gettext("%(visa)s v%(v)s: %(outcome)s"), values, TYPED


def _invite(d: Mapping[str, Any]) -> Phrase:
    return gettext("Invitation sent again to %(email)s"), {"email": d.get("email", "")}, TYPED


def _advisor(d: Mapping[str, Any]) -> Phrase:
    who = d.get("who") or gettext("nobody")
    return gettext("Advisor changed to %(name)s"), {"name": who}, frozenset({"name"})


def _retention(d: Mapping[str, Any]) -> Phrase:
    values = {"name": d.get("file", ""), "v": _version(d)}
    pattern = gettext("File deleted under the retention rule: %(name)s (v%(v)s)")
    return pattern, values, frozenset({"name"})


def _task(d: Mapping[str, Any]) -> Phrase:
    patterns = {
        "added": gettext("Task added: %(title)s"),
        "done": gettext("Task done: %(title)s"),
        "reopened": gettext("Task reopened: %(title)s"),
        "removed": gettext("Task removed: %(title)s"),
    }
    pattern = patterns.get(str(d.get("change")), patterns["added"])
    return pattern, {"title": d.get("title", "")}, TYPED


def _step(d: Mapping[str, Any]) -> Phrase:
    if d.get("change") == "reopened":
        return gettext("Step opened again: %(name)s"), {"name": pick(d)}, TYPED
    values = {"day": d.get("done_on", ""), "name": pick(d)}
    return gettext("Step done on %(day)s: %(name)s"), values, TYPED


def _education(d: Mapping[str, Any]) -> Phrase:
    from cases.models import DegreeLevel

    level = d.get("level")
    values = {
        "level": str(DegreeLevel(level).label) if level in DegreeLevel.values else str(level),
        "field": " ".join(x for x in (str(d.get("field_code") or ""), pick(d, "field")) if x),
    }
    what = gettext("%(level)s, %(field)s") % values
    patterns = {
        "added": gettext("Education added: %(what)s"),
        "changed": gettext("Education changed: %(what)s"),
        "removed": gettext("Education removed: %(what)s"),
    }
    return patterns.get(str(d.get("change")), patterns["added"]), {"what": what}, frozenset()


def _employment(d: Mapping[str, Any]) -> Phrase:
    role = {"role": d.get("role", ""), "organisation": d.get("organisation", "")}
    what = format_phrase(gettext("%(role)s at %(organisation)s"), role, TYPED | frozenset(role))
    patterns = {
        "added": gettext("Employment added: %(what)s"),
        "changed": gettext("Employment changed: %(what)s"),
        "removed": gettext("Employment removed: %(what)s"),
    }
    return patterns.get(str(d.get("change")), patterns["added"]), {"what": what}, frozenset()


def _questionnaire(d: Mapping[str, Any]) -> Phrase:
    change = d.get("change")
    if change == "saved":
        title = d.get("page") or {}
        page = title.get("zh") if _zh() and title.get("zh") else title.get("en", "")
        return gettext("Questionnaire: answers to “%(page)s” saved."), {"page": page}, TYPED
    if change == "comment":
        pattern = gettext("Questionnaire: comment on “%(key)s”.")
        return pattern, {"key": d.get("key", "")}, TYPED
    if change == "approved" and d.get("fields"):
        pattern = gettext(
            "Questionnaire approved and locked; the applicant's record took over %(fields)s."
        )
        return pattern, {"fields": _fields(d)}, frozenset()
    patterns = {
        "submitted": gettext("Questionnaire sent to the advisor for review."),
        "returned": gettext("Questionnaire returned to the applicant with comments."),
        "approved": gettext("Questionnaire approved and locked."),
    }
    return patterns.get(str(change), ""), {}, frozenset()


def _record(d: Mapping[str, Any]) -> Phrase:
    model = "cases.Applicant" if d.get("record") == "applicant" else "cases.Case"
    return gettext("%(field)s changed"), {"field": _label(model, d.get("field"))}, frozenset()


def _correction(d: Mapping[str, Any]) -> Phrase:
    event = d.get("correction_event")
    if event == "proposed":
        pattern = gettext("Correction of %(fields)s proposed by the applicant")
        return pattern, {"fields": _fields(d)}, frozenset()
    if event == "declined":
        return gettext("Correction declined: %(reason)s"), {"reason": d.get("reason", "")}, TYPED
    return gettext("Correction confirmed; the details already read so"), {}, frozenset()


def _confirmation(d: Mapping[str, Any]) -> Phrase:
    values = {"statement": pick(d, "statement"), "answer": _yes_no(d.get("answer"))}
    return gettext("Answered by the advisor: %(statement)s: %(answer)s"), values, frozenset()


def _yes_no(value: object) -> str:
    return gettext("yes") if value in (True, "yes") else gettext("no")


_RENDERERS: dict[str, Callable[[Mapping[str, Any]], Phrase]] = {
    "opened": _opened,
    "stage": _stage,
    "message": _message,
    "upload": _upload,
    "upload_checked": _upload_checked,
    "review": _review,
    "waive": _waive,
    "due_date": _due_date,
    "assessment": _assessment,
    "invite": _invite,
    "advisor": _advisor,
    "retention": _retention,
    "task": _task,
    "step": _step,
    "education": _education,
    "employment": _employment,
    "questionnaire": _questionnaire,
    "confirmation": _confirmation,
}
WHATS = frozenset(_RENDERERS)


# Values of ``data`` for case staff only (a step's note: ``CaseStep.done_note`` is staff-only).
STAFF_ONLY_KEYS = frozenset({"note"})


def data_for(data: Mapping[str, Any], *, staff: bool) -> dict[str, Any]:
    """``data`` as a reader may see it (the API, the applicant's export): without
    ``STAFF_ONLY_KEYS`` unless ``staff``."""
    return {k: v for k, v in data.items() if staff or k not in STAFF_ONLY_KEYS}


def event_data(what: str, **values: Any) -> dict[str, Any]:
    """``data`` of a new event rendered by ``what`` (one of ``WHATS``); raises ``ValueError``
    for an unknown renderer."""
    if what not in _RENDERERS:
        raise ValueError(f"No renderer for timeline sentences of kind {what!r}.")
    return {"what": what, **values}


def renderable(data: Mapping[str, Any]) -> bool:
    """Whether a renderer reads ``data`` (a new event's data must be)."""
    return _phrase_of(data) is not None or data.get("what") in _RENDERERS


def _phrase(event: "CaseEvent") -> Phrase | None:
    return _phrase_of(event.data if isinstance(event.data, dict) else {})


def _phrase_of(data: Mapping[str, Any]) -> Phrase | None:
    what = data.get("what")
    if what in _RENDERERS:
        return _RENDERERS[what](data)
    if data.get("record") in ("applicant", "case") and "field" in data:
        return _record(data)
    if data.get("correction_event") in ("proposed", "confirmed", "declined"):
        return _correction(data)
    from cases.models.timeline import ROUTE_CHANGE_KEY, route_change_summary

    if isinstance(data.get(ROUTE_CHANGE_KEY), dict):  # cases/services/routes.py
        text = route_change_summary(data[ROUTE_CHANGE_KEY], language=get_language() or "en")
        return text, {}, frozenset()
    return None


def event_text(event: "CaseEvent") -> str:
    """The summary in the active language, plain text (older unparsed events: as stored)."""
    phrase = _phrase(event)
    if phrase is None:
        return event.summary
    pattern, values, _typed = phrase
    return str(pattern % {k: plain(v) for k, v in values.items()}) if values else pattern


def event_html(event: "CaseEvent") -> SafeString:
    """``event_text`` as HTML: typed values (names of people, file names, reasons) marked
    ``translate="no"``; an older unparsed summary wholly so."""
    phrase = _phrase(event)
    if phrase is None:
        return _typed_html(event.summary)
    pattern, values, typed = phrase
    return format_phrase(pattern, values, typed)


def format_phrase(pattern: str, values: Mapping[str, Any], typed: frozenset[str]) -> SafeString:
    """``pattern % values`` as HTML: the pattern and values escaped, the ``typed`` values
    in ``<span translate="no">``."""
    if not values:
        return SafeString(conditional_escape(pattern))
    template = str(conditional_escape(pattern)).replace("{", "{{").replace("}", "}}")
    template = re.sub(r"%\((\w+)\)s", r"{\1}", template).replace("%%", "%")
    html = {k: _typed_html(plain(v)) if k in typed else v for k, v in values.items()}
    return format_html(template, **html)


def plain(value: Any) -> str:
    """A value as text (HTML made here, the employment's "role at organisation", unmarked)."""
    from django.utils.html import strip_tags

    return strip_tags(value) if isinstance(value, SafeString) else str(value)


def _typed_html(value: str) -> SafeString:
    return format_html('<span translate="no">{}</span>', value) if value else SafeString("")


def _choice(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _step_state(value: str) -> str:
    return {"open": gettext("not done yet"), "done": gettext("done")}.get(value, value)


def _words(event: "CaseEvent") -> tuple[str, str, bool] | None:
    """(before, after, typed) of the change in words, or None when nothing is shown."""
    from cases.models import EventKind, RequirementStatus, ReviewStatus, Stage, VersionState
    from eligibility.models import AssessmentOutcome

    kind, before, after = event.kind, event.before, event.after
    data = event.data if isinstance(event.data, dict) else {}
    if not (before or after) or data.get("what") in ("advisor", "task"):
        return None
    if kind in (EventKind.OPENED, EventKind.STAGE, EventKind.OVERRIDE):
        return _choice(Stage, before), _choice(Stage, after), False
    if kind == EventKind.ASSESSMENT:
        return _choice(AssessmentOutcome, before), _choice(AssessmentOutcome, after), False
    if kind == EventKind.REVIEW:
        return _choice(ReviewStatus, before), _choice(RequirementStatus, after), False
    if kind == EventKind.UPLOAD and before == VersionState.PROCESSING:
        return _choice(VersionState, before), _choice(VersionState, after), False
    if kind in (EventKind.UPLOAD, EventKind.WAIVE):
        return _choice(RequirementStatus, before), _choice(RequirementStatus, after), False
    if kind == EventKind.STEP:
        return _step_state(before), _step_state(after), False
    if data.get("what") == "confirmation":
        return (_yes_no(before) if before else ""), _yes_no(after), False
    return before, after, True  # dates and the values of edited details


def event_change(event: "CaseEvent") -> str:
    """``before → after`` in words of the active language, or ``""``."""
    words = _words(event)
    if words is None:
        return ""
    return f"{words[0] or '—'} → {words[1]}"


def event_change_html(event: "CaseEvent") -> SafeString:
    """``event_change`` as HTML (edited values marked ``translate="no"``)."""
    words = _words(event)
    if words is None:
        return SafeString("")
    before, after, typed = words
    if typed:
        return format_html("{} → {}", _typed_html(before) if before else "—", _typed_html(after))
    return format_html("{} → {}", before or "—", after)
