""" "My data" holds everything the portal holds about the applicant (issue 10): education,
employment, review reasons, assessment results and notifications, as JSON plus a readable
summary.html in their language."""

import json
import zipfile

import pytest
from django.urls import reverse

from cases import services
from cases.services.eligibility import case_assess
from cases.services.privacy import applicant_export_archive
from portal.errors import NotAllowed
from tests.factories import (
    NotificationFactory,
    add_education,
    add_employment,
    upload_document,
)


def _archive(user) -> zipfile.ZipFile:
    return zipfile.ZipFile(applicant_export_archive(user=user))


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


@pytest.fixture
def full_case(case, advisor, applicant):
    add_education(applicant=applicant)
    add_employment(applicant=applicant)
    doc = upload_document(case)
    services.document_review(
        document=doc, decision="rejected", reason="The photo page is cut off", actor=advisor
    )
    case_assess(case=case, actor=advisor)
    NotificationFactory(user=applicant.user, title="Your advisor asked for a new file", case=case)
    return case


@pytest.mark.django_db
def test_export_holds_education_employment_reviews_assessments_and_notifications(full_case):
    archive = _archive(full_case.applicant.user)
    names = set(archive.namelist())
    for name in (
        "education.json",
        "employment.json",
        "assessments.json",
        "notifications.json",
        "summary.html",
    ):
        assert name in names
    (degree,) = _json(archive, "education.json")
    assert degree["level"] == 7
    assert degree["field"] == "0613"
    (job,) = _json(archive, "employment.json")
    assert job["role"] == "Research scientist"
    (doc,) = _json(archive, "documents.json")
    assert doc["review_status"] == "rejected"
    assert doc["review_reason"] == "The photo page is cut off"
    (assessment,) = _json(archive, "assessments.json")
    assert assessment["case"] == full_case.reference
    assert assessment["outcome"]
    assert assessment["results"]
    assert assessment["facts"]
    titles = [n["title"] for n in _json(archive, "notifications.json")]
    assert "Your advisor asked for a new file" in titles
    summary = archive.read("summary.html").decode("utf-8")
    assert 'lang="en"' in summary
    assert "The photo page is cut off" in summary
    assert "Research scientist" in summary
    assert full_case.reference in summary


@pytest.mark.django_db
def test_summary_is_in_chinese_for_a_chinese_speaking_applicant(full_case):
    user = full_case.applicant.user
    user.preferred_language = "zh-hans"
    user.save(update_fields=["preferred_language"])
    summary = _archive(user).read("summary.html").decode("utf-8")
    assert 'lang="zh-Hans"' in summary
    assert "您在签证案件门户中的数据" in summary
    for english in ("Your data", "Degrees", "Work history", "Notifications", "Files in this"):
        assert english not in summary


@pytest.mark.django_db
def test_export_has_nothing_of_another_applicant(full_case, other_applicant):
    add_education(applicant=other_applicant, institution_name="Other University")
    NotificationFactory(user=other_applicant.user, title="Oscar's notice")
    archive = _archive(full_case.applicant.user)
    assert len(_json(archive, "education.json")) == 1
    assert "Oscar's notice" not in archive.read("notifications.json").decode()
    mine = _archive(other_applicant.user)
    assert _json(mine, "assessments.json") == []
    assert "The photo page is cut off" not in mine.read("summary.html").decode()


@pytest.mark.django_db
def test_staff_have_no_export(advisor, other_firm_advisor):
    for user in (advisor, other_firm_advisor):
        with pytest.raises(NotAllowed):
            applicant_export_archive(user=user)


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_rows(
    full_case, advisor, client_for, django_assert_max_num_queries
):
    user = full_case.applicant.user
    client = client_for(user)

    def count() -> int:
        with django_assert_max_num_queries(60) as ctx:
            assert client.post(reverse("cases:my_export")).status_code == 200
        return len(ctx.captured_queries)

    first = count()
    for i in range(4):
        NotificationFactory(user=user, title=f"Notice {i}", case=full_case)
        add_employment(applicant=full_case.applicant, role=f"Lecturer {i}")
    case_assess(case=full_case, actor=advisor)
    assert count() == first
