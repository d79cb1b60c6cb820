"""The pure time rules: 09:00 recipient-local, DST change days, the passport rule."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases.reminders.schedule import add_months, passport_too_short, send_moment

UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "due", "offset", "expected_utc"),
    [
        # Shanghai has no DST: 09:00 CST = 01:00 UTC on the reminder day.
        ("Asia/Shanghai", dt.date(2026, 3, 10), 0, at(2026, 3, 10, 1)),
        ("Asia/Shanghai", dt.date(2026, 3, 10), 7, at(2026, 3, 3, 1)),
        ("Asia/Shanghai", dt.date(2026, 3, 10), -3, at(2026, 3, 13, 1)),
        # Los Angeles: PST (UTC-8) before 8 March 2026, PDT (UTC-7) from it.
        ("America/Los_Angeles", dt.date(2026, 3, 7), 0, at(2026, 3, 7, 17)),
        ("America/Los_Angeles", dt.date(2026, 3, 8), 0, at(2026, 3, 8, 16)),  # spring forward
        ("America/Los_Angeles", dt.date(2026, 11, 1), 0, at(2026, 11, 1, 17)),  # fall back
        ("America/Los_Angeles", dt.date(2026, 10, 31), 0, at(2026, 10, 31, 16)),
        # London: GMT until 29 March 2026, BST (UTC+1) until 25 October 2026.
        ("Europe/London", dt.date(2026, 3, 28), 0, at(2026, 3, 28, 9)),
        ("Europe/London", dt.date(2026, 3, 29), 0, at(2026, 3, 29, 8)),  # spring forward
        ("Europe/London", dt.date(2026, 10, 25), 0, at(2026, 10, 25, 9)),  # fall back
        ("Europe/London", dt.date(2026, 10, 24), 0, at(2026, 10, 24, 8)),
    ],
)
def test_reminder_goes_out_at_nine_local_in_the_recipients_zone(tz, due, offset, expected_utc):
    moment = send_moment(due_date=due, offset_days=offset, case_tz=tz, recipient_tz=tz)
    assert moment == expected_utc
    assert moment.astimezone(ZoneInfo(tz)).hour == 9


def test_recipient_behind_the_case_zone_gets_due_today_before_the_day_ends():
    # Case in Shanghai: the due day 10 March ends at 16:00 UTC. 09:00 in Los Angeles on
    # 10 March (PDT from 8 March) is 16:00 UTC, not before the end, so it goes the day before.
    moment = send_moment(
        due_date=dt.date(2026, 3, 10),
        offset_days=0,
        case_tz="Asia/Shanghai",
        recipient_tz="America/Los_Angeles",
    )
    assert moment == at(2026, 3, 9, 16)
    assert moment < dt.datetime(2026, 3, 11, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_recipient_ahead_of_the_case_zone_gets_it_on_the_case_day():
    moment = send_moment(
        due_date=dt.date(2026, 6, 10),
        offset_days=0,
        case_tz="Europe/London",
        recipient_tz="Asia/Shanghai",
    )
    assert moment == at(2026, 6, 10, 1)  # 09:00 CST, London day 10 June still running


def test_unknown_zone_falls_back_to_utc():
    moment = send_moment(
        due_date=dt.date(2026, 6, 10), offset_days=0, case_tz="Nowhere/City", recipient_tz=""
    )
    assert moment == at(2026, 6, 10, 9)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 15), 6, dt.date(2026, 7, 15)),
        (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_passport_needs_six_calendar_months_after_entry():
    entry = dt.date(2026, 8, 31)
    assert passport_too_short(expiry=dt.date(2027, 2, 27), entry=entry)
    assert not passport_too_short(expiry=dt.date(2027, 2, 28), entry=entry)
    assert not passport_too_short(expiry=None, entry=entry)
    assert not passport_too_short(expiry=dt.date(2020, 1, 1), entry=None)
