"""Record edits in a real browser: every new page at 320 px and 1280 px wide, in English and
Chinese, without sideways scrolling and with zero axe-core violations; and the correction
journey by keyboard (the applicant proposes, the supervisor confirms)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Applicant
from cases.services.corrections import correction_propose
from tests.factories import AdvisorFactory, ApplicantFactory, open_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Axe()


def _check_page(page, url: str, language: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    assert page.locator("html").get_attribute("lang", timeout=5000).startswith(language[:2])
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
    results = AXE.run(page)
    assert results.violations_count == 0, f"{url}: {results.generate_report()}"
    if language == "zh-hans":
        main = page.locator("main").inner_text()
        for english in ("Edit", "Propose a correction", "Save changes", "Your details"):
            assert english not in main, f"{url} shows English: {english}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [320, 1280])
def test_record_pages_fit_320px_have_no_axe_violations_in_both_languages(
    live_server, signed_in, language, width
):
    base = live_server.url
    supervisor = AdvisorFactory(
        email="sup.e2e@example.test", is_supervisor=True, preferred_language=language
    )
    applicant = ApplicantFactory(
        email="ming.e2e@example.test",
        given_names="Ming",
        family_name="Wu",
        user__preferred_language=language,
    )
    case = open_case(applicant=applicant, advisor=AdvisorFactory(full_name="Ada Advisor"))
    correction_propose(
        applicant=applicant,
        actor=applicant.user,
        changes={"family_name": "Wu-Lindqvist", "passport_number": "EJ1234567890123"},
        note="My passport was renewed; the new one uses my married name.",
    )
    staff = signed_in(supervisor, width=width, language=language)
    for path in (f"/cases/{case.pk}/edit/", f"/cases/{case.pk}/applicant/edit/"):
        _check_page(staff, base + path, language)
    # The case page: the new links and the pending correction panel.
    staff.goto(f"{base}/cases/{case.pk}/")
    overflow = staff.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    results = AXE.run(staff, context=["#correction", "ul.record-links"])
    assert results.violations_count == 0, results.generate_report()
    me = signed_in(applicant.user, width=width, language=language)
    for path in ("/my/details/", "/my/details/correction/"):
        _check_page(me, base + path, language)


def test_applicant_proposes_by_keyboard_and_the_supervisor_confirms(live_server, signed_in):
    base = live_server.url
    supervisor = AdvisorFactory(email="sup2.e2e@example.test", is_supervisor=True)
    applicant = ApplicantFactory(email="lena.e2e@example.test", family_name="Smtih")
    case = open_case(applicant=applicant)

    me = signed_in(applicant.user, width=320, language="en")
    me.goto(f"{base}/my/details/")
    me.get_by_role("link", name="Propose a correction").click()
    me.get_by_label("Family name (as in passport)").fill("Smith")
    me.get_by_label("Anything your advisor should know (optional)").focus()
    me.keyboard.type("Typo at intake")
    me.get_by_role("button", name="Send to my advisor").focus()
    me.keyboard.press("Enter")
    me.wait_for_url(f"{base}/my/details/")
    assert "Waiting for your advisor" in me.content()

    staff = signed_in(supervisor, width=320, language="en")
    staff.goto(f"{base}/cases/{case.pk}/")
    panel = staff.locator("#correction")
    assert "Smith" in panel.inner_text()
    panel.get_by_role("button", name="Confirm").click()
    staff.wait_for_load_state()
    assert Applicant.objects.get(pk=applicant.pk).family_name == "Smith"
    me.goto(f"{base}/my/details/")
    assert "Confirmed" in me.content()
