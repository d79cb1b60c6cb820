"""Mass assignment: every writable serializer gets every model field as each role; the database
changes only where the role may write, and refused fields are named in the 400 answer."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from cases import services
from cases.api import reminders as reminders_api
from cases.api.serializers import eligibility as elig
from cases.api.serializers import inputs
from cases.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseTask,
    Document,
    DocumentRequirement,
    Education,
    Employment,
    Message,
    Notification,
)
from cases.services import reminders as reminder_services
from eligibility.models import Assessment, FieldOfStudy, RuleSet
from portal.api.serializers import ApiTokenCreateSerializer
from portal.models import ApiToken, User

pytestmark = pytest.mark.django_db

WATCHED = (Applicant, Case, DocumentRequirement, Document, Message, CaseEvent, ApiToken, User)


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in WATCHED}


def _hostile(model: type[models.Model], other_ids: dict[str, int]) -> dict[str, Any]:
    """A value for every concrete field of ``model``: what an attacker would try to set."""
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        name = field.attname if field.is_relation else field.name
        key = field.name
        if field.is_relation:
            values[key] = other_ids.get(key, other_ids["any"])
        elif isinstance(field, models.BooleanField):
            values[key] = True
        elif isinstance(field, models.DateTimeField):
            values[key] = "2030-01-01T00:00:00Z"
        elif isinstance(field, models.DateField):
            values[key] = "2030-01-01"
        elif isinstance(field, (models.IntegerField, models.BigAutoField, models.AutoField)):
            values[key] = 999
        elif isinstance(field, models.JSONField):
            values[key] = ["application/x-msdownload"]
        else:
            values[key] = "hacked"
        del name
    return values


@pytest.fixture
def world(case, applicant_user, other_applicant, other_advisor, admin_user, pdf_bytes):
    other_case = services.case_open(
        applicant=other_applicant,
        visa_type=case.visa_type,
        advisor=other_advisor,
        actor=other_advisor,
    )
    requirement = case.requirements.get(code="passport-bio-page")
    document = services.document_upload(
        requirement=requirement,
        stream=io.BytesIO(pdf_bytes),
        filename="p.pdf",
        actor=applicant_user,
    )
    ids = {
        "any": other_case.pk,
        "applicant": other_applicant.pk,
        "advisor": other_advisor.pk,
        "user": other_advisor.pk,
        "case": other_case.pk,
        "requirement": other_case.requirements.first().pk,
        "author": other_advisor.pk,
        "uploaded_by": other_advisor.pk,
        "reviewed_by": other_advisor.pk,
        "visa_type": case.visa_type_id,
        "current_document": document.pk,
        "checklist_item": requirement.checklist_item_id,
        "actor": other_advisor.pk,
    }
    return {
        "case": case,
        "requirement": requirement,
        "document": document,
        "ids": ids,
        "roles": {
            "applicant": applicant_user,
            "advisor": case.advisor,
            "admin": admin_user,
        },
    }


# What each endpoint's serializer lets a permitted role write (everything else is refused).
WRITABLE = {
    name: {n for n, f in serializer().fields.items() if not f.read_only}
    for name, serializer in {
        "open": inputs.CaseOpenSerializer,
        "transition": inputs.TransitionSerializer,
        "review": inputs.ReviewSerializer,
        "waive": inputs.WaiveSerializer,
        "message": inputs.MessageCreateSerializer,
        "token": ApiTokenCreateSerializer,
    }.items()
}


def _endpoints(w: dict[str, Any]) -> list[tuple[str, str, type[models.Model], dict[str, Any], set]]:
    """(name, url, model whose fields are injected, valid payload, roles that may write)."""
    case, requirement, document = w["case"], w["requirement"], w["document"]
    open_payload = {"visa_type": "K", "given_names": "A", "family_name": "B", "email": "n@e.test"}
    return [
        ("open", "/api/v1/cases/", Case, open_payload, {"advisor", "admin"}),
        ("open-applicant", "/api/v1/cases/", Applicant, open_payload, {"advisor", "admin"}),
        (
            "transition",
            f"/api/v1/cases/{case.pk}/transition/",
            Case,
            {"to": "assessment"},
            {"advisor", "admin"},
        ),
        (
            "review",
            f"/api/v1/documents/{document.pk}/review/",
            Document,
            {"decision": "accepted"},
            {"advisor", "admin"},
        ),
        (
            "waive",
            f"/api/v1/requirements/{requirement.pk}/waive/",
            DocumentRequirement,
            {"reason": "n/a"},
            {"advisor", "admin"},
        ),
        (
            "message",
            f"/api/v1/cases/{case.pk}/messages/",
            Message,
            {"body": "hi"},
            {"applicant", "advisor", "admin"},
        ),
        ("token", "/api/v1/tokens/", ApiToken, {"name": "t"}, {"advisor", "admin"}),
    ]


@pytest.mark.parametrize("role", ["applicant", "advisor", "admin"])
def test_every_model_field_is_refused_and_nothing_changes(world, api_for, role):
    client = api_for(world["roles"][role])
    for name, url, model, valid, writers in _endpoints(world):
        legit = WRITABLE[name.split("-")[0]]
        hostile = {k: v for k, v in _hostile(model, world["ids"]).items() if k not in legit}
        if name == "message" and role == "applicant":
            hostile["internal"] = True  # staff only; see the test below
        before = _snapshot()
        response = client.post(url, {**valid, **hostile}, format="json")
        assert _snapshot() == before, (name, role)
        if role in writers:
            assert response.status_code == 400, (name, role, response.json())
            refused = set(response.json()["fields"])
            assert set(hostile) <= refused, (name, role, set(hostile) - refused)
        else:
            assert response.status_code == 403, (name, role, response.status_code)


@pytest.mark.parametrize("role", ["applicant", "advisor", "admin"])
def test_upload_refuses_document_fields(world, api_for, role, pdf_bytes):
    client = api_for(world["roles"][role])
    requirement = world["requirement"]
    hostile = _hostile(Document, world["ids"])
    hostile.pop("file")
    before = _snapshot()
    response = client.post(
        f"/api/v1/requirements/{requirement.pk}/upload/",
        {"file": SimpleUploadedFile("a.pdf", pdf_bytes, content_type="application/pdf"), **hostile},
        format="multipart",
    )
    assert response.status_code == 400
    assert set(hostile) <= set(response.json()["fields"])
    assert _snapshot() == before


def test_applicant_may_not_post_internal_note_staff_may(world, api_for):
    url = f"/api/v1/cases/{world['case'].pk}/messages/"
    refused = api_for(world["roles"]["applicant"]).post(
        url, {"body": "x", "internal": True}, format="json"
    )
    assert refused.status_code == 400
    assert "internal" in refused.json()["fields"]
    assert not Message.objects.exists()
    ok = api_for(world["roles"]["advisor"]).post(
        url, {"body": "x", "internal": True}, format="json"
    )
    assert ok.status_code == 201
    assert Message.objects.get().internal is True


def test_valid_payloads_change_only_what_the_action_owns(world, api_for):
    """The positive half: the same endpoints with only their writable fields succeed and touch
    only the rows the action is about (the case stage; the message; the token)."""
    advisor = world["roles"]["advisor"]
    client = api_for(advisor)
    case = world["case"]
    response = client.post(f"/api/v1/cases/{case.pk}/transition/", {"to": "assessment"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.stage, case.advisor_id, case.reference) == (
        "assessment",
        advisor.pk,
        response.json()["reference"],
    )
    token = client.post("/api/v1/tokens/", {"name": "t"}).json()
    assert ApiToken.objects.get(pk=token["id"]).user == advisor


# --- eligibility and reminders endpoints (issue 5, second part) -------------------------------

LATER_WATCHED = (Education, Employment, Assessment, CaseTask, Notification, Case, CaseEvent)


def _later_snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in LATER_WATCHED}


@pytest.fixture
def later_world(world, applicant_user):
    case = world["case"]
    advisor = case.advisor
    field = FieldOfStudy.objects.get(code="0613")
    degree = Education.objects.create(
        applicant=case.applicant,
        level=6,
        field=field,
        institution_name="Somewhere",
        graduation_date=dt.date(2018, 6, 30),
    )
    job = Employment.objects.create(
        applicant=case.applicant,
        organisation="Acme",
        role="Engineer",
        start_date=dt.date(2019, 1, 1),
    )
    task = reminder_services.task_create(
        case=case, title="Call", due_date=None, assignee=None, actor=advisor
    )
    note = Notification.objects.create(user=applicant_user, case=case, title="Due soon")
    ids = {
        **world["ids"],
        "rule_set": RuleSet.objects.filter(visa_type_code="R").first().pk,
        "run_by": world["ids"]["advisor"],
        "created_by": world["ids"]["advisor"],
        "assignee": world["ids"]["advisor"],
        "field": FieldOfStudy.objects.exclude(pk=field.pk).filter(level="detailed").first().pk,
    }
    return {**world, "degree": degree, "job": job, "task": task, "note": note, "ids": ids}


ALL_ROLES = {"applicant", "advisor", "admin"}
STAFF = {"advisor", "admin"}


def _later_endpoints(w: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(name, method, url, model whose fields are injected, valid payload, input serializer,
    roles that may write, {role: status} for the others)."""
    case, degree, job = w["case"], w["degree"], w["job"]
    applicant = case.applicant_id
    degree_payload = {"level": 7, "field": "0613", "institution_name": "X", "expected": True}
    job_payload = {"organisation": "B", "role": "C", "start_date": "2020-01-01"}
    return [
        ("education-add", "post", f"/api/v1/applicants/{applicant}/education/", Education,
         degree_payload, elig.EducationInputSerializer, ALL_ROLES, {}),
        ("education-put", "put", f"/api/v1/education/{degree.pk}/", Education,
         degree_payload, elig.EducationInputSerializer, ALL_ROLES, {}),
        ("education-patch", "patch", f"/api/v1/education/{degree.pk}/", Education,
         {"level": 8}, elig.EducationInputSerializer, ALL_ROLES, {}),
        ("employment-add", "post", f"/api/v1/applicants/{applicant}/employment/", Employment,
         job_payload, elig.EmploymentInputSerializer, ALL_ROLES, {}),
        ("employment-patch", "patch", f"/api/v1/employment/{job.pk}/", Employment,
         {"role": "D"}, elig.EmploymentInputSerializer, ALL_ROLES, {}),
        ("assess", "post", f"/api/v1/cases/{case.pk}/assessments/", Assessment,
         {}, elig.AssessmentRunSerializer, STAFF, {"applicant": 403}),
        ("task-add", "post", f"/api/v1/cases/{case.pk}/tasks/", CaseTask,
         {"title": "t"}, reminders_api.TaskCreateSerializer, STAFF, {"applicant": 404}),
        ("task-done", "post", f"/api/v1/tasks/{w['task'].pk}/done/", CaseTask,
         {"done": True}, reminders_api.TaskDoneSerializer, STAFF, {"applicant": 404}),
        ("notification-read", "post", f"/api/v1/notifications/{w['note'].pk}/read/",
         Notification, {}, reminders_api.NoFieldsSerializer, {"applicant"},
         {"advisor": 404, "admin": 404}),
        ("notifications-read-all", "post", "/api/v1/notifications/read-all/", Notification,
         {}, reminders_api.NoFieldsSerializer, ALL_ROLES, {}),
    ]  # fmt: skip


