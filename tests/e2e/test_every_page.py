"""Every page of every persona in a real browser (issue 11): at 360 px and 1280 px wide, in
English and Chinese, no page scrolls sideways (``scrollWidth <= clientWidth``) and axe-core
finds zero violations. The test fails once, listing every offending page.

The pages come from the URLconf: every web route (not ``api/``, not Django's ``admin/``) that
``tests/authz_matrix.yaml`` answers 200 to GET for a persona must be listed in ``PAGES`` with
how its URL is filled from the fixture data, or in ``NOT_VISITED`` with the reason; a new route
without either fails ``test_every_get_page_is_visited_or_has_a_reason``.

One browser, one live server and one signed-in context per persona are reused; each page is
loaded once per language and checked at 1280 px, then resized to 360 px and checked again.
"""

import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cases import services
from cases.samples import sample_pdf
from portal.models import User
from tests.e2e.chinese import english_words
from tests.factories import (
    AdminFactory,
    AdvisorFactory,
    ApplicantFactory,
    add_education,
    add_employment,
    open_case,
)
from tests.otp import login_verified
from tests.test_authz_matrix import ALL_ROUTES, ROUTES

AXE = Axe()
WIDTHS = (1280, 360)
LANGUAGES = ("en", "zh-hans")
# The personas of this test and their column in tests/authz_matrix.yaml.
PERSONAS = {
    "anonymous": "anon",
    "applicant": "applicant_own",
    "advisor": "advisor_assigned",
    "supervisor": "supervisor",
    "admin": "admin",
}
MATRIX_COLUMNS = ["anon", "applicant_own", "applicant_other", "advisor_assigned"]
MATRIX_COLUMNS += ["advisor_unassigned", "supervisor", "admin"]

Url = Callable[[dict[str, Any]], str]
STAFF = ("advisor", "supervisor")
SIGNED_IN = ("applicant", "advisor", "supervisor")


def _for(personas: tuple[str, ...], url: Url) -> dict[str, Url]:
    return dict.fromkeys(personas, url)


