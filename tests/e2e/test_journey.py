"""The foundation journey in a real browser: open a case, invite, upload, review."""

import re

import pytest
from django.core import mail
from django_otp.oath import TOTP

from cases.models import Case, RequirementStatus
from cases.samples import sample_jpeg, sample_pdf
from tests.factories import TEST_PASSWORD, AdvisorFactory
from tests.otp import verified_device

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
APPLICANT_PASSWORD = "Lantern-orchid-2048"


def _login(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_advisor_opens_case_applicant_uploads_advisor_accepts(
    live_server, browser, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    advisor = AdvisorFactory(email="adviser.e2e@example.test", full_name="Eve Advisor")
    device = verified_device(advisor)  # advisors must pass two-factor before case data

    # The advisor logs in and opens a K-visa case; the applicant is invited by email.
    advisor_ctx = browser.new_context()
    page = advisor_ctx.new_page()
    _login(page, base, "adviser.e2e@example.test", TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.locator("#id_token").fill(f"{code:0{device.digits}d}")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="Open a case").first.click()
    page.get_by_label("Visa type").select_option(label="K – K visa (young STEM talent)")
    page.get_by_label("Given names (as in passport)").fill("Nadia")
    page.get_by_label("Family name (as in passport)").fill("Haddad")
    page.get_by_label("Applicant's email").fill("nadia@example.test")
    page.get_by_role("button", name="Open case and invite applicant").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    assert case.reference in page.content()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/invitation/\S+", mail.outbox[0].body).group(0)

    # The applicant sets a password from the link, logs in and uploads a PDF and a JPEG.
    applicant_ctx = browser.new_context()
    apage = applicant_ctx.new_page()
    apage.goto(link)
    apage.locator("#id_new_password1").fill(APPLICANT_PASSWORD)
    apage.locator("#id_new_password2").fill(APPLICANT_PASSWORD)
    apage.get_by_role("button", name="Set password").click()
    apage.wait_for_url(re.compile(r"/invitation/done/$"))
    _login(apage, base, "nadia@example.test", APPLICANT_PASSWORD)
    apage.get_by_role("link", name=re.compile(case.reference)).click()
    pdf = tmp_path / "passport scan.pdf"
    pdf.write_bytes(sample_pdf("Passport", ["Nadia Haddad"]))
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(sample_jpeg("Nadia"))
    passport = case.requirements.get(code="passport-bio-page")
    photo = case.requirements.get(code="digital-photo")
    for req, path in ((passport, pdf), (photo, jpeg)):
        section = apage.locator(f"#req-{req.pk}")
        section.locator("input[type=file]").set_input_files(str(path))
        section.get_by_role("button", name="Upload", exact=True).click()
        apage.wait_for_load_state()
        assert "Uploaded:" in apage.content()
    passport.refresh_from_db()
    photo.refresh_from_db()
    assert passport.status == photo.status == RequirementStatus.UPLOADED

    # The advisor reviews and accepts both uploads.
    page.reload()
    for req in (passport, photo):
        page.locator(f"#req-{req.pk}").get_by_role("button", name="Accept", exact=True).click()
        page.wait_for_load_state()
    passport.refresh_from_db()
    photo.refresh_from_db()
    assert passport.status == RequirementStatus.ACCEPTED
    assert photo.status == RequirementStatus.ACCEPTED
    assert "Accepted" in page.locator(f"#req-{photo.pk}").inner_text()

    # The applicant sees the accepted documents.
    apage.reload()
    assert "Accepted" in apage.locator(f"#req-{passport.pk}").inner_text()
    advisor_ctx.close()
    applicant_ctx.close()
