"""The authorization matrix: every route of the project (web pages, API, downloads, admin) and
the status each persona gets, from ONE data file, ``tests/authz_matrix.yaml``.

A second firm (firm B) takes part with every persona (applicant, advisor, supervisor, firm
admin): on every route each gets what the same-role firm-A persona who cannot see case A gets
(``other_firm_personas`` in the YAML), and no response to them may contain firm A's data
(``FIRM_A_MARKERS``): a cross-firm read or write over any route fails the test.

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
OTHER_FIRM: dict[str, str] = MATRIX["other_firm_personas"]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Text of firm A's data that must never reach a persona of firm B (set in ``world``).
FIRM_A_MARKERS = (
    "amy@example.test",
    "oscar@example.test",
    "ada@example.test",
    "otto@example.test",
    "sup@example.test",
    "root@example.test",
    "Alderwood",
    "PA7777777",
    "Hello from firm A",
    "Call the consulate (firm A)",
    "amy-passport-firm-a.pdf",
    "CRM of firm A",
)
# URL kinds that name an object of firm A (a firm-B persona must never reach one).
FIRM_A_OBJECT_KINDS = frozenset(
    {
        "case",
        "requirement",
        "document",
        "applicant",
        "token",
        "education",
        "employment",
        "assessment",
        "task",
        "notification",
        "step",
        "correction",
        "totp_device",
        "user",
        "admin_object",
    }
)


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

    ada = AdvisorFactory(email="ada@example.test", full_name="Ada Alderwood")
    otto = AdvisorFactory(email="otto@example.test")
    amy = ApplicantFactory(
        email="amy@example.test", family_name="Alderwood", passport_number="PA7777777"
    )
    oscar = ApplicantFactory(email="oscar@example.test")
    case_a = open_case(applicant=amy, advisor=ada)
    open_case(applicant=oscar, advisor=otto)
    requirement = case_a.requirements.get(code="passport-bio-page")
    document = services.document_upload(
        requirement=requirement,
        stream=io.BytesIO(pdf_bytes),
        filename="amy-passport-firm-a.pdf",
        actor=amy.user,
    )
    services.message_post(case=case_a, author=amy.user, body="Hello from firm A")
    token, _key = portal_services.api_token_create(user=ada, name="CRM of firm A")
    import datetime as dt

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import CaseTask, Education, Employment, Notification
    from cases.services import eligibility as services_eligibility
    from eligibility.models import FieldOfStudy, RuleSet

    task = CaseTask.objects.create(case=case_a, title="Call the consulate (firm A)", created_by=ada)
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
    from cases.services.corrections import correction_propose

    correction = correction_propose(
        applicant=amy, actor=amy.user, changes={"family_name": "Alderwood-Smith"}
    )
    device = TOTPDevice.objects.create(user=ada, name="phone")
    users = {
        "anon": None,
        "applicant_own": amy.user,
        "applicant_other": oscar.user,
        "advisor_assigned": ada,
        "advisor_unassigned": otto,
        "supervisor": AdvisorFactory(email="sup@example.test", is_supervisor=True),
        "admin": AdminFactory(email="root@example.test"),
        **_other_firm_world(pdf_bytes),
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
        "correction": correction.pk,
        "education": degree.pk,
        "employment": job.pk,
        "assessment": assessment.pk,
        "qualification_kind": "education",
        "questionnaire_section": "personal",
        "report_slug": "open",
        "rule_set": RuleSet.objects.filter(visa_type_code="K").order_by("-version").first().pk,
        "totp_device": device.pk,
        "shared_object": case_a.pk,
        "step": case_a.steps.filter(visible_to_applicant=True).order_by("pk")[0].pk,
    }
    admin_objects = _firm_a_admin_objects(case_a, ada, token, device, task, notification)
    return {"users": users, "objects": objects, "admin_objects": admin_objects}


def _other_firm_world(pdf_bytes: bytes) -> dict[str, Any]:
    """Firm B: an advisor with a case of their own applicant (with a document and a
    message), a supervisor and a firm admin holding every model permission (so the admin's
    firm boundary, not a missing permission, is what the matrix tests)."""
    import io

    from django.contrib.auth.models import Permission

    from tests.factories import FirmAdminFactory, make_firm

    firm_b = make_firm(slug="second", name="Second Advisory Ltd")
    sam = AdvisorFactory(email="sam@second.test", firm=firm_b)
    sophie = ApplicantFactory(email="sophie@second.test", firm=firm_b)
    case_b = open_case(applicant=sophie, advisor=sam)
    services.document_upload(
        requirement=case_b.requirements.get(code="passport-bio-page"),
        stream=io.BytesIO(pdf_bytes),
        filename="sophie.pdf",
        actor=sophie.user,
    )
    services.message_post(case=case_b, author=sophie.user, body="Hello from firm B")
    firm_admin = FirmAdminFactory(email="admin@second.test", firm=firm_b)
    firm_admin.user_permissions.set(Permission.objects.all())
    return {
        "other_firm_applicant": sophie.user,
        "other_firm_advisor": sam,
        "other_firm_supervisor": AdvisorFactory(
            email="sup@second.test", firm=firm_b, is_supervisor=True
        ),
        "other_firm_admin": firm_admin,
    }


def _firm_a_admin_objects(case_a: Any, ada: Any, token: Any, device: Any, task: Any, note: Any):  # type: ignore[no-untyped-def]
    """model label -> the pk of one of firm A's rows, for ``admin/<app>/<model>/<object_id>/``
    routes (other models get case A's pk, as before)."""
    from cases.models import CaseEvent, ChecklistItem, Document, DocumentAccess, Message
    from eligibility.models import Assessment

    requirement = case_a.requirements.get(code="passport-bio-page")
    return {
        "cases.case": case_a.pk,
        "cases.applicant": case_a.applicant_id,
        "cases.visatype": case_a.visa_type_id,
        "cases.checklistitem": ChecklistItem.objects.filter(visa_type=case_a.visa_type)[0].pk,
        "cases.steptemplate": case_a.visa_type.step_templates.order_by("pk")[0].pk,
        "cases.documentrequirement": requirement.pk,
        "cases.document": Document.objects.filter(requirement=requirement)[0].pk,
        "cases.documentaccess": getattr(DocumentAccess.objects.first(), "pk", case_a.pk),
        "cases.caseevent": CaseEvent.objects.filter(case=case_a)[0].pk,
        "cases.message": Message.objects.filter(case=case_a)[0].pk,
        "cases.casetask": task.pk,
        "cases.notification": note.pk,
        "eligibility.assessment": Assessment.objects.filter(case=case_a)[0].pk,
        "portal.user": ada.pk,
        "portal.apitoken": token.pk,
        "otp_totp.totpdevice": device.pk,
    }


def _url(route: str, rule: dict[str, Any], world: dict[str, Any]) -> str:
    objects = world["objects"]
    kinds = _kinds(route, rule)

    def fill(match: re.Match[str]) -> str:
        kind = kinds[match.group(1)]
        if kind == "admin_object":
            return str(world["admin_objects"][_admin_model(route)])
        return str(objects[kind])

    return "/" + re.sub(r"<(\w+)>", fill, route)


def _admin_model(route: str) -> str | None:
    """``cases.case`` for ``admin/cases/case/<object_id>/change/``; else None."""
    match = re.match(r"admin/(\w+)/(\w+)/<object_id>/", route)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _kinds(route: str, rule: dict[str, Any]) -> dict[str, str]:
    """URL kwarg name -> the kind of object that fills it."""
    kinds = {"pk": rule.get("pk", "case"), "document_pk": "document"}
    kinds |= {"requirement_pk": "requirement", "code": "visa_type", "uidb64": "uidb64"}
    kinds |= {"token": "token_string", "object_id": "case", "id": "user"}
    kinds |= {"content_type_id": "case", "app_label": "app_label", "url": "catch_all"}
    kinds |= {"path": "catch_all", "task_pk": "task", "item_pk": "education", "step_pk": "step"}
    kinds |= {"kind": "qualification_kind", "section": "questionnaire_section"}
    kinds |= {"report": "report_slug"}
    kinds |= {"correction_pk": "correction"}
    if _admin_model(route) in ADMIN_FIRM_MODELS:
        kinds["object_id"] = "admin_object"
    elif _admin_model(route) is not None:
        kinds["object_id"] = "shared_object"  # a shared catalogue's row, not firm A's
    return kinds


# Admin models whose change pages get one of firm A's rows (``_firm_a_admin_objects``).
ADMIN_FIRM_MODELS = frozenset(
    {
        "cases.case",
        "cases.applicant",
        "cases.visatype",
        "cases.checklistitem",
        "cases.documentrequirement",
        "cases.document",
        "cases.documentaccess",
        "cases.caseevent",
        "cases.message",
        "cases.casetask",
        "cases.notification",
        "eligibility.assessment",
        "portal.user",
        "portal.apitoken",
        "otp_totp.totpdevice",
    }
)


def _names_firm_a_object(route: str, rule: dict[str, Any]) -> bool:
    names = re.findall(r"<(\w+)>", route)
    kinds = _kinds(route, rule)
    return any(kinds.get(n) in FIRM_A_OBJECT_KINDS for n in names)


def _other_firm_expected(persona: str, route: str, rule: dict[str, Any], cells: dict[str, str]):  # type: ignore[no-untyped-def]
    """The statuses a firm-B persona may get (see ``other_firm_personas`` in the YAML)."""
    like = OTHER_FIRM[persona]
    if like != "firm_admin":
        return _expected(cells[like])
    if not _names_firm_a_object(route, rule):
        admin = _expected(cells["admin"])
        return admin | {403} if route.startswith("admin/") else admin
    if route.startswith("admin/"):
        return {302, 403, 404}  # the admin's "no such object" is a redirect to its index
    return _expected(cells["advisor_unassigned"])


def _firm_a_leaks(response: Any) -> list[str]:
    """Firm A's markers found in a response body (streamed bodies read in full)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode("utf-8", "replace")
    return [m for m in FIRM_A_MARKERS if m in text]


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
    url = _url(route, rule, world)
    everyone = [*PERSONAS, *OTHER_FIRM]
    clients = {}
    for persona in everyone:
        client = Client()
        if world["users"][persona] is not None:
            login_verified(client, world["users"][persona])
        clients[persona] = client
    wrong = []
    for method in [m for m in METHODS if m in rule]:
        cells = str(rule[method]).split()
        assert len(cells) == len(PERSONAS), f"{route} {method}: need {len(PERSONAS)} statuses"
        by_persona = dict(zip(PERSONAS, cells, strict=True))
        for persona in everyone:
            if persona in by_persona:
                expected = _expected(by_persona[persona])
            else:
                expected = _other_firm_expected(persona, route, rule, by_persona)
            with transaction.atomic():
                response = _request(clients[persona], method, url, route, rule)
                leaks = _firm_a_leaks(response) if persona in OTHER_FIRM else []
                transaction.set_rollback(True)
            if response.status_code not in expected:
                wrong.append(
                    f"{method} {url} as {persona}: {response.status_code}, expected {expected}"
                )
            if leaks and response.status_code < 300:
                wrong.append(f"{method} {url} as {persona} (firm B) shows firm A's {leaks}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_persona_of_both_firms(world):
    """Quoted in the notes: routes x personas (firm A's seven, firm B's four)."""
    assert set(world["users"]) == {*PERSONAS, *OTHER_FIRM}
    assert len(OTHER_FIRM) == 4
