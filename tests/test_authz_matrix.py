"""The authorization matrix: every route of the project (web pages, API, downloads, admin) and
the status each persona gets, from ONE data file, ``tests/authz_matrix.yaml``.

The test walks Django's URL resolver (the DRF router's patterns included) and fails when a route
has no entry, so a new route cannot land without one. Then it requests every route as each
persona and compares the status exactly. Every request runs in a savepoint that is rolled back,
so the personas see the same data. The file's header explains the format.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cases import services
from portal import services as portal_services
from tests.factories import AdminFactory, AdvisorFactory, ApplicantFactory, open_case
from tests.otp import login_verified

MATRIX_FILE = Path(__file__).with_name("authz_matrix.yaml")
MATRIX: dict[str, Any] = yaml.safe_load(MATRIX_FILE.read_text())
PERSONAS: list[str] = MATRIX["personas"]
ROUTES: dict[str, dict[str, Any]] = MATRIX["routes"]
PREFIXES: dict[str, dict[str, Any]] = MATRIX.get("prefixes", {})
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _normalize(raw: str) -> str:
    """``api/v1/^cases/(?P<pk>[0-9]+)/$`` and ``cases/<int:pk>/`` -> ``.../<pk>/``."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", raw)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", route)
    return route.replace("^", "").replace("$", "")


