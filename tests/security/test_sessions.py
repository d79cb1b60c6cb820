"""Sessions: 30 minutes idle, 12 hours absolute; deactivation ends sessions and tokens."""

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.errors import NotAllowed
from portal.models import ApiToken
from tests.otp import login_verified


def _page(client: Client) -> int:
    return client.get(reverse("cases:my_cases")).status_code


@pytest.mark.django_db
def test_session_survives_29_idle_minutes_and_ends_after_31(applicant_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(applicant_user)
        assert _page(client) == 200
        clock.shift(dt.timedelta(minutes=29))
        assert _page(client) == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("cases:my_cases"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_session_ends_after_twelve_hours_even_when_active(case, advisor):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), advisor)
        assert client.get(reverse("cases:list")).status_code == 200
        for _ in range(11 * 3):  # every 20 minutes for 11 hours
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("cases:list")).status_code == 200
        clock.shift(dt.timedelta(hours=1, minutes=1))
        response = client.get(reverse("cases:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        # Logged out for good: the next request is anonymous too.
        assert client.get(reverse("cases:list")).status_code == 302


@pytest.mark.django_db
def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # The idle expiry moves at most once a minute (SessionLifetimeMiddleware), not on every
    # request: see the tests below for the behaviour.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_REFRESH_SECONDS == 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def _writes(queries) -> list[str]:  # type: ignore[no-untyped-def]
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


@pytest.mark.django_db
def test_steady_use_keeps_the_session_alive_then_idle_ends_it(applicant_user):
    """Requests 45 seconds apart for an hour (most of them write nothing) keep the session;
    after the last one it survives 29 idle minutes and ends by the 30th."""
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(applicant_user)
        for _ in range(80):  # one hour
            assert _page(client) == 200
            clock.shift(dt.timedelta(seconds=45))
        assert _page(client) == 200
        clock.shift(dt.timedelta(minutes=29))
        assert _page(client) == 200
        clock.shift(dt.timedelta(minutes=30))
        assert _page(client) == 302


@pytest.mark.django_db
def test_signed_in_page_views_within_a_minute_write_nothing(advisor, django_assert_max_num_queries):
    """Only the first request after a minute moves the idle expiry; the others write nothing
    and read at most 3 rows in the middleware (session, user, two-step device)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), advisor)
        client.get("/healthz")
        clock.shift(dt.timedelta(seconds=59))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/healthz").status_code == 200
        assert _writes(ctx.captured_queries) == []
        assert len([q for q in ctx.captured_queries if q["sql"] != "SELECT 1"]) <= 3
        clock.shift(dt.timedelta(seconds=1))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/healthz").status_code == 200
        assert len(_writes(ctx.captured_queries)) == 1  # the expiry moved


@pytest.mark.django_db
def test_deactivation_ends_sessions_and_revokes_tokens_at_once(case, advisor, admin_user):
    first = login_verified(Client(), advisor)
    second = login_verified(Client(), advisor)
    bystander = login_verified(Client(), admin_user)
    assert first.get(reverse("cases:list")).status_code == 200
    token, key = services.api_token_create(user=advisor, name="crm")
    services.user_deactivate(user=advisor, actor=admin_user)
    assert not ApiToken.objects.filter(user=advisor).active().exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 401
    for client in (first, second):
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert bystander.get(reverse("cases:list")).status_code == 200
    assert Session.objects.count() == 1
    advisor.refresh_from_db()
    assert advisor.is_active is False
    entry = LogEntry.objects.filter(object_pk=str(advisor.pk), actor=admin_user).last()
    assert entry.changes_dict["is_active"] == ["True", "False"]


@pytest.mark.django_db
def test_only_admins_deactivate_and_never_themselves(advisor, other_advisor, admin_user):
    with pytest.raises(NotAllowed):
        services.user_deactivate(user=other_advisor, actor=advisor)
    with pytest.raises(NotAllowed):
        services.user_deactivate(user=admin_user, actor=admin_user)


@pytest.mark.django_db
def test_admin_deactivate_action_ends_sessions(advisor, admin_user):
    victim = login_verified(Client(), advisor)
    admin = login_verified(Client(), admin_user)
    response = admin.post(
        reverse("admin:portal_user_changelist"),
        {"action": "deactivate", "_selected_action": [advisor.pk]},
    )
    assert response.status_code == 302
    assert victim.get(reverse("cases:list")).status_code == 302
    advisor.refresh_from_db()
    assert not advisor.is_active


@pytest.mark.django_db
def test_admin_change_form_unticking_active_calls_the_service(advisor, admin_user, rf):
    from django.contrib.admin.sites import site

    from portal.admin import UserAdmin
    from portal.models import User

    victim = login_verified(Client(), advisor)
    services.api_token_create(user=advisor, name="crm")
    request = rf.post("/admin/")
    request.user = admin_user
    advisor.is_active = False

    class Form:
        changed_data = ["is_active"]

    UserAdmin(User, site).save_model(request, advisor, Form(), change=True)
    assert not ApiToken.objects.filter(user=advisor).active().exists()
    assert victim.get(reverse("cases:list")).status_code == 302
    advisor.refresh_from_db()
    assert not advisor.is_active


@pytest.mark.django_db
def test_logout_everywhere_ends_every_session_of_the_user(applicant_user, other_applicant_user):
    laptop = Client()
    laptop.force_login(applicant_user)
    phone = Client()
    phone.force_login(applicant_user)
    other = Client()
    other.force_login(other_applicant_user)
    assert (
        'action="/accounts/logout/everywhere/"'
        in phone.get(reverse("password_change")).content.decode()
    )
    response = phone.post(reverse("logout_everywhere"))
    assert response.status_code == 302
    assert _page(laptop) == 302
    assert _page(phone) == 302
    assert _page(other) == 200


@pytest.mark.django_db
def test_deactivation_ends_sessions_kept_in_the_cache_too(settings, advisor, admin_user):
    """With the cached_db engine (production with Redis) a session lives in the cache as well:
    ending it must clear both, or the cached copy would keep the user signed in."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    victim = login_verified(Client(), advisor)
    assert victim.get(reverse("cases:list")).status_code == 200
    services.user_sessions_end(user=advisor)
    response = victim.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_deleted_authenticator_stops_counting_within_a_minute(advisor):
    """The verified device is re-read from the database once a minute, not on every request:
    deleting it sends the advisor back to two-step verification by the next minute."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), advisor)
        assert client.get(reverse("cases:list")).status_code == 200
        TOTPDevice.objects.filter(user=advisor).delete()
        clock.shift(dt.timedelta(seconds=61))
        response = client.get(reverse("cases:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup"))
