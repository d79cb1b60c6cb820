"""Overdue and upcoming documents by advisor (issue 16): figures against hand-computed values,
who sees which advisor, the advisor filter of the reports and of the case list (supervisors
only, bad values explained), links from each figure to the cases behind it, query counts."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.selectors import reports as selectors
from portal.models import Role, User
from tests.factories import open_case, upload_document
from tests.queries import assert_flat_queries

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
PERIOD = selectors.ReportFilters(dt.date(2026, 3, 1), dt.date(2026, 3, 10))


def _set_due(case, dates, actor):  # type: ignore[no-untyped-def]
    """Give the case's requirements the due ``dates`` in checklist order (None for the rest)."""
    requirements = list(case.requirements.order_by("id"))
    assert len(requirements) >= len(dates)
    for requirement, due in zip(requirements, [*dates, *[None] * len(requirements)], strict=False):
        services.requirement_set_due_date(requirement=requirement, due_date=due, actor=actor)
    return requirements


@pytest.fixture
def deadline_firm(advisor, other_advisor, supervisor):  # type: ignore[no-untyped-def]
    """At 10 March 2026 09:00 UTC (cases in UTC):
    Ada (advisor): due 5 and 9 March (overdue), 10 and 23 March (due soon: today and
    today + 13), 24 March (neither); Otto (other advisor): due 1 March (overdue) and one due
    2 March uploaded and waiting for review (neither); an unassigned case due 11 March."""
    with time_machine.travel(NOW, tick=False):
        ada = open_case(advisor=advisor)
        d = dt.date
        _set_due(
            ada,
            [d(2026, 3, 5), d(2026, 3, 9), d(2026, 3, 10), d(2026, 3, 23), d(2026, 3, 24)],
            advisor,
        )
        otto = open_case(advisor=other_advisor, visa_code="R")
        _set_due(otto, [], other_advisor)
        passport = otto.requirements.get(code="passport-bio-page")
        other = otto.requirements.exclude(pk=passport.pk).filter(required=True).first()
        for requirement, due in ((other, d(2026, 3, 1)), (passport, d(2026, 3, 2))):
            services.requirement_set_due_date(
                requirement=requirement, due_date=due, actor=other_advisor
            )
        upload_document(otto)
        nobody = open_case(advisor=other_advisor)
        _set_due(nobody, [d(2026, 3, 11)], other_advisor)
        services.case_assign_advisor(case=nobody, advisor=None, actor=supervisor)
    return {"ada": ada, "otto": otto, "nobody": nobody}


def _rows(user, filters=PERIOD):  # type: ignore[no-untyped-def]
    cases = selectors.report_cases_for_user(user=user, filters=filters)
    rows = selectors.deadlines_by_advisor(cases, viewer=user, filters=filters, now=NOW)
    return [(r.name, r.overdue, r.due_soon) for r in rows]


@pytest.mark.django_db
def test_supervisor_sees_every_advisor_of_the_firm_with_hand_computed_counts(
    deadline_firm, supervisor, other_firm_advisor
):
    rows = _rows(supervisor)
    assert [r for r in rows if r[1] or r[2]] == [
        ("Ada Advisor", 2, 2),
        ("Otto Other", 1, 0),
        ("", 0, 1),  # the unassigned case
    ]
    # Every advisor of the firm has a row, zeros included; none of another firm.
    firm_advisors = User.objects.filter(role=Role.ADVISOR, firm=supervisor.firm)
    assert {r[0] for r in rows} - {""} == {str(a) for a in firm_advisors}
    assert str(other_firm_advisor) not in {r[0] for r in rows}


@pytest.mark.django_db
def test_advisor_sees_only_their_own_row(deadline_firm, advisor, other_advisor):
    assert _rows(advisor) == [("Ada Advisor", 2, 2)]
    assert _rows(other_advisor) == [("Otto Other", 1, 0)]
    # Asking for another advisor changes nothing: the cases are their own.
    sneaky = selectors.ReportFilters(PERIOD.start, PERIOD.end, advisor_id=other_advisor.pk)
    assert _rows(advisor, sneaky) == [("Ada Advisor", 2, 2)]


@pytest.mark.django_db
def test_supervisor_filters_by_advisor_visa_type_or_unassigned(
    deadline_firm, supervisor, other_advisor
):
    one = selectors.ReportFilters(PERIOD.start, PERIOD.end, advisor_id=other_advisor.pk)
    assert _rows(supervisor, one) == [("Otto Other", 1, 0)]
    r_only = selectors.ReportFilters(PERIOD.start, PERIOD.end, visa_code="R")
    assert [r for r in _rows(supervisor, r_only) if r[1] or r[2]] == [("Otto Other", 1, 0)]
    none = selectors.ReportFilters(PERIOD.start, PERIOD.end, unassigned=True)
    assert _rows(supervisor, none) == [("", 0, 1)]


@pytest.mark.django_db
def test_another_firms_supervisor_sees_none_of_these_advisors(deadline_firm, other_firm_supervisor):
    assert _rows(other_firm_supervisor) == [(str(other_firm_supervisor), 0, 0)]


