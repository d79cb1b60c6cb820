"""The everyday review loop in a real browser (issue 10): the applicant uploads, the advisor
finds the upload in "Waiting for my review", looks at the server-made preview, rejects it
with a reason, the applicant is told (in-app and by email), uploads again, the advisor
accepts. And the advisor's review panel with its preview at 320 px and 1280 px, in English
and Chinese: no sideways scrolling, zero axe-core violations.

Uploads are processed as in the other tests: Celery runs eagerly (``tests/conftest.py``), so
the processing and preview tasks queued on commit run inside the upload's request.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from cases.models import (
    Channel,
    DeliveryStatus,
    Document,
    Notification,
    ReminderDelivery,
    ReminderKind,
    RequirementStatus,
    Stage,
)
from cases.samples import sample_jpeg, sample_pdf
from tests.factories import AdvisorFactory, ApplicantFactory, case_at, upload_document

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Axe()
REASON = "The corners of the page are cut off; scan the whole page."


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _preview_loads(page, panel) -> str:  # type: ignore[no-untyped-def]
    """Bring the panel's preview into view; wait until its image has loaded; return the
    image's URL."""
    img = panel.locator("figure.preview img")
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=10000
    )
    return img.get_attribute("src")


def test_applicant_uploads_advisor_previews_rejects_applicant_reuploads_advisor_accepts(
    live_server, signed_in, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    # No batch window: the notification email goes out as soon as the eager task runs.
    settings.NOTIFICATION_EMAIL_DELAY_SECONDS = 0
    base = live_server.url
    advisor = AdvisorFactory(email="reviewer.e2e@example.test", full_name="Rhea Reviewer")
    applicant = ApplicantFactory(
        email="tomas.e2e@example.test", given_names="Tomás", family_name="Novak"
    )
    case = case_at(Stage.DOCUMENTS, applicant=applicant, advisor=advisor)
    passport = case.requirements.get(code="passport-bio-page")
    Notification.objects.all().delete()
    ReminderDelivery.objects.all().delete()
    mail.outbox.clear()

    # The applicant uploads a PDF scan of the passport on their case page.
    me = signed_in(applicant.user)
    me.goto(f"{base}/my/cases/{case.pk}/")
    pdf = tmp_path / "passport.pdf"
    pdf.write_bytes(sample_pdf("Passport", ["Tomás Novak"]))
    section = me.locator(f"#req-{passport.pk}")
    section.locator("input[type=file]").set_input_files(str(pdf))
    section.get_by_role("button", name="Upload", exact=True).click()
    me.wait_for_load_state()
    assert "Uploaded:" in me.content()
    first = Document.objects.get(requirement=passport)
    assert first.is_ready
    assert first.preview_pages == 1

    # The advisor finds it in "Waiting for my review" on the dashboard and opens it.
    staff = signed_in(advisor)
    staff.goto(f"{base}/")
    waiting = staff.locator("section[aria-labelledby=review-h]")
    row = waiting.locator("tr", has_text=case.reference)
    assert passport.name_en in row.inner_text()
    assert "uploaded today" in row.inner_text()
    row.get_by_role("link", name=case.reference).click()
    staff.wait_for_url(re.compile(rf"/cases/{case.pk}/#req-{passport.pk}$"))

    # The review panel shows the preview image, served as a PNG made on the server.
    panel = staff.locator(f"#req-{passport.pk}")
    src = _preview_loads(staff, panel)
    assert src == f"/documents/{first.pk}/preview/?page=1"
    with staff.expect_response(re.compile(r"/documents/\d+/preview/")) as opened:
        panel.locator("figure.preview a").click()
    response = opened.value
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body().startswith(b"\x89PNG\r\n\x1a\n")
    staff.go_back()

    # The advisor rejects it with a reason.
    panel = staff.locator(f"#req-{passport.pk}")
    panel.get_by_label("Reason (required to reject)").fill(REASON)
    panel.get_by_role("button", name="Reject", exact=True).click()
    staff.wait_for_load_state()
    passport.refresh_from_db()
    assert passport.status == RequirementStatus.REJECTED

    # The applicant is told: in-app, with the reason, and by email (the ledger row sent).
    me.goto(f"{base}/notifications/")
    notes = me.locator("ul.notifications")
    assert f"Your advisor asked for a new “{passport.name_en}” (case {case.reference})" in (
        notes.inner_text()
    )
    assert REASON in notes.inner_text()
    emails = [m for m in mail.outbox if m.to == [applicant.email]]
    assert len(emails) == 1
    assert REASON in emails[0].body
    assert case.reference in emails[0].subject
    row = ReminderDelivery.objects.get(
        recipient=applicant.user, rule__kind=ReminderKind.DOCUMENT_REVIEWED
    )
    assert row.channel == Channel.EMAIL
    assert row.status == DeliveryStatus.SENT

    # The applicant reads the reason on the case page and uploads a better scan (a photo:
    # processed by the worker, then previewed).
    me.goto(f"{base}/my/cases/{case.pk}/")
    section = me.locator(f"#req-{passport.pk}")
    assert REASON in section.inner_text()
    jpeg = tmp_path / "passport-again.jpg"
    jpeg.write_bytes(sample_jpeg("Passport"))
    section.locator("input[type=file]").set_input_files(str(jpeg))
    section.get_by_role("button", name="Upload", exact=True).click()
    me.wait_for_load_state()
    assert "Uploaded:" in me.content()
    second = Document.objects.filter(requirement=passport).order_by("-version").first()
    assert second is not None
    assert second.version == 2
    assert second.is_ready
    assert second.preview_pages == 1

    # Back on the advisor's dashboard, then the review panel: the new version's preview,
    # accepted.
    staff.goto(f"{base}/")
    row = staff.locator("section[aria-labelledby=review-h] tr", has_text=case.reference)
    assert "(v2)" in row.inner_text()
    staff.goto(f"{base}/cases/{case.pk}/#req-{passport.pk}")
    panel = staff.locator(f"#req-{passport.pk}")
    assert _preview_loads(staff, panel) == f"/documents/{second.pk}/preview/?page=1"
    panel.get_by_role("button", name="Accept", exact=True).click()
    staff.wait_for_load_state()
    passport.refresh_from_db()
    assert passport.status == RequirementStatus.ACCEPTED
    staff.goto(f"{base}/")
    assert case.reference not in staff.locator("section[aria-labelledby=review-h]").inner_text()

    me.goto(f"{base}/notifications/")
    assert (
        f"Your advisor accepted “{passport.name_en}”" in me.locator("ul.notifications").inner_text()
    )
    me.goto(f"{base}/my/cases/{case.pk}/")
    assert "Accepted" in me.locator(f"#req-{passport.pk}").inner_text()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [320, 1280])
