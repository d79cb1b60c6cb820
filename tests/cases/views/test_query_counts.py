"""Query counts of list pages do not grow with rows."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import ChecklistItem, VisaType
from tests.factories import ApplicantFactory, default_firm, open_case

# Counts are compared across slow set-ups: see ``no_session_refresh``.
pytestmark = pytest.mark.usefixtures("no_session_refresh")


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_advisor_case_list_queries_do_not_grow(advisor, client_for, django_assert_max_num_queries):
    client = client_for(advisor)
    for _ in range(5):
        open_case(applicant=ApplicantFactory(), advisor=advisor)
    small = _count(client, reverse("cases:list"))
    for _ in range(45):
        open_case(applicant=ApplicantFactory(), advisor=advisor)
    large = _count(client, reverse("cases:list"))
    assert small == large
    with django_assert_max_num_queries(small):
        client.get(reverse("cases:list") + "?overdue=on&q=a")


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow(advisor, client_for):
    client = client_for(advisor)
    for _ in range(5):
        open_case(applicant=ApplicantFactory(), advisor=advisor, opened_on=None)
    small = _count(client, reverse("dashboard"))
    for _ in range(30):
        open_case(applicant=ApplicantFactory(), advisor=advisor)
    assert _count(client, reverse("dashboard")) == small


def _visa_with_items(n: int) -> VisaType:
    visa = VisaType.objects.create(firm=default_firm(), code=f"T{n}", name=f"Test {n}")
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            visa_type=visa, code=f"item-{i}", position=i, name_en=f"Item {i}", name_zh=f"项目 {i}"
        )
        for i in range(n)
    )
    return visa


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["cases:my_detail", "cases:detail"])
def test_case_page_queries_do_not_grow_with_requirements(advisor, client_for, pdf_bytes, view):
    counts = []
    for n in (5, 50):
        applicant = ApplicantFactory()
        case = services.case_open(
            applicant=applicant, visa_type=_visa_with_items(n), advisor=advisor, actor=advisor
        )
        for req in case.requirements.all():
            doc = services.document_upload(
                requirement=req,
                stream=io.BytesIO(pdf_bytes),
                filename="a.pdf",
                actor=applicant.user,
            )
            services.document_review(document=doc, decision="rejected", reason="old", actor=advisor)
            services.document_upload(
                requirement=req,
                stream=io.BytesIO(pdf_bytes),
                filename="b.pdf",
                actor=applicant.user,
            )
            services.message_post(case=case, author=applicant.user, body="hello")
        user = applicant.user if view == "cases:my_detail" else advisor
        counts.append(_count(client_for(user), reverse(view, args=[case.pk])))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_applicant_case_list_queries_do_not_grow(client_for, advisor):
    applicant = ApplicantFactory()
    client = client_for(applicant.user)
    for _ in range(5):
        open_case(applicant=applicant, advisor=advisor)
    small = _count(client, reverse("cases:my_cases"))
    for _ in range(45):
        open_case(applicant=applicant, advisor=advisor)
    assert _count(client, reverse("cases:my_cases")) == small
