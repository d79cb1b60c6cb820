"""API v1 eligibility: an applicant's education and employment, and assessments."""

import datetime as dt

import pytest
from django.utils import translation

from cases.models import Case, CaseEvent, Education, Employment, EventKind
from cases.services import eligibility as services_eligibility
from eligibility.models import Assessment, FieldOfStudy, Institution
from portal import services as portal_services
from tests.factories import open_case

pytestmark = pytest.mark.django_db

DEGREE = {
    "level": 6,
    "field": "0613",
    "institution_name": "Some University",
    "country": "DE",
    "graduation_date": "2017-06-30",
}
JOB = {"organisation": "Siemens", "role": "Engineer", "start_date": "2019-01-01"}


def _degree(applicant, **overrides):
    values = {
        "applicant": applicant,
        "level": 6,
        "field": FieldOfStudy.objects.get(code="0613"),
        "institution_name": "Somewhere",
        "graduation_date": dt.date(2018, 6, 30),
        **overrides,
    }
    return Education.objects.create(**values)


def _job(applicant, **overrides):
    values = {
        "applicant": applicant,
        "organisation": "Acme",
        "role": "Researcher",
        "start_date": dt.date(2019, 1, 1),
        **overrides,
    }
    return Employment.objects.create(**values)


@pytest.fixture
def recognized(db):
    return Institution.objects.create(
        name="Test University", country="DE", kind="university", recognized=True
    )


# --- education and employment -----------------------------------------------------------------


