"""The language switch on every page (remembered for anonymous visitors, saved to the profile
when signed in), the settings page (language and time zone), times in the viewer's zone, and
error pages in the portal's layout and the viewer's language (issue 11)."""

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import path

from cases.services.access import document_access_record
from portal import handlers
from portal import urls as portal_urls
from portal.models import User
from tests.factories import AdvisorFactory, ApplicantFactory, open_case, upload_document

pytestmark = pytest.mark.django_db


def test_language_switch_is_on_the_login_page_and_remembered_for_anonymous_visitors():
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'value="zh-hans"' in page
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    again = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in again
    assert "登录" in again
    # The switch back offers English, named in English.
    assert 'value="en" lang="en">English</button>' in again


def test_language_switch_refuses_an_unsafe_next_address():
    response = Client().post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_signed_in_switch_saves_the_language_to_the_profile(client_for):
    user = ApplicantFactory().user
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/my/"})
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    assert '<html lang="zh-hans">' in client.get("/my/").content.decode()


def test_switch_with_an_unknown_language_changes_nothing(client_for):
    user = ApplicantFactory().user
    client_for(user).post("/i18n/setlang/", {"language": "xx", "next": "/my/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_set_language_answers_get_with_405():
    assert Client().get("/i18n/setlang/").status_code == 405


def test_settings_page_saves_language_and_time_zone(client_for):
    user = AdvisorFactory()
    client = client_for(user)
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert "Asia/Shanghai" in page.content.decode()
    response = client.post(
        "/accounts/profile/", {"preferred_language": "zh-hans", "time_zone": "Asia/Shanghai"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.preferred_language, user.time_zone) == ("zh-hans", "Asia/Shanghai")
    assert "已保存" in client.get("/accounts/profile/").content.decode()


def test_settings_page_refuses_an_unknown_zone_and_keeps_the_stored_one(client_for):
    user = AdvisorFactory(time_zone="Europe/Berlin")
    response = client_for(user).post(
        "/accounts/profile/", {"preferred_language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert "Select a valid choice" in body
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_settings_page_needs_a_login():
    response = Client().get("/accounts/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_times_are_shown_in_the_viewers_zone_with_its_abbreviation(client_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC))
    applicant = ApplicantFactory()
    User.objects.filter(pk=applicant.user.pk).update(time_zone="Asia/Shanghai")
    case = open_case(applicant=applicant)
    document = upload_document(case)
    document_access_record(document=document, user=case.advisor, kind="download", ip_address=None)
    applicant.user.refresh_from_db()
    body = client_for(applicant.user).get("/my/access/").content.decode()
    # 01:30 UTC is 09:30 in Shanghai (China Standard Time, UTC+8).
    assert "2026-03-02 09:30 CST" in body
    assert "(UTC)" not in body


def test_not_found_page_is_in_the_portal_layout_and_the_viewers_language(client_for):
    user = ApplicantFactory(user__preferred_language="zh-hans").user
    response = client_for(user).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert '<main id="main"' in body
    assert "找不到" in body


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


def _denied(request):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


# The project's routes too: the layout links to them.
urlpatterns = [path("boom/", _boom), path("denied/", _denied), *portal_urls.urlpatterns]
handler403 = handlers.permission_denied
handler500 = handlers.server_error


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_and_permission_pages_use_the_layout():
    client = Client(raise_request_exception=False)
    error = client.get("/boom/")
    assert error.status_code == 500
    assert "Sorry, there is a problem with the service" in error.content.decode()
    assert '<main id="main"' in error.content.decode()
    denied = client.get("/denied/")
    assert denied.status_code == 403
    assert "You cannot open this page" in denied.content.decode()
    assert '<main id="main"' in denied.content.decode()


def test_csrf_failure_page_explains_what_to_do_in_the_layout():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@example.test", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "The form could not be sent" in body
    assert '<main id="main"' in body


def test_date_inputs_hold_iso_dates_in_chinese_too():
    """A localized value (2016/06/30) in <input type="date"> is refused by browsers, so an
    unchanged form could not be saved again in Chinese."""
    from django import forms
    from django.utils import translation

    from cases.forms import DateInput

    class Form(forms.Form):
        day = forms.DateField(widget=DateInput)

    with translation.override("zh-hans"):
        html = str(Form(initial={"day": dt.date(2016, 6, 30)})["day"])
    assert 'value="2016-06-30"' in html
