"""Browser tests: Playwright drives Debian's Chromium (playwright cannot download browsers)."""

import os
import shutil
from urllib.parse import urlparse

import pytest
from django.test import Client

from tests.otp import login_verified

# Playwright's sync API keeps an event loop running in this thread; the ORM calls made by the
# test body itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def signed_in_context(browser, base: str, user, *, width: int = 1280, language: str = "en"):  # type: ignore[no-untyped-def]
    """A new browser context ``width`` px wide, signed in as ``user`` with two-factor passed
    (the session cookie of a test client's ``login_verified``), whose browser asks for
    ``language`` (zh-CN for "zh-hans", else en-GB). The pages' language is the user's
    ``preferred_language``; the caller closes the context (or uses the ``signed_in`` fixture)."""
    client = login_verified(Client(), user)
    ctx = browser.new_context(
        viewport={"width": width, "height": 900},
        locale="zh-CN" if language == "zh-hans" else "en-GB",
    )
    ctx.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": urlparse(base).hostname,
                "path": "/",
            }
        ]
    )
    return ctx


@pytest.fixture
def signed_in(browser, live_server):  # type: ignore[no-untyped-def]
    """``signed_in(user, width=1280, language="en")``: a new page of a context made by
    ``signed_in_context`` on the live server; every context is closed after the test."""
    contexts = []

    def page(user, *, width: int = 1280, language: str = "en"):  # type: ignore[no-untyped-def]
        ctx = signed_in_context(browser, live_server.url, user, width=width, language=language)
        contexts.append(ctx)
        return ctx.new_page()

    yield page
    for ctx in contexts:
        ctx.close()
