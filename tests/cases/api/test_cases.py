"""API v1 cases: list, filters, detail, open, transitions, requirements, documents, messages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import (
    Applicant,
    Case,
    CaseEvent,
    Document,
    EventKind,
    Message,
    RequirementStatus,
    ReviewStatus,
    Stage,
)
from tests.factories import ApplicantFactory, open_case

pytestmark = pytest.mark.django_db


def _upload(client, requirement, content, name="scan.pdf"):
    return client.post(
        f"/api/v1/requirements/{requirement.pk}/upload/",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        format="multipart",
    )


# --- list, filters, search, ordering ---------------------------------------------------------


def test_advisor_lists_only_assigned_cases(api_for, case, other_advisor):
    other = open_case(advisor=other_advisor)
    body = api_for(case.advisor).get("/api/v1/cases/").json()
    assert [row["id"] for row in body["results"]] == [case.pk]
    assert body["count"] == 1
    assert other.pk not in [
        r["id"] for r in api_for(case.advisor).get("/api/v1/cases/").json()["results"]
    ]


def test_supervisor_and_admin_list_every_case(api_for, case, supervisor, admin_user, other_advisor):
    open_case(advisor=other_advisor)
    for user in (supervisor, admin_user):
        assert api_for(user).get("/api/v1/cases/").json()["count"] == 2


def test_applicant_lists_only_own_cases(api_for, case, applicant_user, other_applicant):
    open_case(applicant=other_applicant)
    body = api_for(applicant_user).get("/api/v1/cases/").json()
    assert [row["id"] for row in body["results"]] == [case.pk]


def test_case_list_filters_by_stage_visa_type_advisor_overdue(
    api_for, supervisor, advisor, other_advisor, applicant
):
    k_case = open_case(applicant=applicant, advisor=advisor, visa_code="K")
    r_case = open_case(advisor=other_advisor, visa_code="R")
    old = open_case(advisor=advisor, opened_on=dt.date.today() - dt.timedelta(days=200))
    services.case_transition(case=k_case, to=Stage.ASSESSMENT, actor=advisor)
    client = api_for(supervisor)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("stage=assessment") == {k_case.pk}
    assert ids("visa_type=R") == {r_case.pk}
    assert ids(f"advisor={other_advisor.pk}") == {r_case.pk}
    assert ids("overdue=true") == {old.pk}
    assert ids("overdue=false") == {k_case.pk, r_case.pk, old.pk}


def test_case_list_search_matches_reference_and_applicant_name(api_for, supervisor, advisor):
    wanted = open_case(applicant=ApplicantFactory(family_name="Zhangsworth"), advisor=advisor)
    open_case(applicant=ApplicantFactory(family_name="Miller"), advisor=advisor)
    client = api_for(supervisor)
    by_name = client.get("/api/v1/cases/?search=zhangs").json()["results"]
    by_ref = client.get(f"/api/v1/cases/?search={wanted.reference}").json()["results"]
    assert [r["id"] for r in by_name] == [wanted.pk]
    assert [r["id"] for r in by_ref] == [wanted.pk]


def test_case_list_rejects_invalid_filter_values_with_400(api_for, advisor):
    response = api_for(advisor).get("/api/v1/cases/?stage=nonsense&advisor=abc")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"stage", "advisor"}


def test_case_list_orders_and_pages(api_for, advisor):
    cases = [open_case(advisor=advisor) for _ in range(3)]
    client = api_for(advisor)
    body = client.get("/api/v1/cases/?ordering=reference&page_size=2").json()
    assert body["count"] == 3
    assert [r["reference"] for r in body["results"]] == sorted(c.reference for c in cases)[:2]
    assert body["next"] is not None
    second = client.get("/api/v1/cases/?ordering=reference&page_size=2&page=2").json()
    assert [r["reference"] for r in second["results"]] == [max(c.reference for c in cases)]


# --- detail and open --------------------------------------------------------------------------


def test_outsiders_get_404_for_a_case(api_for, case, other_advisor, other_applicant_user, stranger):
    for user in (other_advisor, other_applicant_user, stranger):
        response = api_for(user).get(f"/api/v1/cases/{case.pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_detail_shows_transitions_to_staff_only(api_for, case, applicant_user):
    staff = api_for(case.advisor).get(f"/api/v1/cases/{case.pk}/").json()
    own = api_for(applicant_user).get(f"/api/v1/cases/{case.pk}/").json()
    assert staff["allowed_transitions"] == ["assessment", "on_hold", "withdrawn"]
    assert own["allowed_transitions"] == []


def test_advisor_opens_case_with_new_applicant_through_the_service(api_for, advisor, mailoutbox):
    payload = {
        "visa_type": "K",
        "given_names": "Li",
        "family_name": "Wei",
        "email": "li.wei@example.test",
        "nationality": "CN",
        "date_of_birth": "1990-01-02",
        "intended_entry_date": "2027-03-01",
    }
    response = api_for(advisor).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert case.advisor == advisor
    assert case.applicant.email == "li.wei@example.test"
    assert case.requirements.count() == 8
    assert CaseEvent.objects.filter(case=case, kind=EventKind.OPENED).exists()
    assert response.json()["reference"].startswith("K-")


def test_applicant_cannot_open_a_case(api_for, applicant_user):
    payload = {"visa_type": "K", "given_names": "A", "family_name": "B", "email": "x@example.test"}
    response = api_for(applicant_user).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 403
    assert not Applicant.objects.filter(email="x@example.test").exists()


def test_open_with_an_inactive_visa_type_is_400_and_stores_nothing(api_for, advisor):
    from cases.models import VisaType

    VisaType.objects.filter(code="R").update(active=False)
    payload = {"visa_type": "R", "given_names": "A", "family_name": "B", "email": "y@example.test"}
    response = api_for(advisor).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400
    assert "visa_type" in response.json()["fields"]
    assert not Applicant.objects.filter(email="y@example.test").exists()


# --- transitions ------------------------------------------------------------------------------


def test_transition_moves_case_and_records_event(api_for, case):
    response = api_for(case.advisor).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "assessment"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "assessment"
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STAGE, after="assessment").exists()


def test_transition_not_in_map_is_409_with_reason(api_for, case):
    response = api_for(case.advisor).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "submitted"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "cannot move" in response.json()["detail"]


def test_ready_guard_409_lists_missing_requirements(api_for, case, advisor):
    for to in (Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW):
        services.case_transition(case=case, to=to, actor=advisor)
    response = api_for(advisor).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "ready"}, format="json"
    )
    assert response.status_code == 409
    assert len(response.json()["details"]["missing"]) >= 1


def test_stale_transition_is_409_and_changes_nothing(api_for, case, advisor):
    from cases.api import cases as views

    client = api_for(advisor)
    original = views.CaseViewSet._case

    def stale_case(self):  # another request moved the case after we read it
        loaded = original(self)
        Case.objects.filter(pk=loaded.pk).update(stage=Stage.ON_HOLD, stage_before_hold="intake")
        return loaded

    views.CaseViewSet._case = stale_case
    try:
        response = client.post(
            f"/api/v1/cases/{case.pk}/transition/", {"to": "assessment"}, format="json"
        )
    finally:
        views.CaseViewSet._case = original
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    case.refresh_from_db()
    assert case.stage == Stage.ON_HOLD


def test_applicant_cannot_transition_own_case(api_for, case, applicant_user):
    response = api_for(applicant_user).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "assessment"}, format="json"
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


# --- requirements, documents ------------------------------------------------------------------


def test_applicant_uploads_with_the_same_validation_as_the_web(
    api_for, case, applicant_user, pdf_bytes
):
    requirement = case.requirements.get(code="passport-bio-page")
    client = api_for(applicant_user)
    ok = _upload(client, requirement, pdf_bytes)
    assert ok.status_code == 201, ok.json()
    assert ok.json()["version"] == 1
    assert ok.json()["content_type"] == "application/pdf"
    bad = _upload(client, requirement, b"MZ\x90\x00 not a pdf", name="evil.pdf")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert Document.objects.filter(requirement=requirement).count() == 1


def test_upload_without_file_is_400(api_for, case, applicant_user):
    requirement = case.requirements.first()
    response = api_for(applicant_user).post(
        f"/api/v1/requirements/{requirement.pk}/upload/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()["fields"]


def test_download_streams_with_the_web_headers(api_for, case, applicant_user, pdf_bytes):
    requirement = case.requirements.get(code="passport-bio-page")
    doc = services.document_upload(
        requirement=requirement,
        stream=__import__("io").BytesIO(pdf_bytes),
        filename="护照.pdf",
        actor=applicant_user,
    )
    api = api_for(case.advisor).get(f"/api/v1/documents/{doc.pk}/download/")
    web = api_for(case.advisor).get(f"/documents/{doc.pk}/download/")
    assert api.status_code == 200
    assert b"".join(api.streaming_content) == pdf_bytes
    for header in (
        "Content-Type",
        "Content-Disposition",
        "X-Content-Type-Options",
        "Cache-Control",
        "Content-Security-Policy",
    ):
        assert api[header] == web[header], header
    assert "attachment" in api["Content-Disposition"]


def test_outsider_cannot_download_or_see_document(
    api_for, case, applicant_user, other_applicant_user, other_advisor, pdf_bytes
):
    requirement = case.requirements.first()
    doc = services.document_upload(
        requirement=requirement,
        stream=__import__("io").BytesIO(pdf_bytes),
        filename="a.pdf",
        actor=applicant_user,
    )
    for user in (other_applicant_user, other_advisor):
        client = api_for(user)
        assert client.get(f"/api/v1/documents/{doc.pk}/download/").status_code == 404
        assert client.get(f"/api/v1/documents/{doc.pk}/").status_code == 404
        assert client.get(f"/api/v1/requirements/{requirement.pk}/").status_code == 404
        assert _upload(client, requirement, pdf_bytes).status_code == 404


def test_advisor_reviews_and_applicant_may_not(api_for, case, applicant_user, pdf_bytes):
    requirement = case.requirements.first()
    doc = services.document_upload(
        requirement=requirement,
        stream=__import__("io").BytesIO(pdf_bytes),
        filename="a.pdf",
        actor=applicant_user,
    )
    url = f"/api/v1/documents/{doc.pk}/review/"
    denied = api_for(applicant_user).post(url, {"decision": "accepted"}, format="json")
    assert denied.status_code == 403
    no_reason = api_for(case.advisor).post(url, {"decision": "rejected"}, format="json")
    assert no_reason.status_code == 400
    ok = api_for(case.advisor).post(url, {"decision": "accepted"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["review_status"] == ReviewStatus.ACCEPTED
    again = api_for(case.advisor).post(
        url, {"decision": "rejected", "reason": "blurry"}, format="json"
    )
    assert again.status_code == 200
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.REJECTED


def test_waive_needs_staff_and_a_reason(api_for, case, applicant_user):
    requirement = case.requirements.first()
    url = f"/api/v1/requirements/{requirement.pk}/waive/"
    assert api_for(applicant_user).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_for(case.advisor).post(url, {}, format="json").status_code == 400
    ok = api_for(case.advisor).post(url, {"reason": "Not needed"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["status"] == RequirementStatus.WAIVED


def test_case_requirements_are_listed_in_checklist_order(api_for, case, applicant_user):
    body = api_for(applicant_user).get(f"/api/v1/cases/{case.pk}/requirements/").json()
    positions = [r["position"] for r in body["results"]]
    assert body["count"] == 8
    assert positions == sorted(positions)


def test_document_list_filters_by_case(api_for, case, advisor, pdf_bytes, applicant_user):
    other = open_case(advisor=advisor)
    for c in (case, other):
        services.document_upload(
            requirement=c.requirements.first(),
            stream=__import__("io").BytesIO(pdf_bytes),
            filename="a.pdf",
            actor=advisor,
        )
    body = api_for(advisor).get(f"/api/v1/documents/?case={case.pk}").json()
    assert [d["case"] for d in body["results"]] == [case.pk]
    own = api_for(applicant_user).get("/api/v1/documents/").json()
    assert [d["case"] for d in own["results"]] == [case.pk]


# --- messages, events -------------------------------------------------------------------------


def test_messages_internal_notes_hidden_from_applicant(api_for, case, applicant_user):
    staff = api_for(case.advisor)
    url = f"/api/v1/cases/{case.pk}/messages/"
    assert staff.post(url, {"body": "Note", "internal": True}, format="json").status_code == 201
    assert api_for(applicant_user).post(url, {"body": "Hello"}, format="json").status_code == 201
    seen = [m["body"] for m in api_for(applicant_user).get(url).json()["results"]]
    assert seen == ["Hello"]
    assert len(staff.get(url).json()["results"]) == 2
    events = api_for(applicant_user).get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    assert all(not e["internal"] for e in events)


def test_empty_message_is_400_and_stores_nothing(api_for, case, applicant_user):
    url = f"/api/v1/cases/{case.pk}/messages/"
    response = api_for(applicant_user).post(url, {"body": "   "}, format="json")
    assert response.status_code == 400
    assert not Message.objects.exists()


# --- applicants, visa types, me ---------------------------------------------------------------


def test_applicants_scoped_per_role(
    api_for, case, applicant, other_applicant, other_advisor, supervisor
):
    open_case(applicant=other_applicant, advisor=other_advisor)

    def ids(user):
        return {a["id"] for a in api_for(user).get("/api/v1/applicants/").json()["results"]}

    assert ids(case.advisor) == {applicant.pk}
    assert ids(applicant.user) == {applicant.pk}
    assert ids(supervisor) >= {applicant.pk, other_applicant.pk}
    assert api_for(other_advisor).get(f"/api/v1/applicants/{applicant.pk}/").status_code == 404


def test_visa_types_with_checklists(api_for, applicant_user):
    body = api_for(applicant_user).get("/api/v1/visa-types/K/").json()
    assert body["code"] == "K"
    assert len(body["checklist"]) == 8


def test_me_and_ping(api_for, advisor):
    me = api_for(advisor).get("/api/v1/me/").json()
    assert me["email"] == advisor.email
    assert me["role"] == "advisor"
    assert api_for(advisor).get("/api/v1/ping/").json() == {"ok": True, "user": advisor.pk}


def test_anonymous_gets_401_with_challenge(api_for):
    response = api_for(None).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_writes_need_csrf(case, applicant_user):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(applicant_user)
    response = client.post(f"/api/v1/cases/{case.pk}/messages/", {"body": "hi"}, format="json")
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_throttling_answers_429(api_for, advisor, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute"},
    }
    client = api_for(advisor)
    statuses = [client.get("/api/v1/ping/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # DRF checks permissions before throttles: anonymous limits apply to the public schema.
    anon = api_for(None)
    assert [anon.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


def test_advisor_opening_a_case_for_a_colleague_gets_400_and_nothing_is_stored(
    api_for, advisor, other_advisor, mailoutbox
):
    from cases.models import Applicant, Case, VisaType

    response = api_for(advisor).post(
        "/api/v1/cases/",
        {
            "visa_type": "K",
            "advisor": other_advisor.pk,
            "given_names": "A",
            "family_name": "B",
            "email": "ab@example.test",
            "preferred_language": "en",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "only for yourself" in response.json()["detail"]
    assert not Case.objects.exists()
    assert not Applicant.objects.exists()
    assert mailoutbox == []
    assert VisaType.objects.filter(code="K").exists()


def test_absurdly_nested_json_is_a_400_not_a_500(api_for, advisor, case):
    body = "[" * 100_000
    response = api_for(advisor).post(
        f"/api/v1/cases/{case.pk}/transition/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("field", ["intended_entry_date", "target_submission_date"])
def test_open_with_a_date_far_in_the_future_is_400_and_stores_nothing(api_for, advisor, field):
    payload = {"visa_type": "K", "given_names": "A", "family_name": "B", "email": "z@example.test"}
    payload[field] = "9999-12-31"
    response = api_for(advisor).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400
    assert "years ahead" in str(response.json())
    assert not Applicant.objects.filter(email="z@example.test").exists()


def test_two_files_in_one_upload_field_are_refused_not_half_stored(
    api_for, applicant_user, case, pdf_bytes
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Document

    requirement = case.requirements.get(code="cv")
    files = [SimpleUploadedFile(n, pdf_bytes, "application/pdf") for n in ("a.pdf", "b.pdf")]
    response = api_for(applicant_user).post(
        f"/api/v1/requirements/{requirement.pk}/upload/", {"file": files}, format="multipart"
    )
    assert response.status_code == 400
    assert "one file per request" in response.json()["detail"]
    assert not Document.objects.exists()


@pytest.mark.parametrize("body", [b"this is not json", b"\xff\xfe{}", b'{"a": '])
def test_an_unreadable_body_is_explained_in_the_users_language(api_for, advisor, case, body):
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    response = api_for(advisor).post(
        f"/api/v1/cases/{case.pk}/transition/", body, content_type="application/json"
    )
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "parse_error"
    assert "JSON parse error" not in data["detail"]
    assert "无法读取" in data["detail"]
    assert case.__class__.objects.get(pk=case.pk).stage == case.stage