@pytest.mark.django_db
def test_deadline_queries_do_not_grow_with_cases(deadline_firm, supervisor, advisor):
    def call() -> None:
        _rows(supervisor)

    def grow() -> None:
        with time_machine.travel(NOW, tick=False):
            for _ in range(3):
                case = open_case(advisor=advisor)
                _set_due(case, [dt.date(2026, 3, 1), dt.date(2026, 3, 12)], advisor)

    assert_flat_queries(call, grow, at_most=2)
    assert _rows(supervisor)[0] == ("Ada Advisor", 5, 5)


def _links(html: str, slug: str) -> list[str]:
    section = html.split(f'id="report-{slug}"')[1].split("</section>")[0]
    return [unescape(h) for h in re.findall(r'<a href="([^"]+)"', section)]


@pytest.mark.django_db
def test_each_figure_links_to_the_cases_behind_it(client_for, deadline_firm, supervisor, advisor):
    client = client_for(supervisor)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("cases:reports")).content.decode()
        links = _links(html, "deadlines")
        ada_overdue = f"/cases/?overdue=on&advisor={advisor.pk}"
        assert ada_overdue in links
        assert "/cases/?due_soon=on&advisor=none" in links
        listed = client.get(ada_overdue).content.decode()
        assert deadline_firm["ada"].reference in listed
        assert deadline_firm["otto"].reference not in listed
        soon = client.get("/cases/?due_soon=on&advisor=none").content.decode()
        assert deadline_firm["nobody"].reference in soon
        assert deadline_firm["ada"].reference not in soon
        # The open-cases table links each count to the case list of that stage and visa type.
        assert "/cases/?stage=intake&visa_type=R" in _links(html, "open")


@pytest.mark.django_db
def test_an_advisors_links_carry_no_advisor_filter(client_for, deadline_firm, advisor):
    with time_machine.travel(NOW, tick=False):
        html = client_for(advisor).get(reverse("cases:reports")).content.decode()
    assert "/cases/?overdue=on" in _links(html, "deadlines")
    assert 'name="advisor"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_unknown_advisor_is_explained_not_a_500(client_for, deadline_firm, supervisor, value):
    client = client_for(supervisor)
    response = client.get(reverse("cases:reports") + f"?advisor={value}")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    listed = client.get(f"/cases/?advisor={value}")
    assert listed.status_code == 200
    assert "Select a valid choice" in listed.content.decode()


@pytest.mark.django_db
def test_another_firms_supervisor_cannot_pick_this_firms_advisor(
    client_for, deadline_firm, advisor, other_firm_supervisor
):
    client = client_for(other_firm_supervisor)
    response = client.get(reverse("cases:reports") + f"?advisor={advisor.pk}")
    assert "Select a valid choice" in response.content.decode()
    assert "Ada Advisor" not in response.content.decode()
    listed = client.get(f"/cases/?advisor={advisor.pk}").content.decode()
    assert deadline_firm["ada"].reference not in listed


@pytest.mark.django_db
def test_case_list_advisor_filter_is_for_supervisors_only(
    client_for, deadline_firm, advisor, other_advisor, supervisor
):
    listed = client_for(supervisor).get(f"/cases/?advisor={other_advisor.pk}").content.decode()
    assert deadline_firm["otto"].reference in listed
    assert deadline_firm["ada"].reference not in listed
    # An advisor has no such filter: the value is ignored and they see their own cases only.
    own = client_for(advisor).get(f"/cases/?advisor={other_advisor.pk}").content.decode()
    assert deadline_firm["ada"].reference in own
    assert deadline_firm["otto"].reference not in own
    assert 'name="advisor"' not in own


@pytest.mark.django_db
def test_deadlines_csv_and_refusals(
    client_for, deadline_firm, supervisor, applicant_user, other_firm_supervisor, stranger
):
    url = reverse("cases:report_csv", args=["deadlines"])
    with time_machine.travel(NOW, tick=False):
        body = b"".join(client_for(supervisor).get(url).streaming_content).decode("utf-8-sig")
        theirs = b"".join(client_for(other_firm_supervisor).get(url).streaming_content)
    lines = body.splitlines()
    assert lines[0] == "Advisor,Overdue now,Due in the next 14 days"
    assert {"Ada Advisor,2,2", "Otto Other,1,0", "No advisor,0,1"} <= set(lines)
    assert "Ada Advisor" not in theirs.decode("utf-8-sig")
    for user in (applicant_user, stranger):
        assert client_for(user).get(url).status_code == 404


@pytest.mark.django_db
def test_deadline_report_in_chinese(client_for, deadline_firm, supervisor):
    supervisor.preferred_language = "zh-hans"
    supervisor.save(update_fields=["preferred_language"])
    html = client_for(supervisor).get(reverse("cases:reports")).content.decode()
    section = html.split('id="report-deadlines"')[1].split("</section>")[0]
    assert "Overdue" not in section
    assert "Advisor" not in section.replace("Ada Advisor", "")
