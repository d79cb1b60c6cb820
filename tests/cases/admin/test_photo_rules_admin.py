"""Admins edit the photo rules of a checklist item (issue 13); another firm's admin cannot."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import ChecklistItem
from tests.otp import VerifiedClient, login_verified

pytestmark = pytest.mark.django_db


def _admin_client(user):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename__endswith="checklistitem"))
    return login_verified(VerifiedClient(), user)


def _photo_item(firm):  # type: ignore[no-untyped-def]
    return ChecklistItem.objects.get(
        code="digital-photo", visa_type__code="K", visa_type__firm=firm
    )


def test_the_firm_admin_sees_the_photo_rules_of_the_photo_item(firm, firm_admin):
    page = _admin_client(firm_admin).get(
        reverse("admin:cases_checklistitem_change", args=[_photo_item(firm).pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Photo rules" in html
    assert 'name="photo_max_bytes"' in html
    assert "Beijing" in html


def test_another_firms_admin_cannot_open_it(firm, other_firm_admin):
    page = _admin_client(other_firm_admin).get(
        reverse("admin:cases_checklistitem_change", args=[_photo_item(firm).pk])
    )
    assert page.status_code in (302, 404)


def test_a_range_that_runs_backwards_is_refused(firm):
    item = _photo_item(firm)
    item.photo_min_width, item.photo_max_width = 500, 400
    with pytest.raises(ValidationError) as exc:
        item.full_clean()
    assert "photo_max_width" in exc.value.message_dict
    item.photo_min_sharpness = -1
    item.photo_min_width = 300
    with pytest.raises(ValidationError) as exc:
        item.full_clean()
    assert "photo_min_sharpness" in exc.value.message_dict
