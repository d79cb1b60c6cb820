"""Pages and the API list degrees, jobs and tasks in the same order (they read the same
selectors): latest degree and job first, open tasks first by due date."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.services.reminders import task_create, task_set_done
from tests.factories import add_education, add_employment


def _ids(rows) -> list[int]:
    return [row.pk for row in rows]


@pytest.mark.django_db
def test_degrees_and_jobs_come_in_the_same_order_on_the_page_and_in_the_api(
    client_for, api_for, case, advisor
):
    applicant = case.applicant
    for year in (2015, 2020, 2018):
        add_education(applicant=applicant, graduation_date=dt.date(year, 6, 30))
    for year in (2019, 2023, 2021):
        add_employment(applicant=applicant, start_date=dt.date(year, 1, 1))
    page = client_for(advisor).get(reverse("cases:case_qualifications", args=[case.pk]))
    rows = page.context["rows"]
    for kind in ("education", "employment"):
        api = api_for(advisor).get(f"/api/v1/applicants/{applicant.pk}/{kind}/").json()
        assert _ids(rows[kind]) == [r["id"] for r in api["results"]]
    years = [row.graduation_date.year for row in rows["education"]]
    assert years == [2020, 2018, 2015]


@pytest.mark.django_db
def test_tasks_come_in_the_same_order_on_the_case_page_and_in_the_api(
    client_for, api_for, case, advisor
):
    made = {}
    for title, due in [("b", dt.date(2030, 5, 2)), ("none", None), ("a", dt.date(2030, 5, 1))]:
        made[title] = task_create(
            case=case, title=title, due_date=due, assignee=None, actor=advisor
        )
    task_set_done(task=made["a"], done=True, actor=advisor)
    page = client_for(advisor).get(reverse("cases:detail", args=[case.pk]))
    api = api_for(advisor).get(f"/api/v1/cases/{case.pk}/tasks/").json()
    assert [t.title for t in page.context["tasks"]] == ["b", "none", "a"]
    assert _ids(page.context["tasks"]) == [r["id"] for r in api["results"]]
