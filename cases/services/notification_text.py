"""The title of an in-app notification, rendered when it is shown, in the active language
(issue 11). One renderer per kind (``ReminderKind``), reading only the notification's
``data`` (no query):

* event notices (``cases/services/notifications.py``): ``ref`` (the case reference), ``who``
  (a person's name), ``name_en``/``name_zh`` (a requirement), ``decision``, ``stage``,
  ``before``/``after`` (outcome keys), ``fields`` (applicant field names), ``mine``,
  ``internal``, ``confirmed``;
* date reminders (``cases/services/sweep.py``, ``reminder_data``): the ``ReminderItem`` as
  plain values (dates ISO 8601), worded by ``templates/reminders/_what.<language>.txt`` like
  the reminder email.

Keys are shown as translated words (a stage's label, an outcome's label). A notification
written before issue 11 whose title migration 0039 could not parse keeps ``title``, shown
as-is. ``notification_html`` marks names and typed values ``translate="no"``.
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.services.timeline_text import Phrase, format_phrase, pick, plain
from portal.text import listed

if TYPE_CHECKING:
    from cases.models import Notification
    from cases.reminders.emails import ReminderItem

NAMES = frozenset({"who", "ref"})


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def _field_list(names: list[str]) -> str:
    """The applicant fields ``names`` by their labels in the active language, as a list."""
    from cases.models import Applicant

    labels = []
    for n in names:
        try:
            labels.append(str(capfirst(Applicant._meta.get_field(n).verbose_name)))  # type: ignore[union-attr]
        except FieldDoesNotExist:  # a field renamed since: its old name
            labels.append(str(n))
    return listed(labels)


def _choice(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def notice_phrase(kind: str, f: Mapping[str, Any]) -> Phrase | None:
    """(pattern, values, typed keys) of an event notice of ``kind`` with facts ``f``, or None
    for a kind that is not an event notice."""
    from cases.models import ReminderKind, RequirementStatus, Stage
    from eligibility.models import AssessmentOutcome

    v: dict[str, Any] = {"ref": f.get("ref", ""), "who": f.get("who", "")}
    if kind == ReminderKind.NEW_MESSAGE:
        if f.get("internal"):
            return _("New internal note on case %(ref)s from %(who)s"), v, NAMES
        return _("New message on case %(ref)s from %(who)s"), v, NAMES
    if kind == ReminderKind.DOCUMENT_UPLOADED:
        return _("%(who)s uploaded “%(name)s” to case %(ref)s"), {**v, "name": pick(f)}, NAMES
    if kind == ReminderKind.DOCUMENT_REVIEWED:
        v["name"] = pick(f)
        if f.get("decision") == RequirementStatus.REJECTED:
            return _("Your advisor asked for a new “%(name)s” (case %(ref)s)"), v, NAMES
        return _("Your advisor accepted “%(name)s” (case %(ref)s)"), v, NAMES
    if kind == ReminderKind.STAGE_CHANGED:
        v["stage"] = _choice(Stage, f.get("stage", ""))
        return _("Case %(ref)s is now “%(stage)s”"), v, NAMES
    if kind == ReminderKind.CASE_REASSIGNED:
        if f.get("mine"):
            return _("Case %(ref)s is now assigned to you"), v, NAMES
        return _("Case %(ref)s was reassigned to %(who)s"), v, NAMES
    if kind == ReminderKind.ELIGIBILITY_CHANGED:
        v["before"] = _choice(AssessmentOutcome, f.get("before", ""))
        v["after"] = _choice(AssessmentOutcome, f.get("after", ""))
        pattern = _("Eligibility of case %(ref)s changed under new rules: %(before)s → %(after)s")
        return pattern, v, NAMES
    if kind == ReminderKind.INVITATION_ACCEPTED:
        return _("%(who)s accepted the invitation and can now log in (case %(ref)s)"), v, NAMES
    if kind == ReminderKind.CORRECTION_PROPOSED:
        v["fields"] = _field_list(list(f.get("fields") or []))
        return _("%(who)s proposed a correction of %(fields)s (case %(ref)s)"), v, NAMES
    if kind == ReminderKind.CORRECTION_DECIDED:
        fields = {"fields": _field_list(list(f.get("fields") or []))}
        if f.get("confirmed"):
            return _("Your advisor confirmed your correction of %(fields)s"), fields, NAMES
        return _("Your advisor declined your correction of %(fields)s"), fields, NAMES
    return None


# --- date reminders -------------------------------------------------------------------------


def reminder_data(item: "ReminderItem", *, staff: bool) -> dict[str, Any]:
    """``item`` as the JSON ``data`` of its in-app notification (dates ISO 8601); ``staff``:
    whether the recipient is staff (the questionnaire reminder's wording)."""
    values = dataclasses.asdict(item)
    for key in ("due_date", "passport_expiry"):
        values[key] = values[key].isoformat() if values[key] else None
    return {**values, "staff": staff}


def reminder_item_of(data: Mapping[str, Any]) -> "ReminderItem":
    """The ``ReminderItem`` of a date reminder's ``data`` (``reminder_data``)."""
    from cases.reminders.emails import ReminderItem

    names = {f.name for f in dataclasses.fields(ReminderItem)}
    values = {k: v for k, v in data.items() if k in names}
    for key in ("due_date", "passport_expiry"):
        values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
    values.setdefault("path", "")
    values.setdefault("name_en", "")
    values.setdefault("name_zh", "")
    values.setdefault("offset_days", 0)
    return ReminderItem(**values)


_NAME = "\x00name\x00"


def _reminder_text(data: Mapping[str, Any], name: str | None = None) -> str:
    """The reminder's sentence; ``name`` replaces the item's name when given."""
    item = reminder_item_of(data)
    language = "zh-hans" if _zh() else "en"
    context = {
        "items": [{"item": item, "name": item.name(language) if name is None else name}],
        "user": {"is_staff_member": bool(data.get("staff"))},
    }
    return " ".join(render_to_string(f"reminders/notification.{language}.txt", context).split())


def _reminder_html(data: Mapping[str, Any]) -> SafeString:
    """``_reminder_text`` as HTML, the item's name (a task's title may be typed in any
    language) marked ``translate="no"``."""
    item = reminder_item_of(data)
    language = "zh-hans" if _zh() else "en"
    text = str(conditional_escape(_reminder_text(data, _NAME)))
    name = format_html('<span translate="no">{}</span>', item.name(language))
    return SafeString(text.replace(_NAME, name))


def _is_reminder(note: "Notification") -> bool:
    from cases.models import EVENT_KINDS

    return bool(note.kind) and note.kind not in EVENT_KINDS and "due_date" in (note.data or {})


# --- the one entry point --------------------------------------------------------------------


def notification_text(note: "Notification") -> str:
    """The title of ``note`` in the active language, plain text."""
    data = note.data if isinstance(note.data, dict) else {}
    if _is_reminder(note):
        return _reminder_text(data)
    phrase = notice_phrase(note.kind, data) if note.kind else None
    if phrase is None:
        return note.title
    pattern, values, _typed = phrase
    return pattern % {k: plain(v) for k, v in values.items()}


def notification_html(note: "Notification") -> SafeString:
    """``notification_text`` as HTML, names and references marked ``translate="no"``; an
    older unparsed title wholly so."""
    data = note.data if isinstance(note.data, dict) else {}
    if _is_reminder(note):
        return _reminder_html(data)
    phrase = notice_phrase(note.kind, data) if note.kind else None
    if phrase is None:
        return format_html('<span translate="no">{}</span>', note.title)
    return format_phrase(*phrase)
