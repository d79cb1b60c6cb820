"""Uploads beyond type sniffing: HEIC conversion, GPS stripping, quotas, files per request."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases import services
from cases.models import Document
from cases.uploads import check_upload
from portal.errors import InvalidInput

ALL = ["application/pdf", "image/jpeg", "image/png"]
MB = 1024 * 1024


def _heic(size=(320, 240)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="HEIF")
    return buf.getvalue()


def _jpeg_with_gps(fmt: str = "JPEG") -> bytes:
    img = Image.new("RGB", (200, 150), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: kept
    gps = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    exif[0x8825] = gps
    buf = io.BytesIO()
    img.save(buf, format=fmt, exif=exif.tobytes())
    return buf.getvalue()


def test_heic_photo_is_converted_to_jpeg():
    checked = check_upload(
        stream=io.BytesIO(_heic()), filename="IMG_0001.HEIC", accepted_types=ALL, max_size_bytes=MB
    )
    assert checked.content_type == "image/jpeg"
    assert checked.display_name == "IMG_0001.jpg"
    data = checked.stream.read()
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        assert img.size == (320, 240)
    assert checked.size_bytes == len(data)


def test_heic_refused_where_only_pdf_is_accepted():
    with pytest.raises(InvalidInput, match="Upload a PDF"):
        check_upload(
            stream=io.BytesIO(_heic()),
            filename="IMG.heic",
            accepted_types=["application/pdf"],
            max_size_bytes=MB,
        )


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_gps_location_is_removed_from_stored_images(fmt, mime):
    original = _jpeg_with_gps(fmt)
    with Image.open(io.BytesIO(original)) as img:
        assert 0x8825 in img.getexif()
    checked = check_upload(
        stream=io.BytesIO(original), filename="p.img", accepted_types=ALL, max_size_bytes=MB
    )
    assert checked.content_type == mime
    stored = checked.stream.read()
    with Image.open(io.BytesIO(stored)) as img:
        exif = img.getexif()
        assert 0x8825 not in exif
        assert exif.get(0x010F) == "PhoneMaker"
        assert img.size == (200, 150)


def test_image_without_gps_is_stored_unchanged(jpeg_bytes):
    checked = check_upload(
        stream=io.BytesIO(jpeg_bytes), filename="p.jpg", accepted_types=ALL, max_size_bytes=MB
    )
    assert checked.stream.read() == jpeg_bytes


@pytest.mark.django_db
def test_heic_upload_through_the_page_stores_a_jpeg(
    case, applicant_user, client_for, django_capture_on_commit_callbacks
):
    photo = case.requirements.get(code="digital-photo")
    # The conversion is the worker's step, queued on commit (issue 18); eager in tests.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(applicant_user).post(
            reverse("cases:upload", args=[case.pk, photo.pk]),
            {"file": SimpleUploadedFile("selfie.heic", _heic(), content_type="image/heic")},
        )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.content_type == "image/jpeg"
    assert document.original_filename == "selfie.jpg"
    assert document.file.read()[:3] == b"\xff\xd8\xff"


@pytest.mark.django_db
def test_case_file_quota_refuses_with_a_clear_message(case, applicant_user, pdf_bytes):
    case.visa_type.quota_files = 2
    case.visa_type.save(update_fields=["quota_files"])
    requirement = case.requirements.get(code="passport-bio-page")
    for _ in range(2):
        services.document_upload(
            requirement=requirement,
            stream=io.BytesIO(pdf_bytes),
            filename="p.pdf",
            actor=applicant_user,
        )
    with pytest.raises(InvalidInput, match="2 of its 2 files"):
        services.document_upload(
            requirement=requirement,
            stream=io.BytesIO(pdf_bytes),
            filename="p.pdf",
            actor=applicant_user,
        )
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_case_byte_quota_counts_the_whole_request(case, applicant_user, pdf_bytes, client_for):
    case.visa_type.quota_bytes = len(pdf_bytes) + 10
    case.visa_type.save(update_fields=["quota_bytes"])
    passport = case.requirements.get(code="passport-bio-page")
    cv = case.requirements.get(code="cv")
    response = client_for(applicant_user).post(
        reverse("cases:case_upload", args=[case.pk]),
        {
            f"file-{passport.pk}": SimpleUploadedFile("a.pdf", pdf_bytes),
            f"file-{cv.pk}": SimpleUploadedFile("b.pdf", pdf_bytes),
        },
    )
    assert response.status_code == 400
    assert "do not fit" in response.content.decode()
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_default_quota_is_300_mb_and_200_files(case):
    assert case.visa_type.quota_bytes == 300 * MB
    assert case.visa_type.quota_files == 200


@pytest.mark.django_db
def test_more_than_ten_files_in_one_request_are_refused(
    case, applicant_user, client_for, pdf_bytes
):
    passport = case.requirements.get(code="passport-bio-page")
    files = [SimpleUploadedFile(f"p{i}.pdf", pdf_bytes) for i in range(11)]
    response = client_for(applicant_user).post(
        reverse("cases:case_upload", args=[case.pk]), {f"file-{passport.pk}": files}
    )
    assert response.status_code == 400
    assert "at most 10" in response.content.decode()
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_ten_valid_files_in_one_request_are_all_stored(
    case, applicant_user, client_for, pdf_bytes, jpeg_bytes
):
    requirements = list(case.requirements.order_by("position"))
    data = {}
    count = 0
    for r in requirements:
        content, name = (
            (jpeg_bytes, "x.jpg")
            if "image/jpeg" in r.accepted_types
            else (
                pdf_bytes,
                "x.pdf",
            )
        )
        data[f"file-{r.pk}"] = [
            SimpleUploadedFile(name, content),
            SimpleUploadedFile(name, content),
        ]
        count += 2
        if count >= 10:
            break
    response = client_for(applicant_user).post(reverse("cases:case_upload", args=[case.pk]), data)
    assert response.status_code == 302
    assert Document.objects.count() == 10


@pytest.mark.django_db
def test_every_file_is_validated_and_every_refusal_named(
    case, applicant_user, client_for, pdf_bytes
):
    passport = case.requirements.get(code="passport-bio-page")
    cv = case.requirements.get(code="cv")
    photo = case.requirements.get(code="digital-photo")
    response = client_for(applicant_user).post(
        reverse("cases:case_upload", args=[case.pk]),
        {
            f"file-{passport.pk}": SimpleUploadedFile("ok.pdf", pdf_bytes),
            f"file-{cv.pk}": SimpleUploadedFile("empty.pdf", b""),
            f"file-{photo.pk}": SimpleUploadedFile("photo.jpg", pdf_bytes),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "empty.pdf" in body
    assert "photo.jpg" in body
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_outsider_gets_404_on_the_multi_upload_page(case, other_applicant_user, client_for):
    response = client_for(other_applicant_user).get(reverse("cases:case_upload", args=[case.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_multi_upload_page_lists_the_requirements(case, applicant_user, client_for):
    response = client_for(applicant_user).get(reverse("cases:case_upload", args=[case.pk]))
    assert response.status_code == 200
    assert f'name="file-{case.requirements.first().pk}"' in response.content.decode()


def test_heic_conversion_drops_location():
    img = Image.new("RGB", (120, 90), "green")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    buf = io.BytesIO()
    img.save(buf, format="HEIF", exif=exif.tobytes())
    with Image.open(io.BytesIO(buf.getvalue())) as original:
        assert 0x8825 in original.getexif()
    checked = check_upload(stream=buf, filename="a.heic", accepted_types=ALL, max_size_bytes=MB)
    with Image.open(checked.stream) as converted:
        assert 0x8825 not in converted.getexif()
