"""Migration 0039 (issue 11): older timeline events and notifications get the structured data
their words are now rendered from (``cases/services/timeline_text.py``,
``cases/services/notification_text.py``).

What is recovered, first from the rows the event names (its requirement, document, step,
task, rule set, advisor: ids and codes stored in ``data`` since the event was written), else
by parsing the stored sentence with the English and the Chinese wording of the time (the
sentences were English f-strings or catalogue strings in the writer's language):

* events: ``data["what"]`` and the values of its renderer; an event nothing could be
  recovered from keeps its ``summary``, shown as-is;
* notifications: ``kind`` and ``data`` (date reminders from their ledger row and its target,
  event notices by parsing the title; names found again on the case's requirements); an
  unparsed one keeps ``title``, shown as-is.

``convert_events(apps)`` (and ``convert_notifications`` in ``text_migration_notices.py``)
take the migration's app registry (or ``django.apps.apps``) and return how many rows they
converted. Rows already
converted are skipped, so running it twice changes nothing.
"""

import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

LANGUAGES = ("en", "zh-hans")
BATCH = 500
# Degree levels as they were labelled before migration 0033 named them plainly.
OLD_DEGREE_LABELS = {
    "Bachelor's or equivalent (ISCED 6)": "6",
    "学士或同等学历（ISCED 6）": "6",
    "Master's or equivalent (ISCED 7)": "7",
    "硕士或同等学历（ISCED 7）": "7",
    "Doctoral or equivalent (ISCED 8)": "8",
    "博士或同等学历（ISCED 8）": "8",
}
# The verbs older education and employment events began with (kept in the catalogue so their
# Chinese form is still parsed).
EDUCATION_ADDED = gettext_noop("Education added")
EDUCATION_CHANGED = gettext_noop("Education changed")
EMPLOYMENT_ADDED = gettext_noop("Employment added")
EMPLOYMENT_CHANGED = gettext_noop("Employment changed")


def _regex(msgid: str) -> list[re.Pattern[str]]:
    """The msgid and its Chinese translation as anchored patterns, ``%(x)s`` a named group."""
    out = []
    for language in LANGUAGES:
        with translation.override(language):
            text = gettext(msgid)
        pattern = re.escape(text)
        pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", pattern)
        pattern = re.sub(r"%\((\w+)\)s", r"(?P<\1>.+?)", pattern)
        out.append(re.compile(f"^{pattern}$", re.DOTALL))
    return out


def _match(msgid: str, text: str) -> dict[str, str] | None:
    for pattern in _regex(msgid):
        m = pattern.match(text.strip())
        if m:
            return m.groupdict()
    return None


def _labels(choices: Any) -> dict[str, str]:
    """Each label of ``choices`` in English and Chinese -> its key."""
    out: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                out[str(label)] = str(value)
    return out


def _field_names(text: str, model: Any) -> list[str] | None:
    """Field names of a list of verbose names (English ", " or Chinese "、" separated)."""
    from django.utils.text import capfirst

    labels: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for f in model._meta.get_fields():
                if hasattr(f, "verbose_name"):
                    labels[str(capfirst(f.verbose_name))] = f.name
    parts = [p.strip() for p in re.split(r", |、", text) if p.strip()]
    names = [labels.get(p) for p in parts]
    return [n for n in names if n] if all(names) else None


# --- events ---------------------------------------------------------------------------------


def _requirement(apps: Any, case_id: int, code: Any) -> dict[str, str]:
    req = (
        apps.get_model("cases", "DocumentRequirement")
        .objects.filter(case_id=case_id, code=code)
        .values("name_en", "name_zh")
        .first()
    )
    return req or {}


def _document(apps: Any, pk: Any) -> dict[str, Any]:
    if not pk:
        return {}
    doc = (
        apps.get_model("cases", "Document")
        .objects.filter(pk=pk)
        .values("original_filename", "version", "state_reason")
        .first()
    )
    return doc or {}


