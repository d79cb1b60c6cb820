"""Requests refused from their headers before anything reads the body (portal/limits.py), the
API's JSON error shape for what never reaches a DRF view (portal/handlers.py), and length and
character limits checked before the database sees a value.

The test client's body stream is exactly as long as the bytes given; a declared
``Content-Length`` larger than that makes any read of the body fail the request. So a 413 (or
400) answered for a 2 GB declaration over a 1-byte body proves the body was never read.
"""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import services
from tests.otp import login_verified

GB = 1024**3


def _declared(client: Client, path: str, size: int, **extra: str):  # type: ignore[no-untyped-def]
    """POST one byte while declaring ``size`` bytes."""
    return client.generic(
        "POST",
        path,
        b"x",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(size),
        **extra,
    )


def _is_json_error(response, code: str) -> bool:  # type: ignore[no-untyped-def]
    body = response.json()
    return body["code"] == code and isinstance(body["detail"], str) and body["detail"]


# --- body size ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["", "csrftoken=" + "a" * 32, "sessionid=" + "b" * 32])
def test_anonymous_2gb_upload_is_refused_413_unread(case, cookie):
    client = Client(HTTP_COOKIE=cookie) if cookie else Client()
    requirement = case.requirements.first()
    api = _declared(client, f"/api/v1/requirements/{requirement.pk}/upload/", 2 * GB)
    assert api.status_code == 413
    assert _is_json_error(api, "too_large")
    assert api["Connection"] == "close"
    web = _declared(client, reverse("cases:case_upload", args=[case.pk]), 2 * GB)
    assert web.status_code == 413
    assert web["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_signed_in_upload_above_the_per_request_file_limit_is_refused_unread(case, advisor):
    client = login_verified(Client(), advisor)
    requirement = case.requirements.first()
    limit = settings.PORTAL_MAX_UPLOAD_REQUEST_BYTES
    response = _declared(client, f"/api/v1/requirements/{requirement.pk}/upload/", limit + 1)
    assert response.status_code == 413
    assert _is_json_error(response, "too_large")


@pytest.mark.django_db
def test_every_upload_route_takes_a_file_above_the_ordinary_request_limit(case):
    """The document card's own Upload button (``cases:upload``) was missing from the upload
    routes: a 9 MB scan was refused there at 6 MB (fresh-eyes check). The first middleware
    now passes a body between the two limits on to each upload view, and still refuses it on
    another route."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal.limits import RequestLimitsMiddleware

    requirement = case.requirements.get(code="passport-bio-page")
    size = settings.PORTAL_MAX_REQUEST_BYTES + 3 * 1024 * 1024
    assert size < settings.PORTAL_MAX_UPLOAD_REQUEST_BYTES
    middleware = RequestLimitsMiddleware(lambda request: HttpResponse("reached the view"))
    uploads = (
        reverse("cases:upload", args=[case.pk, requirement.pk]),
        reverse("cases:case_upload", args=[case.pk]),
        f"/api/v1/requirements/{requirement.pk}/upload/",
    )
    for path in (*uploads, reverse("cases:list")):
        request = RequestFactory().post(path, b"", content_type="multipart/form-data; boundary=b")
        request.META["CONTENT_LENGTH"] = str(size)
        response = middleware(request)
        assert response.status_code == (200 if path in uploads else 413), path


@pytest.mark.django_db
def test_refusals_before_the_session_is_read_speak_the_requests_language(case):
    requirement = case.requirements.first()
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
    api = _declared(Client(), f"/api/v1/requirements/{requirement.pk}/upload/", 2 * GB, **zh)
    assert api.status_code == 413
    assert api["Content-Language"] == "zh-hans"
    assert api.json()["detail"].startswith("请求过大")
    web = Client().get("/" + "a" * (settings.PORTAL_MAX_PATH_CHARS + 1), **zh)
    assert web.status_code == 414
    assert web["Content-Language"] == "zh-hans"
    assert web.content.decode().startswith("地址过长")
    assert not re.search("[A-Za-z]", web.content.decode())  # no English left
    english = _declared(Client(), f"/api/v1/requirements/{requirement.pk}/upload/", 2 * GB)
    assert english["Content-Language"] == "en"
    assert "too large" in english.json()["detail"]


@pytest.mark.django_db
def test_other_routes_refuse_more_than_a_few_megabytes_even_signed_in(case, advisor):
    client = login_verified(Client(), advisor)
    response = _declared(client, f"/api/v1/cases/{case.pk}/messages/", 7 * 1024 * 1024)
    assert response.status_code == 413
    assert _is_json_error(response, "too_large")
    page = _declared(client, reverse("cases:list"), 7 * 1024 * 1024)
    assert page.status_code == 413


@pytest.mark.django_db
def test_anonymous_bodies_above_64kb_are_refused_even_with_a_csrf_cookie(db):
    client = Client(HTTP_COOKIE="csrftoken=" + "a" * 32)
    response = _declared(client, reverse("login"), 100 * 1024)
    assert response.status_code == 413
    api = _declared(client, "/api/v1/ping/", 100 * 1024)
    assert api.status_code == 413
    assert _is_json_error(api, "too_large")


@pytest.mark.django_db
def test_a_small_anonymous_login_post_still_works(advisor):
    response = Client().post(reverse("login"), {"username": advisor.email, "password": "wrong"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_signed_in_and_token_requests_may_send_larger_bodies(case, advisor, pdf_bytes):
    requirement = case.requirements.get(code="passport-bio-page")
    big = pdf_bytes + b"%" + b"0" * (100 * 1024)  # a PDF with trailing padding, above 64 KB
    session = login_verified(Client(), advisor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("scan.pdf", big, "application/pdf")
    response = session.post(f"/api/v1/requirements/{requirement.pk}/upload/", {"file": upload})
    assert response.status_code != 413

    _token, key = services.api_token_create(user=advisor, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    upload = SimpleUploadedFile("scan.pdf", big, "application/pdf")
    response = client.post(f"/api/v1/requirements/{requirement.pk}/upload/", {"file": upload})
    assert response.status_code != 413


@pytest.mark.django_db
def test_an_invalid_token_does_not_lift_the_anonymous_limit(case):
    client = Client(HTTP_AUTHORIZATION="Bearer vcp_nothing_here")
    requirement = case.requirements.first()
    response = _declared(client, f"/api/v1/requirements/{requirement.pk}/upload/", 100 * 1024)
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_content_length_that_is_not_a_number_is_400(db):
    response = Client().generic(
        "POST", "/api/v1/ping/", b"x", content_type="application/json", CONTENT_LENGTH="12abc"
    )
    assert response.status_code == 400
    assert _is_json_error(response, "invalid")


# --- paths, NUL characters ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/visa-types/K%00/",
        "/api/v1/fields-of-study/?code=05%00",
        "/api/v1/fields-of-study/?search=%00",
        "/api/v1/cases/?visa_type=K%00",
    ],
)
def test_a_nul_in_an_api_lookup_answers_400_json(advisor, path):
    client = login_verified(Client(), advisor)
    response = client.get(path)
    assert response.status_code == 400
    assert _is_json_error(response, "invalid")


@pytest.mark.django_db
def test_a_nul_in_a_web_path_or_cookie_answers_400(advisor):
    assert Client().get("/cases/%00/").status_code == 400
    assert Client(HTTP_COOKIE="sessionid=ab\x00cd").get("/").status_code == 400


@pytest.mark.django_db
def test_an_over_long_path_answers_414_json(db):
    response = Client().get("/api/v1/" + "a" * 3000 + "/")
    assert response.status_code == 414
    assert _is_json_error(response, "uri_too_long")


# --- the API's error shape outside DRF views ----------------------------------------------------


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404(advisor):
    client = login_verified(Client(), advisor)
    for path in ("/api/v1/no-such-thing/", "/api/v2/", "/api/v1/cases/abc/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert _is_json_error(response, "not_found"), path
    assert Client().get("/no-such-page/").status_code == 404  # web pages keep Django's page


@pytest.mark.django_db
def test_method_not_allowed_on_the_api_is_json(advisor):
    client = login_verified(Client(), advisor)
    response = client.delete("/api/v1/ping/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_too_many_files_in_one_api_upload_is_a_json_400(case, advisor, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_verified(Client(), advisor)
    requirement = case.requirements.get(code="passport-bio-page")
    files = [
        SimpleUploadedFile(f"f{i}.pdf", pdf_bytes, "application/pdf")
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    response = client.post(f"/api/v1/requirements/{requirement.pk}/upload/", {"file": files})
    assert response.status_code == 400
    assert _is_json_error(response, "invalid")
    assert not requirement.documents.exists()


@pytest.mark.django_db
def test_too_many_fields_in_an_api_form_is_a_json_400(case, advisor):
    client = login_verified(Client(), advisor)
    requirement = case.requirements.get(code="passport-bio-page")
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(f"/api/v1/requirements/{requirement.pk}/upload/", fields)
    assert response.status_code == 400
    assert _is_json_error(response, "invalid")


@pytest.mark.django_db
def test_an_expired_session_on_the_api_is_a_json_401_not_a_redirect(advisor):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), advisor)
        assert client.get("/api/v1/ping/").status_code == 200
        for _ in range(31):  # active every 25 minutes, past the 12-hour limit
            clock.shift(dt.timedelta(minutes=25))
            response = client.get("/api/v1/ping/")
        assert response.status_code == 401
        assert _is_json_error(response, "not_authenticated")
        assert response["WWW-Authenticate"]
        # Idle expiry: the session is gone, DRF answers the same shape.
        clock.shift(dt.timedelta(hours=1))
        response = client.get("/api/v1/ping/")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


# --- the login form -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_256_character_login_name_gets_the_usual_message(path):
    name = "a" * 244 + "@example.test"  # 257 characters
    assert len(name) > 255
    response = Client().post(path, {"username": name, "password": "whatever-it-is"})
    assert response.status_code == 200
    assert "correct" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="a" * 200).exists()


# --- under Django's own server (wsgiref), as `make run` serves ----------------------------------


def _raw(live_server, method: str, path: str, body: bytes) -> tuple[int, str, str]:
    """Send a request (with ``body`` when not empty) to the live server: status, type, body.

    The body is sent whole: Django's handler under wsgiref reads an unread body to its end
    before closing, which is that development server's own behaviour."""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/accounts/login/?next=%00", b"", 400),
        ("GET", "/api/v1/cases/?q=%00", b"", 400),
        ("POST", "/api/v1/cases/", b"0" * (30 * 1024 * 1024), 413),
    ],
)
def test_refusals_are_not_500s_under_djangos_own_server(live_server, method, path, body, status):
    """wsgiref refuses hop-by-hop headers (PEP 3333) with a 500: the refusal must not send one.

    (A too-long path is not tried here: the test live server puts a static-files handler in
    front of the portal, which fails on it before any middleware runs; ``runserver`` does not.)"""
    got, content_type, body = _raw(live_server, method, path, body)
    assert got == status, body[:300]
    assert "server error" not in body.lower()
    if path.startswith("/api/"):
        assert content_type.startswith("application/json")
