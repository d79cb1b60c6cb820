"""Pure date and time rules of reminders: when a reminder fires, and the passport rule.

No ORM here. Times are timezone-aware; zones are IANA names resolved with ``zoneinfo`` so
daylight-saving changes follow the tz database.
"""

import calendar
import datetime as dt
import zoneinfo
from functools import lru_cache

UTC = dt.UTC

# Consular rule: the passport must stay valid for at least 6 months after entry (Chinese MFA
# visa application guidance; also the K/R checklist text in cases/migrations/0003).
PASSPORT_VALID_MONTHS = 6
# Six calendar months never span more than 184 days; a cheap database pre-filter uses it.
PASSPORT_VALID_MAX_DAYS = 184


@lru_cache(maxsize=512)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone named ``name``, or UTC for an empty or unknown name (never raises)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(now: dt.datetime, tz_name: str) -> dt.date:
    """The calendar date at instant ``now`` in zone ``tz_name``."""
    return now.astimezone(zone(tz_name)).date()


def send_moment(
    *, due_date: dt.date, offset_days: int, case_tz: str, recipient_tz: str, hour: int = 9
) -> dt.datetime:
    """When the reminder ``offset_days`` before ``due_date`` goes out, as a UTC datetime.

    The reminder day is ``due_date - offset_days`` in the case's zone; the reminder goes out at
    the last ``hour``:00 in the recipient's zone before that case-local day ends. When both
    zones are the same this is simply ``hour``:00 local on the reminder day; a recipient far
    behind the case's zone gets it a day earlier, so "due today" never arrives after the end
    of the due day. ``hour``:00 never falls in a DST gap (gaps are at night), so the wall time
    is exact on change days.
    """
    day = due_date - dt.timedelta(days=offset_days)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone(case_tz))
    day_end_utc = day_end.astimezone(UTC)
    rtz = zone(recipient_tz)
    local_date = day_end_utc.astimezone(rtz).date()
    candidate = dt.datetime.combine(local_date, dt.time(hour), tzinfo=rtz).astimezone(UTC)
    if candidate >= day_end_utc:
        previous = local_date - dt.timedelta(days=1)
        candidate = dt.datetime.combine(previous, dt.time(hour), tzinfo=rtz).astimezone(UTC)
    return candidate


def due_date_window(today_utc: dt.date, offset_days: int) -> tuple[dt.date, dt.date]:
    """Inclusive range of due dates whose reminder at ``offset_days`` can fall within a day
    either side of ``today_utc`` in any pair of zones (UTC-12 .. UTC+14)."""
    return (
        today_utc + dt.timedelta(days=offset_days - 3),
        today_utc + dt.timedelta(days=offset_days + 2),
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar ``months``, clamped to the month's last day (Aug 31 + 6 = Feb 28)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passport_too_short(*, expiry: dt.date | None, entry: dt.date | None) -> bool:
    """True when a passport expiring on ``expiry`` has fewer than 6 months left on ``entry``."""
    if expiry is None or entry is None:
        return False
    return expiry < add_months(entry, PASSPORT_VALID_MONTHS)


# An upload awaits the advisor's review for at most this many working days by default (the
# seeded "Review due" rule; admins change it per rule).
REVIEW_WITHIN_WORKING_DAYS = 2


def add_working_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days`` working days (Monday to Friday; public holidays are not known).
    An upload on Friday with 2 working days is due on Tuesday; on Saturday, also Tuesday."""
    current = day
    left = max(0, days)
    while left:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def review_due_date(*, uploaded_at: dt.datetime, case_tz: str, working_days: int) -> dt.date:
    """The day (in the case's zone) by which an upload at ``uploaded_at`` (aware) should be
    reviewed: the local upload date plus ``working_days`` working days."""
    return add_working_days(uploaded_at.astimezone(zone(case_tz)).date(), working_days)
