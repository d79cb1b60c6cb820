"""Query counts of the case list and detail endpoints do not grow with the number of cases."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from tests.factories import open_case

pytestmark = pytest.mark.django_db


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
