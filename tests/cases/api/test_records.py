"""API of the record edits: PATCH cases/<id>/ and applicants/<id>/, and the corrections."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Applicant, Case, CaseEvent, CorrectionProposal, CorrectionStatus
from cases.services.corrections import correction_propose
from tests.factories import AdvisorFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _patch(client, url, body):
    return client.patch(url, body, format="json")


def test_case_detail_shows_version_and_zone_and_patch_changes_them(api_for, case, advisor):
    client = api_for(advisor)
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert (body["version"], body["time_zone"]) == (1, case.time_zone)
    entry = (TODAY + dt.timedelta(days=100)).isoformat()
    response = _patch(
        client,
        f"/api/v1/cases/{case.pk}/",
        {"version": 1, "intended_entry_date": entry, "time_zone": "Asia/Shanghai"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["intended_entry_date"], body["time_zone"], body["version"]) == (
        entry,
        "Asia/Shanghai",
        2,
    )


def test_a_stale_case_patch_is_409_and_changes_nothing(api_for, case, advisor):
    client = api_for(advisor)
    assert _patch(client, f"/api/v1/cases/{case.pk}/", {"version": 1, "time_zone": "Asia/Tokyo"})
    response = _patch(
        client, f"/api/v1/cases/{case.pk}/", {"version": 1, "time_zone": "Europe/Paris"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert "reload" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).time_zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"time_zone": "Asia/Shang\u0000hai"}, "time_zone"),
        ({"time_zone": "A" * 65}, "time_zone"),
        ({"intended_entry_date": "2999-01-01"}, "intended_entry_date"),
        ({"intended_entry_date": "not a date"}, "intended_entry_date"),
        ({"stage": "ready"}, "stage"),
        ({}, "version"),
    ],
)
def test_bad_case_patches_are_400_naming_the_field(api_for, case, advisor, body, field):
    before = Case.objects.values().get(pk=case.pk)
    payload = {"version": 1, **body} if body else body
    response = _patch(api_for(advisor), f"/api/v1/cases/{case.pk}/", payload)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Case.objects.values().get(pk=case.pk) == before


def test_applicant_cannot_patch_the_case(api_for, case, applicant_user):
    response = _patch(
        api_for(applicant_user), f"/api/v1/cases/{case.pk}/", {"version": 1, "time_zone": "UTC"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_advisor_cannot_reassign_but_a_supervisor_can(api_for, case, advisor, supervisor):
    new = AdvisorFactory()
    url = f"/api/v1/cases/{case.pk}/"
    assert _patch(api_for(advisor), url, {"version": 1, "advisor": new.pk}).status_code == 403
    response = _patch(api_for(supervisor), url, {"version": 1, "advisor": new.pk})
    assert response.status_code == 200
    assert response.json()["advisor"]["id"] == new.pk
    # The ex-advisor no longer sees the case.
    assert api_for(advisor).get(url).status_code == 404
    assert _patch(api_for(advisor), url, {"version": 3, "time_zone": "UTC"}).status_code == 404


def test_reassigning_to_another_firms_advisor_is_400(api_for, case, supervisor, other_firm_advisor):
    response = _patch(
        api_for(supervisor),
        f"/api/v1/cases/{case.pk}/",
        {"version": 1, "advisor": other_firm_advisor.pk},
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).advisor_id != other_firm_advisor.pk


@pytest.mark.parametrize(
    "who", ["other_advisor", "other_firm_advisor", "other_firm_admin", "other_applicant_user"]
)
def test_outsiders_get_404_on_every_new_endpoint(request, api_for, case, applicant_user, who):
    client = api_for(request.getfixturevalue(who))
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    body = {"version": 1, "family_name": "X"}
    assert _patch(client, f"/api/v1/cases/{case.pk}/", {"version": 1}).status_code == 404
    assert _patch(client, f"/api/v1/applicants/{case.applicant_id}/", body).status_code == 404
    corrections = f"/api/v1/applicants/{case.applicant_id}/corrections/"
    assert client.get(corrections).status_code == 404
    assert client.post(corrections, {"family_name": "X"}, format="json").status_code == 404
    assert client.get(f"/api/v1/corrections/{proposal.pk}/").status_code == 404
    assert client.post(f"/api/v1/corrections/{proposal.pk}/confirm/").status_code == 404
    assert (
        client.post(
            f"/api/v1/corrections/{proposal.pk}/decline/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Applicant"
    assert CorrectionProposal.objects.get().status == CorrectionStatus.PENDING


def test_advisor_patches_the_applicant_and_events_mask_the_passport(api_for, case, advisor):
    url = f"/api/v1/applicants/{case.applicant_id}/"
    response = _patch(
        api_for(advisor), url, {"version": 1, "passport_number": "G55544433", "nationality": "CN"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    events = api_for(advisor).get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    text = str(events)
    assert "G55544433" not in text
    assert "******433" in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"given_names": "A\u0000my"}, "given_names"),
        ({"family_name": "x" * 121}, "family_name"),
        ({"date_of_birth": (TODAY + dt.timedelta(days=1)).isoformat()}, "date_of_birth"),
        ({"passport_expiry": "1800-01-01"}, "passport_expiry"),
        ({"nationality": "ZZ"}, "nationality"),
        ({"email": "new@example.test"}, "email"),
    ],
)
def test_bad_applicant_patches_are_400_and_nothing_changes(api_for, case, advisor, body, field):
    before = Applicant.objects.values().get(pk=case.applicant_id)
    response = _patch(
        api_for(advisor), f"/api/v1/applicants/{case.applicant_id}/", {"version": 1, **body}
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Applicant.objects.values().get(pk=case.applicant_id) == before
    assert not CaseEvent.objects.filter(case=case, data__record="applicant").exists()


def test_the_applicant_cannot_patch_their_record_but_proposes_a_correction(
    api_for, case, advisor, applicant_user
):
    me = api_for(applicant_user)
    url = f"/api/v1/applicants/{case.applicant_id}/"
    response = _patch(me, url, {"version": 1, "family_name": "Li"})
    assert response.status_code == 403
    assert "corrections" in response.json()["detail"]
    response = me.post(f"{url}corrections/", {"family_name": "Li", "note": "typo"}, format="json")
    assert response.status_code == 201, response.json()
    proposal = response.json()
    assert proposal["status"] == "pending"
    assert proposal["changes"] == {"family_name": "Li"}
    # Staff do not propose; they decide.
    assert (
        api_for(advisor).post(f"{url}corrections/", {"family_name": "X"}, format="json").status_code
        == 403
    )
    assert me.post(f"/api/v1/corrections/{proposal['id']}/confirm/").status_code == 403
    response = api_for(advisor).post(f"/api/v1/corrections/{proposal['id']}/confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Li"
    assert (
        api_for(advisor).post(f"/api/v1/corrections/{proposal['id']}/confirm/").status_code == 409
    )


def test_decline_needs_a_reason(api_for, case, advisor, applicant_user):
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    url = f"/api/v1/corrections/{proposal.pk}/decline/"
    assert api_for(advisor).post(url, {}, format="json").status_code == 400
    response = api_for(advisor).post(url, {"reason": "Check the passport."}, format="json")
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "Check the passport."
    listed = api_for(applicant_user).get(f"/api/v1/applicants/{case.applicant_id}/corrections/")
    assert listed.json()["results"][0]["status"] == "declined"


def test_a_proposal_with_a_future_birth_date_is_400(api_for, case, applicant_user):
    response = api_for(applicant_user).post(
        f"/api/v1/applicants/{case.applicant_id}/corrections/",
        {"date_of_birth": (TODAY + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["fields"]
    assert not CorrectionProposal.objects.exists()
