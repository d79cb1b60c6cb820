"""Plausibility windows for dates people type: due dates, planned dates, future ends.

A date far outside these windows is a typo (9999-12-31, 2999, 1800), and some of them break
date arithmetic later (``date.max + 1 day`` raises ``OverflowError`` in the calendar feed).
The services call these checks; forms only check the shape.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import InvalidInput

EARLIEST_DUE_DATE = dt.date(2000, 1, 1)
MAX_YEARS_AHEAD = 10


def years_after(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` calendar years later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_allowed(today: dt.date | None = None) -> dt.date:
    """The last date accepted for a future date: ``MAX_YEARS_AHEAD`` (10) years after
    ``today`` (default: today in the active time zone)."""
    return years_after(today or timezone.localdate(), MAX_YEARS_AHEAD)


def check_not_too_far_ahead(
    day: dt.date | None, *, field: str, today: dt.date | None = None
) -> None:
    """Raise ``InvalidInput`` (``details["field"] = field``) when ``day`` is more than 10 years
    after ``today``; None passes."""
    if day is None:
        return
    latest = latest_allowed(today)
    if day > latest:
        raise InvalidInput(
            _("The date %(day)s is more than %(years)d years ahead; enter a date up to %(latest)s.")
            % {"day": day.isoformat(), "years": MAX_YEARS_AHEAD, "latest": latest.isoformat()},
            details={"field": field},
        )


def check_due_date(
    day: dt.date | None, *, field: str = "due_date", today: dt.date | None = None
) -> None:
    """A due date must lie between 2000-01-01 and 10 years after ``today``; None passes.
    Raises ``InvalidInput`` with ``details["field"] = field``."""
    if day is None:
        return
    if day < EARLIEST_DUE_DATE:
        raise InvalidInput(
            _("The due date %(day)s is too far in the past; enter a date from %(earliest)s on.")
            % {"day": day.isoformat(), "earliest": EARLIEST_DUE_DATE.isoformat()},
            details={"field": field},
        )
    check_not_too_far_ahead(day, field=field, today=today)


def check_not_past(day: dt.date | None, *, field: str, what: str, today: dt.date) -> None:
    """The portal's one rule for a planned date (a new case's intended entry and target
    submission dates, a due date set in bulk): not before ``today``, the date that counts for
    it (a case's due date: today in the case's time zone). ``what`` names the date in words
    ("due date"). Raises ``InvalidInput`` (``details["field"] = field``); None passes. The
    open-case form and the bulk due date service both call this."""
    if day is not None and day < today:
        raise InvalidInput(
            _("The %(what)s is in the past (%(day)s); enter today's date or a later one.")
            % {"what": what, "day": day.isoformat()},
            details={"field": field},
        )


# Bounds for any date stored on a model: generous enough for every real birth, passport or
# plan, tight enough that date arithmetic (+6 months, +1 day, -N days) can never overflow.
STORED_DATE_MIN = dt.date(1900, 1, 1)
STORED_DATE_MAX = dt.date(2100, 12, 31)


def validate_stored_date(value: dt.date | None) -> None:
    """Model-field validator: refuse dates before 1900-01-01 or after 2100-12-31 (typos such
    as year 9999 or 0001). Raises ``django.core.exceptions.ValidationError``; the admin and
    ``full_clean`` show it on the field."""
    from django.core.exceptions import ValidationError

    if value is not None and not STORED_DATE_MIN <= value <= STORED_DATE_MAX:
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": STORED_DATE_MIN.isoformat(), "max": STORED_DATE_MAX.isoformat()},
            code="implausible_date",
        )