def _event_update(apps: Any, e: Any, d: dict[str, Any]) -> dict[str, Any] | None:
    s = e.summary or ""
    if "advisor" in d and "previous_advisor" in d:
        User = apps.get_model("portal", "User")
        name = User.objects.filter(pk=d["advisor"]).values_list("full_name", flat=True).first()
        return {"what": "advisor", "who": name or ""}
    if "task" in d:
        change = "removed" if d.get("removed") else "added"
        if "done" in d:
            change = "done" if d["done"] else "reopened"
        title = ""
        for msgid in (
            "Task added: %(title)s",
            "Task done: %(title)s",
            "Task reopened: %(title)s",
            "Task removed: %(title)s",
        ):
            m = _match(msgid, s)
            if m:
                title = m["title"]
                break
        return {"what": "task", "change": change, "title": title}
    if "requirement" in d and "due_date" in d:
        return {"what": "due_date", **_requirement(apps, e.case_id, d["requirement"])}
    if "tombstone" in d:
        stone = d["tombstone"]
        return {
            "what": "retention",
            "file": stone.get("filename", ""),
            "version": stone.get("version"),
        }
    for change, msgid in (
        ("saved", "Questionnaire: answers to “%(page)s” saved."),
        ("comment", "Questionnaire: comment on “%(key)s”."),
        (
            "approved",
            "Questionnaire approved and locked; the applicant's record took over %(fields)s.",
        ),
    ):
        m = _match(msgid, s)
        if not m:
            continue
        if change == "saved":
            return {"what": "questionnaire", "change": change, "page": _page(apps, e, m["page"])}
        if change == "comment":
            return {"what": "questionnaire", "change": change, "key": m["key"]}
        fields = _field_names(m["fields"], apps.get_model("cases", "Applicant"))
        if fields is not None:
            return {"what": "questionnaire", "change": change, "fields": fields}
    for change, msgid in (
        ("submitted", "Questionnaire sent to the advisor for review."),
        ("returned", "Questionnaire returned to the applicant with comments."),
        ("approved", "Questionnaire approved and locked."),
    ):
        if _match(msgid, s) is not None:
            return {"what": "questionnaire", "change": change}
    return _qualification(apps, s)


def _page(apps: Any, e: Any, title: str) -> dict[str, str]:
    """The ``{"en", "zh"}`` title of the case's questionnaire page called ``title``."""
    rows = apps.get_model("cases", "QuestionnaireResponse").objects.filter(case_id=e.case_id)
    for definition in rows.values_list("questionnaire__definition", flat=True):
        for section in (definition or {}).get("sections", []):
            t = section.get("title") or {}
            if title in (t.get("en"), t.get("zh")):
                return {"en": t.get("en", ""), "zh": t.get("zh", "")}
    return {"en": title}


def _qualification(apps: Any, s: str) -> dict[str, Any] | None:
    from cases.models import DegreeLevel

    for kind, verb_added, verb_changed, removed in (
        ("education", EDUCATION_ADDED, EDUCATION_CHANGED, "Education removed: %(what)s"),
        ("employment", EMPLOYMENT_ADDED, EMPLOYMENT_CHANGED, "Employment removed: %(what)s"),
    ):
        what, change = None, None
        m = _match(removed, s)
        if m:
            what, change = m["what"], "removed"
        else:
            for verb, name in ((verb_added, "added"), (verb_changed, "changed")):
                for language in LANGUAGES:
                    with translation.override(language):
                        prefix = gettext(verb) + ": "
                    if s.startswith(prefix):
                        what, change = s[len(prefix) :], name
        if what is None:
            continue
        if kind == "employment":
            role, sep, organisation = what.rpartition(" at ")
            if not sep:
                return None
            return {"what": kind, "change": change, "role": role, "organisation": organisation}
        level_label, sep, field = what.partition(", ")
        level = {**OLD_DEGREE_LABELS, **_labels(DegreeLevel)}.get(level_label)
        if not sep or level is None:
            return None
        code = field.split(" ", 1)[0]
        row = (
            apps.get_model("eligibility", "FieldOfStudy")
            .objects.filter(code=code)
            .values("name_en", "name_zh")
            .first()
        ) or {}
        return {
            "what": kind,
            "change": change,
            "level": int(level),
            "field_code": code if row else "",
            "field_en": row.get("name_en", field),
            "field_zh": row.get("name_zh", ""),
        }
    return None


