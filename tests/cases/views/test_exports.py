"""Downloads of the case list with its filters (CSV and XLSX) and of the reports as XLSX:
same cells as the page, formulas never live, scope and refusals, bounded queries and size."""

import io
import zipfile

import pytest
from django.urls import reverse

from cases import services
from cases.models import Stage, VisaType
from cases.views import cases as case_views
from tests.factories import ApplicantFactory, open_case
from tests.queries import assert_flat_queries


def _csv(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def _sheet_xml(response) -> str:  # type: ignore[no-untyped-def]
    """The first worksheet's XML and its shared strings (what a spreadsheet program reads)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "private, no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        names = book.namelist()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
        )
    return sheet + strings


@pytest.mark.django_db
def test_case_list_csv_follows_the_filters_and_escapes_formulas(client_for, advisor):
    evil = ApplicantFactory(firm=advisor.firm, given_names="=HYPERLINK(1)", family_name="X")
    mine = open_case(advisor=advisor, applicant=evil)
    r_case = open_case(advisor=advisor, visa_code="R")
    lines = _csv(client_for(advisor).get(reverse("cases:list_csv") + "?visa_type=K"))
    assert (
        lines[0] == "Reference,Applicant,Visa,Stage,Advisor,Opened,Still needed,To review,Overdue"
    )
    assert len(lines) == 2
    assert lines[1].startswith(f"{mine.reference},'=HYPERLINK(1) X,K,Intake,Ada Advisor,")
    assert r_case.reference not in "\n".join(lines)


@pytest.mark.django_db
def test_case_list_xlsx_has_the_same_rows_and_no_formula(client_for, advisor):
    evil = ApplicantFactory(firm=advisor.firm, given_names="=HYPERLINK(1)", family_name="X")
    case = open_case(advisor=advisor, applicant=evil)
    xml = _sheet_xml(client_for(advisor).get(reverse("cases:list_xlsx")))
    assert case.reference in xml
    assert "=HYPERLINK(1) X" in xml  # kept as text...
    assert "<f>" not in xml  # ...never a formula


@pytest.mark.django_db
def test_exports_are_scoped_and_refused_to_others(
    client_for, advisor, other_advisor, supervisor, applicant_user, other_firm_supervisor, stranger
):
    mine = open_case(advisor=advisor)
    theirs = open_case(advisor=other_advisor)
    for name in ("cases:list_csv", "cases:list_xlsx"):
        url = reverse(name)
        assert client_for(applicant_user).get(url).status_code == 404
        assert client_for(stranger).get(url).status_code == 404
        assert client_for(None).get(url).status_code == 302
    other = "\n".join(_csv(client_for(other_advisor).get(reverse("cases:list_csv"))))
    assert theirs.reference in other
    assert mine.reference not in other
    firm_b = "\n".join(_csv(client_for(other_firm_supervisor).get(reverse("cases:list_csv"))))
    assert mine.reference not in firm_b
    assert theirs.reference not in firm_b
    # A supervisor may narrow by advisor; another advisor's filter value is ignored for an advisor.
    url = reverse("cases:list_csv") + f"?advisor={other_advisor.pk}"
    by_otto = "\n".join(_csv(client_for(supervisor).get(url)))
    assert theirs.reference in by_otto
    assert mine.reference not in by_otto
    own = "\n".join(_csv(client_for(advisor).get(url)))
    assert mine.reference in own
    assert theirs.reference not in own


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_cases(client_for, advisor):
    client = client_for(advisor)
    open_case(advisor=advisor)

    def call() -> None:
        _csv(client.get(reverse("cases:list_csv")))

    def grow() -> None:
        for _ in range(4):
            open_case(advisor=advisor)

    assert_flat_queries(call, grow)


@pytest.mark.django_db
def test_too_large_an_export_asks_for_narrower_filters(client_for, advisor, monkeypatch):
    monkeypatch.setattr(case_views, "MAX_EXPORT_ROWS", 1)
    open_case(advisor=advisor)
    open_case(advisor=advisor)
    response = client_for(advisor).get(reverse("cases:list_xlsx") + "?stage=intake", follow=True)
    assert response.redirect_chain[0][0] == reverse("cases:list") + "?stage=intake"
    assert "2 cases match these filters; a download holds at most 1" in response.content.decode()


@pytest.mark.django_db
def test_report_xlsx_matches_the_csv(client_for, advisor):
    evil = VisaType.objects.create(firm=advisor.firm, code="=K1", name="=HYPERLINK()")
    services.case_open(
        applicant=ApplicantFactory(firm=advisor.firm),
        visa_type=evil,
        advisor=advisor,
        actor=advisor,
    )
    client = client_for(advisor)
    csv_lines = _csv(client.get(reverse("cases:report_csv", args=["open"])))
    assert csv_lines[0] == "Stage,'=K1,Total"
    xml = _sheet_xml(client.get(reverse("cases:report_xlsx", args=["open"])))
    assert "=K1" in xml
    assert "<f>" not in xml
    assert str(Stage.INTAKE.label) in xml
    assert client.get("/reports/nothing.xlsx").status_code == 404


@pytest.mark.django_db
def test_report_xlsx_refused_to_applicants_and_outsiders(client_for, applicant_user, stranger):
    url = reverse("cases:report_xlsx", args=["deadlines"])
    for user in (applicant_user, stranger):
        assert client_for(user).get(url).status_code == 404


@pytest.mark.django_db
def test_case_list_offers_the_downloads_with_its_filters(client_for, advisor):
    open_case(advisor=advisor)
    html = client_for(advisor).get(reverse("cases:list") + "?stage=intake").content.decode()
    assert 'href="/cases/export.csv?stage=intake"' in html
    assert 'href="/cases/export.xlsx?stage=intake"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cases:list_csv", "cases:list_xlsx"])
@pytest.mark.parametrize(
    ("who", "query"),
    [("advisor", "q=" + "z" * 101), ("advisor", "stage=nonsense"), ("supervisor", "advisor=abc")],
)
def test_a_mistyped_filter_downloads_nothing_and_says_what_to_fix(
    request, client_for, advisor, name, who, query
):
    """A download of every case, when the filters asked for fewer, would pass for the filtered
    list: the list is shown again with each field's message, and nothing is downloaded."""
    open_case(advisor=advisor)
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse(name) + "?" + query, follow=True)
    assert response.redirect_chain[0][0] == reverse("cases:list") + "?" + query
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Correct them, then download again" in page
    assert page.count("were ignored") == 1