# route (as tests/authz_matrix.yaml names it) -> persona -> the URL, filled from ``world``.
PAGES: dict[str, dict[str, Url]] = {
    "": _for(STAFF, lambda w: "/"),
    "accounts/login/": _for(("anonymous",), lambda w: "/accounts/login/"),
    "accounts/password/change/": _for(SIGNED_IN, lambda w: "/accounts/password/change/"),
    "accounts/password/change/done/": _for(SIGNED_IN, lambda w: "/accounts/password/change/done/"),
    "accounts/password/reset/": _for(("anonymous",), lambda w: "/accounts/password/reset/"),
    "accounts/password/reset/sent/": _for(
        ("anonymous",), lambda w: "/accounts/password/reset/sent/"
    ),
    "accounts/password/reset/<uidb64>/<token>/": _for(("anonymous",), lambda w: w["reset_url"]),
    "accounts/password/reset/done/": _for(
        ("anonymous",), lambda w: "/accounts/password/reset/done/"
    ),
    "accounts/invitation/<uidb64>/<token>/": _for(("anonymous",), lambda w: w["invitation_url"]),
    "accounts/invitation/done/": _for(("anonymous",), lambda w: "/accounts/invitation/done/"),
    "accounts/profile/": _for(SIGNED_IN, lambda w: "/accounts/profile/"),
    "accounts/2fa/setup/": _for(SIGNED_IN, lambda w: "/accounts/2fa/setup/"),
    "accounts/2fa/verify/": _for(SIGNED_IN, lambda w: "/accounts/2fa/verify/"),
    "audit/export/": _for(("admin",), lambda w: "/audit/export/"),
    "cases/": _for(STAFF, lambda w: "/cases/"),
    "cases/new/": _for(STAFF, lambda w: "/cases/new/"),
    "cases/<pk>/": _for(STAFF, lambda w: f"/cases/{w['case']}/"),
    "cases/<pk>/edit/": _for(STAFF, lambda w: f"/cases/{w['case']}/edit/"),
    "cases/<pk>/applicant/edit/": _for(STAFF, lambda w: f"/cases/{w['case']}/applicant/edit/"),
    "cases/<pk>/confirmations/": _for(STAFF, lambda w: f"/cases/{w['case']}/confirmations/"),
    "cases/<pk>/documents/<document_pk>/access/": _for(
        STAFF, lambda w: f"/cases/{w['case']}/documents/{w['document']}/access/"
    ),
    "cases/<pk>/documents/<document_pk>/passport/": _for(
        STAFF, lambda w: f"/cases/{w['case']}/documents/{w['document']}/passport/"
    ),
    "cases/<pk>/qualifications/": _for(STAFF, lambda w: f"/cases/{w['case']}/qualifications/"),
    "cases/<pk>/qualifications/<kind>/<item_pk>/": {
        "advisor": lambda w: f"/cases/{w['case']}/qualifications/education/{w['education']}/",
        "supervisor": lambda w: f"/cases/{w['case']}/qualifications/employment/{w['employment']}/",
    },
    "cases/<pk>/qualifications/<kind>/<item_pk>/delete/": {
        "advisor": lambda w: (
            f"/cases/{w['case']}/qualifications/employment/{w['employment']}/delete/"
        ),
        "supervisor": lambda w: (
            f"/cases/{w['case']}/qualifications/education/{w['education']}/delete/"
        ),
    },
    "cases/<pk>/tasks/<task_pk>/delete/": _for(
        STAFF, lambda w: f"/cases/{w['case']}/tasks/{w['task']}/delete/"
    ),
    "cases/<pk>/upload/": _for(("applicant", "advisor"), lambda w: f"/cases/{w['case']}/upload/"),
    "cases/<pk>/questionnaire/": _for(STAFF, lambda w: f"/cases/{w['case']}/questionnaire/"),
    "reports/": _for(STAFF, lambda w: "/reports/"),
    "cases/deadlines/bulk/": _for(STAFF, lambda w: "/cases/deadlines/bulk/"),
    "my/": _for(("applicant",), lambda w: "/my/"),
    "my/cases/<pk>/": _for(("applicant",), lambda w: f"/my/cases/{w['case']}/"),
    "my/access/": _for(("applicant",), lambda w: "/my/access/"),
    "my/details/": _for(("applicant",), lambda w: "/my/details/"),
    "my/details/correction/": _for(("applicant",), lambda w: "/my/details/correction/"),
    "my/export/": _for(("applicant",), lambda w: "/my/export/"),
    "my/qualifications/": _for(("applicant",), lambda w: "/my/qualifications/"),
    "my/qualifications/<kind>/<item_pk>/": _for(
        ("applicant",), lambda w: f"/my/qualifications/education/{w['education']}/"
    ),
    "my/qualifications/<kind>/<item_pk>/delete/": _for(
        ("applicant",), lambda w: f"/my/qualifications/employment/{w['employment']}/delete/"
    ),
    "my/cases/<pk>/questionnaire/": _for(
        ("applicant",), lambda w: f"/my/cases/{w['case']}/questionnaire/"
    ),
    "my/cases/<pk>/questionnaire/check/": _for(
        ("applicant",), lambda w: f"/my/cases/{w['case']}/questionnaire/check/"
    ),
    "notifications/": _for(SIGNED_IN, lambda w: "/notifications/"),
    "reminders/preferences/": _for(SIGNED_IN, lambda w: "/reminders/preferences/"),
}
# Routes with several pages behind one pattern: every value of the variable part is visited.
SECTIONS = (
    "personal",
    "passport",
    "contact",
    "occupation",
    "education",
    "family",
    "travel",
    "previous_visits",
    "other_countries",
    "declarations",
)
MULTI_PAGES: dict[str, dict[str, Callable[[dict[str, Any]], list[str]]]] = {
    "my/cases/<pk>/questionnaire/<section>/": {
        "applicant": lambda w: [f"/my/cases/{w['case']}/questionnaire/{s}/" for s in SECTIONS]
    },
}

