"""Property-based tests of API v1 from its own OpenAPI schema (schemathesis): no 5xx, and every
response's status, content type, headers and body conform to the schema, for seven personas of
two firms: anonymous, and the applicant (session + CSRF), advisor and supervisor (personal API
tokens) of firm A and of firm B.

Three tests share one schema load and one set of data (two firms, each with a case, a document
and its preview, a message, a degree, a job, an assessment, a task, a step, a correction and a
notification), built once per module inside a transaction that is rolled back at the end.
Every request runs in a savepoint that is rolled back after it, so what one persona deletes or
changes (a token revoked, a task done, a case moved on) never changes what the next request
meets.

- ``test_api_conforms_to_its_schema`` (CI): the applicant and the advisor of firm A get every
  generated case, ``MAX_EXAMPLES`` random cases per operation after schemathesis's coverage
  cases (boundary values, missing and wrong-typed fields, unexpected methods).
- ``test_api_conforms_for_the_other_personas`` (CI, cheap): anonymous and the supervisor of
  firm A, and the applicant, advisor and supervisor of firm B. The first case of each operation
  goes to all five, the following ones in turn to one each, and each kind of coverage case is
  sent at most twice per operation, so the five together cost less than one persona of the
  test above (about 2,000 requests against 5,000) while each still meets every operation.
- ``test_api_conforms_deep_for_every_persona`` (marked ``deep``, skipped unless selected): all
  seven personas get every case, ``SCHEMATHESIS_DEEP_EXAMPLES`` (3) random cases per operation.
  Run it with ``.venv/bin/pytest tests/portal/api/test_schemathesis.py -m deep``.

Path parameters take, in turn, the ids schemathesis generated, the ids of the persona's own
firm and (in the cheap and deep tests) those of the other firm, so requests reach past 404 and
cross-firm reads are tried too. The requests sent per persona are printed in the terminal
summary (tests/portal/api/conftest.py)."""

import io
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.sessions.backends.base import SessionBase
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.utils.functional import empty
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis import checks as st_checks

from cases import services
from cases.models import Notification, private_storage
from cases.services import eligibility as services_eligibility
from cases.services import reminders as reminder_services
from cases.services.corrections import correction_propose
from cases.services.previews import document_preview_build
from portal import services as portal_services
from portal.models import Firm
from portal.wsgi import application
from tests.factories import (
    AdvisorFactory,
    ApplicantFactory,
    add_education,
    add_employment,
    default_firm,
    make_firm,
    open_case,
)
from tests.portal.api import conftest as api_conftest

# CI keeps 15; a local run may go quicker with SCHEMATHESIS_MAX_EXAMPLES=3 (or deeper with more).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
# Random cases per operation of the cheap test, after the coverage cases.
OTHER_MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_OTHER_MAX_EXAMPLES", "2"))
# Coverage cases of one kind (see _coverage_kind) the cheap test sends per operation.
OTHER_PER_KIND = 2
DEEP_MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_DEEP_EXAMPLES", "3"))

CI_PERSONAS = ("applicant A", "advisor A")
OTHER_PERSONAS = ("anonymous", "supervisor A", "applicant B", "advisor B", "supervisor B")
PERSONAS = CI_PERSONAS + OTHER_PERSONAS
FIRM_OF = {p: ("B" if p.endswith(" B") else "A") for p in PERSONAS}

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
]
# Hypothesis: no example database, no shrinking (a failure is reported as found, which is
# enough to reproduce it with derandomize), no deadline on a loaded machine. The explicit phase
# carries schemathesis's coverage cases.
_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": list(HealthCheck),
}
_turn = itertools.count()
# Cases sent per operation label by the cheap test (its first case goes to every persona), and
# per (operation label, kind of coverage case).
_seen: Counter[str] = Counter()
_kinds_sent: Counter[tuple[str, str]] = Counter()


