"""The passport reader's page in a real browser (issue 13): at 320 px and 1280 px, in English and
Chinese, without sideways scrolling and with zero axe-core violations; "Apply to record" by
keyboard."""

import datetime as dt

import pytest

from cases.models import Applicant
from cases.services import passports as passport_services
from cases.uploads.mrz import MrzFields, MrzResult
from tests.e2e.test_records import _check_page
from tests.factories import AdvisorFactory, ApplicantFactory, open_case, upload_document

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _read_case(monkeypatch, language: str):  # type: ignore[no-untyped-def]
    fields = MrzFields(
        surname="GARCIA LOPEZ",
        given_names="MARIA ELENA",
        document_number="PA7777777",
        nationality="ESP",
        nationality_alpha2="ES",
        issuing_state="ESP",
        birth_date=dt.date(1990, 1, 15),
        sex="F",
        expiry_date=dt.date(2032, 6, 30),
        checks={
            "document_number": True,
            "birth_date": True,
            "expiry_date": False,
            "personal_number": True,
            "composite": False,
        },
        lines=("", ""),
    )
    monkeypatch.setattr(passport_services, "read_mrz_page", lambda **_kw: MrzResult(fields))
    monkeypatch.setattr(passport_services, "tesseract_available", lambda: True)
    advisor = AdvisorFactory(email=f"ada.{language}.e2e@example.test", preferred_language=language)
    applicant = ApplicantFactory(
        email=f"maria.{language}.e2e@example.test",
        given_names="María Elena",
        family_name="García López",
        passport_number="PA1111111",
        nationality="ES",
        date_of_birth=dt.date(1990, 1, 15),
    )
    case = open_case(applicant=applicant, advisor=advisor)
    doc = upload_document(case, actor=applicant.user)  # on commit: the (fake) reader runs
    return advisor, case, doc


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [320, 1280])
def test_passport_page_fits_320px_has_no_axe_violations_in_both_languages(
    live_server, signed_in, monkeypatch, language, width
):
    advisor, case, doc = _read_case(monkeypatch, language)
    page = signed_in(advisor, width=width, language=language)
    _check_page(page, f"{live_server.url}/cases/{case.pk}/documents/{doc.pk}/passport/", language)
    if language == "zh-hans":
        main = page.locator("main").inner_text()
        for english in ("Different", "Read from the passport", "Apply to record", "Check digit"):
            assert english not in main


def test_apply_to_record_by_keyboard(live_server, signed_in, monkeypatch):  # type: ignore[no-untyped-def]
    advisor, case, doc = _read_case(monkeypatch, "en")
    page = signed_in(advisor, width=320, language="en")
    page.goto(f"{live_server.url}/cases/{case.pk}/documents/{doc.pk}/passport/")
    assert page.get_by_label("Copy the Passport number read into the record").is_checked()
    page.get_by_role("button", name="Apply to record").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The record now holds the details you chose" in page.content()
    assert Applicant.objects.get(pk=case.applicant_id).passport_number == "PA7777777"