# Routes (or personas of a route) that answer GET with 200 but are not visited, and why.
NOT_VISITED: dict[str, str] = {
    "healthz": "a plain-text liveness answer for load balancers, not a page",
    "healthz/ready": "a plain-text or JSON readiness report for monitoring, not a page",
    "accounts/2fa/qr.svg": "an SVG image shown inside the two-step setup page, which is visited",
    "documents/<document_pk>/download/": "a file download (the applicant's PDF), not a page",
    "documents/<document_pk>/preview/": "a PNG image shown inside the review panel",
    "reports/<report>.csv": "a CSV download",
    "reports/<report>.xlsx": "a spreadsheet download",
    "cases/export.csv": "a CSV download of the case list",
    "cases/export.xlsx": "a spreadsheet download of the case list",
    # Personas not visited on a route other personas are visited on:
    "accounts/password/reset/": "signed-in users see the same form as anonymous visitors",
    "accounts/password/reset/sent/": "signed-in users see the same page as anonymous visitors",
    "accounts/password/reset/<uidb64>/<token>/": "the link is opened from an email, signed out",
    "accounts/password/reset/done/": "signed-in users see the same page as anonymous visitors",
    "accounts/invitation/<uidb64>/<token>/": "the link is opened from an email, signed out",
    "accounts/invitation/done/": "signed-in users see the same page as anonymous visitors",
    "cases/<pk>/upload/": "the supervisor's upload page is the advisor's (same template, data)",
}
# Pages that are no route of their own: the portal's error page for an unknown address.
ERROR_PAGES: dict[str, Url] = {"404": lambda w: "/no-such-page/"}
ERROR_PATHS = frozenset({"/no-such-page/"})
ADMIN_ONLY = "admin: only on pages no other persona of this test reaches (the audit export)"


def _matrix_gets_200(route: str) -> set[str]:
    """Personas of this test to whom the matrix answers GET ``route`` with 200."""
    statuses = ROUTES.get(route, {}).get("GET", "").split()
    if not statuses:
        return set()
    answers = dict(zip(MATRIX_COLUMNS, statuses, strict=True))
    return {p for p, column in PERSONAS.items() if "200" in answers[column].split("|")}


def _web_routes() -> list[str]:
    return sorted(r for r in ALL_ROUTES if not r.startswith(("api/", "admin/")))


def test_every_get_page_is_visited_or_has_a_reason():
    gaps = []
    for route in _web_routes():
        wanted = _matrix_gets_200(route)
        visited = set(PAGES.get(route, {})) | set(MULTI_PAGES.get(route, {}))
        if not wanted or route in NOT_VISITED:
            continue
        unexplained = wanted - visited - ({"admin"} if visited else set())
        if unexplained:
            gaps.append(f"{route}: {sorted(unexplained)}")
    assert not gaps, "GET pages neither visited nor explained in NOT_VISITED:\n" + "\n".join(gaps)


def _world() -> dict[str, Any]:
    """One firm's data every page needs: a case with an uploaded, a rejected and an accepted
    document, a message, a task, an assessment, a degree and a job, a pending correction,
    notifications, a started questionnaire, reset and invitation links."""
    advisor = AdvisorFactory(email="ada.pages@example.test", full_name="Ada Alderwood")
    supervisor = AdvisorFactory(
        email="sam.pages@example.test", full_name="Sam Supervisor", is_supervisor=True
    )
    admin = AdminFactory(email="root.pages@example.test", full_name="Root Admin")
    applicant = ApplicantFactory(
        email="ming.pages@example.test",
        given_names="Ming",
        family_name="Wu",
        user__full_name="Ming Wu",
    )
    case = open_case(applicant=applicant, advisor=advisor)
    open_case(applicant=ApplicantFactory(given_names="Lena", family_name="Berg"), advisor=advisor)
    requirements = {r.code: r for r in case.requirements.all()}
    documents = []
    for code in ("passport-bio-page", "cv", "degree-certificate"):
        if code not in requirements:
            continue
        documents.append(
            services.document_upload(
                requirement=requirements[code],
                stream=io.BytesIO(sample_pdf("Scan", ["Ming Wu"])),
                filename=f"{code}.pdf",
                actor=applicant.user,
            )
        )
    services.document_review(document=documents[0], decision="accepted", reason="", actor=advisor)
    if len(documents) > 1:
        services.document_review(
            document=documents[1],
            decision="rejected",
            reason="The scan is cut off at the bottom; scan the whole page.",
            actor=advisor,
        )
    services.message_post(case=case, author=applicant.user, body="I uploaded my passport.")
    services.message_post(case=case, author=advisor, body="Thank you, it is accepted.")
    from cases.services.corrections import correction_propose
    from cases.services.eligibility import case_assess
    from cases.services.reminders import task_create

    task = task_create(
        case=case,
        title="Call the consulate",
        due_date=timezone.localdate() + dt.timedelta(days=3),
        assignee=advisor,
        actor=advisor,
    )
    degree = add_education(applicant=applicant)
    job = add_employment(applicant=applicant)
    case_assess(case=case, actor=advisor)
    correction_propose(
        applicant=applicant, actor=applicant.user, changes={"family_name": "Wu-Berg"}
    )
    # An applicant invited but not yet signed up, for the invitation page.
    from portal.invitations import invitation_create, invitation_link_for

    invited = ApplicantFactory(email="new.pages@example.test")
    invited.user.set_unusable_password()
    invited.user.save(update_fields=["password"])
    invitation = invitation_create(user=invited.user, sent_by=advisor)
    reset_user = applicant.user
    uid = urlsafe_base64_encode(force_bytes(reset_user.pk))
    reset_url = f"/accounts/password/reset/{uid}/{default_token_generator.make_token(reset_user)}/"
    return {
        "users": {
            "applicant": applicant.user,
            "advisor": advisor,
            "supervisor": supervisor,
            "admin": admin,
        },
        "case": case.pk,
        "document": documents[0].pk,
        "task": task.pk,
        "education": degree.pk,
        "employment": job.pk,
        "reset_url": reset_url,
        "invitation_url": urlparse(invitation_link_for(invitation)).path,
    }