def _load_schema() -> schemathesis.schemas.BaseSchema:
    """The schema /api/schema/ serves, generated in-process (no request, no throttle)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application  # requests go to the Django WSGI app in this process
    return loaded


schema = _load_schema()


# --- the data: two firms, built once per module ----------------------------------------------


def _private_storages(location: str) -> dict[str, Any]:
    from django.conf import settings

    private = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location, "base_url": None},
    }
    return {
        **settings.STORAGES,
        "default": private,
        "private": private,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _firm_data(firm: Firm, tag: str, pdf: bytes) -> dict[str, Any]:
    """One firm's people and objects: ids per API collection and the users to sign in."""
    advisor = AdvisorFactory(email=f"fuzz.advisor.{tag}@example.test", firm=firm)
    supervisor = AdvisorFactory(
        email=f"fuzz.supervisor.{tag}@example.test", firm=firm, is_supervisor=True
    )
    applicant = ApplicantFactory(email=f"fuzz.applicant.{tag}@example.test", firm=firm)
    case = open_case(applicant=applicant, advisor=advisor)
    requirement = case.requirements.first()
    document = services.document_upload(
        requirement=requirement, stream=io.BytesIO(pdf), filename="scan.pdf", actor=applicant.user
    )
    document_preview_build(document_id=document.pk)  # the worker's step, so previews exist
    services.message_post(case=case, author=applicant.user, body="Hello")
    advisor_token, advisor_key = portal_services.api_token_create(user=advisor, name="fuzz")
    supervisor_token, supervisor_key = portal_services.api_token_create(
        user=supervisor, name="fuzz"
    )
    degree = add_education(applicant=applicant, actor=advisor)
    job = add_employment(applicant=applicant, actor=advisor)
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    task = reminder_services.task_create(
        case=case, title="Call", due_date=None, assignee=None, actor=advisor
    )
    correction = correction_propose(
        applicant=applicant, actor=applicant.user, changes={"given_names": "Corrected"}
    )
    notification = Notification.objects.create(user=applicant.user, case=case, title="Due soon")
    ids = {
        "cases": case.pk,
        "requirements": requirement.pk,
        "documents": document.pk,
        "applicants": applicant.pk,
        "tokens": advisor_token.pk,
        "visa-types": "K",
        "education": degree.pk,
        "employment": job.pk,
        "assessments": assessment.pk,
        "tasks": task.pk,
        "notifications": notification.pk,
        "corrections": correction.pk,
        "steps": case.steps.order_by("pk").first().pk,
    }
    return {
        "ids": ids,
        "applicant": applicant.user,
        "advisor": {"headers": {"Authorization": f"Bearer {advisor_key}"}, "cookies": {}},
        "supervisor": {"headers": {"Authorization": f"Bearer {supervisor_key}"}, "cookies": {}},
        # Each staff persona's own token, for /tokens/{id}/.
        "own_token": {"advisor": advisor_token.pk, "supervisor": supervisor_token.pk},
    }


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Both firms' data, committed to nothing: the module's transaction is rolled back after
    its last test. Settings as tests/conftest.py's ``_test_settings`` (fast hashing, memory
    caches and email), with one private storage folder for the whole module."""
    from django.conf import settings

    from cases.samples import sample_pdf

    storages = _private_storages(str(tmp_path_factory.mktemp("schemathesis-private")))
    memory_caches = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in settings.CACHES
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CACHES=memory_caches,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CELERY_TASK_ALWAYS_EAGER=True,
            STORAGES=storages,
        ),
        transaction.atomic(),
    ):
        private_storage._wrapped = empty  # re-read the settings above
        pdf = sample_pdf("Passport", ["Test passport scan"])
        firms = {
            "A": _firm_data(default_firm(), "a", pdf),
            "B": _firm_data(make_firm(slug="fuzz-b", name="Fuzz B Advisory"), "b", pdf),
        }
        yield {"firms": firms, "storages": storages}
        transaction.set_rollback(True)
    private_storage._wrapped = empty


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Requests go straight to the WSGI app, whose request signals would close the database
    connection (and with it the test's transaction); Django's test client detaches them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _session_auth(user) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A fresh signed-in session (an idle one would expire during a long run) and a CSRF
    token, as a browser sends them."""
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    session: SessionBase = client.session
    return {
        "headers": {"X-CSRFToken": csrf},
        "cookies": {"sessionid": session.session_key or "", "csrftoken": csrf},
    }


