"""API of the questionnaire: definition, answers (GET, PATCH by section), transitions,
comments, the data sheet; outsiders get 404; validation errors name the field."""

import json

import pytest
from rest_framework.test import APIClient

from cases.services import questionnaire_answers as services
from tests.cases.questionnaires.helpers import fill_k, k_answers, submitted
from tests.otp import login_verified

pytestmark = pytest.mark.django_db


def _api(user):  # type: ignore[no-untyped-def]
    return login_verified(APIClient(), user)


def _base(case):  # type: ignore[no-untyped-def]
    return f"/api/v1/cases/{case.pk}/questionnaire/"


def test_definition_and_answers_and_patch_by_section(case, applicant_user):
    api = _api(applicant_user)
    definition = api.get(_base(case) + "definition/").json()
    assert definition["version"] == 1
    assert definition["sections"][0]["key"] == "personal"
    assert api.get(_base(case)).json()["status"] == "not_started"
    url = _base(case) + "sections/personal/"
    response = api.patch(url, {"answers": k_answers()["personal"], "revision": 0}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["answers"]["family_name"] == "Applicant"
    stale = api.patch(url, {"answers": k_answers()["personal"], "revision": 0}, format="json")
    assert stale.status_code == 409
    bad = api.patch(
        url, {"answers": {**k_answers()["personal"], "sex": "x"}, "revision": 1}, format="json"
    )
    assert bad.status_code == 400
    assert "Choose one of the options" in bad.json()["fields"]["sex"][0]
    unknown = api.patch(url, {"answers": {}, "colour": "red"}, format="json")
    assert unknown.status_code == 400


def test_transitions_comments_and_sheet(case, applicant_user, advisor):
    fill_k(case, applicant_user)
    me, staff = _api(applicant_user), _api(advisor)
    transition = _base(case) + "transition/"
    assert me.post(transition, {"to": "approved"}, format="json").status_code == 403
    assert me.post(transition, {"to": "submitted"}, format="json").status_code == 200
    assert staff.get(_base(case) + "sheet/").status_code == 404  # not approved yet
    comment = staff.post(
        _base(case) + "comments/", {"question": "sex", "body": "Check this."}, format="json"
    )
    assert comment.status_code == 201
    assert staff.post(transition, {"to": "returned"}, format="json").json()["status"] == "returned"
    assert me.get(_base(case)).json()["comments"][0]["body"] == "Check this."
    me.post(transition, {"to": "submitted"}, format="json")
    assert staff.post(transition, {"to": "approved"}, format="json").json()["status"] == "approved"
    locked = me.patch(
        _base(case) + "sections/contact/", {"answers": k_answers()["contact"]}, format="json"
    )
    assert locked.status_code == 403
    sheet = staff.get(_base(case) + "sheet/").json()
    rows = {a["key"]: a for s in sheet["sections"] for a in s["answers"]}
    assert rows["passport_number"]["value"] == "C01X00T47"
    assert me.get(_base(case) + "sheet/").status_code == 404  # staff only


def test_outsiders_get_404_on_every_endpoint(
    case, applicant_user, advisor, other_advisor, other_applicant_user, other_firm_advisor
):
    submitted(case, applicant_user)
    services.questionnaire_approve(case=case, actor=advisor)
    for user in (other_advisor, other_applicant_user, other_firm_advisor):
        api = _api(user)
        assert api.get(_base(case)).status_code == 404
        assert api.get(_base(case) + "definition/").status_code == 404
        assert api.get(_base(case) + "sheet/").status_code == 404
        patch = api.patch(_base(case) + "sections/personal/", {"answers": {}}, format="json")
        assert patch.status_code == 404
        post = api.post(_base(case) + "transition/", {"to": "returned"}, format="json")
        assert post.status_code == 404
        post = api.post(_base(case) + "comments/", {"question": "sex", "body": "x"}, format="json")
        assert post.status_code == 404


def test_patch_of_one_answer_keeps_the_sections_other_answers(case, applicant_user):
    fill_k(case, applicant_user)
    api = _api(applicant_user)
    url = _base(case) + "sections/contact/"
    response = api.patch(
        url, {"answers": {"phone": "+34 600000001"}, "require_answers": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    answers = response.json()["answers"]
    assert answers["phone"] == "+34 600000001"
    assert answers["home_address"] == "Hauptstraße 1, 10115 Berlin"
    assert answers["email"] == "amy@example.test"


@pytest.mark.parametrize("hidden", ["\ud800x", "a\u202eb", "a\u200bb", "a\x07b"])
def test_lone_surrogates_and_hidden_characters_are_refused_and_nothing_changes(
    case, applicant_user, hidden
):
    fill_k(case, applicant_user)
    api = _api(applicant_user)
    body = json.dumps({"answers": {"home_address": hidden}}, ensure_ascii=True)
    response = api.patch(_base(case) + "sections/contact/", body, content_type="application/json")
    assert response.status_code == 400
    assert "invisible control characters" in response.json()["fields"]["home_address"][0]
    stored = api.get(_base(case)).json()["answers"]
    assert stored["home_address"] == "Hauptstraße 1, 10115 Berlin"
