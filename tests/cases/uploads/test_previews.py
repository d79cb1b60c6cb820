"""Previews (issue 10): PNG page images made by the worker after upload, cached per version,
served through the download's permission check and access log; nothing of the file itself
reaches the browser."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
    TextStringObject,
)

from cases import services
from cases.models import AccessKind, Document, DocumentAccess
from cases.samples import sample_pdf
from cases.services.previews import document_preview_build

PNG = b"\x89PNG\r\n\x1a\n"


def pdf_with_javascript_form() -> bytes:
    """A scan with a form field whose actions are JavaScript (the upload check refuses only
    document-level scripts), and a field value that must not leak."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_pdf("Form", ["Name: ____"]))))

    def js(code: str):  # type: ignore[no-untyped-def]
        return writer._add_object(
            DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): TextStringObject(code),
                }
            )
        )

    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("name"),
            NameObject("/V"): TextStringObject("secret-field-value"),
            NameObject("/Rect"): RectangleObject([60, 60, 360, 90]),
            NameObject("/A"): js("app.alert('preview-js-ran');"),
            NameObject("/AA"): DictionaryObject({NameObject("/K"): js("app.launchURL('x');")}),
        }
    )
    ref = writer._add_object(field)
    writer.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([ref])}
    )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _upload(case, user, content: bytes, name: str, code: str, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        doc = services.document_upload(
            requirement=case.requirements.get(code=code),
            stream=io.BytesIO(content),
            filename=name,
            actor=user,
        )
    doc.refresh_from_db()
    return doc


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_pdf_with_javascript_and_a_form_reaches_the_browser_only_as_png(
    case, applicant_user, advisor, client_for, django_capture_on_commit_callbacks
):
    original = pdf_with_javascript_form()
    doc = _upload(
        case, applicant_user, original, "form.pdf", "passport-bio-page",
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert doc.preview_pages == 1
    response = client_for(advisor).get(reverse("cases:preview", args=[doc.pk]) + "?page=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    body = _body(response)
    assert body.startswith(PNG)
    for leak in (b"%PDF", b"app.alert", b"JavaScript", b"secret-field-value", original[:64]):
        assert leak not in body
    with Image.open(io.BytesIO(body)) as img:
        assert img.format == "PNG"
        assert img.width > 500  # a real page image, not a placeholder
    access = DocumentAccess.objects.get(document=doc)
    assert (access.kind, access.user, access.version) == (AccessKind.PREVIEW, advisor, 1)


@pytest.mark.django_db
def test_images_are_re_encoded_and_the_review_panel_shows_the_preview(
    case, applicant_user, advisor, client_for, jpeg_bytes, django_capture_on_commit_callbacks
):
    doc = _upload(
        case, applicant_user, jpeg_bytes, "me.jpg", "digital-photo",
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert doc.preview_pages == 1
    body = _body(client_for(advisor).get(reverse("cases:preview", args=[doc.pk])))
    assert body.startswith(PNG)
    assert jpeg_bytes[:200] not in body
    page = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    row = page[page.index(f'id="req-{doc.requirement_id}"') :]
    row = row[: row.index("</article>")]
    preview = row.index(reverse("cases:preview", args=[doc.pk]))
    assert preview < row.index('value="accepted"')  # beside accept / reject
    assert "Preview of the first page of “me.jpg”" in row


@pytest.mark.django_db
def test_preview_is_made_once_per_version(
    case, applicant_user, pdf_bytes, django_capture_on_commit_callbacks
):
    doc = _upload(
        case, applicant_user, pdf_bytes, "a.pdf", "passport-bio-page",
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    key = doc.preview_key
    assert document_preview_build(document_id=doc.pk) == 0  # already made: nothing to do
    doc.refresh_from_db()
    assert doc.preview_key == key
    assert doc.file.storage.exists(doc.preview_page_name(1))


@pytest.mark.django_db
def test_a_processing_version_has_no_preview_yet(case, applicant_user, jpeg_bytes, advisor):
    doc = services.document_upload(
        requirement=case.requirements.get(code="digital-photo"),
        stream=io.BytesIO(jpeg_bytes),
        filename="p.jpg",
        actor=applicant_user,
    )
    assert document_preview_build(document_id=doc.pk) == 0
    assert Document.objects.get(pk=doc.pk).preview_pages == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["other_applicant_user", "other_advisor", "other_firm_advisor", "other_firm_admin"]
)
def test_outsiders_and_other_firms_get_404_for_a_preview(
    persona, request, case, applicant_user, client_for, pdf_bytes,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    doc = _upload(
        case, applicant_user, pdf_bytes, "a.pdf", "passport-bio-page",
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("cases:preview", args=[doc.pk]))
    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


@pytest.mark.django_db
def test_the_applicant_may_preview_own_and_missing_pages_are_404(
    case, applicant_user, client_for, pdf_bytes, django_capture_on_commit_callbacks
):
    doc = _upload(
        case, applicant_user, pdf_bytes, "a.pdf", "passport-bio-page",
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    client = client_for(applicant_user)
    url = reverse("cases:preview", args=[doc.pk])
    assert client.get(url).status_code == 200
    for page in ("2", "0", "x", "99999"):
        assert client.get(f"{url}?page={page}").status_code == 404
    assert client_for(None).get(url).status_code == 302