def _walk(patterns: list[Any], prefix: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for pattern in patterns:
        raw = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.update(_walk(pattern.url_patterns, raw))
        else:
            found.setdefault(_normalize(raw), pattern)
    return found


ALL_ROUTES = _walk(get_resolver().url_patterns)


def _rule_for(route: str) -> dict[str, Any] | None:
    if route in ROUTES:
        return ROUTES[route]
    matching = [p for p in PREFIXES if route.startswith(p)]
    return PREFIXES[max(matching, key=len)] if matching else None


def test_every_route_has_an_entry_in_the_matrix():
    missing = sorted(r for r in ALL_ROUTES if _rule_for(r) is None)
    assert not missing, (
        f"Routes without an entry in {MATRIX_FILE.name} (add one line each, see its header):\n"
        + "\n".join(f'  "{r}": {{GET: "..."}}' for r in missing)
    )


def test_matrix_has_no_entries_for_routes_that_do_not_exist():
    stale = sorted(set(ROUTES) - set(ALL_ROUTES))
    assert not stale, f"Entries for routes that no longer exist: {stale}"


def test_every_api_method_is_in_the_matrix():
    """For DRF routes the handled methods are known: each must have a row."""
    gaps = []
    for route, pattern in ALL_ROUTES.items():
        rule = ROUTES.get(route)
        actions = getattr(pattern.callback, "actions", None)
        cls = getattr(pattern.callback, "cls", None)
        if rule is None or cls is None:
            continue
        if actions is not None:
            handled = {m.upper() for m in actions}
        else:
            handled = {m.upper() for m in METHODS if hasattr(cls, m.lower())}
        gaps += [f"{m} {route}" for m in sorted(handled - set(rule) - {"HEAD", "OPTIONS"})]
    assert not gaps, f"API methods without a matrix row: {gaps}"


# --- requesting every route as every persona --------------------------------------------------


@pytest.fixture
def world(db, settings, pdf_bytes):  # type: ignore[no-untyped-def]
    """Case A of applicant Amy, assigned to advisor Ada, with an uploaded document, a message
    and Ada's API token; Oscar's case B is assigned to Otto. ``objects`` fills URL kwargs."""
    settings.API_THROTTLE_CACHE = "authz_matrix_throttle"
    settings.CACHES = {
        **settings.CACHES,
        "authz_matrix_throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    caches["authz_matrix_throttle"].clear()
    import io

    ada = AdvisorFactory(email="ada@example.test")
    otto = AdvisorFactory(email="otto@example.test")
    amy = ApplicantFactory(email="amy@example.test")
    oscar = ApplicantFactory(email="oscar@example.test")
    case_a = open_case(applicant=amy, advisor=ada)
    open_case(applicant=oscar, advisor=otto)
    requirement = case_a.requirements.get(code="passport-bio-page")
    document = services.document_upload(
        requirement=requirement, stream=io.BytesIO(pdf_bytes), filename="p.pdf", actor=amy.user
    )
    services.message_post(case=case_a, author=amy.user, body="Hello")
    token, _key = portal_services.api_token_create(user=ada, name="CRM")
    import datetime as dt

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import CaseTask, Education, Employment, Notification
    from cases.services import eligibility as services_eligibility
    from eligibility.models import FieldOfStudy, RuleSet

    task = CaseTask.objects.create(case=case_a, title="Call the consulate", created_by=ada)
    notification = Notification.objects.create(user=amy.user, case=case_a, title="Due soon")
    degree = Education.objects.create(
        applicant=amy,
        level=6,
        field=FieldOfStudy.objects.get(code="0613"),
        institution_name="TU Munich",
        graduation_date=dt.date(2018, 7, 1),
    )
    job = Employment.objects.create(
        applicant=amy, organisation="Siemens", role="Engineer", start_date=dt.date(2019, 1, 1)
    )
    assessment = services_eligibility.case_assess(case=case_a, actor=ada)
    device = TOTPDevice.objects.create(user=ada, name="phone")
    users = {
        "anon": None,
        "applicant_own": amy.user,
        "applicant_other": oscar.user,
        "advisor_assigned": ada,
        "advisor_unassigned": otto,
        "supervisor": AdvisorFactory(email="sup@example.test", is_supervisor=True),
        "admin": AdminFactory(email="root@example.test"),
    }
    objects = {
        "case": case_a.pk,
        "requirement": requirement.pk,
        "document": document.pk,
        "applicant": amy.pk,
        "token": token.pk,
        "visa_type": "K",
        "uidb64": "MQ",
        "token_string": "set-password",
        "app_label": "cases",
        "user": ada.pk,
        "catch_all": "no-such-page/",
        "task": task.pk,
        "notification": notification.pk,
        "education": degree.pk,
        "employment": job.pk,
        "assessment": assessment.pk,
        "qualification_kind": "education",
        "rule_set": RuleSet.objects.filter(visa_type_code="K").order_by("-version").first().pk,
        "totp_device": device.pk,
    }
    return {"users": users, "objects": objects}


def _url(route: str, rule: dict[str, Any], objects: dict[str, Any]) -> str:
    kinds = {"pk": rule.get("pk", "case"), "document_pk": "document"}
    kinds |= {"requirement_pk": "requirement", "code": "visa_type", "uidb64": "uidb64"}
    kinds |= {"token": "token_string", "object_id": "case", "id": "user"}
    kinds |= {"content_type_id": "case", "app_label": "app_label", "url": "catch_all"}
    kinds |= {"path": "catch_all", "task_pk": "task", "item_pk": "education"}
    kinds |= {"kind": "qualification_kind"}

    def fill(match: re.Match[str]) -> str:
        return str(objects[kinds[match.group(1)]])

    return "/" + re.sub(r"<(\w+)>", fill, route)


def _request(client: Client, method: str, url: str, route: str, rule: dict[str, Any]) -> Any:
    call = getattr(client, method.lower())
    if method == "GET" or not route.startswith("api/") or rule.get("multipart"):
        return call(url)
    return call(url, data="{}", content_type="application/json")


def _expected(cell: Any) -> set[int]:
    return {int(s) for s in str(cell).split("|")}


@pytest.mark.parametrize("route", sorted(r for r in ALL_ROUTES if _rule_for(r)))
def test_each_persona_gets_the_expected_status(world, route):
    rule = _rule_for(route)
    assert rule is not None
    url = _url(route, rule, world["objects"])
    clients = {}
    for persona in PERSONAS:
        client = Client()
        if world["users"][persona] is not None:
            login_verified(client, world["users"][persona])
        clients[persona] = client
    wrong = []
    for method in [m for m in METHODS if m in rule]:
        cells = str(rule[method]).split()
        assert len(cells) == len(PERSONAS), f"{route} {method}: need {len(PERSONAS)} statuses"
        for persona, cell in zip(PERSONAS, cells, strict=True):
            with transaction.atomic():
                response = _request(clients[persona], method, url, route, rule)
                transaction.set_rollback(True)
            if response.status_code not in _expected(cell):
                wrong.append(
                    f"{method} {url} as {persona}: {response.status_code}, expected {cell}"
                )
    assert not wrong, "\n".join(wrong)
