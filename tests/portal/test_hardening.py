"""Limits that keep typos (year 9999, 3,000,000 days, absurd JSON) from breaking later work."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError

from cases.models import ChecklistItem, VisaType
from portal.forms import SafeJSONField


@pytest.mark.django_db
def test_checklist_offsets_and_retention_have_upper_limits():
    item = ChecklistItem.objects.filter(visa_type__code="K").first()
    item.due_offset_days = 3_000_000
    with pytest.raises(ValidationError) as err:
        item.full_clean()
    assert "due_offset_days" in err.value.message_dict
    visa = VisaType.objects.get(code="K")
    visa.retention_days_after_close = 3_000_000
    with pytest.raises(ValidationError) as err:
        visa.full_clean()
    assert "retention_days_after_close" in err.value.message_dict


@pytest.mark.django_db
def test_admin_json_fields_refuse_absurd_nesting_with_a_message(admin_user, client_for):
    with pytest.raises(forms.ValidationError, match="nested too deeply"):
        SafeJSONField().clean("[" * 5000 + "]" * 5000)
    # An admin post of 5,000 nested lists to the checklist item form: a form error, no 500.
    item = ChecklistItem.objects.filter(visa_type__code="K").first()
    client = client_for(admin_user)
    response = client.post(
        f"/admin/cases/checklistitem/{item.pk}/change/",
        {
            "accepted_types": "[" * 5000 + "]" * 5000,
            "visa_type": item.visa_type_id,
            "code": item.code,
            "name_en": item.name_en,
            "name_zh": item.name_zh,
            "max_size_bytes": item.max_size_bytes,
            "due_offset_days": 99,  # would show if the form had saved
            "position": 1,
        },
    )
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()
    before = (item.due_offset_days, item.accepted_types)
    item.refresh_from_db()
    assert (item.due_offset_days, item.accepted_types) == before  # nothing was saved


@pytest.mark.django_db
def test_admin_saves_no_year_9999_case_date(case):
    case.intended_entry_date = dt.date(9999, 12, 31)
    with pytest.raises(ValidationError) as err:
        case.full_clean()
    assert "intended_entry_date" in err.value.message_dict


@pytest.mark.django_db
def test_totp_admin_config_of_a_missing_device_is_404(admin_user, client_for):
    client = client_for(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/999999/config/").status_code == 404
    assert client.get("/admin/otp_totp/totpdevice/999999/qrcode/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"intended_entry_date": "2001-01-01"}, "before the case opens"),
        ({"date_of_birth": "2999-01-01"}, "date"),
        ({"passport_expiry": "9999-12-31"}, "between 1900-01-01 and 2100-12-31"),
    ],
)
def test_api_open_refuses_implausible_dates_and_stores_nothing(advisor, extra, expected):
    from rest_framework.test import APIClient

    from cases.models import Applicant, Case
    from tests.otp import login_verified

    client = login_verified(APIClient(), advisor)
    payload = {
        "visa_type": "K",
        "given_names": "A",
        "family_name": "B",
        "email": "dates@example.test",
        **extra,
    }
    response = client.post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400, response.content
    assert expected in str(response.json())
    assert not Case.objects.exists()
    assert not Applicant.objects.filter(email="dates@example.test").exists()


@pytest.mark.django_db
def test_web_open_form_refuses_year_9999_passport_expiry(advisor, client_for):
    from cases.models import Case

    data = {
        "visa_type": VisaType.objects.get(code="K").pk,
        "given_names": "A",
        "family_name": "B",
        "email": "p@example.test",
        "preferred_language": "en",
        "passport_expiry": "9999-12-31",
    }
    response = client_for(advisor).post("/cases/new/", data)
    assert response.status_code == 200
    assert "between 1900-01-01 and 2100-12-31" in response.content.decode()
    assert not Case.objects.exists()
