"""Case pages, uploads and downloads over HTTP: permissions, errors, headers."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, Document, Message, RequirementStatus, Stage
from cases.services.summary import case_summary_refresh


def _doc(case, user, content: bytes, name: str = "护照 扫描.pdf", code: str = "cv") -> Document:  # type: ignore[no-untyped-def]
    req = case.requirements.get(code=code)
    return services.document_upload(
        requirement=req, stream=io.BytesIO(content), filename=name, actor=user
    )


def _routes(case: Case, doc: Document) -> list[tuple[str, str]]:
    req = doc.requirement
    return [
        ("get", reverse("cases:detail", args=[case.pk])),
        ("post", reverse("cases:transition", args=[case.pk])),
        ("post", reverse("cases:document_review", args=[case.pk, doc.pk])),
        ("post", reverse("cases:requirement_waive", args=[case.pk, req.pk])),
        ("post", reverse("cases:upload", args=[case.pk, req.pk])),
        ("post", reverse("cases:message_post", args=[case.pk])),
        ("get", reverse("cases:download", args=[doc.pk])),
        ("get", reverse("cases:my_detail", args=[case.pk])),
    ]


OUTSIDER_POST = {"to": "assessment", "decision": "accepted", "reason": "x", "body": "hello"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_applicant_user", "other_advisor", "stranger"])
def test_outsiders_get_404_everywhere_and_change_nothing(
    case, applicant_user, pdf_bytes, client_for, request, persona
):
    doc = _doc(case, applicant_user, pdf_bytes)
    client = client_for(request.getfixturevalue(persona))
    for method, url in _routes(case, doc):
        response = getattr(client, method)(url, OUTSIDER_POST if method == "post" else None)
        assert response.status_code == 404, (persona, url)
    case.refresh_from_db()
    doc.refresh_from_db()
    assert case.stage == Stage.INTAKE
    assert doc.review_status == "pending"
    assert Message.objects.count() == 0
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(case, applicant_user, pdf_bytes, client_for):
    doc = _doc(case, applicant_user, pdf_bytes)
    client = client_for(None)
    for method, url in _routes(case, doc):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_applicant_cannot_use_advisor_pages_or_actions(case, applicant_user, pdf_bytes, client_for):
    doc = _doc(case, applicant_user, pdf_bytes)
    client = client_for(applicant_user)
    staff_routes = [
        r
        for r in _routes(case, doc)
        if "my" not in r[1]
        and "download" not in r[1]
        and "upload" not in r[1]
        and "messages" not in r[1]
    ]
    for method, url in staff_routes:
        assert getattr(client, method)(url, OUTSIDER_POST).status_code == 404, url
    doc.refresh_from_db()
    case.refresh_from_db()
    assert doc.review_status == "pending"
    assert case.stage == Stage.INTAKE


@pytest.mark.django_db
def test_advisor_cannot_use_applicant_page(case, advisor, client_for):
    assert client_for(advisor).get(reverse("cases:my_detail", args=[case.pk])).status_code == 404


@pytest.mark.django_db
def test_applicant_sees_checklist_and_uploads(
    case, applicant_user, client_for, jpeg_bytes, upload_file
):
    client = client_for(applicant_user)
    page = client.get(reverse("cases:my_detail", args=[case.pk]))
    assert page.status_code == 200
    assert "Passport bio-data page" in page.content.decode()
    req = case.requirements.get(code="digital-photo")
    response = client.post(
        reverse("cases:upload", args=[case.pk, req.pk]),
        {"file": upload_file(jpeg_bytes, "照片.jpg", "image/jpeg")},
        follow=True,
    )
    assert response.status_code == 200
    req.refresh_from_db()
    assert req.status == RequirementStatus.UPLOADED
    assert req.current_document.original_filename == "照片.jpg"


@pytest.mark.django_db
def test_bad_web_upload_shows_message_and_stores_nothing(
    case, applicant_user, client_for, upload_file
):
    client = client_for(applicant_user)
    req = case.requirements.get(code="passport-bio-page")
    exe = b"MZ\x90\x00" + b"\x00" * 300
    response = client.post(
        reverse("cases:upload", args=[case.pk, req.pk]),
        {"file": upload_file(exe, "passport.pdf")},
        follow=True,
    )
    assert response.status_code == 400
    assert "program (EXE)" in response.content.decode()
    assert Document.objects.count() == 0
    empty = client.post(reverse("cases:upload", args=[case.pk, req.pk]), {}, follow=True)
    assert "Choose a file" in empty.content.decode()


@pytest.mark.django_db
def test_download_sends_safe_headers_and_utf8_filename(
    case, applicant_user, advisor, pdf_bytes, client_for
):
    doc = _doc(case, applicant_user, pdf_bytes, name="护照 扫描.pdf")
    for user in (applicant_user, advisor):
        response = client_for(user).get(reverse("cases:download", args=[doc.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''%E6%8A%A4%E7%85%A7%20%E6%89%AB%E6%8F%8F.pdf" in disposition
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_advisor_reviews_and_transitions_through_pages(
    case, advisor, applicant_user, pdf_bytes, client_for
):
    doc = _doc(case, applicant_user, pdf_bytes)
    client = client_for(advisor)
    detail = client.get(reverse("cases:detail", args=[case.pk]))
    assert detail.status_code == 200
    r = client.post(
        reverse("cases:document_review", args=[case.pk, doc.pk]),
        {"decision": "rejected", "reason": ""},
        follow=True,
    )
    assert "Write the reason for rejecting" in r.content.decode()
    doc.refresh_from_db()
    assert doc.review_status == "pending"
    client.post(
        reverse("cases:document_review", args=[case.pk, doc.pk]),
        {"decision": "accepted", "reason": ""},
    )
    doc.refresh_from_db()
    assert doc.review_status == "accepted"
    r = client.post(reverse("cases:transition", args=[case.pk]), {"to": "documents"}, follow=True)
    assert "cannot move" in r.content.decode()
    client.post(reverse("cases:transition", args=[case.pk]), {"to": "assessment"})
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


@pytest.mark.django_db
def test_open_case_form_validates_and_invites(
    advisor, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(advisor)
    bad = client.post(reverse("cases:open"), {"visa_type": "", "email": "not-an-email"})
    assert bad.status_code == 200
    assert Case.objects.count() == 0
    from cases.models import VisaType

    data = {
        "visa_type": VisaType.objects.get(code="K").pk,
        "given_names": "Lena",
        "family_name": "Schmidt",
        "email": "lena@example.test",
        "preferred_language": "en",
        "nationality": "DE",
        "date_of_birth": "1997-02-03",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:open"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.advisor == advisor
    assert case.applicant.user.email == "lena@example.test"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_case_list_filters_and_search(advisor, client_for):
    from tests.factories import ApplicantFactory, open_case

    open_case(applicant=ApplicantFactory(family_name="Zhang"), advisor=advisor)
    r_case = open_case(
        applicant=ApplicantFactory(family_name="Nakamura"), advisor=advisor, visa_code="R"
    )
    client = client_for(advisor)
    page = client.get(reverse("cases:list"), {"q": "nakamura"}).content.decode()
    assert r_case.reference in page
    assert "Zhang" not in page
    page = client.get(reverse("cases:list"), {"visa_type": "K"}).content.decode()
    assert "Zhang" in page
    assert "Nakamura" not in page
    assert client.get(reverse("cases:list"), {"stage": "bogus"}).status_code == 200


@pytest.mark.django_db
def test_pages_send_csp_without_unsafe_inline(advisor, client_for):
    response = client_for(advisor).get(reverse("cases:list"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_second_case_for_existing_applicant_is_chosen_not_typed(advisor, case, client_for):
    """Typing an existing applicant's email is refused; "Open another case" on their case
    opens one for them with their recorded details (issue 14: found, never claimed)."""
    from cases.models import VisaType

    applicant = case.applicant
    client = client_for(advisor)
    r = VisaType.objects.get(code="R")
    data = {
        "visa_type": r.pk,
        "given_names": "Other",
        "family_name": "Name",
        "email": applicant.email.upper(),
        "preferred_language": "en",
    }
    typed = client.post(reverse("cases:open"), data)
    assert typed.status_code == 200
    assert "Open another case" in typed.content.decode()
    assert Case.objects.count() == 1
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    link = reverse("cases:open") + f"?applicant={applicant.pk}"
    assert link in detail
    response = client.post(link, {"visa_type": r.pk}, follow=True)
    assert response.status_code == 200
    second = Case.objects.exclude(pk=case.pk).get()
    assert second.applicant == applicant
    assert second.applicant.given_names == applicant.given_names
    assert "with their recorded details" in response.content.decode()


@pytest.mark.django_db
def test_open_case_form_refuses_impossible_dates(advisor, client_for):
    from cases.models import VisaType

    data = {
        "visa_type": VisaType.objects.get(code="K").pk,
        "given_names": "A",
        "family_name": "B",
        "email": "ab@example.test",
        "preferred_language": "en",
        "date_of_birth": "1800-01-01",
        "intended_entry_date": "2020-01-01",
        "target_submission_date": "2099-01-01",
    }
    page = client_for(advisor).post(reverse("cases:open"), data).content.decode()
    assert "between 1900-01-01 and 2100-12-31" in page
    assert "intended entry date is in the past" in page
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_empty_upload_explains_the_file_is_empty(case, applicant_user, client_for, upload_file):
    req = case.requirements.get(code="cv")
    response = client_for(applicant_user).post(
        reverse("cases:upload", args=[case.pk, req.pk]),
        {"file": upload_file(b"", "empty.pdf")},
        follow=True,
    )
    assert "is empty (0 bytes)" in response.content.decode()
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_optional_and_submitted_items_are_not_overdue(advisor, applicant, client_for):
    import datetime as dt

    from cases import selectors
    from tests.factories import open_case

    case = open_case(
        applicant=applicant, advisor=advisor, opened_on=dt.date.today() - dt.timedelta(days=60)
    )
    listed = selectors.case_list_for_user(user=advisor).get(pk=case.pk)
    required = case.requirements.filter(required=True).count()
    assert listed.outstanding_count == required
    assert listed.overdue_count == required
    Case.objects.filter(pk=case.pk).update(stage=Stage.SUBMITTED)
    case_summary_refresh(case_ids=[case.pk])  # as case_transition does
    listed = selectors.case_list_for_user(user=advisor).get(pk=case.pk)
    assert listed.overdue_count == 0
    overdue = selectors.case_list_for_user(
        user=advisor, filters=selectors.CaseFilters(overdue=True)
    )
    assert not overdue.exists()


@pytest.mark.django_db
def test_login_ignores_email_letter_case(client):
    from tests.factories import TEST_PASSWORD, UserFactory

    UserFactory(email="maria@example.test")
    response = client.post(
        reverse("login"), {"username": "Maria@Example.TEST", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["intended_entry_date", "target_submission_date"])
def test_open_case_form_refuses_dates_more_than_ten_years_ahead(advisor, client_for, field):
    from cases.models import VisaType

    data = {
        "visa_type": VisaType.objects.get(code="K").pk,
        "given_names": "A",
        "family_name": "B",
        "email": "ab@example.test",
        "preferred_language": "en",
        # 15 years ahead: inside the stored-date bounds (2100), beyond the 10-year window.
        field: f"{dt.date.today().year + 15}-06-01",
    }
    response = client_for(advisor).post(reverse("cases:open"), data)
    assert response.status_code == 200
    assert "years ahead; enter a date up to" in response.content.decode()
    assert response.context["form"].errors[field]
    assert Case.objects.count() == 0
