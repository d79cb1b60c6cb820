"""Admins give checklist items a route condition (issue 13): a bad pattern, a pattern naming no
route and a condition on an optional item are refused with a message beside the field; another
firm's admin and advisors cannot reach the form."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import ChecklistItem
from tests.otp import VerifiedClient, login_verified

pytestmark = pytest.mark.django_db

FIELDS = [
    "visa_type",
    "code",
    "position",
    "name_en",
    "name_zh",
    "help_en",
    "help_zh",
    "accepted_types",
    "max_size_bytes",
    "due_offset_days",
    "photo_min_bytes",
    "photo_max_bytes",
    "photo_min_width",
    "photo_max_width",
    "photo_min_height",
    "photo_max_height",
    "photo_background_min_lightness",
    "photo_background_max_variation",
    "photo_background_max_colour",
    "photo_face_min_width_pct",
    "photo_face_max_width_pct",
    "photo_face_centre_min_pct",
    "photo_face_centre_max_pct",
    "photo_face_max_offset_pct",
    "photo_min_brightness",
    "photo_min_sharpness",
]


def _admin_client(user):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename__endswith="checklistitem"))
    return login_verified(VerifiedClient(), user)


def _item(firm, code="degree-certificate", visa="K"):  # type: ignore[no-untyped-def]
    return ChecklistItem.objects.get(code=code, visa_type__code=visa, visa_type__firm=firm)


def _post(client, item, **changes):  # type: ignore[no-untyped-def]
    data = {name: getattr(item, name) for name in FIELDS}
    data["visa_type"] = item.visa_type_id
    data["accepted_types"] = json.dumps(item.accepted_types)
    data["required"] = "on" if item.required else ""
    data["route_condition"] = item.route_condition
    data.update(changes)
    data = {k: v for k, v in data.items() if v not in ("", False)}
    return client.post(reverse("admin:cases_checklistitem_change", args=[item.pk]), data)


def test_seeded_conditions_show_in_the_admin(firm, firm_admin):
    page = _admin_client(firm_admin).get(
        reverse("admin:cases_checklistitem_change", args=[_item(firm).pk])
    )
    assert page.status_code == 200
    assert 'name="route_condition"' in page.content.decode()
    assert 'value="k-degree"' in page.content.decode()


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("K-Degree", "“K-Degree” is not a route pattern"),
        ("k-degree, r-class-a-[ab]", "“r-class-a-[ab]” is not a route pattern"),
        ("k-degre", "No route of any K rule set matches k-degre. Its routes are: k-degree"),
        ("k-degree-level", "No route of any K rule set matches k-degree-level."),
        ("r-class-a-*", "No route of any K rule set matches r-class-a-*."),
    ],
)
def test_a_bad_condition_is_refused_with_a_clear_message(firm, firm_admin, condition, message):
    item = _item(firm)
    page = _post(_admin_client(firm_admin), item, route_condition=condition)
    assert page.status_code == 200  # the form again, with the message; nothing saved
    assert message in page.content.decode().replace("&amp;", "&")
    item.refresh_from_db()
    assert item.route_condition == "k-degree"


def test_a_condition_on_an_optional_item_is_refused(firm):
    item = _item(firm)
    item.required = False
    with pytest.raises(ValidationError) as exc:
        item.full_clean()
    assert "required" in exc.value.message_dict


def test_a_good_pattern_is_saved(firm, firm_admin):
    item = _item(firm, code="cv", visa="R")
    page = _post(
        _admin_client(firm_admin), item, route_condition="r-class-a-*, r-confirmation-letter"
    )
    assert page.status_code == 302
    item.refresh_from_db()
    assert item.route_condition == "r-class-a-*, r-confirmation-letter"


def test_another_firms_admin_cannot_change_the_condition(firm, other_firm_admin):
    item = _item(firm)
    page = _post(_admin_client(other_firm_admin), item, route_condition="k-teaching-research")
    assert page.status_code in (302, 403, 404)
    item.refresh_from_db()
    assert item.route_condition == "k-degree"


def test_an_advisor_cannot_reach_the_checklist_admin(client_for, firm, advisor):
    page = client_for(advisor).get(
        reverse("admin:cases_checklistitem_change", args=[_item(firm).pk])
    )
    assert page.status_code in (302, 403, 404)
