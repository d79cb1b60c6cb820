"""Fixtures of the API tests: DRF clients per persona, throttle counters reset per test."""

from collections.abc import Callable

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from portal.models import User
from tests.otp import login_verified


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(settings):  # type: ignore[no-untyped-def]
    settings.API_THROTTLE_CACHE = "api_test_throttle"
    settings.CACHES = {
        **settings.CACHES,
        "api_test_throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "api-test-throttle",
        },
    }
    caches["api_test_throttle"].clear()
    yield
    caches["api_test_throttle"].clear()


@pytest.fixture
def api_for() -> Callable[[User | None], APIClient]:
    """A DRF test client logged in (session) as ``user``; anonymous for None."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            login_verified(client, user)  # staff sessions must have passed two-factor
        return client

    return make


# Requests sent by tests/api/test_schemathesis.py, per persona (printed at the end of the run).
SCHEMATHESIS_REQUESTS: dict[str, int] = {"applicant": 0, "advisor": 0}


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    total = sum(SCHEMATHESIS_REQUESTS.values())
    if total:
        terminalreporter.write_line(
            f"schemathesis: {total} generated requests "
            f"(applicant {SCHEMATHESIS_REQUESTS['applicant']}, "
            f"advisor {SCHEMATHESIS_REQUESTS['advisor']})"
        )
