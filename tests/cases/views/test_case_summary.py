"""The advisor case page reads top-down (issue 11): a summary (stage in words, whose turn,
the next deadline in the viewer's zone), a contents list whose links all land, the criteria's
legal citations collapsed in <details>, no raw codes; a refused upload from a document card
answers with that document's form alone."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CaseTask, DocumentRequirement, Stage
from cases.reminders.schedule import local_today
from cases.services.eligibility import case_assess
from eligibility.models import Assessment
from tests.factories import add_education, case_at, upload_document
from tests.queries import assert_flat_queries


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles, and (``skip_id``) not
    the section whose ``aria-labelledby`` names that heading."""

    def __init__(self, skip_labelledby: str = "") -> None:
        super().__init__()
        self.skip_labelledby = skip_labelledby
        self.parts: list[str] = []
        self.depth = 0  # nesting inside a skipped element
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in _VOID
            return
        values = dict(attrs)
        if self.skip_labelledby and values.get("aria-labelledby") == self.skip_labelledby:
            self.depth = 1
        elif tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
        elif tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth and not self.hidden:
            self.parts.append(data)


_VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}


def _visible_text(html: str, skip_labelledby: str = "") -> str:
    parser = _Text(skip_labelledby)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def documents_case(applicant, advisor):  # type: ignore[no-untyped-def]
    """A K case collecting documents: the passport uploaded (waiting on the advisor), the
    other required documents missing (waiting on the applicant), the CV due in 3 days and an
    optional one already past due (never overdue, so never the next deadline)."""
    case = case_at(Stage.DOCUMENTS, applicant=applicant, advisor=advisor)
    case.time_zone = "Asia/Shanghai"
    case.save(update_fields=["time_zone"])
    upload_document(case, code="passport-bio-page")
    today = local_today(timezone.now(), case.time_zone)
    case.requirements.update(due_date=today + dt.timedelta(days=20))
    case.requirements.filter(code="cv").update(due_date=today + dt.timedelta(days=3))
    case.requirements.filter(required=False).update(due_date=today - dt.timedelta(days=5))
    return case


@pytest.mark.django_db
def test_summary_names_the_stage_whose_turn_and_the_next_deadline_in_the_viewers_zone(
    documents_case, advisor, client_for
):
    advisor.time_zone = "Europe/London"
    advisor.save(update_fields=["time_zone"])
    case = documents_case
    required = DocumentRequirement.objects.filter(case=case, required=True)
    on_applicant = required.filter(status__in=["missing", "rejected"]).count()
    assert required.filter(status="uploaded").count() == 1
    assert on_applicant > 1

    html = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    summary = _visible_text(_section(html, "summary-h"))
    assert "Stage Collecting documents" in summary
    assert "Waiting for the advisor 1 document to review" in summary
    assert f"Waiting for the applicant {on_applicant} documents still needed" in summary
    cv = case.requirements.get(code="cv")
    # Due by the end of the case-local day (23:59 in Shanghai), shown in London time.
    due = dt.datetime.combine(cv.due_date, dt.time(23, 59), tzinfo=dt.UTC) - dt.timedelta(hours=8)
    assert f"Next deadline {cv.name_en} · due by {due:%Y-%m-%d %H:%M} GMT" in summary
    assert f'href="#req-{cv.pk}"' in _section(html, "summary-h")
    assert summary.index("Stage") < summary.index("Next deadline")
    assert html.index('id="summary-h"') < html.index('id="details-h"')


@pytest.mark.django_db
def test_an_overdue_item_is_the_next_deadline_and_says_so(documents_case, advisor, client_for):
    case = documents_case
    today = local_today(timezone.now(), case.time_zone)
    late = case.requirements.get(code="digital-photo")
    late.due_date = today - dt.timedelta(days=2)
    late.save(update_fields=["due_date"])
    html = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    summary = _visible_text(_section(html, "summary-h"))
    assert f"Next deadline {late.name_en} · overdue · due by" in summary


@pytest.mark.django_db
def test_summary_of_a_case_with_nothing_open(case, advisor, client_for):
    case.requirements.update(status="waived", waived_reason="Test")
    html = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    summary = _visible_text(_section(html, "summary-h"))
    assert "No document to review" in summary
    assert "No document still needed" in summary
    assert "No open deadlines." in summary


@pytest.mark.django_db
def test_every_contents_link_lands_on_an_element_of_the_page(documents_case, advisor, client_for):
    html = client_for(advisor).get(reverse("cases:detail", args=[documents_case.pk])).content
    page = html.decode()
    nav = page[page.index('<nav class="contents"') : page.index("</nav>", page.index("contents-h"))]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) >= 8
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    assert [t for t in targets if t not in ids] == []
    for name in ("Eligibility", "Document checklist", "Tasks", "Messages", "Timeline"):
        assert name in _visible_text(nav)


@pytest.mark.django_db
def test_citations_are_collapsed_behind_each_criterion(
    documents_case, applicant, advisor, client_for
):
    add_education(applicant=applicant)
    case_assess(case=documents_case, actor=advisor)
    assessment = Assessment.objects.filter(case=documents_case).latest("created_at")
    rows = assessment.localized_results("en")
    assert rows
    assert all(r["citation"] for r in rows)
    html = client_for(advisor).get(reverse("cases:detail", args=[documents_case.pk])).content
    table = _section(html.decode(), "assessment-h")
    collapsed = re.findall(r'<details class="citation"><summary>.*?</summary><p>(.*?)</p>', table)
    assert len(collapsed) == len(rows)
    assert "Source (reported, not official)" in table  # the basis stays visible when folded
    # No citation outside its <details>.
    folded = re.sub(r'<details class="citation">.*?</details>', "", table, flags=re.S)
    for row in rows:
        assert row["citation"][:60] not in folded.replace("&#x27;", "'")
    assert ">Source</th>" not in table  # the long column is gone