@pytest.fixture
def api_world(db, settings, _test_settings, _module_world, _keep_test_connection):  # type: ignore[no-untyped-def]
    """Per test (operation): the module's data, the applicants signed in afresh, throttling
    out of the way, the module's storage folder (which holds the uploaded document)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    settings.STORAGES = _module_world["storages"]
    private_storage._wrapped = empty
    firms = _module_world["firms"]
    auth: dict[str, dict[str, dict[str, str]]] = {"anonymous": {"headers": {}, "cookies": {}}}
    ids: dict[str, dict[str, object]] = {}
    for name, data in firms.items():
        auth[f"applicant {name}"] = _session_auth(data["applicant"])
        auth[f"advisor {name}"] = data["advisor"]
        auth[f"supervisor {name}"] = data["supervisor"]
        ids[f"applicant {name}"] = data["ids"]
        for role in ("advisor", "supervisor"):
            ids[f"{role} {name}"] = {**data["ids"], "tokens": data["own_token"][role]}
    ids["anonymous"] = firms["A"]["ids"]
    return {"auth": auth, "ids": ids}


# --- sending ----------------------------------------------------------------------------------


def _real_ids(case, ids: dict[str, object]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """``case``'s path parameters with the real object of its collection (and a real
    questionnaire section)."""
    collection = case.path.split("/")[3] if case.path.startswith("/api/v1/") else ""
    chosen = dict(case.path_parameters)
    for name in chosen:
        if name == "section":
            chosen[name] = "personal"
        elif collection in ids:
            chosen[name] = ids[collection]
    return chosen


def _send(case, world, persona: str, id_source: str | None) -> None:  # type: ignore[no-untyped-def]
    """Send ``case`` as ``persona`` in a savepoint rolled back afterwards, with path ids of
    ``id_source`` (a persona; None keeps the generated ones), and check the response."""
    generated = case.path_parameters
    if generated and id_source is not None:
        case.path_parameters = _real_ids(case, world["ids"][id_source])
    auth = world["auth"][persona]
    try:
        with transaction.atomic():
            response = case.call(headers=auth["headers"], cookies=auth["cookies"])
            transaction.set_rollback(True)
        api_conftest.SCHEMATHESIS_REQUESTS[persona] += 1
        case.validate_response(response, checks=CHECKS, headers=auth["headers"])
    finally:
        case.path_parameters = generated


def _other_firm_persona(persona: str) -> str:
    """A persona of the other firm whose ids ``persona`` tries (a cross-firm read or write)."""
    return "advisor B" if FIRM_OF[persona] == "A" else "advisor A"


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, **_SETTINGS)
def test_api_conforms_to_its_schema(case, api_world):  # type: ignore[no-untyped-def]
    """Each generated case is sent as the applicant and as the advisor of firm A; every other
    case targets firm A's real objects."""
    own_ids = next(_turn) % 2 == 0
    for persona in CI_PERSONAS:
        _send(case, api_world, persona, persona if own_ids else None)


def _coverage_kind(case) -> str | None:  # type: ignore[no-untyped-def]
    """What a coverage case tries ("Incorrect type", "Unspecified HTTP method: TRACE",
    "Object with valid 'nationality' value: Enum value"); None for a random case."""
    phase = case.meta.phase if case.meta is not None else None
    if phase is None or phase.name.value != "coverage":
        return None
    return str(getattr(phase.data, "description", ""))


@schema.parametrize()
@hypothesis_settings(max_examples=OTHER_MAX_EXAMPLES, **_SETTINGS)
def test_api_conforms_for_the_other_personas(case, api_world):  # type: ignore[no-untyped-def]
    """The first case of each operation goes to all five other personas with their own firm's
    ids; later cases go to one persona each in turn, with (in turn) their own firm's ids, the
    generated ids and the other firm's ids. Each kind of coverage case is sent at most
    ``OTHER_PER_KIND`` times per operation: the coverage phase repeats one kind for every value
    of an enumeration (249 countries for each ``nationality`` or ``country`` field), which the
    test above already sends as firm A's applicant and advisor."""
    label = case.operation.label
    kind = _coverage_kind(case)
    if kind is not None:
        _kinds_sent[label, kind] += 1
        if _kinds_sent[label, kind] > OTHER_PER_KIND:
            return
    n = _seen[label]
    _seen[label] += 1
    if n == 0:
        for persona in OTHER_PERSONAS:
            _send(case, api_world, persona, persona)
        return
    persona = OTHER_PERSONAS[n % len(OTHER_PERSONAS)]
    source = (persona, None, _other_firm_persona(persona))[(n // len(OTHER_PERSONAS)) % 3]
    _send(case, api_world, persona, source)


@pytest.mark.deep
@schema.parametrize()
@hypothesis_settings(max_examples=DEEP_MAX_EXAMPLES, **_SETTINGS)
def test_api_conforms_deep_for_every_persona(case, api_world):  # type: ignore[no-untyped-def]
    """Every case to all seven personas: in turn with their own firm's ids, the generated ids
    and the other firm's ids. Minutes to an hour; not part of the default run."""
    mode = next(_turn) % 3
    for persona in PERSONAS:
        source = (persona, None, _other_firm_persona(persona))[mode]
        _send(case, api_world, persona, source)
