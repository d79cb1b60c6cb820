"""The photo check page (issue 13) in a real browser: at 320 px and 1280 px wide, in English
and Chinese, without sideways scrolling and with zero axe-core violations, the uploaded photo
beside the corrected copy; and "Use the corrected photo" by keyboard."""

import io

import pytest

from cases import services
from cases.models import DocumentRequirement
from tests.e2e.test_records import AXE
from tests.factories import AdvisorFactory, ApplicantFactory, open_case
from tests.photo_corpus import CORPUS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _wrong_photo(language: str):  # type: ignore[no-untyped-def]
    applicant = ApplicantFactory(
        email=f"photo.{language}@example.test", user__preferred_language=language
    )
    advisor = AdvisorFactory(email=f"ada.{language}@example.test", preferred_language=language)
    case = open_case(applicant=applicant, advisor=advisor)
    # Transactional test: the commit runs the worker's steps (eager Celery), the photo check too.
    document = services.document_upload(
        requirement=case.requirements.get(code="digital-photo"),
        stream=io.BytesIO(CORPUS["too_big"][0]()),
        filename="phone.jpg",
        actor=applicant.user,
    )
    return applicant, advisor, case, document


def _fits_and_passes_axe(page, language: str) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("html").get_attribute("lang", timeout=5000).startswith(language[:2])
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [320, 1280])
def test_the_photo_check_fits_and_has_no_axe_violations(live_server, signed_in, language, width):
    base = live_server.url
    applicant, advisor, _case, document = _wrong_photo(language)
    for user in (applicant.user, advisor):
        page = signed_in(user, width=width, language=language)
        page.goto(f"{base}/documents/{document.pk}/photo/")
        _fits_and_passes_axe(page, language)
        images = page.locator(".photo-compare img")
        assert images.count() == 2
        # Both are served (fetched one after the other: the tests' in-memory SQLite refuses
        # the browser's two parallel access-log writes, which PostgreSQL and file SQLite queue).
        for i, kind in ((0, "image/png"), (1, "image/jpeg")):
            answer = page.request.get(base + images.nth(i).get_attribute("src"))
            assert answer.status == 200
            assert answer.headers["content-type"] == kind
        main = page.locator("main").inner_text()
        if language == "zh-hans":
            for english in ("Photo check", "What to change", "Use the corrected", "pixels", "Back"):
                assert english not in main, f"English left: {english}"
        else:
            assert "2000 × 3000 pixels" in main


def test_the_applicant_uses_the_corrected_photo_by_keyboard(live_server, signed_in):
    base = live_server.url
    applicant, _advisor, case, document = _wrong_photo("en")
    page = signed_in(applicant.user, width=320, language="en")
    page.goto(f"{base}/my/cases/{case.pk}/")
    page.get_by_role("link", name="See the photo check").click()
    page.get_by_role("button", name="Use the corrected photo").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/my/cases/{case.pk}/#req-{document.requirement_id}")
    assert "The corrected photo is now the current version" in page.content()
    requirement = DocumentRequirement.objects.get(pk=document.requirement_id)
    assert requirement.current_document.original_filename == "phone-corrected.jpg"
    assert "This photo meets the photo rules." in page.content()
