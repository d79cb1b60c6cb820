"""The questionnaire in a real browser, in Chinese on a 360 px phone: the applicant fills the
K questionnaire and sends it, the advisor returns one answer with a comment, the applicant
fixes it, the advisor approves and downloads the data sheet (JSON, then the PDF, whose text is
read back with pypdf). Without WeasyPrint's libraries or a CJK font the PDF step skips, saying
what to install."""

import json
import re

import pytest
from django_otp.oath import TOTP

from cases.models import QuestionnaireResponse, ResponseStatus
from cases.questionnaires.pdf import pdf_missing
from tests.cases.questionnaires.helpers import k_answers
from tests.cases.questionnaires.test_sheet_pdf import pdf_text
from tests.factories import TEST_PASSWORD, AdvisorFactory, ApplicantFactory, open_case
from tests.otp import verified_device

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()


def _fill(page, data: dict) -> None:  # type: ignore[no-untyped-def]
    for key, value in data.items():
        if isinstance(value, list):
            for i, item in enumerate(value):
                for field, v in item.items():
                    page.locator(f"[name='{key}-{i}-{field}']").fill(v)
            continue
        field = page.locator(f"[name='{key}']")
        kind = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.endswith(":radio"):
            page.locator(f"input[name='{key}'][value='{value}']").check()
        elif kind.startswith("SELECT"):
            field.select_option(value)
        else:
            field.fill(value)


def _no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_chinese_applicant_on_a_phone_fills_sends_fixes_and_advisor_approves(live_server, browser):
    base = live_server.url
    advisor = AdvisorFactory(email="adv.q@example.test", full_name="Eve Advisor")
    device = verified_device(advisor)
    applicant = ApplicantFactory(
        email="li.q@example.test",
        given_names="Amy",
        family_name="Applicant",
        passport_number="C01X00T47",
    )
    applicant.user.preferred_language = "zh-hans"
    applicant.user.save(update_fields=["preferred_language"])
    case = open_case(applicant=applicant, advisor=advisor)

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = phone.new_page()
    _login(page, base, "li.q@example.test")
    page.goto(f"{base}/my/cases/{case.pk}/questionnaire/")
    assert "现在开始" in page.content()
    page.locator("a.button").click()
    for key, data in k_answers().items():
        page.wait_for_url(re.compile(rf"/questionnaire/{key}/$"))
        if key == "personal":  # prefilled from the applicant record
            assert page.locator("[name=family_name]").input_value() == "Applicant"
        _fill(page, data)
        assert _no_sideways_scroll(page), key
        page.get_by_role("button", name="继续", exact=True).click()
    page.wait_for_url(re.compile(r"/questionnaire/check/$"))
    assert _no_sideways_scroll(page)
    page.get_by_role("button", name="提交给我的顾问").click()
    page.wait_for_url(re.compile(r"/questionnaire/$"))
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.SUBMITTED

    desk = browser.new_context()
    staff = desk.new_page()
    _login(staff, base, "adv.q@example.test")
    staff.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    staff.locator("#id_token").fill(f"{code:0{device.digits}d}")
    staff.locator("form button[type=submit]").last.click()
    staff.wait_for_url(re.compile(r"/$"))
    staff.goto(f"{base}/cases/{case.pk}/questionnaire/")
    row = staff.locator("#a-birth_place")
    row.locator("summary").click()
    row.locator("textarea").fill("Write the city exactly as in your passport.")
    row.get_by_role("button", name="Add comment").click()
    staff.get_by_role("button", name="Return to applicant").click()
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.RETURNED

    page.goto(f"{base}/my/cases/{case.pk}/questionnaire/personal/")
    assert "Write the city exactly as in your passport." in page.content()
    page.locator("[name=birth_place]").fill("Berlin-Mitte")
    page.get_by_role("button", name="继续", exact=True).click()
    page.goto(f"{base}/my/cases/{case.pk}/questionnaire/check/")
    page.get_by_role("button", name="提交给我的顾问").click()
    page.wait_for_url(re.compile(r"/questionnaire/$"))

    staff.goto(f"{base}/cases/{case.pk}/questionnaire/")
    staff.get_by_role("button", name="Approve").click()
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.APPROVED
    with staff.expect_download() as info:
        staff.get_by_role("link", name="Download JSON").click()
    sheet = json.loads(open(info.value.path(), encoding="utf-8").read())  # noqa: SIM115
    rows = {a["key"]: a["value"] for s in sheet["sections"] for a in s["answers"]}
    assert rows["family_name"] == "Applicant"
    assert rows["passport_number"] == "C01X00T47"
    assert rows["birth_place"] == "Berlin-Mitte"

    missing = pdf_missing()
    if missing:
        pytest.skip(f"everything but the PDF passed; data sheet PDF cannot be made here: {missing}")
    with staff.expect_download() as info:
        staff.get_by_role("link", name="Download PDF").click()
    assert info.value.suggested_filename == f"{case.reference}-data-sheet.pdf"
    with open(info.value.path(), "rb") as handle:
        text = pdf_text(handle.read())
    for expected in ("Amy", "Applicant", "艾米", "C01X00T47", "Berlin-Mitte"):
        assert expected in text, expected
