"""A refused upload from a document card in a real browser (issue 11): the answer names the
document, shows its one input marked aria-invalid, moves the focus to the error summary,
fits 360 px without sideways scrolling and has zero axe-core violations, in English and
Chinese; the advisor's case page, with its summary and contents, passes the same checks."""

import pytest

from cases.models import Stage
from tests.e2e.conftest import signed_in_context as _context
from tests.e2e.test_records import AXE
from tests.factories import AdvisorFactory, ApplicantFactory, case_at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED_SUMMARY = "document.activeElement.classList.contains('error-summary')"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _checks(page, language: str) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("html").get_attribute("lang", timeout=5000).startswith(language[:2])
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways"
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_refused_card_upload_names_the_document_and_focuses_the_error(
    live_server, browser, tmp_path, language
):
    base = live_server.url
    applicant = ApplicantFactory(
        email=f"card.{language}@example.test", user__preferred_language=language
    )
    advisor = AdvisorFactory(email=f"card-ada.{language}@example.test", preferred_language=language)
    case = case_at(Stage.DOCUMENTS, applicant=applicant, advisor=advisor)
    cv = case.requirements.get(code="cv")
    name = cv.name_zh if language.startswith("zh") else cv.name_en
    text = tmp_path / "notes.txt"
    text.write_text("plain text, not a CV")

    page = _context(browser, base, applicant.user, width=360, language=language).new_page()
    page.goto(f"{base}/my/cases/{case.pk}/")
    card = page.locator(f"#req-{cv.pk}")
    card.locator("input[type=file]").set_input_files(str(text))
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert name in page.locator("h1").inner_text()
    assert page.locator("main input[type=file]").count() == 1
    assert page.locator(f"#file-{cv.pk}").get_attribute("aria-invalid") == "true"
    assert page.evaluate(FOCUSED_SUMMARY)
    _checks(page, language)
    # The summary's message is a link to the input.
    page.locator(f".error-summary a[href='#file-{cv.pk}']").first.click()
    assert page.evaluate("document.activeElement.id") == f"file-{cv.pk}"

    staff = _context(browser, base, advisor, width=360, language=language).new_page()
    staff.goto(f"{base}/cases/{case.pk}/")
    assert staff.locator("#summary-h").count() == 1
    _checks(staff, language)
