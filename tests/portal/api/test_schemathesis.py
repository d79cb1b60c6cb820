"""Property-based tests of API v1 from its own OpenAPI schema (schemathesis), authenticated as
an applicant (session + CSRF) and as an advisor (personal API token): no 5xx, and every
response's status, content type, headers and body conform to the schema.

Bounded for CI: ``MAX_EXAMPLES`` generated cases per operation and persona; the number of
requests sent is printed in the terminal summary."""

import datetime as dt
import io
import itertools
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis import checks as st_checks

from cases import services
from cases.models import Education, Employment, Notification
from cases.services import eligibility as services_eligibility
from cases.services import reminders as reminder_services
from eligibility.models import FieldOfStudy
from portal import services as portal_services
from portal.wsgi import application
from tests.factories import AdvisorFactory, ApplicantFactory, open_case
from tests.portal.api import conftest as api_conftest

# CI keeps 15; a local run may go quicker with SCHEMATHESIS_MAX_EXAMPLES=3 (or deeper with more).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
]
_turn = itertools.count()


@pytest.fixture
def _keep_test_connection():  # type: ignore[no-untyped-def]
    """Requests go straight to the WSGI app, whose request signals would close the database
    connection (and with it the test's transaction); Django's test client detaches them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, settings, pdf_bytes, _keep_test_connection):  # type: ignore[no-untyped-def]
    """A case with a document, a message, a degree, a job, an assessment, a task and a
    notification; its applicant and advisor, and credentials."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    advisor = AdvisorFactory(email="fuzz.advisor@example.test")
    applicant = ApplicantFactory(email="fuzz.applicant@example.test")
    case = open_case(applicant=applicant, advisor=advisor)
    requirement = case.requirements.first()
    document = services.document_upload(
        requirement=requirement,
        stream=io.BytesIO(pdf_bytes),
        filename="scan.pdf",
        actor=applicant.user,
    )
    services.message_post(case=case, author=applicant.user, body="Hello")
    token, key = portal_services.api_token_create(user=advisor, name="fuzz")
    degree = Education.objects.create(
        applicant=applicant,
        level=6,
        field=FieldOfStudy.objects.get(code="0613"),
        institution_name="Fuzz University",
        graduation_date=dt.date(2018, 6, 30),
    )
    job = Employment.objects.create(
        applicant=applicant, organisation="Acme", role="Engineer", start_date=dt.date(2019, 1, 1)
    )
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    task = reminder_services.task_create(
        case=case, title="Call", due_date=None, assignee=None, actor=advisor
    )
    notification = Notification.objects.create(user=applicant.user, case=case, title="Due soon")
    client = Client()
    client.force_login(applicant.user)
    csrf = _get_new_csrf_string()
    return {
        "ids": {
            "cases": case.pk,
            "requirements": requirement.pk,
            "documents": document.pk,
            "applicants": applicant.pk,
            "tokens": token.pk,
            "visa-types": "K",
            "education": degree.pk,
            "employment": job.pk,
            "assessments": assessment.pk,
            "tasks": task.pk,
            "notifications": notification.pk,
        },
        "auth": {
            "advisor": {"headers": {"Authorization": f"Bearer {key}"}, "cookies": {}},
            "applicant": {
                "headers": {"X-CSRFToken": csrf},
                "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
            },
        },
    }


def _load_schema() -> schemathesis.schemas.BaseSchema:
    """The schema /api/schema/ serves, generated in-process (no request, no throttle)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application  # requests go to the Django WSGI app in this process
    return loaded


schema = _load_schema()


def _use_real_ids(case, ids: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    """Every other case targets the world's real objects, so fuzzing reaches past 404."""
    if not case.path_parameters or next(_turn) % 2:
        return
    collection = case.path.split("/")[3] if case.path.startswith("/api/v1/") else ""
    for name in case.path_parameters:
        if collection in ids:
            case.path_parameters[name] = ids[collection]


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, api_world):  # type: ignore[no-untyped-def]
    """Each generated case is sent as the applicant and as the advisor."""
    _use_real_ids(case, api_world["ids"])
    for persona in ("applicant", "advisor"):
        auth = api_world["auth"][persona]
        response = case.call(headers=auth["headers"], cookies=auth["cookies"])
        api_conftest.SCHEMATHESIS_REQUESTS[persona] += 1
        case.validate_response(response, checks=CHECKS, headers=auth["headers"])
