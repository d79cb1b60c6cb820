"""Reports (issue 16): figures checked against values computed by hand on a fixture firm,
scope (an advisor's cases, a supervisor's firm, never another firm), query counts that do not
grow with cases, the SVG charts with their tables, CSV downloads with formula escaping, bad
filters, and who may see the page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Stage, VisaType
from cases.selectors import reports as selectors
from cases.views.reports import build_reports
from tests.factories import ApplicantFactory, case_at, open_case, upload_document
from tests.queries import assert_flat_queries

UTC = dt.UTC
MARCH = selectors.ReportFilters(dt.date(2026, 3, 2), dt.date(2026, 3, 15))


def at(day: int, month: int = 3):  # type: ignore[no-untyped-def]
    return time_machine.travel(dt.datetime(2026, month, day, 9, tzinfo=UTC), tick=False)


def move(case, to, **kw):  # type: ignore[no-untyped-def]
    return services.case_transition(case=case, to=to, actor=case.advisor, **kw)


@pytest.fixture
def fixture_firm(advisor):  # type: ignore[no-untyped-def]
    """Three cases of ``advisor`` with hand-timed stays (09:00 UTC every time):
    A (K) intake 2 days, assessment 1, documents 4, then withdrawn on 9 March;
    B (K) intake 1, assessment 3, now in documents; C (R) intake 4, now in assessment."""
    with at(2):
        a = open_case(advisor=advisor, opened_on=dt.date(2026, 3, 2))
        b = open_case(advisor=advisor, opened_on=dt.date(2026, 3, 2))
    with at(3):
        c = open_case(advisor=advisor, visa_code="R", opened_on=dt.date(2026, 3, 3))
        b = move(b, Stage.ASSESSMENT)
    with at(4):
        a = move(a, Stage.ASSESSMENT)
    with at(5):
        a = move(a, Stage.DOCUMENTS)
    with at(6):
        b = move(b, Stage.DOCUMENTS)
    with at(7):
        c = move(c, Stage.ASSESSMENT)
    with at(9):
        a = move(a, Stage.WITHDRAWN, reason="Applicant changed plans")
    return {"a": a, "b": b, "c": c}


def _cases(user):  # type: ignore[no-untyped-def]
    return selectors.report_cases_for_user(user=user, filters=MARCH)


@pytest.mark.django_db
def test_days_per_stage_match_the_hand_computed_values(fixture_firm, advisor):
    spreads = selectors.days_per_stage(_cases(advisor), MARCH)
    # intake stays 2, 1, 4: median 2; 90th percentile 2 + (4 - 2) * 0.8 = 3.6
    assert spreads[Stage.INTAKE] == selectors.Spread(3, 2.0, pytest.approx(3.6))
    # assessment stays 1, 3: median 2; 90th percentile 1 + 2 * 0.9 = 2.8
    assert spreads[Stage.ASSESSMENT] == selectors.Spread(2, 2.0, pytest.approx(2.8))
    assert spreads[Stage.DOCUMENTS] == selectors.Spread(1, 4.0, 4.0)
    assert Stage.REVIEW not in spreads
    # A period that ends before the stays ended counts none of them.
    early = selectors.ReportFilters(dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    assert selectors.days_per_stage(_cases(advisor), early) == {
        Stage.INTAKE: selectors.Spread(1, 1.0, 1.0)
    }


@pytest.mark.django_db
def test_open_cases_outcomes_and_weekly_flow(fixture_firm, advisor):
    cases = _cases(advisor)
    assert selectors.open_by_stage_and_visa(cases) == {
        (Stage.DOCUMENTS, "K"): 1,
        (Stage.ASSESSMENT, "R"): 1,
    }
    assert selectors.outcomes_by_month(cases, MARCH) == [
        selectors.Outcome(month=dt.date(2026, 3, 1), visa_code="K", withdrawn=1)
    ]
    weeks = selectors.opened_closed_per_week(cases, MARCH).weeks
    assert [(w.start, w.opened, w.closed) for w in weeks] == [
        (dt.date(2026, 3, 2), 3, 0),
        (dt.date(2026, 3, 9), 0, 1),
    ]
    k_only = selectors.report_cases_for_user(
        user=advisor, filters=selectors.ReportFilters(MARCH.start, MARCH.end, "R")
    )
    assert selectors.open_by_stage_and_visa(k_only) == {(Stage.ASSESSMENT, "R"): 1}


@pytest.mark.django_db
def test_decisions_are_counted_by_month_and_visa_type(advisor):
    with at(20, 4):
        approved = case_at(Stage.DECIDED, advisor=advisor)
    with at(21, 4):
        refused = case_at(Stage.SUBMITTED, advisor=advisor, visa_code="R")
        move(refused, Stage.DECIDED, decision="refused")
    april = selectors.ReportFilters(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert approved.decision == "approved"
    assert selectors.outcomes_by_month(_cases(advisor), april) == [
        selectors.Outcome(month=dt.date(2026, 4, 1), visa_code="K", approved=1),
        selectors.Outcome(month=dt.date(2026, 4, 1), visa_code="R", refused=1),
    ]


@pytest.mark.django_db
def test_review_waiting_time(advisor):
    with at(2):
        case = open_case(advisor=advisor)
        first = upload_document(case, code="passport-bio-page")
        waiting = upload_document(case, code="cv")
    with at(4):  # reviewed two days after the upload
        services.document_review(document=first, decision="accepted", reason="", actor=advisor)
    now = dt.datetime(2026, 3, 5, 9, tzinfo=UTC)
    result = selectors.review_waiting(_cases(advisor), MARCH, now=now)
    assert result.done == selectors.Spread(1, 2.0, 2.0)
    assert result.waiting == 1
    assert result.oldest_waiting_days == pytest.approx(3.0)
    assert waiting.review_status == "pending"


@pytest.mark.django_db
def test_advisors_see_their_cases_supervisors_the_firm_never_another_firm(
    fixture_firm, advisor, other_advisor, supervisor, other_firm_case, other_firm_supervisor
):
    with at(3):
        open_case(advisor=other_advisor, opened_on=dt.date(2026, 3, 3))

    def count(user):  # type: ignore[no-untyped-def]
        return selectors.opened_closed_per_week(_cases(user), MARCH).weeks[0].opened

    assert count(advisor) == 3
    assert count(other_advisor) == 1
    assert count(supervisor) == 4
    assert selectors.open_by_stage_and_visa(_cases(other_firm_supervisor)) == {
        (Stage.INTAKE, "K"): 1
    }


@pytest.mark.django_db
def test_report_queries_do_not_grow_with_cases(fixture_firm, advisor):
    def call() -> None:
        build_reports(
            cases=_cases(advisor),
            viewer=advisor,
            filters=MARCH,
            now=dt.datetime(2026, 3, 15, tzinfo=UTC),
        )

    def grow() -> None:
        with at(10):
            for _ in range(4):
                case = open_case(advisor=advisor, opened_on=dt.date(2026, 3, 10))
                move(case, Stage.ASSESSMENT)
                upload_document(case)

    assert_flat_queries(call, grow, at_most=10)  # eight, and two for deadlines


@pytest.mark.django_db
def test_page_shows_charts_next_to_tables_in_english_and_chinese(client_for, fixture_firm, advisor):
    url = reverse("cases:reports") + "?start=2026-03-02&end=2026-03-15"
    html = client_for(advisor).get(url).content.decode()
    assert html.count('<svg role="img"') == 5
    assert html.count("<table>") == 6
    assert "<script" not in html.split("<main")[1]
    assert ">3.6<" in html  # the intake 90th percentile in the table
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    html = client_for(advisor).get(url).content.decode()
    assert "各阶段停留天数" in html
    assert "Days spent in each stage" not in html


@pytest.mark.django_db
def test_csv_downloads_escape_formulas(client_for, advisor):
    evil = VisaType.objects.create(firm=advisor.firm, code="=K1", name="=HYPERLINK()")
    services.case_open(
        applicant=ApplicantFactory(),
        visa_type=evil,
        advisor=advisor,
        actor=advisor,
    )
    response = client_for(advisor).get(reverse("cases:report_csv", args=["open"]))
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "Stage,'=K1,Total"
    assert "Intake,1,1" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-03-10&end=2026-03-01", "on or before the end date"),
        ("start=2020-01-01&end=2026-03-01", "at most two years"),
        ("start=1800-01-01&end=1800-02-01", "Choose dates from 2000-01-01"),
        ("end=9999-12-31", "Choose dates from 2000-01-01"),
        ("start=not-a-date", "Enter a valid date"),
        ("visa_type=ZZ", "Select a valid choice"),
    ],
)
def test_bad_filters_are_explained_not_a_500(client_for, advisor, query, message):
    response = client_for(advisor).get(reverse("cases:reports") + "?" + query)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.django_db
def test_applicants_and_unknown_reports_get_404(client_for, applicant_user, advisor, stranger):
    for user in (applicant_user, stranger):
        client = client_for(user)
        assert client.get(reverse("cases:reports")).status_code == 404
        assert client.get(reverse("cases:report_csv", args=["open"])).status_code == 404
    assert client_for(advisor).get("/reports/nothing.csv").status_code == 404
    assert client_for(None).get(reverse("cases:reports")).status_code == 302


@pytest.mark.django_db
def test_another_firm_sees_none_of_this_firms_figures(
    client_for, fixture_firm, other_firm_advisor, other_firm_admin
):
    url = reverse("cases:report_csv", args=["weeks"]) + "?start=2026-03-02&end=2026-03-15"
    for user in (other_firm_advisor, other_firm_admin):
        body = b"".join(client_for(user).get(url).streaming_content).decode("utf-8-sig")
        assert body.splitlines()[1:] == ["2026-03-02,0,0", "2026-03-09,0,0"]


@pytest.mark.django_db
def test_each_stage_change_records_when_the_stage_it_left_was_entered(fixture_firm):
    events = fixture_firm["a"].events.filter(stage_entered_at__isnull=False).order_by("created_at")
    assert [(e.before, e.stage_entered_at.day, e.created_at.day) for e in events] == [
        (Stage.INTAKE, 2, 4),
        (Stage.ASSESSMENT, 4, 5),
        (Stage.DOCUMENTS, 5, 9),
    ]
    assert not fixture_firm["a"].events.filter(kind="opened", stage_entered_at__isnull=False)


@pytest.mark.django_db
def test_the_migration_backfill_recomputes_the_same_stays(fixture_firm, advisor):
    from importlib import import_module

    from django.db import connection

    from cases.models import CaseEvent

    backfill = import_module("cases.migrations.0023_caseevent_stage_stays").BACKFILL
    written = sorted(CaseEvent.objects.values_list("id", "stage_entered_at"))
    CaseEvent.objects.update(stage_entered_at=None)
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    assert sorted(CaseEvent.objects.values_list("id", "stage_entered_at")) == written
    assert selectors.days_per_stage(_cases(advisor), MARCH)[Stage.INTAKE].count == 3