RAW_CODES = (
    "→",
    "needs_review",
    "needs_information",
    "on_hold",
    "ineligible",
    "pass",
    "fail",
    "passport-bio-page",
    "digital-photo",
    "application-form",
)
# Jargon applicants never read (their degree's field by name); staff read ISCED-F in the legal
# citations behind each criterion.
APPLICANT_JARGON = ("ISCED", "0613")
# Codes that are also parts of words ("passport", "failed"): matched as whole words only.
WHOLE_WORDS = {"pass", "fail", "ineligible"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_case_pages_show_no_raw_codes(
    documents_case, applicant, applicant_user, advisor, client_for, language
):
    add_education(applicant=applicant)
    case_assess(case=documents_case, actor=advisor)
    services.case_transition(case=documents_case, to=Stage.ON_HOLD, actor=advisor, reason="Wait")
    pages = (
        (advisor, "cases:detail", RAW_CODES),
        (applicant_user, "cases:my_detail", RAW_CODES + APPLICANT_JARGON),
    )
    for user, name, codes in pages:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        html = client_for(user).get(reverse(name, args=[documents_case.pk])).content.decode()
        # The history is rendered by the timeline's own code (issue 11, another change: event
        # texts at display time); everything else on the page is checked here.
        heading = "timeline-h"
        text = _visible_text(html, skip_labelledby=heading)
        words = set(re.findall(r"[\w→-]+", text))
        found = [c for c in codes if (c in words if c in WHOLE_WORDS else c in text)]
        assert found == [], (name, language, found)


@pytest.mark.django_db
def test_case_page_queries_stay_flat_with_more_tasks_and_deadlines(
    documents_case, advisor, client_for
):
    client = client_for(advisor)
    url = reverse("cases:detail", args=[documents_case.pk])
    client.get(url)
    today = local_today(timezone.now(), documents_case.time_zone)

    def grow() -> None:
        for n in range(5):
            CaseTask.objects.create(
                case=documents_case, title=f"Task {n}", due_date=today + dt.timedelta(days=n)
            )

    assert_flat_queries(lambda: client.get(url), grow)


def _refused(client, case, requirement):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("cases:upload", args=[case.pk, requirement.pk]),
        {"file": SimpleUploadedFile("notes.txt", b"plain text, not a scan", "text/plain")},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["applicant_user", "advisor"])
def test_a_refused_upload_from_a_document_card_names_it_and_shows_its_input_alone(
    documents_case, client_for, request, persona
):
    case = documents_case
    requirement = case.requirements.get(code="cv")
    response = _refused(client_for(request.getfixturevalue(persona)), case, requirement)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<h1>Upload “{requirement.name_en}”</h1>" in html
    assert "Nothing was uploaded" in html
    inputs = re.findall(r"<input[^>]*type=\"file\"[^>]*>", html)
    assert len(inputs) == 1
    field = inputs[0]
    assert f'id="file-{requirement.pk}"' in field
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="file-{requirement.pk}-help file-{requirement.pk}-error"' in field
    assert f'id="file-{requirement.pk}-error"' in html
    # The summary takes the focus and links to the input; the form sends to this card again.
    assert re.search(r'class="[^"]*error-summary[^"]*"[^>]*tabindex="-1"[^>]*autofocus', html)
    assert f'href="#file-{requirement.pk}"' in html
    assert f'action="{reverse("cases:upload", args=[case.pk, requirement.pk])}"' in html
    other = case.requirements.exclude(pk=requirement.pk).first()
    assert f"many-file-{other.pk}" not in html
    assert f"#req-{requirement.pk}" in html  # "Back to the case" returns to the card


@pytest.mark.django_db
def test_the_several_documents_page_keeps_every_input_and_focuses_its_summary(
    documents_case, applicant_user, client_for
):
    case = documents_case
    requirement = case.requirements.get(code="cv")
    response = client_for(applicant_user).post(
        reverse("cases:case_upload", args=[case.pk]),
        {f"file-{requirement.pk}": SimpleUploadedFile("notes.txt", b"text", "text/plain")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert len(re.findall(r'<input[^>]*type="file"', html)) > 1
    assert re.search(r'class="[^"]*error-summary[^"]*"[^>]*tabindex="-1"[^>]*autofocus', html)


@pytest.mark.django_db
def test_a_refused_upload_in_chinese_names_the_document_in_chinese(
    documents_case, applicant_user, client_for
):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    requirement = documents_case.requirements.get(code="cv")
    html = _refused(client_for(applicant_user), documents_case, requirement).content.decode()
    assert f"<h1>上传“{requirement.name_zh}”</h1>" in html
    assert "Nothing was uploaded" not in html


@pytest.mark.django_db
def test_labels_on_the_chinese_case_page_take_the_full_width_colon(
    documents_case, applicant_user, client_for
):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    html = client_for(applicant_user).get(reverse("cases:my_detail", args=[documents_case.pk]))
    text = _visible_text(html.content.decode())
    assert "您的顾问：" in text  # issue 11 read "您的顾问: Li Wei"
    assert "您的顾问:" not in text
    assert "当前文件：" in text
