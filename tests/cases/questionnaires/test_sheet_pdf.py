"""The data sheet as a PDF: Chinese text survives (read back from the PDF with pypdf), the
same 404 rule and access log as the other formats, and a clear message when this server
cannot make PDFs.

Needs WeasyPrint's system libraries and a CJK font: without them the rendering tests skip
and say what to install (``pytest -ra`` lists the reason), as the browser tests do without
Chromium."""

import io

import pypdf
import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.questionnaires import pdf as sheet_pdf
from cases.services import questionnaire_answers as services
from tests.cases.questionnaires.helpers import submitted

pytestmark = pytest.mark.django_db

MISSING = sheet_pdf.pdf_missing()
needs_pdf = pytest.mark.skipif(
    bool(MISSING), reason=f"data sheet PDF cannot be made here: {MISSING}"
)


def _approved(case, applicant_user, advisor):  # type: ignore[no-untyped-def]
    submitted(case, applicant_user)
    services.questionnaire_approve(case=case, actor=advisor)


def _url(case):  # type: ignore[no-untyped-def]
    return reverse("cases:questionnaire_sheet_pdf", args=[case.pk])


def pdf_text(content: bytes) -> str:
    """Every page's text, as a reader (or a copy and paste) gets it."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@needs_pdf
def test_advisor_downloads_the_pdf_with_names_chinese_name_and_passport_number(
    case, applicant_user, advisor, client_for
):
    _approved(case, applicant_user, advisor)
    response = client_for(advisor).get(_url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-data-sheet.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    for expected in ("Amy", "Applicant", "艾米", "C01X00T47", "护照号码", "Passport number"):
        assert expected in text, expected
    log = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=advisor)
    assert log.additional_data["format"] == "pdf"


@needs_pdf
def test_the_pdf_fetches_nothing_named_in_an_answer(case, applicant_user, advisor, client_for):
    """An answer is text: markup in it is escaped, and the renderer reads no URL anyway."""
    from tests.cases.questionnaires.helpers import k_answers

    submitted(case, applicant_user)
    services.questionnaire_return(case=case, note="Address", actor=advisor)
    services.questionnaire_section_save(
        case=case,
        section_key="contact",
        data={**k_answers()["contact"], "home_address": '<img src="file:///etc/passwd"> 1 Road'},
        actor=applicant_user,
    )
    services.questionnaire_submit(case=case, actor=applicant_user)
    services.questionnaire_approve(case=case, actor=advisor)
    text = pdf_text(client_for(advisor).get(_url(case)).content)
    assert '<img src="file:///etc/passwd"> 1 Road' in text
    assert "root:" not in text


def test_outsiders_and_the_applicant_get_404_for_the_pdf(
    case,
    applicant_user,
    advisor,
    other_advisor,
    other_applicant_user,
    other_firm_advisor,
    other_firm_supervisor,
    other_firm_admin,
    other_firm_applicant_user,
    client_for,
):
    _approved(case, applicant_user, advisor)
    for user in (
        applicant_user,
        other_applicant_user,
        other_advisor,
        other_firm_advisor,
        other_firm_supervisor,
        other_firm_admin,
        other_firm_applicant_user,
    ):
        assert client_for(user).get(_url(case)).status_code == 404, user
    assert client_for(None).get(_url(case)).status_code == 302  # to the login page
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_no_pdf_before_approval(case, applicant_user, advisor, client_for):
    submitted(case, applicant_user)
    assert client_for(advisor).get(_url(case)).status_code == 404


def test_a_server_without_the_pdf_libraries_explains_instead_of_failing(
    case, applicant_user, advisor, client_for, monkeypatch
):
    _approved(case, applicant_user, advisor)
    monkeypatch.setattr(sheet_pdf, "pdf_missing", lambda: "no Pango")
    client = client_for(advisor)
    response = client.get(_url(case), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:questionnaire_review", args=[case.pk])
    assert "This server cannot make PDF files yet." in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_loading_weasyprint_leaves_pillows_truncated_image_check_on():
    """WeasyPrint's import sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process;
    after it, every upload check in that process would accept damaged images (the full suite
    showed it: the worker's damaged-pixel refusal passed a truncated JPEG). A fresh process is
    used so that the import really runs."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings');"
        "django.setup(); from cases.questionnaires import pdf;"
        "loaded = pdf._weasyprint() is not None;"
        "from PIL import ImageFile; print(loaded, ImageFile.LOAD_TRUNCATED_IMAGES)"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    loaded, flag = out.stdout.split()
    if loaded != "True":
        pytest.skip("WeasyPrint cannot load here (Pango missing): " + sheet_pdf.pdf_missing())
    assert flag == "False"