def _new_context(browser, base: str, user: User | None, language: str):  # type: ignore[no-untyped-def]
    """A browser context with axe-core injected into every page it loads, signed in as
    ``user`` (two-factor passed) or anonymous with the browser language of ``language``."""
    ctx = browser.new_context(
        viewport={"width": WIDTHS[0], "height": 900},
        locale="zh-CN" if language == "zh-hans" else "en-GB",
    )
    ctx.add_init_script(AXE.axe_script)
    if user is not None:
        client = login_verified(Client(), user)
        ctx.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": urlparse(base).hostname,
                    "path": "/",
                }
            ]
        )
    return ctx


# Forms checked again after sending them empty (every field cleared, the browser's own
# checks off): the page with its error summary and messages must pass too, with the summary
# focused and the fields marked aria-invalid.
FORMS_WITH_ERRORS: dict[str, tuple[Url, ...]] = {
    "anonymous": (lambda w: "/accounts/login/", lambda w: "/accounts/password/reset/"),
    "applicant": (
        lambda w: "/my/details/correction/",
        lambda w: "/my/qualifications/",
        lambda w: "/accounts/profile/",
        lambda w: "/accounts/password/change/",
    ),
    "advisor": (
        lambda w: "/cases/new/",
        lambda w: f"/cases/{w['case']}/edit/",
        lambda w: f"/cases/{w['case']}/applicant/edit/",
        lambda w: "/cases/deadlines/bulk/",
    ),
}
SUBMIT_EMPTY = """() => {
  const form = [...document.querySelectorAll('main form[method=post]')]
    .find(f => f.querySelector('input:not([type=hidden]), select, textarea'));
  form.noValidate = true;
  for (const el of form.elements) {
    if (el.type === 'hidden' || el.type === 'submit' || el.tagName === 'BUTTON') continue;
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
    else el.value = '';
  }
  form.requestSubmit();
}"""
FOCUSED_SUMMARY = "document.activeElement.classList.contains('error-summary')"