@pytest.mark.parametrize("role", ["applicant", "advisor", "admin"])
def test_later_endpoints_refuse_every_other_model_field_and_nothing_changes(
    later_world, api_for, role
):
    client = api_for(later_world["roles"][role])
    for name, method, url, model, valid, serializer, writers, others in _later_endpoints(
        later_world
    ):
        legit = {n for n, f in serializer().fields.items() if not f.read_only}
        hostile = {k: v for k, v in _hostile(model, later_world["ids"]).items() if k not in legit}
        before = _later_snapshot()
        response = getattr(client, method)(url, {**valid, **hostile}, format="json")
        assert _later_snapshot() == before, (name, role)
        if role in writers:
            assert response.status_code == 400, (name, role, response.json())
            refused = set(response.json()["fields"])
            assert set(hostile) <= refused, (name, role, set(hostile) - refused)
        else:
            assert response.status_code == others[role], (name, role, response.status_code)


def test_later_valid_payloads_write_only_what_the_action_owns(later_world, api_for):
    """The positive half: the applicant's PATCH changes the one field sent; the advisor's task
    is created on this case by this advisor, whatever else exists."""
    applicant = later_world["roles"]["applicant"]
    degree = later_world["degree"]
    response = api_for(applicant).patch(f"/api/v1/education/{degree.pk}/", {"level": 8})
    assert response.status_code == 200
    fresh = Education.objects.get(pk=degree.pk)
    assert (fresh.level, fresh.applicant_id, fresh.field_id, fresh.graduation_date) == (
        8,
        degree.applicant_id,
        degree.field_id,
        degree.graduation_date,
    )
    advisor = later_world["roles"]["advisor"]
    case = later_world["case"]
    body = api_for(advisor).post(f"/api/v1/cases/{case.pk}/tasks/", {"title": "Visit"}).json()
    task = CaseTask.objects.get(pk=body["id"])
    assert (task.case_id, task.created_by_id, task.done) == (case.pk, advisor.pk, False)
