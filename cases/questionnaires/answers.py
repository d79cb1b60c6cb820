"""Validation of the answers to one section, per question type (pure: no database access).

Answers are JSON: ``text`` a string, ``number`` a whole number (sent as a JSON integer or as
digits, full-width digits of a Chinese keyboard included), ``date`` an ISO date string
(``YYYY-MM-DD``), ``choice``
an option value, ``country`` an ISO 3166-1 alpha-2 code (a list of codes when ``multiple``),
``yes_no`` ``"yes"`` or ``"no"`` (follow-up answers sit beside it under their own keys and are
dropped on ``"no"``), ``group`` a list of objects keyed by the group's field keys.
Errors are keyed by the form field they belong to: the question key, or
``<group>-<index>-<field>`` for a field of a group item (index from 0).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django_countries import countries

from cases.questionnaires.definition import MAX_GROUP_ITEMS, text
from cases.questionnaires.order import date_order_errors
from portal.dates import STORED_DATE_MAX, STORED_DATE_MIN
from portal.text import has_invisible

# Passport number patterns where the issuing country publishes its format (ICAO 9303 allows
# up to 9 characters in the machine-readable zone; national formats below). Others get the
# general check: 5 to 20 letters and digits.
PASSPORT_PATTERNS: dict[str, tuple[str, str]] = {
    "GB": (r"^\d{9}$", "123456789"),
    "US": (r"^[A-Z0-9]\d{8}$", "A12345678"),
    "DE": (r"^[CFGHJKLMNPRTVWXYZ0-9]{9}$", "C01X00T47"),
    "FR": (r"^\d{2}[A-Z]{2}\d{5}$", "12AB34567"),
    "IN": (r"^[A-Z]\d{7}$", "A1234567"),
    "CA": (r"^[A-Z]{2}\d{6}$", "AB123456"),
}
_GENERAL_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,25}$")
YES, NO = "yes", "no"


class Errors(dict[str, str]):
    """Form field name -> one message a person can act on."""


def _label(question: Mapping[str, Any], language: str) -> str:
    return text(question.get("label"), language)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def section_keys(section: Mapping[str, Any]) -> set[str]:
    """Every answer key of one section: its questions and their follow-ups."""
    keys = set()
    for q in section["questions"]:
        keys.add(q["key"])
        keys.update(f["key"] for f in q.get("follow_up", []))
    return keys


def _clean_text(q: Mapping[str, Any], value: Any, answers: Mapping[str, Any], lang: str) -> Any:
    if not isinstance(value, str):
        raise ValueError(_("Enter text for “%(label)s”.") % {"label": _label(q, lang)})
    value = value.replace("\r\n", "\n").strip()
    if has_invisible(value):
        raise ValueError(_("Remove the invisible control characters from your answer."))
    limit = int(q.get("max_length", 200))
    if len(value) > limit:
        raise ValueError(
            _("“%(label)s” must be %(n)d characters or fewer; it has %(has)d.")
            % {"label": _label(q, lang), "n": limit, "has": len(value)}
        )
    if not q.get("multiline"):
        value = " ".join(value.split())
    fmt = q.get("format")
    if value and fmt == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(
                _("Enter an email address in the right format, like name@example.com.")
            ) from None
    if value and fmt == "phone" and not _PHONE.match(value):
        raise ValueError(_("Enter a phone number with the country code, like +44 20 7946 0000."))
    if value and fmt == "passport_number":
        value = value.replace(" ", "").upper()
        country = answers.get(str(q.get("country_from")))
        known = PASSPORT_PATTERNS.get(country) if isinstance(country, str) else None
        if known and not re.match(known[0], value):
            raise ValueError(
                _(
                    "Enter the passport number exactly as printed, for example %(example)s "
                    "(the format of passports issued by %(country)s)."
                )
                % {"example": known[1], "country": countries.name(country)}
            )
        if not _GENERAL_PASSPORT.match(value):
            raise ValueError(
                _("Enter the passport number exactly as printed: 5 to 20 letters and digits.")
            )
    return value


def _clean_number(q: Mapping[str, Any], value: Any, lang: str) -> int:
    """A whole number within the question's ``min`` and ``max``; checked before anything is
    stored, so a word, a fraction or a number too long to be one is a message, not an error."""
    label = _label(q, lang)
    if isinstance(value, bool) or not isinstance(value, int | str):
        value = None
    elif isinstance(value, str):
        digits = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        value = int(digits) if re.fullmatch(r"[+-]?\d{1,7}", digits) else None
    low, high = q.get("min"), q.get("max")
    example = low if isinstance(low, int) and low > 0 else 1
    if value is None:
        raise ValueError(
            _("Enter “%(label)s” as a whole number in digits, like %(example)d.")
            % {"label": label, "example": example}
        )
    if isinstance(low, int) and isinstance(high, int) and not low <= value <= high:
        raise ValueError(
            _("“%(label)s” must be between %(min)d and %(max)d.")
            % {"label": label, "min": low, "max": high}
        )
    if isinstance(low, int) and value < low:
        raise ValueError(_("“%(label)s” must be %(min)d or more.") % {"label": label, "min": low})
    if isinstance(high, int) and value > high:
        raise ValueError(_("“%(label)s” must be %(max)d or less.") % {"label": label, "max": high})
    return value


def _clean_date(q: Mapping[str, Any], value: Any, today: dt.date, lang: str) -> str:
    example = _("for example 1990-05-17")
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(
            _("Enter “%(label)s” as a real date: year-month-day, %(example)s.")
            % {"label": _label(q, lang), "example": example}
        ) from None
    if not STORED_DATE_MIN <= day <= STORED_DATE_MAX:
        raise ValueError(
            _("Enter a date between %(a)s and %(b)s.")
            % {"a": STORED_DATE_MIN.isoformat(), "b": STORED_DATE_MAX.isoformat()}
        )
    if q.get("when") == "past" and day > today:
        raise ValueError(
            _("“%(label)s” must be today or in the past.") % {"label": _label(q, lang)}
        )
    if q.get("when") == "future" and day < today:
        raise ValueError(
            _("“%(label)s” must be today or in the future.") % {"label": _label(q, lang)}
        )
    return day.isoformat()


def _clean_country(q: Mapping[str, Any], value: Any, lang: str) -> Any:
    values = value if isinstance(value, list) else [value]
    cleaned = []
    for v in values:
        code = str(v or "").strip().upper()
        if not code:
            continue
        if code not in countries:
            raise ValueError(
                _("Choose “%(label)s” from the list of countries.") % {"label": _label(q, lang)}
            )
        if code not in cleaned:
            cleaned.append(code)
    if q.get("multiple"):
        return cleaned
    if len(cleaned) > 1:
        raise ValueError(_("Choose one country."))
    return cleaned[0] if cleaned else ""


def clean_value(
    q: Mapping[str, Any], value: Any, *, answers: Mapping[str, Any], today: dt.date, lang: str
) -> Any:
    """The stored form of one answer; raises ``ValueError`` with the message to show.
    Blank values come back as ``""`` (``[]`` for multiple countries)."""
    kind = q["type"]
    if _blank(value):
        return [] if kind == "country" and q.get("multiple") else ""
    if kind == "text":
        return _clean_text(q, value, answers, lang)
    if kind == "number":
        return _clean_number(q, value, lang)
    if kind == "date":
        return _clean_date(q, value, today, lang)
    if kind == "country":
        return _clean_country(q, value, lang)
    if kind == "choice":
        allowed = [o["value"] for o in q["options"]]
        if value not in allowed:
            raise ValueError(
                _("Choose one of the options for “%(label)s”.") % {"label": _label(q, lang)}
            )
        return value
    if kind == "yes_no":
        if value not in (YES, NO):
            raise ValueError(_("Choose yes or no for “%(label)s”.") % {"label": _label(q, lang)})
        return value
    raise ValueError(_("This question cannot be answered here."))


def _missing(q: Mapping[str, Any], lang: str) -> str:
    if q["type"] in ("choice", "country", "yes_no"):
        return _("Choose an answer for “%(label)s”.") % {"label": _label(q, lang)}
    return _("Answer “%(label)s”.") % {"label": _label(q, lang)}


def _clean_group(
    q: Mapping[str, Any], items: Any, *, today: dt.date, lang: str, require: bool, errors: Errors
) -> list[dict[str, Any]]:
    key = q["key"]
    if items in (None, ""):
        items = []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        errors[key] = _("Send “%(label)s” as a list of items.") % {"label": _label(q, lang)}
        return []
    limit = int(q.get("max_items", MAX_GROUP_ITEMS))
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        unknown = set(item) - {f["key"] for f in q["fields"]}
        if unknown:
            errors[f"{key}-{index}"] = _("Unknown fields: %(f)s.") % {
                "f": ", ".join(sorted(map(str, unknown)))
            }
            continue
        if all(_blank(item.get(f["key"])) for f in q["fields"]):
            continue  # an empty row of the page is no item
        row: dict[str, Any] = {}
        for field in q["fields"]:
            name = f"{key}-{index}-{field['key']}"
            try:
                row[field["key"]] = clean_value(
                    field, item.get(field["key"]), answers=item, today=today, lang=lang
                )
            except ValueError as exc:
                errors[name] = str(exc)
                continue
            if require and field.get("required") and _blank(row[field["key"]]):
                errors[name] = _missing(field, lang)
        order = date_order_errors(
            q["fields"], row, label=lambda f: _label(f, lang), prefix=f"{key}-{index}-"
        )
        for name, message in order.items():
            errors.setdefault(name, message)
        cleaned.append(row)
    if len(cleaned) > limit:
        errors[key] = _("Give at most %(n)d items for “%(label)s”.") % {
            "n": limit,
            "label": _label(q, lang),
        }
    low = int(q.get("min_items", 1 if q.get("required") else 0))
    if require and len(cleaned) < low:
        errors[key] = _("Add at least %(n)d item(s) for “%(label)s”.") % {
            "n": low,
            "label": _label(q, lang),
        }
    return cleaned


def clean_section(
    section: Mapping[str, Any],
    raw: Mapping[str, Any],
    *,
    today: dt.date,
    lang: str,
    require: bool,
) -> tuple[dict[str, Any], Errors]:
    """Validate the answers to one section. ``raw`` maps question keys to submitted values
    (keys of other sections are refused). ``require`` also reports unanswered required
    questions (on "Continue" and before sending; "Save and come back later" skips it).
    Returns the cleaned answers of the section (every question key present, follow-ups of a
    "no" dropped) and the errors; the caller stores nothing when there are errors."""
    errors = Errors()
    allowed = section_keys(section)
    unknown = set(raw) - allowed
    if unknown:
        errors["__all__"] = _("These answers are not questions of this page: %(k)s.") % {
            # backslashreplace: a key with a lone surrogate must not break the response's UTF-8
            "k": ", ".join(
                sorted(str(k).encode("utf-8", "backslashreplace").decode() for k in unknown)
            )
        }
    cleaned: dict[str, Any] = {}

    def one(q: Mapping[str, Any]) -> None:
        if q["type"] == "group":
            cleaned[q["key"]] = _clean_group(
                q, raw.get(q["key"]), today=today, lang=lang, require=require, errors=errors
            )
            return
        try:
            cleaned[q["key"]] = clean_value(
                q, raw.get(q["key"]), answers={**raw, **cleaned}, today=today, lang=lang
            )
        except ValueError as exc:
            errors[q["key"]] = str(exc)
            return
        if require and q.get("required") and _blank(cleaned[q["key"]]):
            errors[q["key"]] = _missing(q, lang)

    for q in section["questions"]:
        if q["type"] == "country":
            one(q)  # countries first: a passport number's pattern depends on one
    for q in section["questions"]:
        if q["type"] != "country":
            one(q)
        if q["type"] == "yes_no":
            for f in q.get("follow_up", []):
                if cleaned.get(q["key"]) == YES:
                    one(f)
                else:
                    cleaned[f["key"]] = [] if f["type"] == "group" else ""
                    errors.pop(f["key"], None)
    for name, message in date_order_errors(
        section["questions"], cleaned, label=lambda q: _label(q, lang)
    ).items():
        errors.setdefault(name, message)
    ordered = {k: cleaned[k] for k in _order(section) if k in cleaned}
    return ordered, errors


def _order(section: Mapping[str, Any]) -> list[str]:
    keys = []
    for q in section["questions"]:
        keys.append(q["key"])
        keys.extend(f["key"] for f in q.get("follow_up", []))
    return keys


def section_missing(
    section: Mapping[str, Any], answers: Mapping[str, Any], *, today: dt.date, lang: str
) -> Errors:
    """The errors ``clean_section`` with ``require`` would report for stored ``answers``
    (the check before "Send to my advisor")."""
    raw = {k: answers.get(k) for k in _order(section) if k in answers}
    return clean_section(section, raw, today=today, lang=lang, require=True)[1]