def event_data_of(apps: Any, e: Any) -> dict[str, Any] | None:
    """The renderer's values recovered for older event ``e`` (to merge into its data), or
    None when nothing could be."""
    d = e.data if isinstance(e.data, dict) else {}
    s = e.summary or ""
    kind = e.kind
    if kind == "opened":
        return {"what": "opened", "ref": s}
    if kind in ("stage", "override"):
        return {"what": "stage", "reason": s}
    if kind == "message":
        return {"what": "message", "excerpt": s}
    if kind in ("upload", "review", "waive") and "requirement" in d:
        names = _requirement(apps, e.case_id, d["requirement"])
        doc = _document(apps, d.get("document"))
        file, version = doc.get("original_filename", ""), doc.get("version", d.get("version"))
        if kind == "upload" and e.before == "processing":
            reason = s.split(": ", 2)[-1] if s.count(": ") >= 2 else doc.get("state_reason", "")
            return {"what": "upload_checked", **names, "file": file, "version": version,
                    "state": e.after, "reason": reason}  # fmt: skip
        if kind == "upload":
            return {"what": "upload", **names, "file": file, "version": version}
        if kind == "review":
            m = re.match(r"^.*? v\d+(?:: (?P<reason>.*))?$", s, re.DOTALL)
            reason = (m.group("reason") or "") if m else ""
            return {"what": "review", **names, "version": version, "reason": reason}
        prefix = names.get("name_en", "") + ": "
        reason = s[len(prefix) :] if names and s.startswith(prefix) else s.partition(": ")[2]
        return {"what": "waive", **names, "reason": reason}
    if kind == "assessment":
        found = re.match(r"^(?P<visa>\S+) v(?P<v>\d+): ", s)
        if found is None:
            return None
        visa, v = found["visa"], int(found["v"])
        return {"what": "assessment", "visa": visa, "version": v, "outcome": e.after}
    if kind == "invite":
        sent = _match("Invitation sent again to %(email)s", s)
        return {"what": "invite", "email": sent["email"]} if sent else None
    if kind == "step" and "step" in d:
        step = (
            apps.get_model("cases", "CaseStep")
            .objects.filter(case_id=e.case_id, code=d["step"])
            .values("name_en", "name_zh")
            .first()
        ) or {}
        if not step:
            said = _match("Step done on %(day)s: %(name)s", s) or _match(
                "Step opened again: %(name)s", s
            )
            step = {"name_en": said["name"]} if said else {}
        change = "done" if e.after == "done" else "reopened"
        return {"what": "step", "change": change, **step}
    if kind == "update":
        return _event_update(apps, e, d)
    return None


def _done(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if data.get("what"):
        return True
    return bool(data.get("record") and "field" in data) or bool(data.get("correction_event"))


def convert_events(apps: Any) -> int:
    """Add the renderer's data to every older event it can be recovered for; returns how many
    were converted."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    converted = 0
    last = 0
    while True:
        batch = list(CaseEvent.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return converted
        last = batch[-1].pk
        changed = []
        for e in batch:
            if _done(e.data):
                continue
            found = event_data_of(apps, e)
            if found is None:
                continue
            e.data = {**(e.data if isinstance(e.data, dict) else {}), **found}
            e.summary = ""
            changed.append(e)
        CaseEvent.objects.bulk_update(changed, ["data", "summary"])
        converted += len(changed)
