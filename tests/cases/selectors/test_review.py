"""The dashboard's "Waiting for my review": the advisor's side of whose turn, oldest upload
first, with its age; only one's own cases; query count flat in N."""

import datetime as dt

import pytest
import time_machine

from cases.selectors.review import awaiting_review_for_user
from tests.factories import ApplicantFactory, case_at, open_case, upload_document
from tests.queries import assert_flat_queries

UTC = dt.UTC


def _uploaded_case(advisor, when: dt.datetime, code: str = "passport-bio-page"):
    case = case_at("documents", case=open_case(advisor=advisor, applicant=ApplicantFactory()))
    with time_machine.travel(when, tick=False):
        upload_document(case, code=code)
    return case


@pytest.mark.django_db
def test_waiting_for_my_review_lists_oldest_first_with_age(advisor, other_advisor):
    newer = _uploaded_case(advisor, dt.datetime(2026, 3, 9, 10, tzinfo=UTC))
    older = _uploaded_case(advisor, dt.datetime(2026, 3, 6, 10, tzinfo=UTC))
    _uploaded_case(other_advisor, dt.datetime(2026, 3, 1, 10, tzinfo=UTC))
    now = dt.datetime(2026, 3, 9, 12, tzinfo=UTC)
    items = awaiting_review_for_user(user=advisor, now=now)
    assert [i.case.pk for i in items] == [older.pk, newer.pk]
    assert [i.age_days for i in items] == [3, 0]
    # Friday + 2 working days: Tuesday; not late yet on Monday.
    assert items[0].review_due == dt.date(2026, 3, 10)
    assert not items[0].review_overdue
    later = awaiting_review_for_user(user=advisor, now=dt.datetime(2026, 3, 11, 1, tzinfo=UTC))
    assert later[0].review_overdue


@pytest.mark.django_db
def test_reviewed_and_applicants_own_items_are_not_listed(advisor, applicant_user):
    case = _uploaded_case(advisor, dt.datetime(2026, 3, 6, 10, tzinfo=UTC))
    from cases import services

    doc = case.requirements.get(code="passport-bio-page").current_document
    services.document_review(document=doc, decision="accepted", reason="", actor=advisor)
    assert awaiting_review_for_user(user=advisor) == []
    assert awaiting_review_for_user(user=case.applicant.user) == []


@pytest.mark.django_db
def test_dashboard_shows_waiting_for_my_review(client_for, advisor, other_advisor):
    case = _uploaded_case(advisor, dt.datetime(2026, 3, 6, 10, tzinfo=UTC))
    with time_machine.travel(dt.datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
        page = client_for(advisor).get("/")
        other = client_for(other_advisor).get("/")
    html = page.content.decode()
    assert "Waiting for my review" in html
    assert case.reference in html
    assert "uploaded 3 days ago" in html
    assert case.reference not in other.content.decode()


@pytest.mark.django_db
def test_dashboard_in_chinese_has_the_section_translated(client_for, advisor):
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    _uploaded_case(advisor, dt.datetime(2026, 3, 6, 10, tzinfo=UTC))
    client = client_for(advisor)
    html = client.get("/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "Waiting for my review" not in html
    assert "uploaded" not in html


@pytest.mark.django_db
def test_dashboard_review_section_query_count_is_flat(client_for, advisor):
    _uploaded_case(advisor, dt.datetime(2026, 3, 6, 10, tzinfo=UTC))
    client = client_for(advisor)

    def grow():
        for day in range(3):
            case = _uploaded_case(advisor, dt.datetime(2026, 3, 2 + day, 10, tzinfo=UTC))
            upload_document(case, code="cv")

    assert_flat_queries(lambda: client.get("/"), grow)
    assert_flat_queries(lambda: awaiting_review_for_user(user=advisor), grow, at_most=2)
