"""Admin write paths go through the services: the same checks and a timeline entry, or no
write at all (docs/architecture.md, "Layers of cases/": admin)."""

import pytest
from django.urls import reverse

from cases.models import Applicant, CaseEvent, EventKind, Message

APPLICANT = {
    "given_names": "Tomás",
    "family_name": "Müller",
    "email": "tomas.mueller@example.test",
    "phone": "",
    "date_of_birth": "1994-02-03",
    "nationality": "DE",
    "passport_number": "C01X00T47",
    "passport_expiry": "2031-05-01",
}


@pytest.mark.django_db
def test_admin_adds_an_applicant_through_the_service(admin_client):
    response = admin_client.post(reverse("admin:cases_applicant_add"), APPLICANT)
    assert response.status_code == 302
    added = Applicant.objects.get(email="tomas.mueller@example.test")
    assert added.user is None  # no invitation from the admin
    assert added.passport_number == "C01X00T47"


@pytest.mark.django_db
def test_admin_cannot_add_a_second_applicant_with_the_same_email_in_other_letters(
    admin_client, applicant
):
    before = Applicant.objects.count()
    data = {**APPLICANT, "email": applicant.email.upper()}
    response = admin_client.post(reverse("admin:cases_applicant_add"), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Applicant.objects.count() == before


@pytest.mark.django_db
def test_admin_cannot_add_an_applicant_born_in_the_future(admin_client):
    data = {**APPLICANT, "date_of_birth": "2099-01-01"}
    response = admin_client.post(reverse("admin:cases_applicant_add"), data)
    assert response.status_code == 200
    assert not Applicant.objects.filter(email=APPLICANT["email"]).exists()


@pytest.mark.django_db
def test_an_admin_applicant_post_without_the_version_read_changes_nothing(admin_client, applicant):
    url = reverse("admin:cases_applicant_change", args=[applicant.pk])
    admin_client.post(url, {**APPLICANT, "email": applicant.email})
    applicant.refresh_from_db()
    assert applicant.passport_number != "C01X00T47"


@pytest.mark.django_db
def test_admin_message_is_posted_with_its_timeline_event(admin_client, admin_user, case):
    response = admin_client.post(
        reverse("admin:cases_message_add"), {"case": case.pk, "body": "Please call us."}
    )
    assert response.status_code == 302
    message = Message.objects.get(case=case)
    assert message.author == admin_user
    assert CaseEvent.objects.filter(
        case=case, kind=EventKind.MESSAGE, data__message=message.pk
    ).exists()


@pytest.mark.django_db
def test_admin_empty_message_is_refused_and_nothing_is_stored(admin_client, case):
    response = admin_client.post(reverse("admin:cases_message_add"), {"case": case.pk, "body": " "})
    assert response.status_code == 200
    assert not Message.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_admin_due_date_change_writes_an_event_with_before_and_after(admin_client, case):
    requirement = case.requirements.get(code="passport-bio-page")
    old = requirement.due_date
    url = reverse("admin:cases_documentrequirement_change", args=[requirement.pk])
    response = admin_client.post(url, {"due_date": "2030-04-01"})
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.due_date.isoformat() == "2030-04-01"
    event = CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).latest("id")
    assert (event.before, event.after) == (old.isoformat() if old else "", "2030-04-01")


@pytest.mark.django_db
def test_admin_implausible_due_date_is_refused_and_the_old_one_kept(admin_client, case):
    requirement = case.requirements.get(code="passport-bio-page")
    old = requirement.due_date
    url = reverse("admin:cases_documentrequirement_change", args=[requirement.pk])
    response = admin_client.post(url, {"due_date": "1990-01-01"})
    assert response.status_code == 200
    assert "too far in the past" in response.content.decode()
    requirement.refresh_from_db()
    assert requirement.due_date == old


@pytest.mark.django_db
def test_a_message_of_invisible_characters_only_is_refused(admin_client, case):
    response = admin_client.post(
        reverse("admin:cases_message_add"), {"case": case.pk, "body": "\u200b\u200b\u200e"}
    )
    assert response.status_code == 200
    assert not Message.objects.filter(case=case).exists()


def _admin_form(applicant, **changes):
    applicant.refresh_from_db()
    data = {
        "record_version": applicant.version,
        "given_names": applicant.given_names,
        "family_name": applicant.family_name,
        "date_of_birth": applicant.date_of_birth.isoformat(),
        "nationality": applicant.nationality.code,
        "passport_number": applicant.passport_number,
        "passport_expiry": applicant.passport_expiry.isoformat(),
    }
    return data | changes


@pytest.mark.django_db
def test_admin_changes_applicant_details_through_the_service_with_masked_events(
    admin_client, admin_user, case
):
    url = reverse("admin:cases_applicant_change", args=[case.applicant_id])
    response = admin_client.post(url, _admin_form(case.applicant, passport_number="K7654321"))
    assert response.status_code == 302
    assert Applicant.objects.get(pk=case.applicant_id).passport_number == "K7654321"
    event = CaseEvent.objects.get(case=case, data__field="passport_number")
    assert (event.after, event.actor) == ("*****321", admin_user)


@pytest.mark.django_db
def test_admin_stale_or_bad_applicant_edit_is_a_form_error(admin_client, case, advisor):
    from cases.services.records import applicant_record_update

    url = reverse("admin:cases_applicant_change", args=[case.applicant_id])
    stale = _admin_form(case.applicant, family_name="Admin")
    applicant_record_update(
        applicant=case.applicant, actor=advisor, changes={"family_name": "Advisor"}, version=1
    )
    response = admin_client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else changed these details" in response.content.decode()
    response = admin_client.post(url, _admin_form(case.applicant, date_of_birth="2099-01-01"))
    assert response.status_code == 200
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Advisor"


@pytest.mark.django_db
def test_admin_changes_case_zone_and_advisor_through_the_services(admin_client, case, advisor):
    from tests.factories import AdvisorFactory

    new = AdvisorFactory()
    case.refresh_from_db()
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = {
        "record_version": case.version,
        "advisor": new.pk,
        "intended_entry_date": case.intended_entry_date.isoformat(),
        "target_submission_date": "",
        "time_zone": "Asia/Shanghai",
        # The read-only requirement inline still posts its management form.
        "requirements-TOTAL_FORMS": "0",
        "requirements-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert (case.advisor, case.time_zone, case.version) == (new, "Asia/Shanghai", 3)
    fields = set(
        CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).values_list(
            "data__field", flat=True
        )
    )
    assert "time_zone" in fields
    assert CaseEvent.objects.filter(case=case, data__advisor=new.pk).exists()
