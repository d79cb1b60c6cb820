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
def test_recorded_applicant_data_is_read_only_in_the_admin(admin_client, applicant):
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
