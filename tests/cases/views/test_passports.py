"""The passport reader in the pipeline and its page (issue 13): a ready passport version is read
by the worker, the advisor sees the fields beside the record with every difference in words,
"Apply to record" writes through ``applicant_record_update`` with its CaseEvents, and nobody
but the case's staff reaches either route."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseEvent, EventKind, PassportReading, ReadingStatus, VersionState
from cases.services import passports as passport_services
from cases.services.passports import passport_read
from cases.uploads.mrz import MrzFields, MrzResult
from tests.cases.uploads.test_mrz import needs_ocr
from tests.factories import upload_document
from tests.mrz_samples import Holder, encode, mrz_lines, passport_page

ALL_OK = {
    "document_number": True,
    "birth_date": True,
    "expiry_date": True,
    "personal_number": True,
    "composite": True,
}


def _fields(**overrides) -> MrzFields:  # type: ignore[no-untyped-def]
    values = {
        "surname": "GARCIA LOPEZ",
        "given_names": "MARIA ELENA",
        "document_number": "PA7777777",
        "nationality": "ESP",
        "nationality_alpha2": "ES",
        "issuing_state": "ESP",
        "birth_date": dt.date(1990, 1, 15),
        "sex": "F",
        "expiry_date": dt.date(2032, 6, 30),
        "checks": dict(ALL_OK),
        "lines": ("P<ESP...", "PA7777777..."),
    }
    values.update(overrides)
    return MrzFields(**values)


@pytest.fixture
def reader(monkeypatch):  # type: ignore[no-untyped-def]
    """Replace the OCR with a fixed result (the OCR itself is tested in test_mrz.py)."""
    state = {"result": MrzResult(_fields())}

    def fake(*, stream, content_type):  # type: ignore[no-untyped-def]
        if isinstance(state["result"], Exception):
            raise state["result"]
        return state["result"]

    monkeypatch.setattr(passport_services, "read_mrz_page", fake)
    monkeypatch.setattr(passport_services, "tesseract_available", lambda: True)
    return state


@pytest.fixture
def passport_doc(case, applicant_user, reader, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    applicant = case.applicant
    applicant.given_names, applicant.family_name = "María Elena", "García López"
    applicant.passport_number, applicant.nationality = "PA1111111", "ES"
    applicant.date_of_birth, applicant.passport_expiry = dt.date(1990, 1, 15), dt.date(2031, 1, 1)
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload_document(case, actor=applicant_user)
    return doc


def _page(client, case, doc):  # type: ignore[no-untyped-def]
    return client.get(reverse("cases:document_passport", args=[case.pk, doc.pk]))


def _apply(client, case, doc, fields, version):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("cases:document_passport_apply", args=[case.pk, doc.pk]),
        {"fields": fields, "version": version},
    )


@pytest.mark.django_db
def test_a_ready_passport_upload_is_read_and_stays_reviewable(passport_doc):
    reading = PassportReading.objects.get(document=passport_doc)
    assert reading.status == ReadingStatus.READ
    assert (reading.document_number, reading.nationality, reading.sex) == ("PA7777777", "ES", "F")
    assert reading.firm_id == passport_doc.requirement.case.firm_id
    passport_doc.refresh_from_db()
    assert passport_doc.state == VersionState.READY
    assert passport_doc.is_reviewable


@pytest.mark.django_db
def test_reading_twice_keeps_the_first_reading(passport_doc, reader):
    reader["result"] = MrzResult(None, "no_zone")
    assert passport_read(document_id=passport_doc.pk) == ReadingStatus.READ
    assert PassportReading.objects.filter(document=passport_doc).count() == 1


@pytest.mark.django_db
def test_other_requirements_are_not_read(
    case, applicant_user, reader, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload_document(case, code="cv", actor=applicant_user)
    assert not PassportReading.objects.filter(document=doc).exists()
    assert passport_read(document_id=doc.pk) == "skipped"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "status", "sentence"),
    [
        (MrzResult(None, "no_zone"), ReadingStatus.NO_ZONE, "No machine-readable zone was found"),
        (MrzResult(None, "unreadable"), ReadingStatus.UNREADABLE, "could not be read reliably"),
        (RuntimeError("tesseract crashed"), ReadingStatus.FAILED, "stopped with an error"),
    ],
)
def test_a_page_without_a_readable_zone_says_so_and_never_blocks_the_upload(  # type: ignore[no-untyped-def]
    case, applicant_user, advisor, client_for, reader, outcome, status, sentence,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    reader["result"] = outcome
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload_document(case, actor=applicant_user)
    assert PassportReading.objects.get(document=doc).status == status
    doc.refresh_from_db()
    assert doc.is_reviewable
    response = _page(client_for(advisor), case, doc)
    assert response.status_code == 200
    assert sentence in response.content.decode()
    services.document_review(document=doc, decision="accepted", reason="", actor=advisor)


@pytest.mark.django_db
def test_without_tesseract_the_page_says_the_reader_is_not_installed(  # type: ignore[no-untyped-def]
    case, applicant_user, advisor, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(passport_services, "tesseract_available", lambda: False)
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload_document(case, actor=applicant_user)
    assert PassportReading.objects.get(document=doc).status == ReadingStatus.UNAVAILABLE
    assert "not installed on this server" in _page(client_for(advisor), case, doc).content.decode()


@pytest.mark.django_db
def test_the_page_shows_every_difference_in_words(  # type: ignore[no-untyped-def]
    case, passport_doc, advisor, client_for, django_assert_max_num_queries
):
    client = client_for(advisor)
    with django_assert_max_num_queries(20):
        response = _page(client, case, passport_doc)
    html = response.content.decode()
    assert response.status_code == 200
    # Number and expiry differ; names differ only in accents: the same.
    assert html.count("<strong>Different</strong>") == 2
    assert html.count(">Same<") + html.count("Same ·") == 4
    assert "PA7777777" in html
    assert "PA1111111" in html
    assert 'value="passport_number"' in html
    assert 'value="passport_expiry"' in html
    assert 'value="family_name"' not in html  # nothing to apply where they agree
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:document_passport", args=[case.pk, passport_doc.pk]) in detail


@pytest.mark.django_db
def test_apply_to_record_writes_through_the_record_service_with_events(  # type: ignore[no-untyped-def]
    case, passport_doc, advisor, client_for
):
    applicant = case.applicant
    response = _apply(
        client_for(advisor), case, passport_doc, ["passport_number", "passport_expiry"],
        applicant.version,
    )  # fmt: skip
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.passport_number == "PA7777777"
    assert applicant.passport_expiry == dt.date(2032, 6, 30)
    assert applicant.family_name == "García López"  # not chosen: unchanged
    events = CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE)
    assert {e.data["field"] for e in events} == {"passport_number", "passport_expiry"}
    assert all(e.data["source"] == "passport-reader" for e in events)
    assert all(e.actor == advisor for e in events)
    reading = PassportReading.objects.get(document=passport_doc)
    assert reading.applied_by == advisor
    assert reading.applied_at is not None


@pytest.mark.django_db
def test_apply_refuses_a_detail_whose_check_digit_failed(  # type: ignore[no-untyped-def]
    case, passport_doc, advisor, client_for
):
    PassportReading.objects.filter(document=passport_doc).update(number_valid=False)
    applicant = case.applicant
    client = client_for(advisor)
    response = _apply(client, case, passport_doc, ["passport_number"], applicant.version)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.passport_number == "PA1111111"
    page = client.get(response.url).content.decode()
    assert "check digit of this detail does not match" in page
    assert 'value="passport_number"' not in page


@pytest.mark.django_db
def test_apply_with_a_stale_version_changes_nothing(case, passport_doc, advisor, client_for):  # type: ignore[no-untyped-def]
    applicant = case.applicant
    _apply(client_for(advisor), case, passport_doc, ["passport_number"], applicant.version - 1)
    applicant.refresh_from_db()
    assert applicant.passport_number == "PA1111111"
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    ["applicant_user", "other_applicant_user", "other_advisor", "other_firm_advisor",
     "other_firm_admin", "other_firm_applicant_user"],
)  # fmt: skip
def test_only_the_case_staff_reach_the_reading(request, case, passport_doc, client_for, who):  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(who)
    if who == "other_applicant_user":
        from tests.factories import open_case

        open_case(applicant=user.applicant_profile)
    client = client_for(user)
    assert _page(client, case, passport_doc).status_code == 404
    applicant = case.applicant
    response = _apply(client, case, passport_doc, ["passport_number"], applicant.version)
    assert response.status_code == 404
    applicant.refresh_from_db()
    assert applicant.passport_number == "PA1111111"
    assert PassportReading.objects.visible_to(user).count() == 0


@pytest.mark.django_db
def test_the_page_in_chinese_has_no_english_left(case, passport_doc, advisor, client_for):  # type: ignore[no-untyped-def]
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    client = client_for(advisor)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(
        reverse("cases:document_passport", args=[case.pk, passport_doc.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    for english in ("Read from the passport", "Different", "Apply to record", "Check digit"):
        assert english not in html


@needs_ocr
@pytest.mark.django_db
def test_a_scanned_page_goes_through_the_real_reader(  # type: ignore[no-untyped-def]
    case, applicant_user, advisor, client_for, django_capture_on_commit_callbacks
):
    png = encode(passport_page(mrz_lines(Holder())), "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        doc = services.document_upload(
            requirement=case.requirements.get(code="passport-bio-page"),
            stream=io.BytesIO(png),
            filename="passport.png",
            actor=applicant_user,
        )
    reading = PassportReading.objects.get(document=doc)
    assert reading.status == ReadingStatus.READ
    assert (reading.document_number, reading.expiry_date) == ("PA7777777", dt.date(2032, 6, 30))
    assert reading.checks_ok
    assert "PA7777777" in _page(client_for(advisor), case, doc).content.decode()


@pytest.mark.django_db
def test_retention_deletes_the_reading_with_the_file(case, passport_doc, advisor):  # type: ignore[no-untyped-def]
    import time_machine
    from django.utils import timezone

    from cases.services import privacy

    visa = case.visa_type
    visa.retention_days_after_close = 30
    visa.save(update_fields=["retention_days_after_close"])
    services.case_transition(case=case, to="withdrawn", actor=advisor, reason="applicant left")
    assert PassportReading.objects.filter(document=passport_doc).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert len(privacy.retention_apply(dry_run=False)) == 1
    assert not PassportReading.objects.filter(document=passport_doc).exists()
