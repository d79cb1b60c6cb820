"""Personal API tokens: created by advisors and admins, stored hashed, revocable."""

import datetime as dt
import hashlib

import pytest
from rest_framework.test import APIClient

from portal import services
from portal.models import ApiToken

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_advisor_creates_token_shown_once_and_stored_hashed(api_for, advisor, case):
    response = api_for(advisor).post("/api/v1/tokens/", {"name": "CRM"}, format="json")
    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix, token.name}
    assert key.startswith(f"vcp_{token.prefix}_")
    listed = api_for(advisor).get("/api/v1/tokens/").json()["results"]
    assert "key" not in listed[0]
    # the token authenticates without a session or CSRF
    assert _bearer(key).get("/api/v1/cases/").json()["count"] == 1
    assert (
        _bearer(key).post(f"/api/v1/cases/{case.pk}/messages/", {"body": "via CRM"}).status_code
        == 201
    )


def test_applicant_cannot_create_tokens(api_for, applicant_user):
    response = api_for(applicant_user).post("/api/v1/tokens/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_revoked_expired_and_bad_tokens_get_401(advisor):
    token, key = services.api_token_create(user=advisor, name="a")
    assert _bearer(key).get("/api/v1/ping/").status_code == 200
    services.api_token_revoke(token=token, actor=advisor)
    assert _bearer(key).get("/api/v1/ping/").status_code == 401
    expired, key2 = services.api_token_create(user=advisor, name="b", expires_in_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _bearer(key2).get("/api/v1/ping/").status_code == 401
    assert _bearer("vcp_nothing_here").get("/api/v1/ping/").status_code == 401
    assert (
        _bearer(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/v1/ping/").status_code == 401
    )


def test_token_of_deactivated_or_demoted_user_stops_working(advisor):
    _token, key = services.api_token_create(user=advisor, name="a")
    advisor.role = "applicant"
    advisor.save(update_fields=["role"])
    assert _bearer(key).get("/api/v1/ping/").status_code == 401


def test_owner_revokes_via_api_and_others_get_404(api_for, advisor, other_advisor, admin_user):
    token, key = services.api_token_create(user=advisor, name="a")
    assert api_for(other_advisor).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert api_for(advisor).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _bearer(key).get("/api/v1/ping/").status_code == 401
    second, _ = services.api_token_create(user=advisor, name="b")
    assert api_for(admin_user).delete(f"/api/v1/tokens/{second.pk}/").status_code == 204


def test_token_last_used_is_recorded(advisor):
    token, key = services.api_token_create(user=advisor, name="a")
    _bearer(key).get("/api/v1/ping/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_name_required_and_expiry_bounded(api_for, advisor):
    client = api_for(advisor)
    assert client.post("/api/v1/tokens/", {"name": " "}, format="json").status_code == 400
    too_long = client.post(
        "/api/v1/tokens/", {"name": "x", "expires_in_days": 99999}, format="json"
    )
    assert too_long.status_code == 400
    assert "expires_in_days" in too_long.json()["fields"]