def test_review_panel_with_preview_fits_and_has_no_axe_violations(
    live_server, signed_in, language, width
):
    base = live_server.url
    advisor = AdvisorFactory(email="panel.e2e@example.test", preferred_language=language)
    applicant = ApplicantFactory(email="panel.applicant@example.test")
    case = case_at(Stage.DOCUMENTS, applicant=applicant, advisor=advisor)
    document = upload_document(case, actor=applicant.user)
    document.refresh_from_db()
    assert document.preview_pages == 1

    staff = signed_in(advisor, width=width, language=language)
    staff.goto(f"{base}/cases/{case.pk}/#req-{document.requirement_id}")
    assert staff.locator("html").get_attribute("lang").startswith(language[:2])
    panel = staff.locator(f"#req-{document.requirement_id}")
    _preview_loads(staff, panel)
    assert _overflow(staff) <= 0, f"the case page scrolls sideways by {_overflow(staff)}px"
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    results = AXE.run(staff, context=f"#req-{document.requirement_id}")
    assert results.violations_count == 0, results.generate_report()
    if language == "zh-hans":
        text = panel.inner_text()
        for english in (
            "Reason (required to reject)",
            "Review version",
            "Accept",
            "Reject",
            "Versions",
        ):
            assert english not in text, f"the review panel shows English: {english}"

    # The dashboard section the advisor starts from.
    staff.goto(f"{base}/")
    assert _overflow(staff) <= 0, f"the dashboard scrolls sideways by {_overflow(staff)}px"
    results = AXE.run(staff, context="section[aria-labelledby=review-h]")
    assert results.violations_count == 0, results.generate_report()
