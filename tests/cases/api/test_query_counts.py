"""Query counts of the API lists and details do not grow with the number of rows."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Education, Employment, Notification
from cases.services import eligibility as services_eligibility
from cases.services import reminders as reminder_services
from eligibility.models import FieldOfStudy, Institution
from tests.factories import open_case

pytestmark = pytest.mark.django_db

# Counts are compared across slow set-ups: see ``no_session_refresh``.
pytestmark = pytest.mark.usefixtures("no_session_refresh")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _make_cases(n: int, advisor, pdf_bytes) -> list:
    cases = [open_case(advisor=advisor) for _ in range(n)]
    for case in cases[:3]:
        services.document_upload(
            requirement=case.requirements.first(),
            stream=io.BytesIO(pdf_bytes),
            filename="a.pdf",
            actor=advisor,
        )
        services.message_post(case=case, author=advisor, body="hello")
    return cases


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?page_size=100",
        "/api/v1/cases/?overdue=true&search=a&ordering=reference&page_size=100",
        "/api/v1/documents/?page_size=100",
        "/api/v1/requirements/?page_size=100",
        "/api/v1/applicants/?page_size=100",
    ],
)
def test_list_query_count_is_the_same_at_5_and_100_cases(api_for, advisor, pdf_bytes, url):
    client = api_for(advisor)
    _make_cases(5, advisor, pdf_bytes)
    small = _queries(client, url)
    _make_cases(95, advisor, pdf_bytes)
    large = _queries(client, url)
    assert small == large
    # 6 for the endpoint, 3 for the session: two-factor device check and the idle-timeout save.
    assert large <= 9


def test_detail_query_count_is_the_same_at_5_and_100_cases(api_for, advisor, pdf_bytes):
    client = api_for(advisor)
    first = _make_cases(5, advisor, pdf_bytes)[0]
    paths = ["", "requirements/", "messages/", "events/"]
    small = [_queries(client, f"/api/v1/cases/{first.pk}/{p}") for p in paths]
    _make_cases(95, advisor, pdf_bytes)
    large = [_queries(client, f"/api/v1/cases/{first.pk}/{p}") for p in paths]
    assert small == large
    assert max(large) <= 9  # 6 for the endpoint, 3 for the session (see above)


def _add_rows(case, advisor, n: int) -> None:
    """``n`` more of each row the eligibility and reminders lists show, made by the services
    (assessments, tasks) or directly (qualifications, notifications: no service makes them)."""
    field = FieldOfStudy.objects.get(code="0613")
    institution = Institution.objects.create(
        name=f"University {Institution.objects.count()}", country="DE", kind="university"
    )
    for i in range(n):
        Education.objects.create(
            applicant=case.applicant,
            level=6,
            field=field,
            institution=institution,
            graduation_date=dt.date(2010 + i % 10, 6, 30),
        )
        Employment.objects.create(
            applicant=case.applicant,
            organisation="Acme",
            role="Engineer",
            field=field,
            institution=institution,
            start_date=dt.date(2010 + i % 10, 1, 1),
        )
        services_eligibility.case_assess(case=case, actor=advisor, advisor_flag=bool(i % 2))
        reminder_services.task_create(
            case=case, title=f"Task {i}", due_date=None, assignee=advisor, actor=advisor
        )
        Notification.objects.create(user=advisor, case=case, title=f"Note {i}")


def test_eligibility_and_reminders_lists_query_count_is_the_same_at_5_and_40_rows(
    api_for, case, advisor
):
    client = api_for(advisor)
    urls = [
        f"/api/v1/applicants/{case.applicant_id}/education/?page_size=100",
        f"/api/v1/applicants/{case.applicant_id}/employment/?page_size=100",
        f"/api/v1/cases/{case.pk}/assessments/?page_size=100",
        f"/api/v1/cases/{case.pk}/tasks/?page_size=100",
        "/api/v1/notifications/?page_size=100",
        "/api/v1/notifications/?unread=true&ordering=created_at&page_size=100",
        "/api/v1/institutions/?search=univ&page_size=100",
        "/api/v1/fields-of-study/?page_size=100",
    ]
    _add_rows(case, advisor, 5)
    small = [_queries(client, url) for url in urls]
    _add_rows(case, advisor, 35)
    large = [_queries(client, url) for url in urls]
    assert small == large
    assert max(large) <= 9  # 6 for the endpoint, 3 for the session (see above)


def test_assessment_detail_query_count_does_not_grow(api_for, case, advisor):
    client = api_for(advisor)
    first = services_eligibility.case_assess(case=case, actor=advisor)
    small = _queries(client, f"/api/v1/assessments/{first.pk}/")
    _add_rows(case, advisor, 10)
    assert _queries(client, f"/api/v1/assessments/{first.pk}/") == small
