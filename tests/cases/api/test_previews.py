"""Previews in the API (issue 10): a document version says whether its preview is ready, how
many pages it has and where each page image is; ``GET /api/v1/documents/<id>/preview/?page=N``
serves a page as PNG with the download's permission check and access log."""

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import AccessKind, Document, DocumentAccess, PreviewState, VersionState
from cases.services import privacy

PNG = b"\x89PNG\r\n\x1a\n"


def _upload(case, user, content: bytes, capture, name="a.pdf", code="passport-bio-page"):  # type: ignore[no-untyped-def]
    """Upload through the service; with ``capture`` the on-commit tasks (processing, preview)
    run, as the worker would run them."""
    with capture(execute=True):
        doc = services.document_upload(
            requirement=case.requirements.get(code=code),
            stream=io.BytesIO(content),
            filename=name,
            actor=user,
        )
    doc.refresh_from_db()
    return doc


@pytest.fixture
def previewed(case, applicant_user, pdf_bytes, django_capture_on_commit_callbacks) -> Document:
    return _upload(case, applicant_user, pdf_bytes, django_capture_on_commit_callbacks)


def _url(doc: Document, page: int | str = 1) -> str:
    return f"/api/v1/documents/{doc.pk}/preview/?page={page}"


@pytest.mark.django_db
def test_a_version_lists_its_preview_pages(api_for, case, previewed):
    body = api_for(case.advisor).get(f"/api/v1/documents/{previewed.pk}/").json()
    assert body["preview"] == {"state": "ready", "page_count": 1, "pages": [_url(previewed)]}
    # The requirement's current version carries the same.
    req = api_for(case.advisor).get(f"/api/v1/requirements/{previewed.requirement_id}/").json()
    assert req["current_document"]["preview"]["pages"] == [_url(previewed)]


@pytest.mark.django_db
def test_the_preview_page_is_a_png_with_the_download_headers_and_is_logged(
    api_for, case, applicant_user, previewed
):
    for user in (case.advisor, applicant_user):
        response = api_for(user).get(_url(previewed))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content).startswith(PNG)
    web = api_for(case.advisor).get(f"/documents/{previewed.pk}/preview/?page=1")
    assert web["Content-Disposition"] == response["Content-Disposition"]
    accesses = DocumentAccess.objects.filter(document=previewed, kind=AccessKind.PREVIEW)
    assert sorted(a.user_id for a in accesses) == sorted(
        [case.advisor.pk, applicant_user.pk, case.advisor.pk]
    )


@pytest.mark.django_db
def test_an_image_still_being_checked_has_a_pending_preview(
    api_for, case, applicant_user, jpeg_bytes
):
    doc = services.document_upload(  # no on-commit: the worker has not run yet
        requirement=case.requirements.get(code="digital-photo"),
        stream=io.BytesIO(jpeg_bytes),
        filename="me.jpg",
        actor=applicant_user,
    )
    assert doc.state == VersionState.PROCESSING
    body = api_for(case.advisor).get(f"/api/v1/documents/{doc.pk}/").json()
    assert body["preview"] == {"state": "pending", "page_count": 0, "pages": []}
    assert api_for(case.advisor).get(_url(doc)).status_code == 404
    assert not DocumentAccess.objects.exists()


@pytest.mark.django_db
def test_after_retention_there_is_no_preview_and_the_page_is_refused(
    api_for, case, advisor, previewed, django_capture_on_commit_callbacks
):
    visa = case.visa_type
    visa.retention_days_after_close = 30
    visa.save(update_fields=["retention_days_after_close"])
    services.case_transition(case=case, to="withdrawn", actor=advisor, reason="applicant left")
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=31)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert len(privacy.retention_apply(dry_run=False)) == 1
    doc = Document.objects.get(pk=previewed.pk)
    assert doc.preview_state == PreviewState.NONE
    body = api_for(advisor).get(f"/api/v1/documents/{doc.pk}/").json()
    assert body["preview"] == {"state": "none", "page_count": 0, "pages": []}
    response = api_for(advisor).get(_url(doc))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_pages_that_do_not_exist_are_404_and_a_bad_page_number_is_400(api_for, case, previewed):
    client = api_for(case.advisor)
    for page in (2, 9999):  # well-formed, but the version has no such page
        assert client.get(_url(previewed, page)).status_code == 404
    for page in ("0", "x", "-1", "1.5", "99999"):  # not a page number at all
        response = client.get(_url(previewed, page))
        assert response.status_code == 400
        assert response.json()["fields"]["page"]
    assert client.get(f"/api/v1/documents/{previewed.pk}/preview/").status_code == 200  # page 1
    assert DocumentAccess.objects.filter(kind=AccessKind.PREVIEW).count() == 1


