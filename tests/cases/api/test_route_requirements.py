"""The API's requirements say which documents the case's route does not need (issue 13)."""

import pytest

from cases.services import eligibility as services_eligibility
from tests.factories import add_employment

pytestmark = pytest.mark.django_db


def test_requirements_show_the_route_condition_and_not_needed(api_for, case, applicant_user):
    add_employment(applicant=case.applicant)  # the teaching or research route
    services_eligibility.case_assess(case=case, actor=case.advisor)
    body = api_for(applicant_user).get(f"/api/v1/cases/{case.pk}/requirements/").json()
    by_code = {r["code"]: r for r in body["results"]}
    certificate = by_code["degree-certificate"]
    assert (certificate["route_condition"], certificate["required"]) == ("k-degree", False)
    assert certificate["not_needed_for_route"] is True
    teaching = by_code["teaching-research-position"]
    assert (teaching["required"], teaching["not_needed_for_route"]) == (True, False)
    passport = by_code["passport-bio-page"]
    assert (passport["route_condition"], passport["not_needed_for_route"]) == ("", False)
    one = api_for(case.advisor).get(f"/api/v1/requirements/{certificate['id']}/").json()
    assert one["not_needed_for_route"] is True


@pytest.mark.parametrize("who", ["other_applicant", "other_advisor", "other_firm_advisor"])
def test_others_do_not_reach_the_requirements(request, api_for, case, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    requirement = case.requirements.get(code="degree-certificate")
    assert api_for(user).get(f"/api/v1/requirements/{requirement.pk}/").status_code == 404
    assert api_for(user).get(f"/api/v1/cases/{case.pk}/requirements/").status_code == 404
