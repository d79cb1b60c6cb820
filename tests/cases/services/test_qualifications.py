"""Education and employment: applicant pages, advisor corrections, validation, scoping."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, Education, Employment, EventKind
from cases.services import qualifications as services_qualifications
from eligibility.models import FieldOfStudy, Institution
from portal.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


def education_post(**overrides):
    data = {
        "kind": "education",
        "education-level": "6",
        "education-field": FieldOfStudy.objects.get(code="0613").pk,
        "education-institution_name": "Some University",
        "education-country": "DE",
        "education-graduation_date": "2017-06-30",
    }
    data.update({f"education-{k}": v for k, v in overrides.items()})
    return data


def test_applicant_adds_degree_and_open_cases_get_an_event(client_for, case, applicant_user):
    response = client_for(applicant_user).post(reverse("cases:my_qualifications"), education_post())
    assert response.status_code == 302
    degree = Education.objects.get(applicant=case.applicant)
    assert (degree.level, degree.field.code) == (6, "0613")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"graduation_date": "1990-01-01"}, "after the date of birth"),
        ({"graduation_date": "2999-01-01"}, "not awarded yet"),
        ({"graduation_date": ""}, "Enter the graduation date"),
        ({"institution_name": ""}, "Choose the institution"),
    ],
)
def test_degree_validation_errors_are_shown_and_nothing_saved(
    client_for, case, applicant_user, overrides, message
):
    response = client_for(applicant_user).post(
        reverse("cases:my_qualifications"), education_post(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Education.objects.exists()


def test_future_graduation_allowed_when_expected(applicant, applicant_user, case):
    services_qualifications.education_save(
        applicant=applicant,
        actor=applicant_user,
        data={
            "level": 7,
            "field": FieldOfStudy.objects.get(code="0533"),
            "institution_name": "X",
            "graduation_date": timezone.localdate() + dt.timedelta(days=200),
            "expected": True,
        },
    )
    assert Education.objects.get().expected


def test_employment_end_must_follow_start(applicant, applicant_user, case):
    with pytest.raises(InvalidInput) as exc:
        services_qualifications.employment_save(
            applicant=applicant,
            actor=applicant_user,
            data={
                "organisation": "Lab",
                "role": "Researcher",
                "start_date": dt.date(2020, 1, 1),
                "end_date": dt.date(2019, 1, 1),
            },
        )
    assert exc.value.details["field"] == "end_date"
    assert not Employment.objects.exists()


def test_advisor_corrects_applicants_job(client_for, case, advisor, applicant):
    job = Employment.objects.create(
        applicant=applicant, organisation="Lab", role="Researcher", start_date=dt.date(2020, 1, 1)
    )
    institution = Institution.objects.create(
        name="Lab U",
        country="DE",
        kind="research_institution",
        recognized=True,
        recognition_source="list",
    )
    url = reverse("cases:case_qualification_edit", args=[case.pk, "employment", job.pk])
    response = client_for(advisor).post(
        url,
        {
            "organisation": "Lab",
            "role": "Senior researcher",
            "start_date": "2020-01-01",
            "teaching_or_research": "on",
            "institution": institution.pk,
            "field": FieldOfStudy.objects.get(code="0533").pk,
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.role, job.teaching_or_research, job.institution) == (
        "Senior researcher",
        True,
        institution,
    )


@pytest.mark.parametrize("who", ["other_applicant_user", "other_advisor", "stranger"])
def test_outsiders_get_404_on_anothers_qualifications(request, client_for, case, applicant, who):
    degree = Education.objects.create(
        applicant=applicant,
        level=6,
        field=FieldOfStudy.objects.get(code="0613"),
        institution_name="U",
        graduation_date=dt.date(2017, 1, 1),
    )
    client = client_for(request.getfixturevalue(who))
    urls = [
        reverse("cases:case_qualifications", args=[case.pk]),
        reverse("cases:case_qualification_edit", args=[case.pk, "education", degree.pk]),
        reverse("cases:my_qualification_edit", args=["education", degree.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    delete = reverse("cases:my_qualification_delete", args=["education", degree.pk])
    assert client.post(delete).status_code == 404
    assert Education.objects.filter(pk=degree.pk).exists()


def test_applicant_cannot_use_advisor_qualification_pages(client_for, case, applicant_user):
    assert (
        client_for(applicant_user)
        .get(reverse("cases:case_qualifications", args=[case.pk]))
        .status_code
        == 404
    )


def test_service_refuses_other_applicants_rows(applicant, other_applicant_user, case):
    with pytest.raises(NotAllowed):
        services_qualifications.employment_save(
            applicant=applicant,
            actor=other_applicant_user,
            data={"organisation": "x", "role": "y", "start_date": dt.date(2020, 1, 1)},
        )


@pytest.mark.parametrize("rows", [1, 8])
def test_qualifications_page_query_count_is_flat(
    client_for, applicant, applicant_user, case, rows, django_assert_max_num_queries
):
    field = FieldOfStudy.objects.get(code="0613")
    inst = Institution.objects.create(name="U", country="DE", kind="university")
    for i in range(rows):
        Education.objects.create(
            applicant=applicant,
            level=6,
            field=field,
            institution=inst,
            graduation_date=dt.date(2010 + i, 1, 1),
        )
        Employment.objects.create(
            applicant=applicant,
            organisation="O",
            role="R",
            field=field,
            institution=inst,
            start_date=dt.date(2010 + i, 1, 1),
        )
    client = client_for(applicant_user)
    # 9 for the page, 4 for the session (idle-timeout save) and two-factor middleware, 1 for
    # the unread-notification count in the header.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("cases:my_qualifications")).status_code == 200


def test_applicant_edits_and_removes_own_degree(client_for, applicant, applicant_user, case):
    degree = Education.objects.create(
        applicant=applicant,
        level=6,
        field=FieldOfStudy.objects.get(code="0613"),
        institution_name="U",
        graduation_date=dt.date(2017, 1, 1),
    )
    client = client_for(applicant_user)
    page = client.get(reverse("cases:my_qualifications")).content.decode()
    edit = reverse("cases:my_qualification_edit", args=["education", degree.pk])
    delete = reverse("cases:my_qualification_delete", args=["education", degree.pk])
    assert edit in page
    assert delete in page
    form = client.get(edit)
    assert form.status_code == 200
    response = client.post(
        edit,
        {
            "level": "7",
            "field": degree.field_id,
            "institution_name": "U",
            "graduation_date": "2018-01-01",
        },
    )
    assert response.status_code == 302
    degree.refresh_from_db()
    assert degree.level == 7
    assert client.post(delete).status_code == 302
    assert not Education.objects.exists()


# --- implausible dates (tester: start 1800, end 2999, expected graduation 9999) ----------------


def _job(**dates):
    return {"organisation": "Lab", "role": "Researcher", **dates}


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"start_date": dt.date(1800, 1, 1)}, "start_date", "on or after the date of birth"),
        ({"start_date": dt.date(1995, 5, 16)}, "start_date", "on or after the date of birth"),
        (
            {"start_date": dt.date(2020, 1, 1), "end_date": dt.date(2999, 1, 1)},
            "end_date",
            "years ahead",
        ),
    ],
)
def test_implausible_job_dates_are_refused(applicant, applicant_user, case, dates, field, message):
    assert applicant.date_of_birth == dt.date(1995, 5, 17)
    with pytest.raises(InvalidInput) as exc:
        services_qualifications.employment_save(
            applicant=applicant, actor=applicant_user, data=_job(**dates)
        )
    assert exc.value.details["field"] == field
    assert message in exc.value.message
    assert not Employment.objects.exists()


def test_job_start_before_1900_is_refused_when_birth_is_unknown(applicant, applicant_user, case):
    applicant.date_of_birth = None
    applicant.save(update_fields=["date_of_birth"])
    with pytest.raises(InvalidInput) as exc:
        services_qualifications.employment_save(
            applicant=applicant, actor=applicant_user, data=_job(start_date=dt.date(1800, 1, 1))
        )
    assert exc.value.details["field"] == "start_date"


def test_job_from_the_birth_date_to_ten_years_ahead_is_accepted(applicant, applicant_user, case):
    end = timezone.localdate().replace(year=timezone.localdate().year + 10, day=1)
    job = services_qualifications.employment_save(
        applicant=applicant,
        actor=applicant_user,
        data=_job(start_date=applicant.date_of_birth, end_date=end),
    )
    assert (job.start_date, job.end_date) == (applicant.date_of_birth, end)


@pytest.mark.parametrize("graduation", ["2999-01-01", "9999-12-31"])
def test_expected_graduation_more_than_ten_years_ahead_is_refused(
    client_for, case, applicant_user, graduation
):
    response = client_for(applicant_user).post(
        reverse("cases:my_qualifications"),
        education_post(graduation_date=graduation, expected="on"),
    )
    assert response.status_code == 200
    assert "years ahead" in response.content.decode()
    assert not Education.objects.exists()
