"""The advisor's confirmations (issue 13): the blank-pages question of K/R v2 is unknown until
the advisor answers it on the case, then met or not met; the answer is a CaseEvent and the case
is assessed again; another firm's staff, another advisor and the applicant are refused; the
passport page carries the blank-pages form and the confirmations page every question."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, EventKind
from cases.services import eligibility as services_eligibility
from cases.services.confirmations import case_confirmation_answer
from eligibility.models import Assessment
from portal.errors import InvalidInput, NotAllowed
from tests.factories import upload_document

pytestmark = pytest.mark.django_db


def _node(assessment: Assessment, ident: str) -> dict:
    stack = list(assessment.results)
    while stack:
        node = stack.pop()
        if node["id"] == ident:
            return node
        stack.extend(node.get("children", []))
    raise KeyError(ident)


def test_blank_pages_unknown_until_answered_then_pass_or_fail(case, advisor):
    first = services_eligibility.case_assess(case=case, actor=advisor)
    assert _node(first, "k-blank-pages")["result"] == "unknown"
    assert "confirm:blank_pages" in first.missing_facts
    assert "the advisor's check of the passport's blank visa pages" in first.missing_labels("en")

    stored = case_confirmation_answer(
        case=case, question="blank_pages", answer=True, n=2, actor=advisor
    )
    assert (stored["answer"], stored["n"], stored["by"]) == (True, 2, advisor.pk)
    latest = Assessment.objects.filter(case=case).order_by("-created_at", "-id").first()
    assert _node(latest, "k-blank-pages")["result"] == "pass"
    assert _node(latest, "k-blank-pages")["label"] == {
        "en": "The passport has at least 2 blank visa pages",
        "zh": "护照至少有2页空白签证页",
    }
    assert "confirm:blank_pages" not in latest.missing_facts
    event = CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).latest("id")
    assert (event.before, event.after, event.actor) == ("", "yes", advisor)
    assert {k: event.data[k] for k in ("confirmation", "n", "answer")} == {
        "confirmation": "blank_pages",
        "n": 2,
        "answer": True,
    }
    assert event.data["what"] == "confirmation"

    case_confirmation_answer(case=case, question="blank_pages", answer=False, n=2, actor=advisor)
    latest = Assessment.objects.filter(case=case).order_by("-created_at", "-id").first()
    assert _node(latest, "k-blank-pages")["result"] == "fail"
    assert latest.outcome == "ineligible"
    event = CaseEvent.objects.filter(case=case, kind=EventKind.UPDATE).latest("id")
    assert (event.before, event.after) == ("yes", "no")


def test_an_answer_about_another_number_or_question_is_refused(case, r_case, advisor):
    with pytest.raises(InvalidInput):
        case_confirmation_answer(case=case, question="blank_pages", answer=True, n=1, actor=advisor)
    with pytest.raises(InvalidInput):  # K asks no Class A question
        case_confirmation_answer(
            case=case, question="academician", answer=True, n=None, actor=advisor
        )
    case.refresh_from_db()
    assert case.confirmations == {}
    case_confirmation_answer(
        case=r_case, question="academician", answer=True, n=None, actor=advisor
    )
    latest = Assessment.objects.filter(case=r_case).latest("id")
    assert _node(latest, "r-class-a-academician")["result"] == "pass"
    assert _node(latest, "r-route")["result"] == "pass"


@pytest.mark.parametrize(
    "who", ["applicant_user", "other_advisor", "other_firm_advisor", "other_firm_admin"]
)
def test_others_may_not_answer(request, case, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        case_confirmation_answer(case=case, question="blank_pages", answer=True, n=2, actor=user)
    assert Case.objects.get(pk=case.pk).confirmations == {}
    assert not Assessment.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["supervisor", "admin_user"])
def test_supervisor_and_admin_may_answer(request, case, who):
    user = request.getfixturevalue(who)
    case_confirmation_answer(case=case, question="blank_pages", answer=True, n=2, actor=user)
    assert Case.objects.get(pk=case.pk).confirmations["blank_pages"]["by"] == user.pk


def test_page_lists_the_question_and_the_post_answers_it(client_for, case, advisor):
    client = client_for(advisor)
    url = reverse("cases:case_confirmations", args=[case.pk])
    page = client.get(url).content.decode()
    assert "The passport has at least 2 blank visa pages" in page
    assert "Not answered yet" in page
    response = client.post(url, {"question": "blank_pages", "n": "2", "answer": "yes"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert Case.objects.get(pk=case.pk).confirmations["blank_pages"]["answer"] is True
    assert "Your answer: yes" in client.get(url).content.decode()


def test_page_in_chinese_and_bad_posts_are_messages_not_errors(client_for, case, advisor):
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    client = client_for(advisor)
    url = reverse("cases:case_confirmations", args=[case.pk])
    assert (
        "护照至少有2页空白签证页"
        in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    for data in ({}, {"question": "blank_pages", "n": "x", "answer": "yes"}, {"answer": "maybe"}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).confirmations == {}


def test_next_outside_the_case_is_ignored(client_for, case, advisor):
    url = reverse("cases:case_confirmations", args=[case.pk])
    response = client_for(advisor).post(
        url, {"question": "blank_pages", "n": "2", "answer": "no", "next": "https://evil.test/"}
    )
    assert response["Location"] == url


@pytest.mark.parametrize("who", ["applicant_user", "other_advisor", "other_firm_advisor"])
def test_page_and_post_are_404_for_others(request, client_for, case, who):
    client = client_for(request.getfixturevalue(who))
    url = reverse("cases:case_confirmations", args=[case.pk])
    assert client.get(url).status_code == 404
    post = client.post(url, {"question": "blank_pages", "n": "2", "answer": "yes"})
    assert post.status_code == 404
    assert Case.objects.get(pk=case.pk).confirmations == {}


def test_passport_page_carries_the_blank_pages_form(
    client_for, case, advisor, applicant_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload_document(case, actor=applicant_user)
    client = client_for(advisor)
    page_url = reverse("cases:document_passport", args=[case.pk, doc.pk])
    page = client.get(page_url).content.decode()
    assert "Blank visa pages" in page
    assert 'name="question" value="blank_pages"' in page
    response = client.post(
        reverse("cases:case_confirmations", args=[case.pk]),
        {"question": "blank_pages", "n": "2", "answer": "yes", "next": page_url},
    )
    assert response["Location"] == page_url
    assert "Your answer: yes" in client.get(page_url).content.decode()
