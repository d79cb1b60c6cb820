"""Step templates in the Django admin are saved through ``step_template_save``: its checks
become form errors, and a firm admin reaches only their own firm's templates."""

import pytest
from django.urls import reverse

from cases.models import StepTemplate
from tests.factories import visa_type
from tests.otp import VerifiedClient, login_verified


def _admin_client(user):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename__endswith="steptemplate"))
    return login_verified(VerifiedClient(), user)


def _data(**change):  # type: ignore[no-untyped-def]
    data = {
        "visa_type": visa_type("K").pk,
        "position": 60,
        "code": "visa-checked",
        "stage": "decided",
        "name_en": "Check the visa in the passport",
        "name_zh": "核对护照中的签证",
        "help_en": "",
        "help_zh": "",
        "assignee": "applicant",
        "visible_to_applicant": "on",
        "due_offset_days": "1",
        "due_after": "",
    }
    data.update(change)
    return data


@pytest.mark.django_db
def test_firm_admin_adds_a_step_template_through_the_service(firm_admin):
    client = _admin_client(firm_admin)
    response = client.post(reverse("admin:cases_steptemplate_add"), _data())
    assert response.status_code == 302
    made = StepTemplate.objects.get(code="visa-checked")
    assert made.firm_id == firm_admin.firm_id


@pytest.mark.django_db
def test_a_later_anchor_is_a_form_error_and_nothing_is_saved(firm_admin):
    client = _admin_client(firm_admin)
    later = StepTemplate.objects.get(visa_type=visa_type("K"), code="passport-collected")
    response = client.post(
        reverse("admin:cases_steptemplate_add"), _data(position=5, due_after=later.pk)
    )
    assert response.status_code == 200
    assert "comes earlier" in response.content.decode()
    assert not StepTemplate.objects.filter(code="visa-checked").exists()


@pytest.mark.django_db
def test_another_firms_admin_cannot_see_or_change_the_templates(other_firm_admin):
    from django.contrib.auth.models import Permission

    other_firm_admin.user_permissions.set(
        Permission.objects.filter(codename__endswith="steptemplate")
    )
    client = login_verified(VerifiedClient(), other_firm_admin)
    mine = StepTemplate.objects.filter(visa_type=visa_type("K")).first()
    url = reverse("admin:cases_steptemplate_change", args=[mine.pk])
    assert client.get(url).status_code in (302, 404)
    listing = client.get(reverse("admin:cases_steptemplate_changelist")).content.decode()
    assert url not in listing
    theirs = StepTemplate.objects.filter(firm=other_firm_admin.firm).first()
    assert reverse("admin:cases_steptemplate_change", args=[theirs.pk]) in listing
