"""Photo checks in the upload pipeline (issue 13): the worker checks each ready version of a
photo requirement, stores the sentences and a corrected copy; using the copy makes a new
version through the upload service and keeps the original."""

import io

import pytest
from django.http import Http404
from django.utils import timezone

from cases import services
from cases.models import AccessKind, ChecklistItem, DocumentAccess, PhotoCheck, VersionState
from cases.services import photos
from cases.services.privacy import retention_apply
from portal.errors import NotAllowed, StaleObject
from tests.photo_corpus import CORPUS, portrait

pytestmark = pytest.mark.django_db


def upload(case, user, data: bytes, name: str, capture, code: str = "digital-photo"):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        doc = services.document_upload(
            requirement=case.requirements.get(code=code),
            stream=io.BytesIO(data),
            filename=name,
            actor=user,
        )
    doc.refresh_from_db()
    return doc


def test_seeded_k_and_r_photo_items_check_photos_with_the_published_limits(firm):
    items = ChecklistItem.objects.filter(code="digital-photo", visa_type__firm=firm)
    assert {i.visa_type.code for i in items} == {"K", "R"}
    for item in items:
        assert item.photo_check
        assert (item.photo_min_bytes, item.photo_max_bytes) == (40 * 1024, 120_000)
        assert (item.photo_min_width, item.photo_max_width) == (354, 420)
        assert (item.photo_min_height, item.photo_max_height) == (472, 560)
        assert "40-120 KB" in item.help_en
    assert not ChecklistItem.objects.filter(code="passport-bio-page", photo_check=True).exists()


def test_a_new_firm_gets_the_photo_checks_too(other_firm):
    assert (
        ChecklistItem.objects.filter(
            code="digital-photo", visa_type__firm=other_firm, photo_check=True
        ).count()
        == 2
    )


def test_a_wrong_photo_gets_its_problems_and_a_corrected_copy(
    case, applicant_user, django_capture_on_commit_callbacks
):
    doc = upload(
        case, applicant_user, CORPUS["png"][0](), "me.png", django_capture_on_commit_callbacks
    )
    assert doc.state == VersionState.READY  # the check never refuses an upload
    check = PhotoCheck.objects.get(document=doc)
    assert {p["code"] for p in check.problems} == {"format", "bytes_large"}
    assert check.has_correction
    assert check.corrected_width == 387
    assert 40 * 1024 <= check.corrected_size_bytes <= 120_000
    assert doc.file.storage.exists(check.corrected_name)
    assert any("JPEG" in t for t in check.problem_texts)


def test_a_right_photo_passes_and_other_requirements_are_not_checked(
    case, applicant_user, django_capture_on_commit_callbacks
):
    doc = upload(
        case, applicant_user, CORPUS["right"][0](), "me.jpg", django_capture_on_commit_callbacks
    )
    check = PhotoCheck.objects.get(document=doc)
    assert check.passed
    assert not check.corrected_name
    passport = upload(
        case,
        applicant_user,
        portrait(),
        "passport.jpg",
        django_capture_on_commit_callbacks,
        code="passport-bio-page",
    )
    assert not PhotoCheck.objects.filter(document=passport).exists()
    assert photos.document_photo_check(document_id=passport.pk) == "skipped"


def test_an_unfixable_photo_gets_sentences_and_no_copy(
    case, applicant_user, django_capture_on_commit_callbacks
):
    doc = upload(
        case, applicant_user, CORPUS["two_faces"][0](), "us.jpg", django_capture_on_commit_callbacks
    )
    check = PhotoCheck.objects.get(document=doc)
    assert [p["code"] for p in check.problems] == ["many_faces"]
    assert not check.has_correction


def test_the_check_runs_once(case, applicant_user, django_capture_on_commit_callbacks):
    doc = upload(
        case, applicant_user, CORPUS["png"][0](), "me.png", django_capture_on_commit_callbacks
    )
    assert photos.document_photo_check(document_id=doc.pk) == "skipped"
    assert PhotoCheck.objects.filter(document=doc).count() == 1
    assert photos.document_photo_check(document_id=999_999) == "skipped"


