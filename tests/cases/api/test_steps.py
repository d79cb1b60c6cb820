"""API v1 case steps: list per case (staff all, applicant the visible ones), tick and untick
(case staff), errors in the JSON shape, outsiders 404, flat query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import CaseEvent, CaseStep, EventKind, Stage
from cases.reminders.schedule import local_today
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def _today(case):  # type: ignore[no-untyped-def]
    return local_today(timezone.now(), case.time_zone).isoformat()


def test_staff_list_every_step_the_applicant_only_visible_ones(api_for, case, applicant_user):
    hidden = case.steps.get(code="biometrics")
    CaseStep.objects.filter(pk=hidden.pk).update(visible_to_applicant=False)
    staff = api_for(case.advisor).get(f"/api/v1/cases/{case.pk}/steps/").json()["results"]
    assert [s["code"] for s in staff][:2] == ["online-form", "visa-centre-appointment"]
    assert "biometrics" in [s["code"] for s in staff]
    mine = api_for(applicant_user).get(f"/api/v1/cases/{case.pk}/steps/").json()["results"]
    assert "biometrics" not in [s["code"] for s in mine]
    assert mine[0]["done_note"] is None
    assert api_for(applicant_user).get(f"/api/v1/steps/{hidden.pk}/").status_code == 404


def test_chinese_speakers_get_chinese_names(api_for, case, applicant_user):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    mine = api_for(applicant_user).get(f"/api/v1/cases/{case.pk}/steps/").json()["results"]
    assert mine[0]["name"] == "提交在线签证申请表（COVA）"


def test_advisor_ticks_and_unticks(api_for, case):
    step = case.steps.get(code="online-form")
    client = api_for(case.advisor)
    response = client.post(
        f"/api/v1/steps/{step.pk}/tick/",
        {"done_on": _today(case), "note": "Sent"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["done_on"], body["done_note"]) == (_today(case), "Sent")
    assert body["done_by"]["id"] == case.advisor.pk
    again = client.post(f"/api/v1/steps/{step.pk}/tick/", {"done_on": _today(case)}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "stale"
    response = client.post(f"/api/v1/steps/{step.pk}/untick/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["done_on"] is None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STEP).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "done_on"),
        ({"done_on": "2026-02-30"}, "done_on"),
        ({"done_on": "2999-01-01"}, "done_on"),
        ({"done_on": "TODAY", "note": "x" * 2001}, "note"),
        ({"done_on": "TODAY", "done_by": 1}, "done_by"),
    ],
)
def test_bad_ticks_are_400_naming_the_field(api_for, case, body, field):
    step = case.steps.get(code="online-form")
    body = {k: (_today(case) if v == "TODAY" else v) for k, v in body.items()}
    response = api_for(case.advisor).post(f"/api/v1/steps/{step.pk}/tick/", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in payload.get("fields", {}), payload
    step.refresh_from_db()
    assert step.done_on is None


def test_outsiders_get_404_and_the_applicant_403(
    api_for,
    case,
    applicant_user,
    other_applicant_user,
    other_advisor,
    other_firm_advisor,
    other_firm_supervisor,
    other_firm_applicant_user,
):
    step = case.steps.get(code="online-form")
    body = {"done_on": _today(case)}
    for user in (
        other_applicant_user,
        other_advisor,
        other_firm_advisor,
        other_firm_supervisor,
        other_firm_applicant_user,
    ):
        client = api_for(user)
        assert client.get(f"/api/v1/cases/{case.pk}/steps/").status_code == 404
        assert client.get(f"/api/v1/steps/{step.pk}/").status_code == 404
        assert client.post(f"/api/v1/steps/{step.pk}/tick/", body, format="json").status_code == 404
    response = api_for(applicant_user).post(f"/api/v1/steps/{step.pk}/tick/", body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    step.refresh_from_db()
    assert step.done_on is None


def test_guard_answers_409_naming_the_step(api_for, case):
    from tests.factories import case_at

    case = case_at(Stage.READY, case=case)
    response = api_for(case.advisor).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "submitted"}, format="json"
    )
    assert response.status_code == 409
    assert "Book your visa centre appointment" in response.json()["detail"]


def test_step_list_queries_do_not_grow(api_for, case):
    client = api_for(case.advisor)

    def grow() -> None:
        CaseStep.objects.bulk_create(
            CaseStep(
                firm_id=case.firm_id,
                case=case,
                code=f"extra-{i}",
                position=100 + i,
                stage=Stage.READY,
                name_en=f"Extra {i}",
                name_zh=f"额外 {i}",
                done_on=dt.date(2026, 1, 1),
                done_by=case.advisor,
            )
            for i in range(10)
        )

    assert_flat_queries(lambda: client.get(f"/api/v1/cases/{case.pk}/steps/"), grow)
