"""``GET /api/v1/reports/`` (issue 16): the report figures as JSON from the same selectors,
checked against the fixture firms' hand-computed values; scope (advisor, supervisor, another
firm), refusals (applicants, anonymous), filter errors as 400s, flat query counts."""

import datetime as dt

import pytest
import time_machine

from tests.cases.views.test_report_deadlines import NOW, deadline_firm  # noqa: F401 - fixture
from tests.cases.views.test_reports import fixture_firm  # noqa: F401 - fixture
from tests.factories import open_case
from tests.queries import assert_flat_queries

URL = "/api/v1/reports/"
MARCH = "?start=2026-03-02&end=2026-03-15"


@pytest.mark.django_db
def test_figures_match_the_hand_computed_values(api_for, fixture_firm, advisor):  # noqa: F811
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC), tick=False):
        body = api_for(advisor).get(URL + MARCH).json()
    assert (body["start"], body["end"], body["visa_type"], body["advisor"]) == (
        "2026-03-02",
        "2026-03-15",
        "",
        "",
    )
    assert body["open_cases"] == [
        {
            "stage": "assessment",
            "stage_label": "Eligibility assessment",
            "visa_type": "R",
            "count": 1,
        },
        {"stage": "documents", "stage_label": "Collecting documents", "visa_type": "K", "count": 1},
    ]
    intake = next(s for s in body["stage_days"] if s["stage"] == "intake")
    assert intake["count"] == 3
    assert intake["median_days"] == pytest.approx(2.0)
    assert intake["p90_days"] == pytest.approx(3.6)
    assert body["outcomes"] == [
        {"month": "2026-03-01", "visa_type": "K", "approved": 0, "refused": 0, "withdrawn": 1}
    ]
    assert body["weeks"] == [
        {"week_start": "2026-03-02", "opened": 3, "closed": 0},
        {"week_start": "2026-03-09", "opened": 0, "closed": 1},
    ]
    assert body["review_waiting"]["waiting_now"] == 0


@pytest.mark.django_db
def test_deadlines_by_advisor_and_the_advisor_filter(
    api_for,
    deadline_firm,  # noqa: F811
    advisor,
    other_advisor,
    supervisor,
):
    with time_machine.travel(NOW, tick=False):
        firm = api_for(supervisor).get(URL).json()["deadlines_by_advisor"]
        own = api_for(advisor).get(URL).json()["deadlines_by_advisor"]
        otto = api_for(supervisor).get(URL + f"?advisor={other_advisor.pk}").json()
        sneaky = api_for(advisor).get(URL + f"?advisor={other_advisor.pk}").json()
    busy = [
        (d["advisor_name"], d["overdue"], d["due_soon"])
        for d in firm
        if d["overdue"] or d["due_soon"]
    ]
    assert busy == [("Ada Advisor", 2, 2), ("Otto Other", 1, 0), ("", 0, 1)]
    assert own == [
        {"advisor": advisor.pk, "advisor_name": "Ada Advisor", "overdue": 2, "due_soon": 2}
    ]
    assert otto["advisor"] == str(other_advisor.pk)
    assert [d["advisor_name"] for d in otto["deadlines_by_advisor"]] == ["Otto Other"]
    # An advisor has no advisor filter: their own figures, whatever they ask.
    assert sneaky["advisor"] == ""
    assert sneaky["deadlines_by_advisor"] == own


@pytest.mark.django_db
def test_refused_to_applicants_anonymous_and_scoped_for_another_firm(
    api_for,
    deadline_firm,  # noqa: F811
    advisor,
    applicant_user,
    other_firm_supervisor,
    stranger,
):
    assert api_for(None).get(URL).status_code == 401
    for user in (applicant_user, stranger):
        response = api_for(user).get(URL)
        assert response.status_code == 404
        assert response.json()["code"]
    with time_machine.travel(NOW, tick=False):
        theirs = api_for(other_firm_supervisor).get(URL).json()
        picked = api_for(other_firm_supervisor).get(URL + f"?advisor={advisor.pk}")
    assert theirs["open_cases"] == []
    assert "Ada Advisor" not in str(theirs)
    assert picked.status_code == 400
    assert "advisor" in picked.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=2026-03-10&end=2026-03-01", "non_field_errors"),
        ("?start=not-a-date", "start"),
        ("?visa_type=ZZ", "visa_type"),
        ("?advisor=abc", "advisor"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(api_for, supervisor, query, field):
    response = api_for(supervisor).get(URL + query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_queries_do_not_grow_with_cases(api_for, fixture_firm, advisor):  # noqa: F811
    client = api_for(advisor)

    def call() -> None:
        assert client.get(URL + MARCH).status_code == 200

    def grow() -> None:
        for _ in range(4):
            open_case(advisor=advisor, opened_on=dt.date(2026, 3, 10))

    assert_flat_queries(call, grow)
