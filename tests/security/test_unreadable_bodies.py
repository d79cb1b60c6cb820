"""A body Django cannot parse answers 400 in the portal's own shape, never Django's bare English
"Bad Request (400)" page: the API's JSON error under ``/api/`` (portal/api/errors.py,
portal/handlers.py), the translated ``templates/400.html`` elsewhere.

The body used: a multipart part whose headers are longer than Django's
``MAX_TOTAL_HEADER_SIZE`` (1,024 bytes in Django 5.2), as a very long file name makes them.
Django raises ``MultiPartParserError`` wherever ``request.POST`` or ``request.FILES`` is first
read: the CSRF check of a web form, DRF's parser on the API."""

import pytest
from django.conf import settings
from django.http.multipartparser import MAX_TOTAL_HEADER_SIZE
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from cases.models import Document
from portal import services as portal_services
from tests.otp import login_verified

BOUNDARY = "portal-test-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
TITLE_EN = "We could not read what was sent"
TITLE_ZH = "我们无法读取您发送的内容"


def _long_part_header_body() -> bytes:
    """One file part whose ``Content-Disposition`` header alone passes the limit."""
    name = "scan-" + "x" * MAX_TOTAL_HEADER_SIZE + ".pdf"
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.4\r\n"
        f"--{BOUNDARY}--\r\n"
    ).encode()


def _csrf_client(**kwargs: object) -> tuple[Client, dict[str, str]]:
    """A client that enforces CSRF as a browser meets it, with a valid token as header."""
    client = Client(enforce_csrf_checks=True, **kwargs)  # type: ignore[arg-type]
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, {"HTTP_X_CSRFTOKEN": token}


def _post(client: Client, path: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.generic("POST", path, _long_part_header_body(), CONTENT_TYPE, **extra)


def test_the_body_passes_djangos_part_header_limit() -> None:
    assert len(_long_part_header_body()) > MAX_TOTAL_HEADER_SIZE
    assert len(_long_part_header_body()) < settings.PORTAL_ANONYMOUS_MAX_BODY_BYTES


# --- the API: the JSON error shape ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("auth", ["applicant session", "advisor token", "advisor session"])
def test_an_api_upload_with_an_overlong_part_header_is_a_json_400(
    case, advisor, applicant_user, auth
):
    requirement = case.requirements.get(code="passport-bio-page")
    client, extra = _csrf_client()
    if auth == "applicant session":
        client.force_login(applicant_user)
    elif auth == "advisor session":
        login_verified(client, advisor)
    else:
        _token, key = portal_services.api_token_create(user=advisor, name="script")
        extra = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = _post(client, f"/api/v1/requirements/{requirement.pk}/upload/", **extra)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "parse_error"
    assert "form or file upload could not be read" in body["detail"]
    assert "JSON" not in body["detail"]
    assert not Document.objects.filter(requirement=requirement).exists()


@pytest.mark.django_db
def test_the_api_error_for_an_unreadable_upload_is_in_the_users_language(case, applicant_user):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    requirement = case.requirements.get(code="passport-bio-page")
    client, extra = _csrf_client()
    client.force_login(applicant_user)
    response = _post(client, f"/api/v1/requirements/{requirement.pk}/upload/", **extra)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "头信息过长" in detail  # "a part's headers are too long"
    assert "form" not in detail


@pytest.mark.django_db
def test_an_unknown_api_path_with_an_unreadable_body_is_still_json(advisor):
    client, extra = _csrf_client()
    login_verified(client, advisor)
    response = _post(client, "/api/v1/no-such-thing/", **extra)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- web pages: the portal's 400 page ---------------------------------------------------------


def _assert_portal_400(response, title: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "400.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Bad Request (400)" not in html
    assert f"<h1>{title}</h1>" in html
    return html


@pytest.mark.django_db
def test_a_web_upload_with_an_overlong_part_header_gets_the_portal_400_page(case, applicant_user):
    requirement = case.requirements.get(code="passport-bio-page")
    client, extra = _csrf_client()
    client.force_login(applicant_user)
    response = _post(client, f"/cases/{case.pk}/requirements/{requirement.pk}/upload/", **extra)
    html = _assert_portal_400(response, TITLE_EN)
    assert 'lang="en"' in html
    assert "My cases" in html  # the signed-in header of every page
    assert "shorter name" in html
    assert not Document.objects.filter(requirement=requirement).exists()


@pytest.mark.django_db
def test_the_400_page_is_in_the_signed_in_users_language(case, applicant_user):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    requirement = case.requirements.get(code="passport-bio-page")
    client, extra = _csrf_client()
    client.force_login(applicant_user)
    response = _post(client, f"/cases/{case.pk}/requirements/{requirement.pk}/upload/", **extra)
    html = _assert_portal_400(response, TITLE_ZH)
    assert 'lang="zh-hans"' in html
    assert TITLE_EN not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "title"), [("en", TITLE_EN), ("zh-hans", TITLE_ZH)])
def test_an_anonymous_form_with_an_overlong_part_header_gets_the_portal_400_page(accept, title):
    client, extra = _csrf_client(HTTP_ACCEPT_LANGUAGE=accept)
    response = _post(client, "/accounts/login/", **extra)
    _assert_portal_400(response, title)


@pytest.mark.django_db
def test_too_many_fields_in_a_web_form_gets_the_portal_400_page(case, applicant_user):
    client, extra = _csrf_client()
    client.force_login(applicant_user)
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(f"/cases/{case.pk}/upload/", fields, **extra)
    _assert_portal_400(response, TITLE_EN)
