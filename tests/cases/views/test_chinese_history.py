"""A Chinese reader's case history and notifications show no English beyond names, file names
and what people typed (issue 11): the texts are worded when shown, from the events' and
notifications' data, in the reader's language, even when the writer used English."""

import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Stage
from cases.services.eligibility import case_assess
from tests.factories import add_education, add_employment, upload_document

LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Names of the fixture data, formats and the shared abbreviations (as the browser test allows).
ALLOWED = {"PDF", "ISCED", "K", "UTC", "CST", "Test", "University", "Asia", "Shanghai"}


def _readable(html: str, section: str, end_tag: str) -> str:
    """The text of the page's ``section`` (its id) with elements marked ``translate="no"``,
    tags, times, references and file names removed."""
    start = html.index(">", html.index(f'id="{section}"')) + 1
    end = html.index(end_tag, start)
    text = html[start:end]
    text = re.sub(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', " ", text, flags=re.DOTALL)
    text = re.sub(r"<time[^>]*>.*?</time>", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\b[A-Z]{1,3}-\d{4}-\d+\b|\S+\.pdf\b|\bv\d+\b", " ", text)
    return text


def _english(text: str) -> list[str]:
    return sorted({w for w in LATIN.findall(text) if w not in ALLOWED})


@pytest.mark.django_db
def test_a_chinese_applicants_case_history_has_no_english(
    case, advisor, applicant_user, client_for
):
    # Everything written while everyone's language is English.
    doc = upload_document(case)
    services.document_review(document=doc, decision="rejected", reason="Too dark", actor=advisor)
    services.message_post(case=case, author=advisor, body="Please scan again.")
    services.case_transition(case=case, to=Stage.ASSESSMENT, actor=advisor)
    case_assess(case=case, actor=advisor)
    add_education(applicant=case.applicant)
    add_employment(applicant=case.applicant)
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    html = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk]))
    html = html.content.decode()
    assert "护照个人资料页" in html
    words = _english(_readable(html, "timeline-h", "</ol>"))
    assert words == [], words


@pytest.mark.django_db
def test_a_chinese_readers_notifications_have_no_english(case, advisor, applicant_user, client_for):
    doc = upload_document(case)
    services.document_review(document=doc, decision="accepted", reason="", actor=advisor)
    services.message_post(case=case, author=advisor, body="Thank you.")
    services.case_transition(case=case, to=Stage.ASSESSMENT, actor=advisor)
    services.case_transition(case=case, to=Stage.DOCUMENTS, actor=advisor)
    # The applicant switches to Chinese after the notices were written.
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    html = client_for(applicant_user).get(reverse("reminders:notifications")).content.decode()
    assert "您的顾问已接受" in html
    assert "收集材料" in html or "材料" in html
    words = _english(_readable(html, "main", "</ul>"))
    assert words == [], words
