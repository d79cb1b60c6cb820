"""The portal's 400 page (templates/400.html) in a real browser: at 320 px and 1280 px wide, in
English and Chinese, without sideways scrolling and with zero axe-core violations.

The browser is made to send what a careless client would: the navigation to the login page is
re-sent as a POST whose multipart part headers pass Django's ``MAX_TOTAL_HEADER_SIZE``."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.http.multipartparser import MAX_TOTAL_HEADER_SIZE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Axe()
BOUNDARY = "e2e-boundary"


def _unreadable_body() -> bytes:
    name = "x" * (MAX_TOTAL_HEADER_SIZE + 10)
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}.pdf"\r\n\r\n'
        "data\r\n"
        f"--{BOUNDARY}--\r\n"
    ).encode()


def test_the_400_page_fits_320px_has_no_axe_violations_in_both_languages(live_server, browser):
    url = f"{live_server.url}/accounts/login/"
    for language, locale, title in (
        ("en", "en-GB", "We could not read what was sent"),
        ("zh-hans", "zh-CN", "我们无法读取您发送的内容"),
    ):
        for width in (320, 1280):
            context = browser.new_context(
                viewport={"width": width, "height": 900},
                locale=locale,
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            page.goto(url)  # the CSRF cookie: without it the CSRF check refuses before parsing
            page.route(
                url,
                lambda route: route.continue_(
                    method="POST",
                    post_data=_unreadable_body(),
                    headers={
                        **route.request.headers,
                        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                    },
                ),
            )
            response = page.goto(url)
            assert response is not None
            assert response.status == 400
            assert page.locator("h1").inner_text() == title
            assert page.locator("html").get_attribute("lang").startswith(language[:2])
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{language} {width}px scrolls sideways by {overflow}px"
            results = AXE.run(page)
            assert results.violations_count == 0, results.generate_report()
            if language == "zh-hans":
                main = page.locator("main").inner_text()
                for english in ("Go back", "start page", "Bad Request"):
                    assert english not in main
            context.close()
