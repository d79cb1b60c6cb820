"""Correcting what was typed at intake: the applicant's identity and passport details, and a
case's planned dates, time zone and advisor.

One service per record, called by the web pages, the API, the Django admin and the
confirmation of an applicant's correction (``cases/services/corrections.py``):

- ``applicant_record_update``: names, date of birth, nationality, passport number and expiry
  (case staff only; the applicant proposes corrections instead);
- ``case_record_update``: intended entry and target submission dates, time zone, and the
  advisor (handed to ``case_assign_advisor``, which checks that only supervisors and admins
  reassign, and removes the old advisor's access).

Both validate like intake (field validators, ``applicant_check_birth_date``,
``planned_date_errors``), refuse a stale edit (``version`` must be the one the editor read:
``StaleObject``), and write one CaseEvent per changed field with the value before and after
(passport numbers masked) in the same transaction. Deadlines follow at once: the passport
check (the case summary, ``case_summary_refresh``), the overdue rule in the case's (new)
zone, and pending reminders, rescheduled to the new zone's 09:00."""

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    EVENT_KINDS,
    PRE_SUBMISSION_STAGES,
    Applicant,
    Case,
    DeliveryStatus,
    EventKind,
    ReminderDelivery,
)
from cases.models.search import case_search_text
from cases.reminders.schedule import local_today, passport_too_short, send_moment
from cases.services.applicants import applicant_check_birth_date
from cases.services.assignment import case_assign_advisor
from cases.services.events import event_build, events_record
from cases.services.opening import planned_date_errors
from cases.services.summary import case_summary_refresh
from cases.services.sweep_settings import setting as _setting
from portal.errors import InvalidInput, NotAllowed, StaleObject
from portal.models import User, validate_time_zone
from portal.text import has_invisible, labelled

APPLICANT_RECORD_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "nationality",
    "passport_number",
    "passport_expiry",
)
CASE_RECORD_FIELDS = ("intended_entry_date", "target_submission_date", "time_zone")
DATE_FIELDS = frozenset(
    {"date_of_birth", "passport_expiry", "intended_entry_date", "target_submission_date"}
)
# Shown as the last 3 characters only, on the timeline and in the API's event "before/after".
MASKED_FIELDS = frozenset({"passport_number"})
MASK_VISIBLE_CHARS = 3
# CaseEvent.before / .after are CharField(max_length=64); the full text is in ``data``.
EVENT_VALUE_MAX_CHARS = 64


@dataclass
class RecordChange:
    """What an edit did: ``changed`` field names (empty: none) and ``warnings`` (sentences)."""

    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def mask_passport_number(value: str) -> str:
    """``"PA7777777"`` -> ``"******777"``: every character but the last 3 replaced, so the
    timeline tells two numbers apart without showing one (empty stays empty)."""
    if len(value) <= MASK_VISIBLE_CHARS:
        return "*" * len(value)
    return "*" * (len(value) - MASK_VISIBLE_CHARS) + value[-MASK_VISIBLE_CHARS:]


def record_text(name: str, value: Any) -> str:
    """``value`` of field ``name`` as the timeline shows it: dates ISO 8601, a country its
    code, a passport number masked, nothing as an empty string."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(getattr(value, "code", value) or "")
    return mask_passport_number(text) if name in MASKED_FIELDS else text


def stored_value(obj: Any, name: str) -> Any:
    """The value of ``name`` on ``obj`` as edits compare it (a country as its code)."""
    value = getattr(obj, name)
    return getattr(value, "code", value) if name == "nationality" else value


def field_label(model: Any, name: str) -> str:
    """The field's verbose name, capitalised, in the active language."""
    return str(capfirst(model._meta.get_field(name).verbose_name))


def clean_record_value(model: Any, name: str, value: Any) -> Any:
    """Shape checks before anything reaches the database: text without NUL or other invisible
    characters (``portal.text.has_invisible``) and trimmed, within the column's length; dates
    as ``date`` (ISO text is parsed)."""
    if name in DATE_FIELDS:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(
                _("Enter the date as YYYY-MM-DD."), details={"field": name}
            ) from None
    text = "" if value is None else value
    if not isinstance(text, str):
        raise InvalidInput(_("Enter text."), details={"field": name})
    if has_invisible(text):  # NUL among them, named as such
        message = (
            _("%(field)s contains a NUL character; remove it and try again.")
            if "\x00" in text
            else _("%(field)s contains invisible control characters; remove them and try again.")
        )
        raise InvalidInput(message % {"field": field_label(model, name)}, details={"field": name})
    text = text.strip()
    limit = model._meta.get_field(name).max_length
    if limit and len(text) > limit:
        raise InvalidInput(
            _("%(field)s can be at most %(max)d characters long (it is %(n)d).")
            % {"field": field_label(model, name), "max": limit, "n": len(text)},
            details={"field": name},
        )
    return text


