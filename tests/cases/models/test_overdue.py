"""The one definition of "overdue" (cases/models/overdue.py), at the day boundary of the case's
time zone, read the same way by the case list, its filter, the API, the dashboard and the
requirement rows."""

import datetime as dt

import pytest
import time_machine

from cases import selectors, services
from cases.models import Case, DocumentRequirement
from cases.models.overdue import requirement_is_overdue
from cases.selectors.deadlines import dashboard_deadlines_for_user
from tests.factories import open_case

UTC = dt.UTC
DUE = dt.date(2026, 3, 9)


def _case_due(advisor, time_zone: str) -> tuple[Case, DocumentRequirement]:
    case = open_case(advisor=advisor)
    Case.objects.filter(pk=case.pk).update(time_zone=time_zone)
    case.refresh_from_db()
    requirement = case.requirements.get(code="passport-bio-page")
    services.requirement_set_due_date(requirement=requirement, due_date=DUE, actor=advisor)
    requirement.refresh_from_db()
    return case, requirement


def _overdue_everywhere(advisor, api_for, case, requirement, now) -> dict[str, bool]:
    """Whether each reader of the rule calls the case overdue at ``now``."""
    with time_machine.travel(now, tick=False):
        listed = selectors.case_list_for_user(user=advisor).get(pk=case.pk)
        filtered = selectors.case_list_for_user(
            user=advisor, filters=selectors.CaseFilters(overdue=True)
        )
        api = api_for(advisor).get("/api/v1/cases/", {"overdue": "true"}).json()
        dashboard = dashboard_deadlines_for_user(user=advisor, now=now)
        return {
            "queryset": DocumentRequirement.objects.overdue(now).filter(pk=requirement.pk).exists(),
            "row": requirement_is_overdue(requirement, case, now),
            "list count": listed.overdue_count > 0,
            "list filter": filtered.filter(pk=case.pk).exists(),
            "api filter": any(row["id"] == case.pk for row in api["results"]),
            "dashboard": any(d.case.pk == case.pk for d in dashboard.overdue),
        }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Shanghai is UTC+8: 10 March starts at 16:00 UTC on 9 March.
        (
            "Asia/Shanghai",
            dt.datetime(2026, 3, 9, 15, 59, tzinfo=UTC),
            dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC),
        ),
        # Los Angeles is on daylight time (UTC-7) from 8 March 2026: 10 March starts at 07:00 UTC.
        (
            "America/Los_Angeles",
            dt.datetime(2026, 3, 10, 6, 59, tzinfo=UTC),
            dt.datetime(2026, 3, 10, 7, 0, tzinfo=UTC),
        ),
        # A case without a zone of its own reads as UTC.
        ("UTC", dt.datetime(2026, 3, 9, 23, 59, tzinfo=UTC), dt.datetime(2026, 3, 10, tzinfo=UTC)),
    ],
)
def test_due_date_becomes_overdue_at_local_midnight_everywhere(
    advisor, api_for, zone, before, after
):
    case, requirement = _case_due(advisor, zone)
    assert set(_overdue_everywhere(advisor, api_for, case, requirement, before).values()) == {False}
    assert set(_overdue_everywhere(advisor, api_for, case, requirement, after).values()) == {True}


@pytest.mark.django_db
def test_shanghai_case_at_20_utc_is_overdue_in_the_list_as_on_the_dashboard(advisor, api_for):
    # The bug the one definition fixed: the list read "today" in UTC (still 9 March).
    case, requirement = _case_due(advisor, "Asia/Shanghai")
    now = dt.datetime(2026, 3, 9, 20, tzinfo=UTC)
    assert all(_overdue_everywhere(advisor, api_for, case, requirement, now).values())


@pytest.mark.django_db
def test_accepted_waived_optional_or_past_review_items_are_never_overdue(advisor):
    now = dt.datetime(2026, 4, 1, tzinfo=UTC)
    _case, requirement = _case_due(advisor, "UTC")
    assert DocumentRequirement.objects.overdue(now).filter(pk=requirement.pk).exists()
    services.requirement_waive(requirement=requirement, reason="Not needed", actor=advisor)
    assert not DocumentRequirement.objects.overdue(now).filter(pk=requirement.pk).exists()

    _optional, req = _case_due(advisor, "UTC")
    DocumentRequirement.objects.filter(pk=req.pk).update(required=False)
    assert not DocumentRequirement.objects.overdue(now).filter(pk=req.pk).exists()

    ready, req = _case_due(advisor, "UTC")
    Case.objects.filter(pk=ready.pk).update(stage="ready")
    assert not DocumentRequirement.objects.overdue(now).filter(pk=req.pk).exists()
