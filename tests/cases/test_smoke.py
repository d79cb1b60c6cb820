import pytest

from cases import services
from cases.models import RequirementStatus, Stage


@pytest.mark.django_db
def test_open_case_creates_requirements_and_reference(case):
    assert case.reference.startswith("K-")
    assert case.requirements.count() == 8
    assert case.stage == Stage.INTAKE


@pytest.mark.django_db
def test_upload_and_review_flow(case, applicant_user, advisor, pdf_bytes, stream):
    req = case.requirements.get(code="passport-bio-page")
    doc = services.document_upload(
        requirement=req, stream=stream(pdf_bytes), filename="护照.pdf", actor=applicant_user
    )
    req.refresh_from_db()
    assert req.status == RequirementStatus.UPLOADED
    services.document_review(document=doc, decision="accepted", reason="", actor=advisor)
    req.refresh_from_db()
    assert req.status == RequirementStatus.ACCEPTED
