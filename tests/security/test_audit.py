"""Audit trail (django-auditlog): who changed what, masked identity fields, CSV export."""

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Applicant, Case, Document, DocumentRequirement
from portal.audit import csv_rows, csv_safe
from portal.models import User


def _entries(model, pk):  # type: ignore[no-untyped-def]
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
    ).order_by("timestamp", "id")


@pytest.mark.django_db
def test_passport_number_is_masked_in_the_audit_log(applicant, advisor):
    applicant.passport_number = "E12345678"
    applicant.save()
    entry = _entries(Applicant, applicant.pk).last()
    before, after = entry.changes_dict["passport_number"]
    assert "12345678" not in before + after
    assert "E12345678" not in str(entry.changes) + str(entry.serialized_data)
    assert after.endswith("5678") or "*" in after


@pytest.mark.django_db
def test_web_changes_record_actor_and_ip(advisor, client_for):
    client = client_for(advisor)
    response = client.post(
        reverse("cases:open"),
        {
            "visa_type": 1,
            "given_names": "Li",
            "family_name": "Wei",
            "email": "li.wei@example.test",
            "preferred_language": "en",
            "passport_number": "G99887766",
        },
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    case = Case.objects.get()
    created = _entries(Case, case.pk).get(action=LogEntry.Action.CREATE)
    assert created.actor == advisor
    assert created.remote_addr == "192.0.2.10"
    applicant_entry = _entries(Applicant, case.applicant_id).get(action=LogEntry.Action.CREATE)
    assert "G99887766" not in str(applicant_entry.changes)


@pytest.mark.django_db
def test_stage_change_review_and_waive_are_audited(
    case, advisor, applicant_user, pdf_bytes, stream
):
    services.case_transition(case=case, to="assessment", actor=advisor)
    change = _entries(Case, case.pk).filter(action=LogEntry.Action.UPDATE).last()
    assert change.changes_dict["stage"] == ["intake", "assessment"]
    assert change.actor == advisor
    requirement = case.requirements.get(code="passport-bio-page")
    doc = services.document_upload(
        requirement=requirement, stream=stream(pdf_bytes), filename="p.pdf", actor=applicant_user
    )
    assert _entries(Document, doc.pk).filter(action=LogEntry.Action.CREATE).exists()
    services.document_review(document=doc, decision="rejected", reason="blurry", actor=advisor)
    review = _entries(Document, doc.pk).filter(action=LogEntry.Action.UPDATE).last()
    assert review.changes_dict["review_status"] == ["pending", "rejected"]
    cv = case.requirements.get(code="cv")
    services.requirement_waive(requirement=cv, reason="not needed", actor=advisor)
    waive = _entries(DocumentRequirement, cv.pk).last()
    assert waive.changes_dict["status"] == ["missing", "waived"]


@pytest.mark.django_db
def test_user_changes_are_audited_without_the_password_hash(advisor):
    advisor.full_name = "Ada Renamed"
    advisor.set_password("another-password-123")
    advisor.save()
    entry = _entries(User, advisor.pk).last()
    assert "full_name" in entry.changes_dict
    assert "password" not in entry.changes_dict


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells_are_escaped_against_formula_injection(value, expected):
    assert csv_safe(value) == expected


def test_csv_rows_escape_every_cell_including_the_header():
    text = "".join(csv_rows(["=h"], [["=1", "ok"], ["@x", "-y"]]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=h"], ["'=1", "ok"], ["'@x", "'-y"]]


@pytest.mark.django_db
def test_admin_exports_the_audit_log_for_a_date_range(admin_user, advisor, client_for, case):
    advisor.full_name = "=cmd|' /C calc'!A0"
    advisor.save()
    today = timezone.now().date()
    response = client_for(admin_user).get(
        reverse("audit_export"), {"start": today.isoformat(), "end": today.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(r["object_type"] == "cases.case" and r["action"] == "create" for r in rows)
    assert all(not r["object"].startswith("=") for r in rows)
    assert any(r["object"].startswith("'=cmd") for r in rows)


@pytest.mark.django_db
def test_audit_export_range_excludes_other_days(admin_user, client_for, case):
    tomorrow = timezone.now().date() + dt.timedelta(days=1)
    response = client_for(admin_user).get(
        reverse("audit_export"), {"start": tomorrow.isoformat(), "end": tomorrow.isoformat()}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 0


@pytest.mark.django_db
def test_audit_export_rejects_a_backwards_range(admin_user, client_for):
    response = client_for(admin_user).get(
        reverse("audit_export"), {"start": "2026-05-02", "end": "2026-05-01"}
    )
    assert response.status_code == 400
    assert "before the start" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["advisor", "supervisor", "applicant_user"])
def test_audit_export_is_404_for_everyone_but_admins(persona, request, client_for):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(
        reverse("audit_export"), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("cases_count", [2, 8])
def test_audit_export_query_count_does_not_grow(
    cases_count, admin_user, advisor, client_for, django_assert_max_num_queries
):
    from tests.factories import open_case

    for _ in range(cases_count):
        open_case(advisor=advisor)
    client = client_for(admin_user)
    today = timezone.now().date().isoformat()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit_export"), {"start": today, "end": today})
        b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("2026-01-01", "9999-12-31", "end"), ("0001-01-01", "2026-01-01", "start")],
)
def test_audit_export_refuses_an_implausible_range_with_400(
    admin_user, client_for, start, end, field
):
    response = client_for(admin_user).get(reverse("audit_export"), {"start": start, "end": end})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Choose a date between 2000-01-01 and" in response.content.decode()


@pytest.mark.django_db
def test_audit_entries_between_accepts_any_dates(admin_user, case):
    from portal.audit import audit_entries_between

    assert list(audit_entries_between(start=dt.date.min, end=dt.date.max))


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["x", "admin@example.test", "Amy", "2026", "127.0.0.1"])
def test_admin_can_search_the_audit_log(admin_user, client_for, case, q):
    # django-auditlog's own admin searched actor__first_name, which our User lacks (500).
    response = client_for(admin_user).get("/admin/auditlog/logentry/", {"q": q})
    assert response.status_code == 200


@pytest.mark.django_db
def test_audit_log_search_finds_entries_by_actor_email(admin_user, advisor, client_for, case):
    entry = LogEntry.objects.filter(actor__isnull=False).first() or LogEntry.objects.first()
    LogEntry.objects.filter(pk=entry.pk).update(actor=advisor, object_repr="Needle object")
    response = client_for(admin_user).get("/admin/auditlog/logentry/", {"q": advisor.email.upper()})
    assert response.status_code == 200
    assert "Needle object" in response.content.decode()
    assert client_for(advisor).get("/admin/auditlog/logentry/").status_code != 200