def _full_clean_fields(obj: Any, values: Mapping[str, Any]) -> None:
    """Run the model's own field validators (required, choices, plausible dates, IANA zone)
    on ``values`` applied to a copy of ``obj``. Raises ``InvalidInput`` naming the field."""
    candidate = copy.copy(obj)
    for name, value in values.items():
        setattr(candidate, name, value)
    others = [f.name for f in type(obj)._meta.fields if f.name not in values]
    try:
        candidate.clean_fields(exclude=others)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(
            labelled(field_label(type(obj), name), " ".join(messages)),
            details={"field": name, "fields": exc.message_dict},
        ) from exc


def applicant_record_check(*, applicant: Applicant, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values of ``changes`` (some of ``APPLICANT_RECORD_FIELDS``) for
    ``applicant``, validated like intake. Raises ``InvalidInput`` (``details["field"]``)."""
    unknown = sorted(set(changes) - set(APPLICANT_RECORD_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here: %(names)s.") % {"names": ", ".join(unknown)},
            details={"field": unknown[0]},
        )
    values = {k: clean_record_value(Applicant, k, v) for k, v in changes.items()}
    _full_clean_fields(applicant, values)
    if "date_of_birth" in values:
        applicant_check_birth_date(values["date_of_birth"])
    return values


def record_diff(obj: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """The items of ``values`` that differ from what ``obj`` holds."""
    return {k: v for k, v in values.items() if stored_value(obj, k) != v}


def _events(
    cases: list[Case],
    actor: User | None,
    model: Any,
    before: Any,
    diff: Mapping[str, Any],
    **extra: Any,
) -> None:
    events = []
    for case in cases:
        for name, value in diff.items():
            old, new = record_text(name, stored_value(before, name)), record_text(name, value)
            events.append(
                event_build(
                    case=case,
                    actor=actor,
                    kind=EventKind.UPDATE,
                    before=old[:EVENT_VALUE_MAX_CHARS],
                    after=new[:EVENT_VALUE_MAX_CHARS],
                    data={"field": name, "before": old, "after": new, **extra},
                )
            )
    events_record(events)


def _stale() -> StaleObject:
    return StaleObject(
        _(
            "Someone else changed these details after you opened the form. Nothing was saved: "
            "reload the page, check their change, then make yours again."
        )
    )


def _passport_warnings(applicant: Applicant, cases: list[Case]) -> list[str]:
    """A sentence per case not yet submitted whose passport would expire less than 6 months
    after its intended entry (the consular rule in ``cases/reminders/schedule.py``)."""
    return [
        _(
            "The passport expires on %(expiry)s, less than 6 months after the intended entry on "
            "%(entry)s (case %(ref)s). A “Renew the passport” deadline is now on the case."
        )
        % {
            "expiry": record_text("passport_expiry", applicant.passport_expiry),
            "entry": record_text("intended_entry_date", c.intended_entry_date),
            "ref": c.reference,
        }
        for c in cases
        if c.stage in PRE_SUBMISSION_STAGES
        and passport_too_short(expiry=applicant.passport_expiry, entry=c.intended_entry_date)
    ]


def applicant_record_update(
    *,
    applicant: Applicant,
    actor: User,
    changes: Mapping[str, Any],
    version: int,
    correction_id: int | None = None,
    event_data: Mapping[str, str] | None = None,
) -> RecordChange:
    """Change ``applicant``'s identity and passport fields (``changes``: some of
    ``APPLICANT_RECORD_FIELDS``; dates as ``date`` or ISO text) if ``version`` is still the
    stored one. Writes an event per changed field on each of the applicant's cases and
    updates their search text. ``correction_id`` names the confirmed correction, if any;
    ``event_data`` is added to each event's data (e.g. the passport reading it came from).

    Raises ``NotAllowed`` unless ``actor`` is staff on one of the applicant's cases,
    ``InvalidInput`` (naming the field) for a value intake would refuse, ``StaleObject`` when
    the record changed since ``version`` was read."""
    if not permissions.can_edit_applicant_record(actor, applicant):
        raise NotAllowed(
            _("Only the advisor of one of the applicant's cases can change these details.")
        )
    values = applicant_record_check(applicant=applicant, changes=changes)
    with transaction.atomic():
        current = Applicant.objects.select_for_update().get(pk=applicant.pk)
        if current.version != version:
            raise _stale()
        diff = record_diff(current, values)
        if not diff:
            return RecordChange()
        now = timezone.now()
        hit = Applicant.objects.filter(pk=current.pk, version=version).update(
            **diff, version=F("version") + 1, updated_at=now
        )
        if hit != 1:
            raise _stale()
        for name, value in diff.items():
            setattr(applicant, name, value)
        applicant.version = version + 1
        cases = list(Case.objects.filter(applicant_id=applicant.pk).order_by("pk"))
        for case in cases:
            Case.objects.filter(pk=case.pk).update(
                updated_at=now,
                search_text=case_search_text(
                    reference=case.reference,
                    given_names=applicant.given_names,
                    family_name=applicant.family_name,
                    email=applicant.email,
                    passport_number=applicant.passport_number,
                ),
            )
        extra = {"record": "applicant"}
        if correction_id is not None:
            extra["correction"] = str(correction_id)
        extra.update(event_data or {})
        _events(cases, actor, Applicant, current, diff, **extra)
        case_summary_refresh(case_ids=[c.pk for c in cases])  # the passport check's due date
    warnings = []
    if {"passport_expiry"} & set(diff):
        warnings = _passport_warnings(applicant, cases)
    return RecordChange(changed=list(diff), warnings=warnings)


def case_record_update(
    *, case: Case, actor: User, changes: Mapping[str, Any], version: int
) -> RecordChange:
    """Change ``case``'s planned dates and time zone (``changes``: some of
    ``CASE_RECORD_FIELDS``, plus ``advisor``: a ``User`` or None) if ``version`` is still the
    stored one. A new advisor is assigned by ``case_assign_advisor`` in the same transaction.

    Dates follow ``planned_date_errors`` (a changed date may not be in the past, today being
    the case's local date). Raises ``NotAllowed`` unless ``actor`` is case staff (and, for the
    advisor, a supervisor or admin), ``InvalidInput`` naming the field, ``StaleObject``."""
    if not permissions.can_edit_case_record(actor, case):
        raise NotAllowed(_("Only the case's advisor, a supervisor or an admin can change it."))
    changes = dict(changes)
    reassign = "advisor" in changes
    advisor = changes.pop("advisor", None)
    if reassign and not permissions.can_assign_advisor(actor, case):
        raise NotAllowed(_("Only a supervisor or an admin can change a case's advisor."))
    unknown = sorted(set(changes) - set(CASE_RECORD_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here: %(names)s.") % {"names": ", ".join(unknown)},
            details={"field": unknown[0]},
        )
    values = {k: clean_record_value(Case, k, v) for k, v in changes.items()}
    if "time_zone" in values:
        if not values["time_zone"]:
            raise InvalidInput(_("Choose a time zone."), details={"field": "time_zone"})
        try:
            validate_time_zone(values["time_zone"])
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), details={"field": "time_zone"}) from exc
    _full_clean_fields(case, values)
    with transaction.atomic():
        current = Case.objects.select_for_update().select_related("applicant").get(pk=case.pk)
        if current.version != version:
            raise _stale()
        diff = record_diff(current, values)
        dates = {n: diff[n] for n in ("intended_entry_date", "target_submission_date") if n in diff}
        if dates:
            errors = planned_date_errors(
                intended_entry_date=values.get("intended_entry_date", current.intended_entry_date),
                target_submission_date=values.get(
                    "target_submission_date", current.target_submission_date
                ),
                today=local_today(timezone.now(), values.get("time_zone", current.time_zone)),
                opened_on=current.opened_on,
                past_fields=tuple(dates),
            )
            for name, message in errors.items():
                raise InvalidInput(message, details={"field": name})
        if diff:
            hit = Case.objects.filter(pk=case.pk, version=version).update(
                **diff, version=F("version") + 1, updated_at=timezone.now()
            )
            if hit != 1:
                raise _stale()
            _events([current], actor, Case, current, diff, record="case")
            case_summary_refresh(case_ids=[case.pk])  # the passport check's due date
            for name, value in diff.items():
                setattr(case, name, value)
            case.version = version + 1
            if "time_zone" in diff:
                _reschedule_pending(case)
        changed = list(diff)
        new_id = advisor.pk if advisor is not None else None
        if reassign and new_id != current.advisor_id:
            case.advisor_id = current.advisor_id
            case_assign_advisor(case=case, advisor=advisor, actor=actor)
            case.version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
            changed.append("advisor")
    warnings = []
    if "intended_entry_date" in diff:
        warnings = _passport_warnings(current.applicant, [case])
    return RecordChange(changed=changed, warnings=warnings)


def _reschedule_pending(case: Case) -> int:
    """Pending (never attempted) reminders of ``case`` go out at 09:00 recipient-local on the
    reminder day of the case's new zone (``send_moment``); event emails keep their moment.
    Returns the number of rows moved."""
    hour = int(_setting("REMINDER_LOCAL_HOUR", 9))
    rows = (
        ReminderDelivery.objects.filter(case=case, status=DeliveryStatus.PENDING, attempts=0)
        .exclude(rule__kind__in=EVENT_KINDS)
        .select_related("recipient")
    )
    moved = 0
    for row in rows:
        at = send_moment(
            due_date=row.due_date,
            offset_days=row.offset_days,
            case_tz=case.time_zone,
            recipient_tz=row.recipient.time_zone,
            hour=hour,
        )
        if at != row.send_after:
            moved += ReminderDelivery.objects.filter(pk=row.pk).update(send_after=at)
    return moved
