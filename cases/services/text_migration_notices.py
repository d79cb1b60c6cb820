"""Migration 0039 (issue 11), notifications: older in-app notifications get the ``kind`` and
``data`` their titles are now worded from (``cases/services/notification_text.py``): date
reminders from their ledger row and its target, event notices by parsing the title (English or
Chinese; names found again on the case's requirements). An unparsed one keeps ``title``, shown
as-is. ``convert_notifications(apps)`` takes the migration's app registry (or
``django.apps.apps``) and returns how many rows it converted; converted rows are skipped.
"""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from cases.services.text_migration import BATCH, _field_names, _labels, _match

# --- notifications --------------------------------------------------------------------------

# (kind, msgid, extra facts) of the event notices' titles.
NOTICE_TITLES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("message", "New internal note on case %(ref)s from %(who)s", {"internal": True}),
    ("message", "New message on case %(ref)s from %(who)s", {"internal": False}),
    ("upload", "%(who)s uploaded “%(name)s” to case %(ref)s", {}),
    ("review", "Your advisor asked for a new “%(name)s” (case %(ref)s)", {"decision": "rejected"}),
    ("review", "Your advisor accepted “%(name)s” (case %(ref)s)", {"decision": "accepted"}),
    ("stage", "Case %(ref)s is now “%(stage)s”", {}),
    ("reassigned", "Case %(ref)s is now assigned to you", {"mine": True}),
    ("reassigned", "Case %(ref)s was reassigned to %(who)s", {}),
    (
        "eligibility",
        "Eligibility of case %(ref)s changed under new rules: %(before)s → %(after)s",
        {},
    ),
    (
        "invitation_accepted",
        "%(who)s accepted the invitation and can now log in (case %(ref)s)",
        {},
    ),
    ("correction_proposed", "%(who)s proposed a correction of %(fields)s (case %(ref)s)", {}),
    (
        "correction_decided",
        "Your advisor confirmed your correction of %(fields)s",
        {"confirmed": True},
    ),
    (
        "correction_decided",
        "Your advisor declined your correction of %(fields)s",
        {"confirmed": False},
    ),
)


def notice_data_of(apps: Any, note: Any) -> tuple[str, dict[str, Any]] | None:
    """(kind, data) parsed from an older event notification's title, or None."""
    from cases.models import Stage
    from eligibility.models import AssessmentOutcome

    for kind, msgid, extra in NOTICE_TITLES:
        m = _match(msgid, note.title or "")
        if m is None:
            continue
        data: dict[str, Any] = {**m, **extra}
        if "ref" not in data and note.case_id:
            Case = apps.get_model("cases", "Case")
            refs = Case.objects.filter(pk=note.case_id).values_list("reference", flat=True)
            data["ref"] = refs.first() or ""
        if "name" in data:
            name = data.pop("name")
            chinese = re.search(r"[\u4e00-\u9fff]", name) is not None
            req = (
                apps.get_model("cases", "DocumentRequirement")
                .objects.filter(case_id=note.case_id, **{"name_zh" if chinese else "name_en": name})
                .values("name_en", "name_zh")
                .first()
            )
            data.update(req or {"name_en": name})
        if "stage" in data:
            data["stage"] = _labels(Stage).get(data["stage"])
        for key in ("before", "after"):
            if key in data:
                data[key] = _labels(AssessmentOutcome).get(data[key])
        if "fields" in data:
            data["fields"] = _field_names(data["fields"], apps.get_model("cases", "Applicant"))
        if any(data.get(k) is None for k in ("stage", "before", "after", "fields") if k in data):
            return None
        return kind, data
    return None


def reminder_data_of(apps: Any, note: Any) -> tuple[str, dict[str, Any]] | None:
    """(kind, data) of an older date reminder, from its ledger row and target, or None."""
    row = note.delivery
    if row is None:
        return None
    kind = row.rule.kind
    case = apps.get_model("cases", "Case").objects.select_related("applicant").get(pk=row.case_id)
    name_en = name_zh = ""
    target = {
        "requirement": ("DocumentRequirement", "name_en", "name_zh"),
        "task": ("CaseTask", "title", "title"),
        "step": ("CaseStep", "name_en", "name_zh"),
    }.get(row.target_type)
    if target is not None:
        found = (
            apps.get_model("cases", target[0])
            .objects.filter(pk=row.target_id)
            .values_list(target[1], target[2])
            .first()
        )
        if found is None:
            return None
        name_en, name_zh = found
    sent = note.created_at.astimezone(ZoneInfo(case.time_zone or "UTC")).date()
    expiry = case.applicant.passport_expiry
    User = apps.get_model("portal", "User")
    role, superuser = User.objects.filter(pk=note.user_id).values_list("role", "is_superuser").get()
    title = note.title or ""
    return kind, {
        "kind": kind,
        "case_reference": case.reference,
        "due_date": row.due_date.isoformat(),
        "offset_days": row.offset_days,
        "path": note.url,
        "name_en": name_en,
        "name_zh": name_zh,
        "passport_expiry": expiry.isoformat() if isinstance(expiry, dt.date) else None,
        "days_left": (row.due_date - sent).days,
        "started": "started, not sent" in title or "已开始填写" in title,
        "staff": role in ("advisor", "admin") or bool(superuser),
    }


def convert_notifications(apps: Any) -> int:
    """Give every older notification its kind and data where they can be recovered; returns
    how many were converted."""
    Notification = apps.get_model("cases", "Notification")
    event_kinds = {t[0] for t in NOTICE_TITLES}
    converted = 0
    last = 0
    while True:
        batch: list[Any] = list(
            Notification.objects.filter(pk__gt=last, kind="")
            .select_related("delivery__rule")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return converted
        last = batch[-1].pk
        changed = []
        for note in batch:
            rule_kind = note.delivery.rule.kind if note.delivery_id else ""
            if rule_kind and rule_kind not in event_kinds:
                found = reminder_data_of(apps, note)
            else:
                found = notice_data_of(apps, note)
            if found is None:
                continue
            note.kind, note.data = found
            note.title = ""
            changed.append(note)
        Notification.objects.bulk_update(changed, ["kind", "data", "title"])
        converted += len(changed)
