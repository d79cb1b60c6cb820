"""A staff user with only ``view_*`` permissions changes nothing in the Django admin.

The walk visits every registered ModelAdmin (ours and the third-party ones) as such a user:
the changelist, the add, change, delete and history pages of a real row, every action of the
admin (including ones not offered to this user, posted by name), and every extra URL the admin
adds (imports, previews, password change, QR codes). A snapshot of every table (row counts and
every field) must be identical afterwards. The user has the admin role, so role checks in the
services would let them through: the admin's own permission checks must refuse.
"""

import datetime as dt
import io
from typing import Any

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core import serializers
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, SolarSchedule

from cases import services
from cases.models import (
    CalendarFeed,
    Channel,
    ReminderDelivery,
    ReminderPreference,
    ReminderRule,
)
from cases.models.reminders import DeliveryStatus, TargetType
from cases.samples import sample_pdf
from cases.services import eligibility as eligibility_case_services
from cases.services import reminders as reminder_services
from cases.services.access import document_access_record
from eligibility import services as eligibility_services
from eligibility.models import RuleSet, RuleSetStatus
from portal import services as portal_services
from portal.admin_firms import FIRM_PATHS
from portal.firms import firm_scope
from portal.models import Role
from tests.factories import (
    InstitutionFactory,
    NotificationFactory,
    UserFactory,
    open_case,
)
from tests.otp import login_verified

# Tables a request may legitimately write: the session row (saved on every request).
_VOLATILE = {Session}


def _snapshot() -> dict[str, list[Any]]:
    """Every row of every table, serialized field by field."""
    shot = {}
    for model in apps.get_models():
        if model in _VOLATILE or model._meta.proxy:
            continue
        rows = model._default_manager.order_by("pk")
        shot[model._meta.label] = serializers.serialize("python", rows)
    return shot


@pytest.fixture
def populated(admin_user, advisor, applicant, other_advisor):  # type: ignore[no-untyped-def]
    """At least one row behind every admin page, reached through the services where there
    is one."""
    case = open_case(applicant=applicant, advisor=advisor)
    document = services.document_upload(
        requirement=case.requirements.get(code="passport-bio-page"),
        stream=io.BytesIO(sample_pdf("Test scan")),
        filename="scan.pdf",
        actor=applicant.user,
    )
    document_access_record(document=document, user=advisor, ip_address="192.0.2.7")
    services.message_post(case=case, author=advisor, body="Please send the photo.")
    reminder_services.task_create(
        case=case, title="Call the embassy", due_date=None, assignee=advisor, actor=advisor
    )
    NotificationFactory(user=advisor)
    ReminderPreference.objects.create(user=advisor)
    CalendarFeed.objects.create(user=advisor, token_hash="0" * 64)
    ReminderDelivery.objects.create(
        rule=ReminderRule.objects.first(),
        target_type=TargetType.REQUIREMENT,
        target_id=case.requirements.first().pk,
        case=case,
        recipient=advisor,
        due_date=timezone.localdate(),
        offset_days=0,
        channel=Channel.EMAIL,
        status=DeliveryStatus.FAILED,
        send_after=timezone.now(),
        attempts=5,
        last_error="SMTP down",
    )
    portal_services.api_token_create(user=advisor, name="CRM")
    portal_services.recovery_codes_regenerate(user=advisor)
    published = RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).first()
    eligibility_services.rule_set_new_version(rule_set=published, actor=admin_user)
    eligibility_case_services.case_assess(case=case, actor=advisor)
    InstitutionFactory()
    Group.objects.create(name="Reviewers")
    AccessAttempt.objects.create(
        username="someone@example.test",
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=5,
        attempt_time=timezone.now() - dt.timedelta(days=2),
    )
    AccessFailureLog.objects.create(
        username="someone@example.test", ip_address="192.0.2.1", user_agent="test"
    )
    ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=1))
    SolarSchedule.objects.create(event="sunrise", latitude=31.23, longitude=121.47)
    return case