def test_applicant_adds_a_degree_and_open_cases_get_an_event(api_for, case, applicant_user):
    url = f"/api/v1/applicants/{case.applicant_id}/education/"
    response = api_for(applicant_user).post(url, DEGREE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    degree = Education.objects.get(applicant=case.applicant)
    assert (body["id"], body["field"], body["level"]) == (degree.pk, "0613", 6)
    assert body["institution_display"] == "Some University"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).count() == 1
    listed = api_for(applicant_user).get(url).json()
    assert [row["id"] for row in listed["results"]] == [degree.pk]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"graduation_date": "1990-01-01"}, "graduation_date", "after the date of birth"),
        ({"graduation_date": "2999-01-01"}, "graduation_date", "not awarded yet"),
        ({"graduation_date": None}, "graduation_date", "Enter the graduation date"),
        ({"institution_name": ""}, "institution", "Choose the institution"),
        ({"field": "06"}, "field", "detailed field"),
    ],
)
def test_service_validation_errors_come_back_as_field_errors(
    api_for, case, applicant_user, overrides, field, message
):
    url = f"/api/v1/applicants/{case.applicant_id}/education/"
    response = api_for(applicant_user).post(url, {**DEGREE, **overrides}, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == [field]
    assert message in fields[field][0]
    assert not Education.objects.exists()


def test_employment_end_before_start_is_a_field_error(api_for, case, applicant_user):
    url = f"/api/v1/applicants/{case.applicant_id}/employment/"
    bad = {**JOB, "end_date": "2018-01-01"}
    response = api_for(applicant_user).post(url, bad, format="json")
    assert response.status_code == 400
    assert "end_date" in response.json()["fields"]
    ok = api_for(applicant_user).post(url, {**JOB, "field": "0613"}, format="json")
    assert ok.status_code == 201, ok.json()
    assert Employment.objects.get().field.code == "0613"


def test_patch_changes_only_the_fields_sent_and_put_replaces(api_for, case, advisor):
    degree = _degree(case.applicant, degree_document_on_file=True, country="FR")
    client = api_for(advisor)  # case staff correct the applicant's rows
    response = client.patch(f"/api/v1/education/{degree.pk}/", {"level": 7}, format="json")
    assert response.status_code == 200, response.json()
    degree.refresh_from_db()
    assert (degree.level, degree.country.code, degree.degree_document_on_file) == (7, "FR", True)
    response = client.put(f"/api/v1/education/{degree.pk}/", DEGREE, format="json")
    assert response.status_code == 200, response.json()
    degree.refresh_from_db()
    assert (degree.level, degree.country.code, degree.degree_document_on_file) == (6, "DE", False)


def test_patch_that_breaks_a_rule_is_refused_and_nothing_changes(api_for, case, applicant_user):
    job = _job(case.applicant)
    response = api_for(applicant_user).patch(
        f"/api/v1/employment/{job.pk}/", {"end_date": "2018-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "end_date" in response.json()["fields"]
    job.refresh_from_db()
    assert job.end_date is None


def test_applicant_deletes_own_degree(api_for, case, applicant_user):
    degree = _degree(case.applicant)
    response = api_for(applicant_user).delete(f"/api/v1/education/{degree.pk}/")
    assert response.status_code == 204
    assert not Education.objects.exists()


def test_other_users_get_404_for_qualifications_and_nothing_changes(
    api_for, case, other_applicant_user, other_advisor, stranger
):
    degree = _degree(case.applicant)
    job = _job(case.applicant)
    for user in (other_applicant_user, other_advisor, stranger):
        client = api_for(user)
        for url in (
            f"/api/v1/applicants/{case.applicant_id}/education/",
            f"/api/v1/applicants/{case.applicant_id}/employment/",
            f"/api/v1/education/{degree.pk}/",
            f"/api/v1/employment/{job.pk}/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.patch(f"/api/v1/education/{degree.pk}/", {"level": 8}).status_code == 404
        assert client.delete(f"/api/v1/employment/{job.pk}/").status_code == 404
        assert (
            client.post(
                f"/api/v1/applicants/{case.applicant_id}/education/", DEGREE, format="json"
            ).status_code
            == 404
        )
    degree.refresh_from_db()
    assert degree.level == 6
    assert Employment.objects.filter(pk=job.pk).exists()
    assert Education.objects.count() == 1


# --- assessments ------------------------------------------------------------------------------


def _confirm_blank_pages(case):
    """The advisor's "yes" to K v2's blank-pages question (set up directly)."""
    answer = {"answer": True, "n": 2, "by": None, "at": None}
    Case.objects.filter(pk=case.pk).update(confirmations={"blank_pages": answer})


def test_advisor_runs_an_assessment_and_gets_the_detail(api_for, case, advisor, recognized):
    _degree(case.applicant, institution=recognized, institution_name="")
    _confirm_blank_pages(case)
    response = api_for(advisor).post(f"/api/v1/cases/{case.pk}/assessments/", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assessment = Assessment.objects.get(case=case)
    assert (body["id"], body["outcome"]) == (assessment.pk, "eligible")
    assert body["rule_set"]["visa_type_code"] == "K"
    assert body["facts"]["education"][0]["field_code"] == "0613"
    assert body["results"][0]["depth"] == 0
    assert body["results"][0]["citation"] is not None
    assert {r["visa_type_code"] for r in body["other_routes"]} == {"R"}
    assert body["advisor_flag"] is False
    assert body["run_by"]["id"] == advisor.pk
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSESSMENT).exists()


def test_advisor_flag_asks_for_review(api_for, case, advisor, recognized):
    _degree(case.applicant, institution=recognized, institution_name="")
    _confirm_blank_pages(case)
    response = api_for(advisor).post(
        f"/api/v1/cases/{case.pk}/assessments/", {"advisor_flag": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "needs_review"
    assert Assessment.objects.get().advisor_flag is True


def test_applicant_may_not_run_an_assessment_on_own_case(api_for, case, applicant_user):
    response = api_for(applicant_user).post(f"/api/v1/cases/{case.pk}/assessments/", {})
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert not Assessment.objects.exists()


def test_applicant_reads_own_assessment_without_staff_only_parts(
    api_for, case, advisor, applicant_user
):
    case.applicant.date_of_birth = None
    case.applicant.save(update_fields=["date_of_birth"])
    assessment = services_eligibility.case_assess(case=case, actor=advisor, advisor_flag=True)
    client = api_for(applicant_user)
    listed = client.get(f"/api/v1/cases/{case.pk}/assessments/").json()["results"]
    assert [row["id"] for row in listed] == [assessment.pk]
    assert (listed[0]["advisor_flag"], listed[0]["trigger"]) == (None, None)
    body = client.get(f"/api/v1/assessments/{assessment.pk}/").json()
    assert body["outcome"] == "needs_information"
    assert "date_of_birth" in body["missing_facts"]
    assert "date of birth" in body["missing"]
    assert len(body["missing"]) == len(body["missing_facts"])
    assert all(body[name] is None for name in ("facts", "advisor_flag", "trigger", "run_by"))
    assert body["results"]
    assert all(row["basis"] is None and row["citation"] is None for row in body["results"])
    assert all(row["explanation"] for row in body["results"])
    staff = api_for(advisor).get(f"/api/v1/assessments/{assessment.pk}/").json()
    assert staff["advisor_flag"] is True
    assert staff["facts"] is not None


def test_assessments_are_listed_newest_first(api_for, case, advisor):
    first = services_eligibility.case_assess(case=case, actor=advisor)
    second = services_eligibility.case_assess(case=case, actor=advisor)
    rows = api_for(advisor).get(f"/api/v1/cases/{case.pk}/assessments/").json()["results"]
    assert [row["id"] for row in rows] == [second.pk, first.pk]
    assert rows[0]["previous_outcome"] == first.outcome


def test_assessment_explanations_are_in_the_token_users_language(case, advisor):
    from rest_framework.test import APIClient

    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    case.applicant.date_of_birth = None
    case.applicant.save(update_fields=["date_of_birth"])
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    _token, key = portal_services.api_token_create(user=advisor, name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = translation.get_language()
    body = client.get(f"/api/v1/assessments/{assessment.pk}/").json()
    assert translation.get_language() == before  # switched for the request only
    assert "出生日期" in body["missing"]
    assert body["outcome_label"] == assessment.outcome_label("zh-hans")
    assert body["results"][0]["explanation"] == assessment.results[0]["explanation"]["zh"]


def test_other_users_get_404_for_assessments(
    api_for, case, advisor, other_applicant_user, other_advisor, stranger
):
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    for user in (other_applicant_user, other_advisor, stranger):
        client = api_for(user)
        assert client.get(f"/api/v1/cases/{case.pk}/assessments/").status_code == 404
        assert client.get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404
        assert client.post(f"/api/v1/cases/{case.pk}/assessments/", {}).status_code == 404
    assert Assessment.objects.count() == 1


def test_assessment_of_a_visa_without_published_rules_is_a_400(api_for, advisor):
    from eligibility.models import RuleSet

    case = open_case(advisor=advisor, visa_code="R")
    RuleSet.objects.filter(visa_type_code="R").update(status="retired")
    response = api_for(advisor).post(f"/api/v1/cases/{case.pk}/assessments/", {})
    assert response.status_code == 400
    assert "no published rule set" in response.json()["detail"]


# --- reference lists --------------------------------------------------------------------------


def test_fields_of_study_filter_by_level_and_search(api_for, applicant_user):
    client = api_for(applicant_user)
    rows = client.get("/api/v1/fields-of-study/?level=detailed&search=0613").json()["results"]
    assert [(r["code"], r["level"], r["parent"]) for r in rows] == [("0613", "detailed", "061")]
    assert client.get("/api/v1/fields-of-study/?level=nonsense").status_code == 400


def test_institutions_list_searches_names_and_gives_ids_for_degrees(
    api_for, case, applicant_user, recognized
):
    Institution.objects.create(name="Other College", country="FR", kind="university")
    client = api_for(applicant_user)
    rows = client.get("/api/v1/institutions/?search=test").json()["results"]
    assert [(r["id"], r["country"]) for r in rows] == [(recognized.pk, "DE")]
    assert "recognized" not in rows[0]  # the rules' judgement is not part of the picker
    payload = {**DEGREE, "institution": rows[0]["id"], "institution_name": ""}
    response = client.post(
        f"/api/v1/applicants/{case.applicant_id}/education/", payload, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["institution_display"] == "Test University"
