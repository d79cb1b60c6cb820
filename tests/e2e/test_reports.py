"""The reports page and the case list with the report's filters in a real browser: 320 px
and 1280 px wide, in English and Chinese, without sideways scrolling and with zero axe-core
violations (the SVG charts, the linked figures, the advisor filter and the downloads)."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from tests.e2e.test_records import AXE
from tests.factories import AdvisorFactory, open_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits_and_passes_axe(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
    results = AXE.run(page)
    assert results.violations_count == 0, f"{url}: {results.generate_report()}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [320, 1280])
def test_reports_and_filtered_case_list_fit_and_pass_axe(live_server, signed_in, language, width):
    base = live_server.url
    supervisor = AdvisorFactory(
        email="sup.reports@example.test", is_supervisor=True, preferred_language=language
    )
    ada = AdvisorFactory(full_name="Ada Lindqvist-Featherstonehaugh-Montgomery")
    case = open_case(advisor=ada)
    requirement = case.requirements.filter(required=True).first()
    services.requirement_set_due_date(
        requirement=requirement,
        due_date=timezone.localdate() - dt.timedelta(days=3),
        actor=ada,
    )
    page = signed_in(supervisor, width=width, language=language)
    _fits_and_passes_axe(page, base + "/reports/")
    main = page.locator("main").inner_text()
    if language == "zh-hans":
        for english in ("Overdue", "Advisor", "Download", "Open cases", "Reports"):
            assert english not in main, f"English left: {english}"
    # Follow the overdue figure of Ada's row to the cases behind it.
    row = page.locator("#report-deadlines tbody tr", has_text="Ada Lindqvist")
    row.locator("a").first.click()
    page.wait_for_load_state()
    assert "overdue=on" in page.url
    assert case.reference in page.locator("main").inner_text()
    _fits_and_passes_axe(page, page.url)
    # The figure filters unfolded, one of them refused beside its field, still fit and pass.
    week = timezone.localdate().isoformat()
    _fits_and_passes_axe(page, base + f"/cases/?opened_from={week}&left_from=1999-01-01")
    assert page.locator("details.figure-filters[open]").count() == 1
    assert page.locator(".field-error").count() == 1