@pytest.fixture
def view_only_staff(db):  # type: ignore[no-untyped-def]
    """An active staff member with the admin role and every ``view_*`` permission, nothing
    more; two-factor verified."""
    user = UserFactory(email="viewer@example.test", role=Role.ADMIN, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _extra_urls(model_admin: admin.ModelAdmin, pk: Any) -> list[str]:
    """The URLs a ModelAdmin adds to the standard five (imports, previews, QR codes, ...)."""
    info = (model_admin.model._meta.app_label, model_admin.model._meta.model_name)
    standard = {f"{info[0]}_{info[1]}_{v}" for v in ("changelist", "add", "history", "delete")}
    standard.add(f"{info[0]}_{info[1]}_change")
    found = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if not name or name in standard:
            continue
        url = _url(f"admin:{name}") or _url(f"admin:{name}", pk)
        if url:
            found.append(url)
    return found


@pytest.mark.django_db
def test_view_only_staff_change_nothing_anywhere_in_the_admin(populated, view_only_staff):
    client = login_verified(
        __import__("django.test", fromlist=["Client"]).Client(), view_only_staff
    )
    before = _snapshot()
    assert LogEntry.objects.exists()  # the audit log itself is in the snapshot
    statuses: dict[str, int] = {}

    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{base}_changelist")
        rows = model._default_manager.order_by("pk")
        path = FIRM_PATHS.get(opts.label_lower)
        if path is not None:  # a row of the viewer's firm: others' are "no such object" (302)
            rows = firm_scope(rows, view_only_staff, path=path)
        obj = rows.first()
        assert obj is not None, f"no {opts.label} row to walk"
        pk = obj.pk

        statuses[f"{opts.label} changelist"] = client.get(changelist).status_code
        assert client.get(reverse(f"{base}_add")).status_code == 403, opts.label
        assert client.post(reverse(f"{base}_add"), {}).status_code == 403, opts.label
        change = reverse(f"{base}_change", args=[pk])
        assert client.get(change).status_code in (200, 403), opts.label
        assert client.post(change, {}).status_code == 403, opts.label
        delete = reverse(f"{base}_delete", args=[pk])
        assert client.get(delete).status_code == 403, opts.label
        assert client.post(delete, {"post": "yes"}).status_code == 403, opts.label
        assert client.get(reverse(f"{base}_history", args=[pk])).status_code in (200, 403)

        # Every action this admin has, offered to the user or not, posted by name.
        names = [name for _func, name, _desc in model_admin._get_base_actions()]
        selected = [str(p) for p in model._default_manager.values_list("pk", flat=True)]
        for name in names:
            response = client.post(
                changelist,
                {"action": name, "_selected_action": selected, "index": 0, "post": "yes"},
            )
            assert response.status_code in (200, 302, 403), (opts.label, name)
        # list_editable saves on the changelist are refused too.
        assert client.post(changelist, {"_save": "Save", "form-TOTAL_FORMS": "0"}).status_code in (
            200,
            403,
        )
        for url in _extra_urls(model_admin, pk):
            assert client.get(url).status_code in (200, 403, 404), url
            assert client.post(url, {}).status_code in (200, 403, 404, 405), url

    assert statuses["cases.Case changelist"] == 200
    assert statuses["django_celery_beat.PeriodicTask changelist"] == 403
    assert statuses["otp_totp.TOTPDevice changelist"] == 403
    assert statuses["otp_static.StaticDevice changelist"] == 403
    after = _snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert changed == []


@pytest.mark.django_db
def test_every_admin_action_declares_its_permissions():
    missing = [
        f"{model._meta.label}.{name}"
        for model, model_admin in admin.site._registry.items()
        for func, name, _desc in model_admin._get_base_actions()
        if not getattr(func, "allowed_permissions", None)
    ]
    assert missing == []


@pytest.mark.django_db
def test_view_only_staff_are_offered_no_action_but_delete_none(populated, view_only_staff, rf):
    request = rf.get("/admin/")
    request.user = view_only_staff
    offered = {
        model._meta.label: list(model_admin.get_actions(request))
        for model, model_admin in admin.site._registry.items()
    }
    assert {label: names for label, names in offered.items() if names} == {}


@pytest.mark.django_db
def test_admin_with_change_permission_still_runs_the_actions(admin_client, populated):
    case = populated
    response = admin_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "advance", "_selected_action": [case.pk], "index": 0},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "assessment"


@pytest.mark.django_db
def test_otp_device_pages_hide_secrets_even_from_superusers(admin_client, advisor, populated):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.otp import verified_device

    device = verified_device(advisor)
    page = admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert (
        admin_client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    static = advisor.staticdevice_set.get()
    page = admin_client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
    codes = list(static.token_set.values_list("token", flat=True))
    assert codes
    assert not any(code in page.content.decode() for code in codes)


@pytest.mark.django_db
def test_periodic_task_form_has_no_inline_script(admin_client):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.first()
    page = admin_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "periodic_task_form.js" in html
    assert 'id="periodic-task-overrides"' not in html
    import re

    inline = [s for s in re.findall(r"<script([^>]*)>", html) if "src=" not in s]
    assert all('type="application/json"' in attrs for attrs in inline), inline
