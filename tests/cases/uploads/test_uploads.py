"""Uploads are validated by content; bad files get a clear error and store nothing."""

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cases import services
from cases.models import Document, RequirementStatus
from cases.uploads import clean_display_filename, name_for_type
from portal.errors import InvalidInput


def _stored_files() -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(case, user, content: bytes, filename: str, code: str = "passport-bio-page"):  # type: ignore[no-untyped-def]
    req = case.requirements.get(code=code)
    return services.document_upload(
        requirement=req, stream=io.BytesIO(content), filename=filename, actor=user
    )


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` but carries almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


BAD_FILES = {
    "empty": (b"", "empty.pdf", "empty"),
    "exe renamed pdf": (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
        "passport.pdf",
        r"is a program \(EXE\)",
    ),
    "elf renamed pdf": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "cv.pdf", r"is a program \(ELF\)"),
    "html": (
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "scan.pdf",
        "web page, SVG or XML",
    ),
    "corrupt pdf": (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\ngarbage" * 3,
        "broken.pdf",
        "damaged",
    ),
    "zip": (b"PK\x03\x04" + b"\x00" * 100, "docs.pdf", r"is an archive \(ZIP\)"),
    "pixel flood": (_png_header(20_000, 20_000), "huge.png", "megapixels"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_refused_with_message_and_nothing_stored(case, applicant_user, name):
    content, filename, expected = BAD_FILES[name]
    with pytest.raises(InvalidInput, match=expected) as err:
        _upload(case, applicant_user, content, filename)
    assert "upload" in err.value.message.lower()  # says what to do instead
    assert Document.objects.count() == 0
    assert _stored_files() == []
    req = case.requirements.get(code="passport-bio-page")
    assert req.status == RequirementStatus.MISSING
    assert case.events.filter(kind="upload").count() == 0


@pytest.mark.django_db
def test_truncated_jpeg_is_refused(case, applicant_user, jpeg_bytes):
    with pytest.raises(InvalidInput, match="damaged or incomplete"):
        _upload(
            case,
            applicant_user,
            jpeg_bytes[: len(jpeg_bytes) // 2],
            "photo.jpg",
            code="digital-photo",
        )
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_oversized_file_is_refused(case, applicant_user, pdf_bytes):
    req = case.requirements.get(code="cv")
    req.max_size_bytes = 1000
    req.save(update_fields=["max_size_bytes"])
    with pytest.raises(InvalidInput, match="the limit here is 1000"):
        _upload(case, applicant_user, pdf_bytes, "cv.pdf", code="cv")
    assert _stored_files() == []


@pytest.mark.django_db
def test_type_not_accepted_for_item_names_the_right_types(case, applicant_user, pdf_bytes):
    with pytest.raises(InvalidInput, match="Upload a JPEG or PNG instead"):
        _upload(case, applicant_user, pdf_bytes, "photo.pdf", code="digital-photo")


@pytest.mark.django_db
def test_encrypted_pdf_is_refused(case, applicant_user, pdf_bytes):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_bytes)))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(InvalidInput, match="password-protected"):
        _upload(case, applicant_user, buf.getvalue(), "locked.pdf")


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["护照 扫描件.pdf", "جواز السفر.pdf", "passport 🛂.pdf"])
def test_valid_upload_keeps_display_name_and_uses_random_key(
    case, applicant_user, pdf_bytes, filename
):
    doc = _upload(case, applicant_user, pdf_bytes, filename)
    assert doc.original_filename == filename
    assert doc.content_type == "application/pdf"
    assert doc.size_bytes == len(pdf_bytes)
    import hashlib

    assert doc.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert filename not in doc.file.name
    assert "passport" not in doc.file.name
    stored = _stored_files()
    assert len(stored) == 1
    assert stored[0].read_bytes() == pdf_bytes
    assert oct(os.stat(stored[0]).st_mode & 0o777) == "0o600"


def test_display_filename_cleaning():
    assert clean_display_filename("../../etc/passwd") == "passwd"
    assert clean_display_filename("C:\\Users\\x\\scan.pdf") == "scan.pdf"
    assert clean_display_filename("evil\u202efdp.exe") == "evilfdp.exe"
    assert clean_display_filename("a\x01b\nc.pdf") == "abc.pdf"
    assert clean_display_filename("x.pdf\x00.exe") == "x.pdf"
    assert clean_display_filename("") == "document"
    long = "名" * 300 + ".pdf"
    cleaned = clean_display_filename(long)
    assert len(cleaned) == 255
    assert cleaned.endswith(".pdf")


@pytest.mark.django_db
def test_waived_requirement_refuses_uploads(case, advisor, applicant_user, pdf_bytes):
    req = case.requirements.get(code="cv")
    services.requirement_waive(requirement=req, reason="Provided at interview", actor=advisor)
    with pytest.raises(InvalidInput, match="waived"):
        _upload(case, applicant_user, pdf_bytes, "cv.pdf", code="cv")


@pytest.mark.django_db
def test_a_jpeg_named_pdf_is_stored_and_offered_as_jpg(
    case, applicant_user, advisor, jpeg_bytes, client_for, django_capture_on_commit_callbacks
):
    """Content wins where images are allowed: the version is a JPEG and its name says so, on
    the page, in the API and in the download's filename."""
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, jpeg_bytes, "passport.pdf")
    doc.refresh_from_db()
    assert doc.content_type == "image/jpeg"
    assert doc.original_filename == "passport.jpg"
    for user in (applicant_user, advisor):
        response = client_for(user).get(reverse("cases:download", args=[doc.pk]))
        assert response.status_code == 200
        assert 'filename="passport.jpg"' in response["Content-Disposition"]
        assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content_type", "stored"),
    [
        ("passport.pdf", "image/jpeg", "passport.jpg"),
        ("护照.PDF", "image/png", "护照.png"),
        ("cv.docx", "application/pdf", "cv.pdf"),
        ("photo.JPEG", "image/jpeg", "photo.JPEG"),  # already a JPEG's: kept as sent
        ("selfie.jfif", "image/jpeg", "selfie.jfif"),
        ("scan", "application/pdf", "scan.pdf"),
        ("report v1.2", "application/pdf", "report v1.2.pdf"),  # not a type: kept, one added
        ("phone.heic", "image/heic", "phone.heic"),  # the worker names the JPEG it makes
    ],
)
def test_the_stored_name_carries_the_extension_of_the_content(name, content_type, stored):
    assert name_for_type(name, content_type) == stored


def test_a_renamed_long_name_stays_within_255_characters():
    renamed = name_for_type("名" * 251 + ".pdf", "image/jpeg")
    assert len(renamed) == 255
    assert renamed.endswith("名.jpg")


def test_the_accepted_types_read_as_a_list_in_each_language():
    from django.utils import translation

    from cases.uploads.checks import accepted_labels

    types = ["application/pdf", "image/jpeg", "image/png"]
    with translation.override("en"):
        assert accepted_labels(types) == "PDF, JPEG or PNG"
    with translation.override("zh-hans"):
        assert accepted_labels(types) == "PDF、JPEG或PNG"  # the enumeration comma, not ", "
