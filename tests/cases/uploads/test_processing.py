"""Uploads answer once the bytes are stored and the cheap checks pass; images are then
"processing" until the worker's step (issue 18) makes them ready, refused or failed. The
task runs eagerly in tests, when the upload's transaction commits
(``django_capture_on_commit_callbacks``); the real worker is tested in
``tests/cases/services/test_upload_worker_integration.py``."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from cases import services, tasks
from cases.models import Document, RequirementStatus, ReviewStatus, VersionState
from cases.services import uploads as services_uploads
from cases.uploads import check_upload, screen_upload
from portal.errors import InvalidInput

ALL = ["application/pdf", "image/jpeg", "image/png"]
MB = 1024 * 1024


def _photo(case):  # type: ignore[no-untyped-def]
    return case.requirements.get(code="digital-photo")


def _upload(case, user, content: bytes, name: str = "photo.jpg", code: str = "digital-photo"):  # type: ignore[no-untyped-def]
    return services.document_upload(
        requirement=case.requirements.get(code=code),
        stream=io.BytesIO(content),
        filename=name,
        actor=user,
    )


def _damaged_scan_jpeg(jpeg: bytes) -> bytes:
    """A JPEG whose structure passes (header, end marker) but whose scan data is broken."""
    sos = jpeg.find(b"\xff\xda")
    return jpeg[: sos + 20] + bytes([0xFF, 0x13]) * 2000 + jpeg[sos + 4020 :]


def _jpeg_with_location() -> bytes:
    img = Image.new("RGB", (200, 150), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'exif:GPSLatitude="39,54.45N" photoshop:City="Beijing"/></rdf:RDF></x:xmpmeta>'
    )
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes(), xmp=xmp)
    return buf.getvalue()


def _xmp_only_location() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(
        buf, format="JPEG", xmp=b'<rdf:Description Iptc4xmpCore:Location="Home"/>'
    )
    return buf.getvalue()


@pytest.mark.django_db
def test_pdf_is_ready_at_once_and_needs_no_processing(
    case, applicant_user, pdf_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, pdf_bytes, "p.pdf", code="passport-bio-page")
    assert doc.state == VersionState.READY
    doc.refresh_from_db()
    assert doc.processing_attempts == 0  # no worker's step: only its preview was queued


@pytest.mark.django_db
def test_image_upload_answers_processing_and_the_worker_makes_it_ready(
    case, applicant_user, advisor, jpeg_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        doc = _upload(case, applicant_user, jpeg_bytes)
    assert doc.state == VersionState.PROCESSING
    assert _photo(case).status == RequirementStatus.UPLOADED
    for callback in callbacks:
        callback()  # the commit: the task runs (eager in tests)
    doc.refresh_from_db()
    assert doc.state == VersionState.READY
    assert doc.processing_attempts == 1
    assert doc.processed_at is not None
    assert doc.file.read() == jpeg_bytes  # no location: stored unchanged
    # A second delivery of the same task changes nothing.
    assert tasks.document_process.delay(doc.pk).get() == VersionState.READY
    doc.refresh_from_db()
    assert doc.processing_attempts == 1
    services.document_review(document=doc, decision="accepted", reason="", actor=advisor)


@pytest.mark.django_db
def test_a_processing_version_cannot_be_accepted_by_service_page_or_api(
    case, applicant_user, advisor, jpeg_bytes, client_for, api_for
):
    doc = _upload(case, applicant_user, jpeg_bytes)  # no commit here: stays processing
    with pytest.raises(InvalidInput, match="still being checked"):
        services.document_review(document=doc, decision="accepted", reason="", actor=advisor)
    page = client_for(advisor).post(
        reverse("cases:document_review", args=[case.pk, doc.pk]), {"decision": "accepted"}
    )
    assert page.status_code == 302
    api = api_for(advisor).post(
        f"/api/v1/documents/{doc.pk}/review/", {"decision": "accepted"}, format="json"
    )
    assert api.status_code == 400
    assert "still being checked" in api.json()["detail"]
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.PENDING
    assert _photo(case).status == RequirementStatus.UPLOADED
    body = api_for(advisor).get(f"/api/v1/documents/{doc.pk}/").json()
    assert body["state"] == "processing"
    assert "Refresh the page" in body["state_message"]


@pytest.mark.django_db
def test_pages_show_processing_without_javascript_and_offer_no_accept(
    case, applicant_user, advisor, jpeg_bytes, client_for
):
    doc = _upload(case, applicant_user, jpeg_bytes)
    staff = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    row = staff[staff.index(f'id="req-{_photo(case).pk}"') :]
    row = row[: row.index("</article>")]
    assert "Being checked" in row
    assert "Refresh the page in a minute" in row
    assert reverse("cases:document_review", args=[case.pk, doc.pk]) not in row
    mine = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk])).content
    assert "Being checked" in mine.decode()
    assert b"<script" not in mine


@pytest.mark.django_db
def test_location_in_exif_and_xmp_is_removed_by_the_worker(
    case, applicant_user, django_capture_on_commit_callbacks, settings
):
    original = _jpeg_with_location()
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, original)
    doc.refresh_from_db()
    assert doc.state == VersionState.READY
    stored = doc.file.read()
    assert stored != original
    with Image.open(io.BytesIO(stored)) as img:
        assert 0x8825 not in img.getexif()
        assert img.getexif().get(0x010F) == "PhoneMaker"
        assert "xmp" not in img.info
    assert b"Beijing" not in stored
    assert doc.size_bytes == len(stored)
    assert doc.sha256 == hashlib.sha256(stored).hexdigest()
    # The original (with the location) is gone from storage: only the cleaned file is left.
    from pathlib import Path

    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    documents = root / "documents"
    assert [p.read_bytes() for p in documents.rglob("*") if p.is_file()] == [stored]


def test_location_only_in_xmp_is_removed_too():
    checked = check_upload(
        stream=io.BytesIO(_xmp_only_location()),
        filename="x.jpg",
        accepted_types=ALL,
        max_size_bytes=MB,
    )
    data = checked.stream.read()
    assert b"Iptc4xmpCore:Location" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (64, 48)


@pytest.mark.django_db
def test_damaged_pixels_are_refused_by_the_worker_with_the_same_message(
    case, applicant, applicant_user, jpeg_bytes, django_capture_on_commit_callbacks
):
    bad = _damaged_scan_jpeg(jpeg_bytes)
    with pytest.raises(InvalidInput) as in_process:
        check_upload(
            stream=io.BytesIO(bad), filename="p.jpg", accepted_types=ALL, max_size_bytes=MB
        )
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, bad)
    doc.refresh_from_db()
    assert doc.state == VersionState.REFUSED
    assert doc.state_reason == in_process.value.message
    assert "damaged or incomplete" in doc.state_message
    assert doc.file_deleted  # refused files are not kept, as a request-time refusal
    assert not doc.file.storage.exists(doc.file.name)
    assert _photo(case).status == RequirementStatus.MISSING
    event = case.events.filter(kind="upload").first()
    assert event.after == VersionState.REFUSED


@pytest.mark.django_db
def test_refusal_is_written_in_the_uploaders_language(
    case, applicant_user, jpeg_bytes, django_capture_on_commit_callbacks
):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, _damaged_scan_jpeg(jpeg_bytes))
    doc.refresh_from_db()
    assert doc.state == VersionState.REFUSED
    assert "JPEG" in doc.state_reason
    assert "damaged" not in doc.state_reason


@pytest.mark.django_db
def test_heic_becomes_a_jpeg_in_the_worker(
    case, applicant_user, django_capture_on_commit_callbacks
):
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(buf, format="HEIF")
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, buf.getvalue(), "IMG_1.HEIC")
    assert doc.content_type == "image/heic"  # as stored when the request answered
    doc.refresh_from_db()
    assert doc.state == VersionState.READY
    assert (doc.content_type, doc.original_filename) == ("image/jpeg", "IMG_1.jpg")
    assert doc.file.read()[:3] == b"\xff\xd8\xff"


@pytest.mark.django_db
def test_failures_are_retried_then_the_version_says_why_and_keeps_its_file(
    case, applicant_user, jpeg_bytes, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.PORTAL_UPLOAD_RETRY_BASE_SECONDS = 0
    calls = []

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise RuntimeError("disk hiccup")

    monkeypatch.setattr(services_uploads, "process_upload", broken)
    with django_capture_on_commit_callbacks(execute=True):
        doc = _upload(case, applicant_user, jpeg_bytes)
    doc.refresh_from_db()
    assert len(calls) == settings.PORTAL_UPLOAD_PROCESS_TRIES == 3
    assert doc.processing_attempts == 3
    assert doc.state == VersionState.FAILED
    assert doc.state_reason == "error"
    assert "could not finish checking" in doc.state_message
    assert not doc.file_deleted
    assert doc.file.read() == jpeg_bytes  # the file is not lost
    assert _photo(case).status == RequirementStatus.MISSING


@pytest.mark.django_db
def test_a_try_claimed_by_a_worker_that_died_counts(case, applicant_user, jpeg_bytes, settings):
    doc = _upload(case, applicant_user, jpeg_bytes)
    # Every try was claimed and none finished (each worker was killed mid-task).
    Document.objects.filter(pk=doc.pk).update(
        processing_attempts=settings.PORTAL_UPLOAD_PROCESS_TRIES
    )
    assert services_uploads.document_process(document_id=doc.pk) == VersionState.FAILED
    doc.refresh_from_db()
    assert doc.state_reason == "worker_lost"
    assert "stopped before it finished" in doc.state_message
    assert doc.file.read() == jpeg_bytes


@pytest.mark.parametrize(
    "fmt", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("HEIF", "image/heic")]
)
def test_the_request_reads_headers_and_decodes_no_pixels(monkeypatch, fmt):
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), "white").save(buf, format=fmt[0])

    def no_decoding(self):  # type: ignore[no-untyped-def]
        raise AssertionError("a web request decoded pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    checked = screen_upload(stream=buf, filename="x", accepted_types=ALL, max_size_bytes=MB)
    assert checked.needs_processing
    assert checked.content_type == fmt[1]


KB = 1024


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"\x00" * (3 * MB) + b"\xff\xd9", True),  # the usual end
        (b"\x00" * MB + b"\xff\xd9" + b"\x00" * (2 * MB), True),  # data appended after it
        # A marker across the boundary of the 64 KB tail, and of a 1 MB chunk before it.
        (b"\x00" * MB + b"\xff\xd9" + b"\x00" * (64 * KB - 1), True),
        (b"\x00" * MB + b"\xff\xd9" + b"\x00" * (MB + 64 * KB - 1), True),
        (b"\x00" * (3 * MB) + b"\xff\x00\xff\xd0", False),  # stuffed FF and a restart only
        (b"\xff\xd9" + b"\x00" * MB, False),  # before the scan (a thumbnail's end)
    ],
)
def test_the_end_marker_is_found_wherever_it_is_after_the_scan(data, found):
    from cases.uploads.images import _jpeg_reaches_end_marker

    assert _jpeg_reaches_end_marker(io.BytesIO(data), scan_start=10) is found


def test_pixel_count_is_refused_from_the_header_before_decoding(monkeypatch):
    buf = io.BytesIO()
    Image.new("L", (8000, 7600), 0).save(buf, format="JPEG")  # 60.8 MP, a few hundred KB
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(InvalidInput, match="8000 × 7600 pixels, more than 60 megapixels"):
        screen_upload(stream=buf, filename="x.jpg", accepted_types=ALL, max_size_bytes=MB)


@pytest.mark.django_db
def test_page_upload_of_a_photo_answers_before_processing(
    case, applicant_user, client_for, jpeg_bytes
):
    response = client_for(applicant_user).post(
        reverse("cases:upload", args=[case.pk, _photo(case).pk]),
        {"file": SimpleUploadedFile("me.jpg", jpeg_bytes, content_type="image/jpeg")},
    )
    assert response.status_code == 302
    assert Document.objects.get().state == VersionState.PROCESSING
