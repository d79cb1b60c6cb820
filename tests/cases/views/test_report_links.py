"""Every figure of the reports page links to the cases behind it (issue 16): outcomes by
month and visa type, cases opened and closed per week, review waiting time and days per
stage open the case list with matching filters, which lists exactly the cases counted on a
hand-timed fixture firm, never another firm's or another advisor's; bad filter values are
explained beside their field, never a 500."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Stage
from tests.factories import case_at, open_case, upload_document

PAGE = reverse("cases:reports") + "?start=2026-03-02&end=2026-03-15"


def at(day: int):  # type: ignore[no-untyped-def]
    return time_machine.travel(dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC), tick=False)


def _build(advisor):  # type: ignore[no-untyped-def]
    """Cases of ``advisor``, 09:00 UTC each time, in the fortnight from Monday 2 March 2026:
    A (K) opened 2nd, withdrawn from intake 9th; B (K) opened 2nd, to assessment 4th, a file
    uploaded 5th and reviewed 6th; C (R) opened 3rd with a file waiting for review;
    D (K) opened and approved 10th; E (R) opened 11th and refused."""
    with at(2):
        a = open_case(advisor=advisor, opened_on=dt.date(2026, 3, 2))
        b = open_case(advisor=advisor, opened_on=dt.date(2026, 3, 2))
    with at(3):
        c = open_case(advisor=advisor, visa_code="R", opened_on=dt.date(2026, 3, 3))
        upload_document(c)
    with at(4):
        b = services.case_transition(case=b, to=Stage.ASSESSMENT, actor=advisor)
    with at(5):
        file = upload_document(b)
    with at(6):
        services.document_review(document=file, decision="accepted", reason="", actor=advisor)
    with at(9):
        a = services.case_transition(case=a, to=Stage.WITHDRAWN, actor=advisor, reason="Plans")
    with at(10):
        d = case_at(Stage.DECIDED, advisor=advisor, opened_on=dt.date(2026, 3, 10))
    with at(11):
        e = case_at(Stage.SUBMITTED, advisor=advisor, visa_code="R")
        e = services.case_transition(case=e, to=Stage.DECIDED, actor=advisor, decision="refused")
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


@pytest.fixture
def firms(advisor, other_firm_advisor):  # type: ignore[no-untyped-def]
    """This firm's cases (``_build``) and the same story in another firm."""
    return {"ours": _build(advisor), "theirs": _build(other_firm_advisor)}


def _links(html: str, slug: str) -> dict[tuple[str, int], str]:
    """{(row heading, column): href} of the links of one report's table."""
    section = html.split(f'id="report-{slug}"')[1].split("</section>")[0]
    table = section.split("<tbody>")[1].split("</tbody>")[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        head = re.search(r"<th[^>]*>(.*?)</th>", row).group(1)  # type: ignore[union-attr]
        for col, cell in enumerate(re.findall(r"<td>(.*?)</td>", row), start=1):
            if m := re.search(r'<a href="([^"]+)">', cell):
                found[(head, col)] = unescape(m.group(1))
    return found


def _listed(client, href: str, cases) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(href)
    assert response.status_code == 200
    html = response.content.decode()
    # By the link to each case (references are numbered per firm, so two firms share some).
    return {
        name
        for name, case in cases.items()
        if f'href="{reverse("cases:detail", args=[case.pk])}"' in html
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "cell", "expected"),
    [
        # Outcomes: row heading is the month; columns Visa type, Approved, Refused, Withdrawn.
        ("outcomes", ("2026-03", 2, "K"), {"D"}),
        ("outcomes", ("2026-03", 4, "K"), {"A"}),
        ("outcomes", ("2026-03", 3, "R"), {"E"}),
        # Opened and closed per week.
        ("weeks", ("2026-03-02", 1), {"A", "B", "C"}),
        ("weeks", ("2026-03-09", 1), {"D", "E"}),
        ("weeks", ("2026-03-09", 2), {"A"}),
        ("weeks", ("2026-03-02", 2), set()),
        # Reviews done in the period, files waiting now.
        ("reviews", ("", 0), {"B"}),
        ("reviews", ("", 3), {"C"}),
        # Stays ended in the period: intake left by A (withdrawn), B, D and E.
        ("stages", ("Intake", 1), {"A", "B", "D", "E"}),
        ("stages", ("Eligibility assessment", 1), {"D", "E"}),
    ],
)
def test_following_a_figure_lists_exactly_its_cases_of_this_firm(
    client_for, firms, supervisor, other_firm_supervisor, slug, cell, expected
):
    client = client_for(supervisor)
    with at(15):
        html = client.get(PAGE).content.decode()
        links = _links(html, slug) if slug != "reviews" else _review_links(html)
        href = _outcome_link(html, *cell) if slug == "outcomes" else links[cell]
        everyone = {**firms["ours"], **{f"other {k}": v for k, v in firms["theirs"].items()}}
        assert _listed(client, href, everyone) == expected
        # The other firm's supervisor following the same link sees only their own cases.
        theirs = _listed(client_for(other_firm_supervisor), href, everyone)
        assert theirs == {f"other {k}" for k in expected}


