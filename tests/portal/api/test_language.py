"""One language rule for every API answer (issue 11; README "API"): the signed-in user's saved
language wins (session or token), else Accept-Language; the two-step gate's 403 and DRF's own
messages follow it, and Content-Language names it."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from portal import services as portal_services
from tests.factories import AdvisorFactory, ApplicantFactory, open_case

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
BROWSER = {"en": EN, "zh-hans": ZH}
OTHER = {"en": "zh-hans", "zh-hans": "en"}
# What each answer says, per language (DRF's catalogue and ours).
NOT_FOUND = {"en": "Not found.", "zh-hans": "未找到。"}
INVALID = {
    "en": "The request has invalid fields; see fields for what to change.",
    "zh-hans": "请求中有无效字段；请查看 fields 了解需要修改的内容。",
}
REQUIRED = {"en": "This field is required.", "zh-hans": "此项为必填项。"}
NO_CREDENTIALS = {
    "en": "Authentication credentials were not provided.",
    "zh-hans": "身份认证信息未提供。",
}


def _token_client(user) -> APIClient:  # type: ignore[no-untyped-def]
    _token, key = portal_services.api_token_create(user=user, name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _answers(client, language: str, browser: str) -> None:  # type: ignore[no-untyped-def]
    """Several endpoints (list, missing object, refused body, unknown route) all answer in
    ``language`` although the browser asks for ``browser``."""
    headers = BROWSER[browser]
    listing = client.get("/api/v1/cases/", **headers)
    assert listing.status_code == 200
    assert listing["Content-Language"] == language
    missing = client.get("/api/v1/cases/999999/", **headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == NOT_FOUND[language]
    assert missing["Content-Language"] == language
    refused = client.post("/api/v1/tokens/", {}, format="json", **headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == INVALID[language]
    assert refused.json()["fields"]["name"] == [REQUIRED[language]]
    me = client.get("/api/v1/me/", **headers)
    assert me.status_code == 200
    assert me["Content-Language"] == language


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_session_users_saved_language_wins_over_the_browsers(api_for, language):
    advisor = AdvisorFactory(preferred_language=language)
    open_case(advisor=advisor)
    _answers(api_for(advisor), language, browser=OTHER[language])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_token_users_saved_language_wins_on_every_endpoint(language):
    advisor = AdvisorFactory(preferred_language=language)
    open_case(advisor=advisor)
    before = translation.get_language()
    _answers(_token_client(advisor), language, browser=OTHER[language])
    assert translation.get_language() == before  # switched for the request only


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_anonymous_requests_follow_accept_language_not_the_pages_cookie(language):
    client = APIClient()
    client.cookies["django_language"] = OTHER[language]  # set by the web pages' switch
    response = client.get("/api/v1/cases/", **BROWSER[language])
    assert response.status_code == 401
    assert response.json()["detail"] == NO_CREDENTIALS[language]
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_a_refused_token_is_answered_in_the_browsers_language():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer vcp_nope_nope")
    assert client.get("/api/v1/cases/", **ZH).json()["detail"] == "令牌无效、已过期或已撤销。"
    assert client.get("/api/v1/cases/", **EN).json()["detail"] == (
        "Invalid, expired or revoked token."
    )


def test_without_a_supported_accept_language_the_answer_is_english():
    response = APIClient().get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="fr-FR, de;q=0.5")
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == NO_CREDENTIALS["en"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Verify a two-factor code in the web portal first."),
        ("zh-hans", "请先在网页门户中验证两步验证码。"),
    ],
)
def test_the_two_step_gate_answers_in_the_users_language(language, text):
    advisor = AdvisorFactory(preferred_language=language)
    client = APIClient()
    client.force_login(advisor)  # password only: two-step not passed in this session
    response = client.get("/api/v1/cases/", **BROWSER[OTHER[language]])
    assert response.status_code == 403
    assert response.json() == {"code": "two_factor_required", "detail": text}
    assert response["Content-Language"] == language


def test_an_applicant_reads_api_answers_in_their_language(api_for):
    applicant = ApplicantFactory(user__preferred_language="zh-hans")
    open_case(applicant=applicant)
    client = api_for(applicant.user)
    missing = client.get("/api/v1/requirements/999999/", **EN)
    assert missing.status_code == 404
    assert missing.json()["detail"] == NOT_FOUND["zh-hans"]
    assert client.get("/api/v1/notifications/", **EN)["Content-Language"] == "zh-hans"