@pytest.mark.django_db
def test_anonymous_is_refused(api_for, previewed):
    assert api_for(None).get(_url(previewed)).status_code == 401


@pytest.fixture
def ex_advisor(case, supervisor, other_advisor):  # type: ignore[no-untyped-def]
    """Ada, the case's advisor until a supervisor gave it to Otto."""
    former = case.advisor
    services.case_assign_advisor(case=case, advisor=other_advisor, actor=supervisor)
    return former


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    [
        "other_applicant_user",
        "ex_advisor",
        "other_firm_advisor",
        "other_firm_supervisor",
        "other_firm_admin",
        "other_firm_applicant_user",
    ],
)
def test_outsiders_ex_advisors_and_other_firms_get_404(persona, request, api_for, previewed):
    user = request.getfixturevalue(persona)
    client = api_for(user)
    assert client.get(f"/api/v1/documents/{previewed.pk}/").status_code == 404
    assert client.get(_url(previewed)).status_code == 404
    assert not DocumentAccess.objects.exists()


@pytest.mark.django_db
def test_another_advisor_gets_404(api_for, previewed, other_advisor):
    client = api_for(other_advisor)
    assert client.get(_url(previewed)).status_code == 404
    assert previewed.pk not in [d["id"] for d in client.get("/api/v1/documents/").json()["results"]]
    assert not DocumentAccess.objects.exists()


@pytest.mark.django_db
def test_preview_state_follows_the_version():
    doc = Document(state=VersionState.PROCESSING)
    assert doc.preview_state == PreviewState.PENDING
    doc.state = VersionState.READY
    assert doc.preview_state == PreviewState.PENDING
    doc.preview_pages = 2
    assert doc.preview_state == PreviewState.READY
    doc.file_deleted_at = timezone.now()
    assert doc.preview_state == PreviewState.NONE
    for state in (VersionState.REFUSED, VersionState.FAILED):
        assert Document(state=state).preview_state == PreviewState.NONE


@pytest.mark.django_db
def test_a_preview_that_cannot_be_made_says_so_after_the_last_try(
    api_for, case, client_for, applicant_user, pdf_bytes, django_capture_on_commit_callbacks
):
    """The worker cannot render the stored file (here: its bytes replaced by garbage after the
    upload's checks): every try fails, then the version says "failed" instead of "pending" for
    ever, and it still downloads and can be reviewed."""
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from cases.tasks import document_preview

    with django_capture_on_commit_callbacks(execute=False):
        doc = services.document_upload(
            requirement=case.requirements.get(code="passport-bio-page"),
            stream=io.BytesIO(pdf_bytes),
            filename="scan.pdf",
            actor=applicant_user,
        )
    doc.refresh_from_db()
    assert doc.preview_state == PreviewState.PENDING
    storage, name = doc.file.storage, doc.file.name
    storage.delete(name)
    assert storage.save(name, ContentFile(b"%PDF-1.7 not really")) == name
    assert document_preview.apply(args=[doc.pk]).get() == 0  # three tries, all failing
    doc.refresh_from_db()
    assert doc.preview_state == PreviewState.FAILED
    body = api_for(case.advisor).get(f"/api/v1/documents/{doc.pk}/").json()
    assert body["preview"] == {"state": "failed", "page_count": 0, "pages": []}
    page = client_for(case.advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "No preview could be made of this file. Open the file to see it." in page
    assert "The preview is not ready yet" not in page
    assert 'value="accepted"' in page  # still reviewable
    assert api_for(case.advisor).get(_url(doc)).status_code == 404
    from cases.services.previews import document_preview_build, document_preview_give_up

    assert document_preview_give_up(document_id=doc.pk) is False  # marked once
    assert document_preview_build(document_id=doc.pk) == 0  # and not tried again