def _review_links(html: str) -> dict[tuple[str, int], str]:
    section = html.split('id="report-reviews"')[1].split("</section>")[0]
    row = section.split("<tbody>")[1].split("</tbody>")[0]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
    return {
        ("", i): unescape(m.group(1))  # the first cell is the row's heading
        for i, c in enumerate(cells)
        if (m := re.search(r'<a href="([^"]+)">', c))
    }


def _outcome_link(html: str, month: str, col: int, visa: str) -> str:
    section = html.split('id="report-outcomes"')[1].split("</section>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        if cells and cells[0] == month and cells[1] == visa:
            m = re.search(r'<a href="([^"]+)">', cells[col])
            assert m is not None
            return unescape(m.group(1))
    raise AssertionError(f"no outcome row {month} {visa}")


@pytest.mark.django_db
def test_links_carry_the_period_and_the_figures_own_filters(client_for, firms, supervisor):
    with at(15):
        html = client_for(supervisor).get(PAGE).content.decode()
    assert _links(html, "weeks")[("2026-03-02", 1)] == (
        "/cases/?opened_from=2026-03-02&opened_to=2026-03-08"
    )
    assert _outcome_link(html, "2026-03", 4, "K") == (
        "/cases/?stage=withdrawn&closed_from=2026-03-02&closed_to=2026-03-15&visa_type=K"
    )
    assert _review_links(html)[("", 3)] == "/cases/?awaiting_review=on"
    assert _links(html, "stages")[("Intake", 1)] == (
        "/cases/?left_stage=intake&left_from=2026-03-02&left_to=2026-03-15"
    )


@pytest.mark.django_db
def test_another_advisor_following_the_links_sees_none_of_these_cases(
    client_for, firms, advisor, other_advisor
):
    with at(15):
        html = client_for(advisor).get(PAGE).content.decode()
        href = _links(html, "weeks")[("2026-03-02", 1)]
        ours = firms["ours"]
        assert _listed(client_for(advisor), href, ours) == {"A", "B", "C"}
        assert _listed(client_for(other_advisor), href, ours) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("opened_from=2026-13-01", "Enter a valid date."),
        ("closed_to=1999-12-31", "Choose a date from 2000-01-01 to"),
        ("decided_from=9999-01-01", "Choose a date from 2000-01-01 to"),
        ("left_from=2026-03-10&left_to=2026-03-01", "on or before the end date"),
        ("decision=maybe", "Select a valid choice"),
        ("left_stage=nowhere", "Select a valid choice"),
    ],
)
def test_bad_figure_filter_is_explained_not_a_500(client_for, supervisor, query, message):
    response = client_for(supervisor).get("/cases/?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Some filters were not understood and were ignored." in html


@pytest.mark.django_db
def test_figure_filters_in_chinese(client_for, supervisor):
    supervisor.preferred_language = "zh-hans"
    supervisor.save(update_fields=["preferred_language"])
    html = client_for(supervisor).get("/cases/?opened_from=2026-03-02").content.decode()
    assert "更多筛选" in html
    assert "创建日期（起）" in html
    for english in ("Opened from", "Left the stage", "Files waiting for review", "More filters"):
        assert english not in html
