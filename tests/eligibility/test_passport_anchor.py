"""Passport validity counted from a chosen date (issue 13): the ``from`` parameter of the
``passport_valid_months`` criterion is the intended entry date (the default) or the date of
application, since consular checklists count from the application date."""

import datetime as dt

import pytest

from eligibility.engine import Facts, Tri, compile_criteria
from eligibility.rules import criteria_errors

TODAY = dt.date(2026, 6, 1)
APPLICATION = dt.date(2026, 7, 1)
ENTRY = dt.date(2026, 10, 1)


def _criterion(**params):  # type: ignore[no-untyped-def]
    return {
        "id": "passport",
        "type": "passport_valid_months",  # no label: generated from the values
        "citation": "test",
        "basis": "official",
        "months": 6,
        **params,
    }


def _facts(**kw) -> Facts:  # type: ignore[no-untyped-def]
    kw.setdefault("today", TODAY)
    kw.setdefault("intended_entry_date", ENTRY)
    kw.setdefault("application_date", APPLICATION)
    return Facts(**kw)


@pytest.mark.parametrize(
    ("anchor", "expiry", "expected", "counted_from"),
    [
        # 2027-01-01 is 6 months after the application (2026-07-01), not after entry.
        ({}, dt.date(2027, 1, 1), Tri.FAIL, ENTRY),
        ({"from": "entry"}, dt.date(2027, 1, 1), Tri.FAIL, ENTRY),
        ({"from": "application"}, dt.date(2027, 1, 1), Tri.PASS, APPLICATION),
        ({"from": "application"}, dt.date(2026, 12, 31), Tri.FAIL, APPLICATION),
        ({"from": "entry"}, dt.date(2027, 4, 1), Tri.PASS, ENTRY),
    ],
)
def test_the_months_count_from_the_chosen_date(anchor, expiry, expected, counted_from):  # type: ignore[no-untyped-def]
    result = compile_criteria(_criterion(**anchor)).evaluate(_facts(passport_expiry=expiry))
    assert result.result is expected
    assert result.params["date"] == counted_from.isoformat()
    assert result.params["from"] == anchor.get("from", "entry")


def test_an_unknown_date_counts_from_today():  # type: ignore[no-untyped-def]
    node = compile_criteria(_criterion(**{"from": "application"}))
    result = node.evaluate(_facts(application_date=None, passport_expiry=dt.date(2026, 12, 1)))
    assert result.result is Tri.PASS  # 6 months after today, 2026-06-01
    assert result.params["date"] == TODAY.isoformat()
    missing = node.evaluate(_facts(passport_expiry=None))
    assert missing.result is Tri.UNKNOWN
    assert missing.params["date"] == APPLICATION.isoformat()


def test_only_entry_or_application_is_accepted():  # type: ignore[no-untyped-def]
    assert criteria_errors(_criterion(**{"from": "application"})) == []
    errors = criteria_errors(_criterion(**{"from": "tomorrow"}))
    assert errors
    assert any("tomorrow" in e for e in errors)


@pytest.mark.django_db
def test_the_application_date_is_the_submission_else_the_planned_date(case, advisor):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from cases.models import Case
    from cases.selectors.eligibility import facts_for_case

    planned = timezone.localdate() + dt.timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(target_submission_date=planned)
    case.refresh_from_db()
    assert facts_for_case(case, today=timezone.localdate()).application_date == planned
    submitted = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 2 March in Shanghai
    Case.objects.filter(pk=case.pk).update(submitted_at=submitted, time_zone="Asia/Shanghai")
    case.refresh_from_db()
    assert facts_for_case(case, today=timezone.localdate()).application_date == dt.date(2026, 3, 2)