def test_a_checker_error_is_stored_as_a_sentence_not_raised(
    case, applicant_user, django_capture_on_commit_callbacks, monkeypatch
):
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("detector crashed")

    monkeypatch.setattr(photos, "check_photo", boom)
    doc = upload(
        case, applicant_user, CORPUS["right"][0](), "me.jpg", django_capture_on_commit_callbacks
    )
    check = PhotoCheck.objects.get(document=doc)
    assert [p["code"] for p in check.problems] == ["check_error"]
    assert "by eye" in check.problem_texts[0]


def test_using_the_corrected_photo_makes_a_new_version_and_keeps_the_original(
    case, applicant_user, django_capture_on_commit_callbacks
):
    original = upload(
        case,
        applicant_user,
        CORPUS["too_big"][0](),
        "phone.jpg",
        django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        new = photos.photo_correction_use(document=original, actor=applicant_user)
    new.refresh_from_db()
    requirement = case.requirements.get(code="digital-photo")
    assert requirement.current_document_id == new.pk
    assert new.version == 2
    assert new.original_filename == "phone-corrected.jpg"
    assert new.content_type == "image/jpeg"
    assert new.state == VersionState.READY
    assert list(requirement.documents.order_by("version").values_list("pk", flat=True)) == [
        original.pk,
        new.pk,
    ]
    assert PhotoCheck.objects.get(document=original).used_as_id == new.pk
    assert PhotoCheck.objects.get(document=new).passed  # the copy passes its own check
    with pytest.raises(StaleObject):
        photos.photo_correction_use(document=original, actor=applicant_user)


def test_the_advisor_may_use_the_copy_but_outsiders_may_not(
    case,
    advisor,
    applicant_user,
    other_advisor,
    other_applicant_user,
    other_firm_advisor,
    django_capture_on_commit_callbacks,
):
    doc = upload(
        case, applicant_user, CORPUS["png"][0](), "me.png", django_capture_on_commit_callbacks
    )
    for outsider in (other_advisor, other_applicant_user, other_firm_advisor):
        with pytest.raises(NotAllowed):
            photos.photo_correction_use(document=doc, actor=outsider)
        with pytest.raises(Http404):
            photos.document_open_corrected_photo(document=doc, actor=outsider, ip_address=None)
    with django_capture_on_commit_callbacks(execute=True):
        new = photos.photo_correction_use(document=doc, actor=advisor)
    assert new.uploaded_by == advisor


def test_opening_the_corrected_copy_is_recorded_as_a_preview(
    case, applicant_user, advisor, django_capture_on_commit_callbacks
):
    doc = upload(
        case, applicant_user, CORPUS["png"][0](), "me.png", django_capture_on_commit_callbacks
    )
    with photos.document_open_corrected_photo(document=doc, actor=advisor, ip_address=None) as f:
        assert f.read(3) == b"\xff\xd8\xff"
    assert DocumentAccess.objects.filter(
        document=doc, user=advisor, kind=AccessKind.PREVIEW
    ).exists()


def test_retention_deletes_the_corrected_copy_with_the_file(
    case, applicant_user, django_capture_on_commit_callbacks, monkeypatch
):
    from cases.services import privacy

    doc = upload(
        case, applicant_user, CORPUS["png"][0](), "me.png", django_capture_on_commit_callbacks
    )
    name = PhotoCheck.objects.get(document=doc).corrected_name
    storage = doc.file.storage
    item = privacy.RetentionItem(
        document_id=doc.pk,
        case_id=case.pk,
        case_reference=case.reference,
        filename=doc.original_filename,
        sha256=doc.sha256,
        size_bytes=doc.size_bytes,
        closed_at=timezone.now(),
        retention_days=1,
    )
    monkeypatch.setattr(privacy, "retention_due", lambda now=None: [item])
    monkeypatch.setattr(privacy, "RETENTION_STAGES", {case.stage})
    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(dry_run=False)
    assert not storage.exists(name)
    assert PhotoCheck.objects.get(document=doc).corrected_name == ""
