"""The Chinese journey (issue 11): a zh-hans applicant, from the invitation email to an upload,
sees no English word on any page (names, codes and file names allowed; tests/e2e/chinese.py).

The advisor opens the case through the same service as the "Open a case" page; the invitation
goes out on commit to Django's locmem outbox, whose link the applicant opens in a Chinese
browser: set a password, log in, open the case and upload the passport scan. Applicants have no
two-step verification unless they enrol one, so there is no two-step page on the way.
"""

import re

import pytest
from django.core import mail

from cases.models import Document, RequirementStatus
from cases.samples import sample_pdf
from cases.services.opening import case_open_for_applicant
from tests.e2e.chinese import english_words, english_words_in
from tests.e2e.test_every_page import KNOWN_ENGLISH
from tests.factories import AdvisorFactory, visa_type

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Lantern-orchid-2048"
# The people of this test: names, written as they entered them.
NAMES = ("Wang", "Fang", "Kim", "Keys")
# The case page's history is the every-page test's known gap while it lists the page there
# (summaries stored as English sentences, rendered at display time once issue 11's timeline
# work lands); everything else on the page is checked, and the history too once it is fixed.
HISTORY_GAP = ("ol.timeline",) if "/my/cases/{case}/" in KNOWN_ENGLISH else ()


def test_a_chinese_applicant_from_the_invitation_to_an_upload_reads_no_english(
    live_server, browser, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    advisor = AdvisorFactory(email="kim.keys@example.test", full_name="Kim Keys")
    mail.outbox.clear()
    case, created = case_open_for_applicant(
        actor=advisor,
        visa_type=visa_type("K", firm=advisor.firm),
        applicant_fields={
            "given_names": "Fang",
            "family_name": "Wang",
            "email": "wang.fang@example.test",
            "preferred_language": "zh-hans",
        },
    )
    assert created
    (invitation,) = mail.outbox
    assert invitation.to == ["wang.fang@example.test"]
    assert not english_words_in(invitation.subject + "\n" + invitation.body, names=NAMES)
    link = re.search(r"https?://\S+/accounts/invitation/\S+", invitation.body).group(0)

    problems: list[str] = []

    def check(page, what: str, ignore: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_load_state()
        lang = page.locator("html").get_attribute("lang") or ""
        if not lang.startswith("zh"):
            problems.append(f"{what} ({page.url}): <html lang> is {lang!r}")
        english = english_words(page, names=NAMES, ignore=ignore)
        if english:
            problems.append(f"{what} ({page.url}): English words {english}")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = phone.new_page()
    page.goto(link)
    check(page, "the invitation's set-password page")
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/invitation/done/$"))
    check(page, "password set")
    page.locator("main a[href='/accounts/login/']").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    check(page, "login")
    page.locator("#id_username").fill("wang.fang@example.test")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    check(page, "the first page after login")
    page.goto(f"{base}/my/")
    check(page, "my cases")
    page.locator("main").get_by_role("link", name=re.compile(case.reference)).first.click()
    page.wait_for_url(re.compile(rf"/my/cases/{case.pk}/$"))
    check(page, "the case page", HISTORY_GAP)

    # The degree certificate (a passport page would also be read by Tesseract in the request:
    # eager Celery, slow on a busy machine, and not what this test is about).
    degree = case.requirements.get(code="degree-certificate")
    scan = tmp_path / "学位证书.pdf"
    scan.write_bytes(sample_pdf("Degree", ["Wang Fang"]))
    card = page.locator(f"#req-{degree.pk}")
    card.locator("input[type=file]").set_input_files(str(scan))
    with page.expect_response(lambda r: r.request.method == "POST", timeout=90000) as sent:
        card.locator("form.upload button[type=submit]").click(no_wait_after=True)
    assert sent.value.status == 302
    page.wait_for_url(re.compile(rf"/my/cases/{case.pk}/"), timeout=60000)
    check(page, "the case page after the upload", HISTORY_GAP)
    assert "已上传" in page.locator(".messages").inner_text()
    degree.refresh_from_db()
    assert degree.status == RequirementStatus.UPLOADED
    assert Document.objects.get(requirement=degree).original_filename == "学位证书.pdf"
    phone.close()
    assert not problems, "\n".join(problems)
