"""Keyboard only (issue 11): the applicant uploads a document, the advisor rejects it with a
reason, the applicant reads the rejection, in a real browser with nothing but Tab, Shift+Tab,
Enter, Space and typing. Every stop shows a focus ring on screen, and a refused upload puts
the focus on the error summary, whose link takes the focus to the refused document's field.

The file chooser is opened from the keyboard (Space on the focused file input); Playwright
answers the chooser as a person would pick the file.
"""

import re

import pytest

from cases.models import Document, RequirementStatus, Stage
from cases.samples import sample_pdf
from tests.factories import AdvisorFactory, ApplicantFactory, case_at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REASON = "The photo page is blurred; scan it again in daylight."
# What is wrong with the focused element's ring, "" when it has one and is on screen (the
# portal's rule: a 3 px outline on :focus, static/css/portal.css).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing has the focus';
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2)
    return `no focus ring on ${el.outerHTML.slice(0, 80)}`;
  if (box.width === 0 || box.height === 0) return 'the focused element has no size';
  if (box.bottom < 0 || box.top > innerHeight) return 'the focused element is off screen';
  return '';
}"""
FOCUSED_MATCHES = "s => !!document.activeElement && document.activeElement.matches(s)"


def _focus_ring_shown(page) -> None:  # type: ignore[no-untyped-def]
    problem = page.evaluate(FOCUS_RING)
    assert not problem, f"{page.url}: {problem}"


def _tab_to(page, selector: str, *, back: bool = False, limit: int = 400) -> None:  # type: ignore[no-untyped-def]
    """Press Tab (Shift+Tab when ``back``) until the focused element matches ``selector``;
    every element passed on the way must show its focus ring."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        _focus_ring_shown(page)
        if page.evaluate(FOCUSED_MATCHES, selector):
            return
    raise AssertionError(f"{page.url}: {selector} not reached with {limit} × {key}")


def _intercept_file_choosers(page) -> None:  # type: ignore[no-untyped-def]
    """Keep Playwright answering this page's file choosers for the whole test.

    Playwright turns the interception on when a page gains its first "filechooser" listener
    and off when it loses its last, without waiting for the browser to confirm either. With
    only ``expect_file_chooser``'s own listener, every pick after the first re-enables it
    just before Space is pressed; when the key wins that race, Chromium opens its own dialog
    (nothing in headless) and no event comes (seen once in CI). A listener held from the
    start, long before the first Space, leaves nothing to race."""
    page.on("filechooser", lambda chooser: None)


def _choose_file(page, path) -> None:  # type: ignore[no-untyped-def]
    """Open the focused file input's chooser with Space and pick ``path`` (the page must have
    been passed to ``_intercept_file_choosers``)."""
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(path))


def _press_and_wait(page, key: str) -> int:  # type: ignore[no-untyped-def]
    """Press ``key`` on the focused control, which sends a form; the status of the POST's
    answer (a redirect is followed to its page)."""
    # Wait for the new document itself, not only the POST's answer: the old page stays
    # "loaded" until the navigation commits, and evaluating then hits a destroyed context.
    with (
        page.expect_navigation(timeout=60000),
        page.expect_response(lambda r: r.request.method == "POST", timeout=60000) as sent,
    ):
        page.keyboard.press(key)
    page.wait_for_load_state()
    return sent.value.status


def test_applicant_uploads_and_reads_a_rejection_advisor_reviews_by_keyboard_only(
    live_server, signed_in, tmp_path
):
    base = live_server.url
    advisor = AdvisorFactory(email="keys.advisor@example.test", full_name="Kim Keys")
    applicant = ApplicantFactory(
        email="keys.applicant@example.test", given_names="Ines", family_name="Tabor"
    )
    case = case_at(Stage.DOCUMENTS, applicant=applicant, advisor=advisor)
    passport = case.requirements.get(code="passport-bio-page")
    program = tmp_path / "passport.pdf"  # a program named like a PDF: refused by content
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
    scan = tmp_path / "passport-scan.pdf"
    scan.write_bytes(sample_pdf("Passport", ["Ines Tabor"]))

    # The applicant goes from "What you need to do now" to the passport's upload field.
    me = signed_in(applicant.user)
    _intercept_file_choosers(me)
    me.goto(f"{base}/my/cases/{case.pk}/")
    _tab_to(me, f'.todo a.button[href="#req-{passport.pk}"]')
    me.keyboard.press("Enter")
    assert me.url.endswith(f"#req-{passport.pk}")
    _tab_to(me, f"#file-{passport.pk}")
    _choose_file(me, program)
    _tab_to(me, f"#req-{passport.pk} form.upload button[type=submit]")
    assert _press_and_wait(me, "Enter") == 400

    # Refused: the focus is on the error summary, which says why and links to the field.
    assert me.evaluate("document.activeElement.classList.contains('error-summary')")
    _focus_ring_shown(me)
    summary = me.locator(".error-summary")
    assert "Nothing was uploaded" in summary.inner_text()
    assert "program (EXE)" in summary.inner_text()
    _tab_to(me, f'.error-summary a[href="#file-{passport.pk}"]', limit=3)
    me.keyboard.press("Enter")
    assert me.evaluate(FOCUSED_MATCHES, f"#file-{passport.pk}")
    assert me.get_attribute(f"#file-{passport.pk}", "aria-invalid") == "true"
    _focus_ring_shown(me)
    _choose_file(me, scan)
    _tab_to(me, "form.upload button[type=submit]")
    assert _press_and_wait(me, "Enter") == 302
    assert "Uploaded: “passport-scan.pdf”" in me.locator(".messages").inner_text()
    document = Document.objects.get(requirement=passport)

    # The advisor follows "Waiting for my review" to the document and rejects it with a reason.
    staff = signed_in(advisor)
    staff.goto(f"{base}/")
    _tab_to(staff, f'section[aria-labelledby=review-h] a[href$="#req-{passport.pk}"]')
    staff.keyboard.press("Enter")
    staff.wait_for_url(re.compile(rf"/cases/{case.pk}/#req-{passport.pk}$"))
    _tab_to(staff, f"#reason-{document.pk}")
    staff.keyboard.type(REASON)
    _tab_to(staff, f'#req-{passport.pk} button[value="rejected"]', limit=5)
    # One step back is Accept, the other decision of the same form; then forward again.
    _tab_to(staff, f'#req-{passport.pk} button[value="accepted"]', back=True, limit=1)
    _tab_to(staff, f'#req-{passport.pk} button[value="rejected"]', limit=1)
    assert _press_and_wait(staff, "Space") == 302
    passport.refresh_from_db()
    assert passport.status == RequirementStatus.REJECTED
    document.refresh_from_db()
    assert document.review_reason == REASON

    # The applicant reads the rejection: the to-do names it, its card gives the reason and the
    # field for a new file is one Tab away.
    me.goto(f"{base}/my/cases/{case.pk}/")
    todo = me.locator(".todo")
    assert f"Send a new file for “{passport.name}”: your advisor asked for one." in (
        todo.inner_text()
    )
    _tab_to(me, f'.todo a.button[href="#req-{passport.pk}"]')
    me.keyboard.press("Enter")
    card = me.locator(f"#req-{passport.pk}")
    assert f"Your advisor asked for a new file: {REASON}" in card.inner_text()
    _tab_to(me, f"#file-{passport.pk}")