def _visits(world: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(persona, path, send the form empty) of every page to visit, in a stable order."""
    out: list[tuple[str, str, bool]] = []
    for route in sorted(PAGES):
        for persona, url in PAGES[route].items():
            out.append((persona, url(world), False))
    for route in sorted(MULTI_PAGES):
        for persona, urls in MULTI_PAGES[route].items():
            out.extend((persona, u, False) for u in urls(world))
    for url in ERROR_PAGES.values():
        out.extend((persona, url(world), False) for persona in ("anonymous", *SIGNED_IN))
    for persona, forms in FORMS_WITH_ERRORS.items():
        out.extend((persona, form(world), True) for form in forms)
    return out


# Pages checked at once, each in its own browser contexts (own renderer process): axe is
# started on every lane's page before any result is awaited, so both cores work.
LANES = 2
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The outermost elements sticking out past the right edge, to name in the failure.
WIDE = """() => {
  const edge = document.documentElement.clientWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= edge + 0.5) continue;
    if (out.some(o => o.contains(el))) continue;
    out.push(el);
  }
  const classes = el => typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  return out.slice(0, 3).map(
    el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el));
}"""
START_AXE = "window.__axe = axe.run(document, {resultTypes: ['violations']}); 0"


def _collect(page, label: str, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Wait for the axe run started on ``page`` and record its violations."""
    response = page.evaluate("window.__axe")
    for violation in response["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
        problems.append(f"{label}: axe {violation['id']} at {', '.join(targets)}")


# The Chinese check (issue 11): what a zh-hans applicant (and a signed-out visitor with a
# Chinese browser) reads has no English words (tests/e2e/chinese.py says what is not counted),
# apart from the names of this test's fixture data.
CHINESE_READERS = ("applicant", "anonymous")
FIXTURE_NAMES = frozenset(
    {"Ming", "Wu", "Berg", "Ada", "Alderwood", "Sam", "Supervisor", "Root", "Admin", "Test"}
    | {"University"}
)


def _english_words(page) -> list[str]:  # type: ignore[no-untyped-def]
    return english_words(page, names=FIXTURE_NAMES)


# Pages whose English is a known gap, checked for everything else once fixed; each with why.
KNOWN_ENGLISH: dict[str, str] = {}


def _load(
    page, base: str, path: str, errors: bool, label: str, language: str, problems: list[str]
) -> bool:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    response = page.goto(base + path)
    if errors and response and response.status == 200:
        with page.expect_navigation() as sent:
            page.evaluate(SUBMIT_EMPTY)
        response = sent.value
    status = response.status if response else 0
    if status != (404 if path in ERROR_PATHS else 200):
        problems.append(f"{label}: answered {status}")
        return False
    if errors and not page.locator("[aria-invalid=true]").count():
        problems.append(f"{label}: no field is marked aria-invalid")
    if errors and not page.evaluate(FOCUSED_SUMMARY):
        problems.append(f"{label}: the error summary does not have the focus")
    lang = page.locator("html").get_attribute("lang") or ""
    if not lang.startswith(language[:2]):
        problems.append(f"{label}: <html lang> is {lang!r}")
    return True


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_360px_and_has_no_axe_violations_in_both_languages(live_server, browser):
    base = live_server.url
    world = _world()
    users: dict[str, User] = world["users"]
    problems: list[str] = []
    visits = _visits(world)
    known_english = {p.format(case=world["case"]) for p in KNOWN_ENGLISH}
    # lane -> persona -> page; signed-in contexts are reused across languages.
    lanes: list[dict[str, Any]] = [{} for _ in range(LANES)]
    for language in LANGUAGES:
        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(
            preferred_language=language
        )
        for lane in lanes:
            if "anonymous" in lane:  # anonymous visitors get their browser's language
                lane.pop("anonymous").context.close()
            lane["anonymous"] = _new_context(browser, base, None, language).new_page()
            for persona in (*SIGNED_IN, "admin"):
                if persona not in lane:
                    lane[persona] = _new_context(browser, base, users[persona], "en").new_page()
        for start in range(0, len(visits), LANES):
            batch = []
            for lane, (persona, path, errors) in zip(
                lanes, visits[start : start + LANES], strict=False
            ):
                label = f"{language} {persona} {path}" + (" (sent empty)" if errors else "")
                if _load(lane[persona], base, path, errors, label, language, problems):
                    batch.append((lane[persona], label))
                    if language == "zh-hans" and persona in CHINESE_READERS:
                        english = _english_words(lane[persona])
                        if english and path not in known_english:
                            problems.append(f"{label}: English words {english}")
            for width in WIDTHS:
                for page, label in batch:
                    page.set_viewport_size({"width": width, "height": 900})
                    overflow = page.evaluate(OVERFLOW)
                    if overflow > 0:
                        wide = ", ".join(page.evaluate(WIDE))
                        problems.append(
                            f"{label} @{width}: scrolls sideways by {overflow}px ({wide})"
                        )
                    page.evaluate(START_AXE)
                for page, label in batch:
                    _collect(page, f"{label} @{width}", problems)
    for lane in lanes:
        for page in lane.values():
            page.context.close()
    count = len(visits) * len(LANGUAGES) * len(WIDTHS)
    assert not problems, f"{len(problems)} problems over {count} page checks:\n" + "\n".join(
        problems
    )
