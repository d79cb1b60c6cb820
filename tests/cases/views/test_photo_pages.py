"""The photo check pages (issue 13): the check with the original and the corrected copy side
by side, the corrected image, "Use the corrected photo"; for the case's people only."""

import io

import pytest
from django.urls import reverse

from cases import services
from cases.models import PhotoCheck
from tests.photo_corpus import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrong_photo(case, applicant_user, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        doc = services.document_upload(
            requirement=case.requirements.get(code="digital-photo"),
            stream=io.BytesIO(CORPUS["png"][0]()),
            filename="me.png",
            actor=applicant_user,
        )
    doc.refresh_from_db()
    return doc


def test_the_applicant_sees_problems_both_photos_and_the_button(
    client_for, applicant_user, wrong_photo
):
    page = client_for(applicant_user).get(reverse("cases:photo_check", args=[wrong_photo.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Save it as a JPEG (.jpg) file" in html
    assert reverse("cases:preview", args=[wrong_photo.pk]) in html
    assert reverse("cases:photo_corrected", args=[wrong_photo.pk]) in html
    assert "Use the corrected photo" in html
    case_page = client_for(applicant_user).get(
        reverse("cases:my_detail", args=[wrong_photo.requirement.case_id])
    )
    assert "See the photo check" in case_page.content.decode()


def test_the_advisor_sees_the_check_on_the_case_page_and_may_use_the_copy(
    client_for, advisor, wrong_photo
):
    case_page = client_for(advisor).get(
        reverse("cases:detail", args=[wrong_photo.requirement.case_id])
    )
    assert "does not meet 2 of the photo rules" in case_page.content.decode()
    page = client_for(advisor).get(reverse("cases:photo_check", args=[wrong_photo.pk]))
    assert "Use the corrected photo" in page.content.decode()


def test_the_page_is_all_chinese_for_a_chinese_reader(client_for, applicant_user, wrong_photo):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    html = (
        client_for(applicant_user)
        .get(reverse("cases:photo_check", args=[wrong_photo.pk]))
        .content.decode()
    )
    assert "使用修正后的照片" in html
    for english in (
        "Photo check",
        "What to change",
        "JPEG (.jpg) file",
        "Use the corrected",
        "Back to",
    ):
        assert english not in html


def test_the_corrected_image_is_served_inline_as_jpeg(client_for, applicant_user, wrong_photo):
    response = client_for(applicant_user).get(
        reverse("cases:photo_corrected", args=[wrong_photo.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_using_the_copy_from_the_page_makes_version_2(
    client_for, applicant_user, wrong_photo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(applicant_user).post(
            reverse("cases:photo_use", args=[wrong_photo.pk])
        )
    assert response.status_code == 302
    requirement = wrong_photo.requirement
    requirement.refresh_from_db()
    assert requirement.current_document.version == 2
    assert (
        PhotoCheck.objects.get(document=wrong_photo).used_as_id == requirement.current_document_id
    )
    again = client_for(applicant_user).post(reverse("cases:photo_use", args=[wrong_photo.pk]))
    assert again.status_code == 302  # back to the page with "no longer offered"
    assert requirement.documents.count() == 2


@pytest.mark.parametrize(
    "who", ["other_applicant_user", "other_advisor", "other_firm_advisor", "other_firm_admin"]
)
def test_outsiders_get_404_everywhere(request, client_for, wrong_photo, who):
    client = client_for(request.getfixturevalue(who))
    for name in ("photo_check", "photo_corrected"):
        assert client.get(reverse(f"cases:{name}", args=[wrong_photo.pk])).status_code == 404
    assert client.post(reverse("cases:photo_use", args=[wrong_photo.pk])).status_code == 404
    assert wrong_photo.requirement.documents.count() == 1


def test_a_document_that_is_not_a_photo_has_no_photo_page(
    client_for, advisor, case, applicant_user, django_capture_on_commit_callbacks
):
    from cases.samples import sample_pdf

    with django_capture_on_commit_callbacks(execute=True):
        doc = services.document_upload(
            requirement=case.requirements.get(code="passport-bio-page"),
            stream=io.BytesIO(sample_pdf("Passport", ["P<UTO"])),
            filename="passport.pdf",
            actor=applicant_user,
        )
    assert client_for(advisor).get(reverse("cases:photo_check", args=[doc.pk])).status_code == 404
    assert (
        client_for(advisor).get(reverse("cases:photo_corrected", args=[doc.pk])).status_code == 404
    )


def test_the_photo_check_page_costs_a_fixed_number_of_queries(
    client_for, applicant_user, wrong_photo, django_assert_max_num_queries
):
    client = client_for(applicant_user)
    url = reverse("cases:photo_check", args=[wrong_photo.pk])
    client.get(url)
    # 7 as measured: the session, its user and two-factor device (3), the version joined with
    # its requirement, checklist item, case, applicant and advisor (1), its check (1), and
    # the base template's reads; no query per problem or per image.
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200
