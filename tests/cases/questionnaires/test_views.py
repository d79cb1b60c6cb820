"""The questionnaire's pages: the applicant's question pages (save and resume, errors,
check and send), the advisor's review, the data sheet, outsiders refused, flat query counts."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import QuestionnaireResponse, ResponseStatus
from cases.services import questionnaire_answers as services
from tests.cases.questionnaires.helpers import fill_k, k_answers, submitted
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def _section_url(case, key):  # type: ignore[no-untyped-def]
    return reverse("cases:my_questionnaire_section", args=[case.pk, key])


def test_applicant_page_prefills_from_the_record_and_saves_on_continue(
    case, applicant_user, client_for
):
    client = client_for(applicant_user)
    page = client.get(_section_url(case, "personal"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="Applicant"' in body  # family name from the applicant record
    assert "Section 1 of 10" in body
    response = client.post(
        _section_url(case, "personal"), {**k_answers()["personal"], "action": "continue"}
    )
    assert response.status_code == 302
    assert response["Location"] == _section_url(case, "passport")
    stored = QuestionnaireResponse.objects.get(case=case)
    assert stored.answers["birth_place"] == "Berlin"


def test_save_and_resume_on_another_device(case, applicant_user, client_for):
    phone = client_for(applicant_user)
    phone.post(
        _section_url(case, "contact"),
        {"home_address": "Somewhere 5", "phone": "", "email": "", "action": "save"},
    )
    laptop = client_for(applicant_user)  # a second session
    page = laptop.get(_section_url(case, "contact"))
    assert "Somewhere 5" in page.content.decode()
    overview = laptop.get(reverse("cases:my_questionnaire", args=[case.pk])).content.decode()
    assert "In progress" in overview


def test_bad_answers_show_an_error_summary_and_keep_stored_data(case, applicant_user, client_for):
    client = client_for(applicant_user)
    fill_k(case, applicant_user)
    data = {**k_answers()["personal"], "date_of_birth": "2099-01-01", "action": "continue"}
    page = client.post(_section_url(case, "personal"), data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "There is a problem" in body
    assert 'href="#q-date_of_birth"' in body
    assert "must be today or in the past" in body
    assert QuestionnaireResponse.objects.get(case=case).answers["date_of_birth"] == "1995-05-17"


def test_repeatable_group_add_and_remove_without_javascript(case, applicant_user, client_for):
    client = client_for(applicant_user)
    url = _section_url(case, "family")
    base = {"family_in_china": "no"}
    client.post(
        url,
        {**base, "children-0-family_name": "A", "children-0-given_names": "Bo", "action": "add"},
    )
    page = client.get(url).content.decode()
    assert 'name="children-1-family_name"' in page  # one empty item more
    client.post(
        url,
        {
            **base,
            "children-0-family_name": "A",
            "children-0-given_names": "Bo",
            "children-0-remove": "1",
            "action": "save",
        },
    )
    assert QuestionnaireResponse.objects.get(case=case).answers["children"] == []


def test_chinese_applicant_gets_chinese_pages_and_messages(case, applicant_user, client_for):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    client = client_for(applicant_user)
    page = client.post(
        _section_url(case, "personal"), {"action": "continue"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = page.content.decode()
    assert "个人信息" in body
    assert "请回答“姓（与护照一致）”。" in body


def test_check_and_send_then_advisor_returns_applicant_fixes_advisor_approves(
    case, applicant_user, advisor, client_for
):
    me = client_for(applicant_user)
    fill_k(case, applicant_user)
    check = reverse("cases:my_questionnaire_check", args=[case.pk])
    assert "Send to my advisor" in me.get(check).content.decode()
    assert me.post(check, {"revision": "10"}).status_code == 302
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.SUBMITTED

    staff = client_for(advisor)
    review = reverse("cases:questionnaire_review", args=[case.pk])
    assert "Berlin" in staff.get(review).content.decode()
    staff.post(
        reverse("cases:questionnaire_comment", args=[case.pk]),
        {"question": "birth_place", "body": "Use the city shown in the passport."},
    )
    staff.post(reverse("cases:questionnaire_return", args=[case.pk]), {"note": "One fix."})
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.RETURNED

    page = me.get(_section_url(case, "personal")).content.decode()
    assert "Use the city shown in the passport." in page
    me.post(
        _section_url(case, "personal"),
        {**k_answers()["personal"], "birth_place": "Berlin-Mitte", "action": "continue"},
    )
    me.post(check, {})
    staff.post(reverse("cases:questionnaire_approve", args=[case.pk]))
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.APPROVED

    # locked: a POST changes nothing
    me.post(_section_url(case, "personal"), {**k_answers()["personal"], "action": "continue"})
    assert QuestionnaireResponse.objects.get(case=case).answers["birth_place"] == "Berlin-Mitte"

    sheet = staff.get(reverse("cases:questionnaire_sheet", args=[case.pk])).content.decode()
    for text in ("Applicant", "C01X00T47", "出生地点"):
        assert text in sheet
    data = json.loads(staff.get(reverse("cases:questionnaire_sheet_json", args=[case.pk])).content)
    answers = {a["key"]: a for s in data["sections"] for a in s["answers"]}
    assert answers["passport_number"]["value"] == "C01X00T47"
    assert answers["chinese_name"]["value"] == "艾米"
    assert answers["passport_number"]["confirm"] == "advisor"
    csv_response = staff.get(reverse("cases:questionnaire_sheet_csv", args=[case.pk]))
    csv_text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "Passport number,护照号码,C01X00T47" in csv_text
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=advisor).count() == 3


def test_csv_cells_are_escaped_against_formulas(case, applicant_user, advisor, client_for):
    fill_k(case, applicant_user)
    services.questionnaire_section_save(
        case=case,
        section_key="contact",
        data={**k_answers()["contact"], "home_address": '=HYPERLINK("x")'},
        actor=applicant_user,
    )
    services.questionnaire_submit(case=case, actor=applicant_user)
    services.questionnaire_approve(case=case, actor=advisor)
    response = client_for(advisor).get(reverse("cases:questionnaire_sheet_csv", args=[case.pk]))
    assert "'=HYPERLINK" in b"".join(response.streaming_content).decode("utf-8-sig")


def _routes(case):  # type: ignore[no-untyped-def]
    applicant = [
        ("get", reverse("cases:my_questionnaire", args=[case.pk])),
        ("get", reverse("cases:my_questionnaire_check", args=[case.pk])),
        ("post", reverse("cases:my_questionnaire_check", args=[case.pk])),
        ("get", _section_url(case, "personal")),
        ("post", _section_url(case, "personal")),
    ]
    staff = [
        ("get", reverse("cases:questionnaire_review", args=[case.pk])),
        ("post", reverse("cases:questionnaire_comment", args=[case.pk])),
        ("post", reverse("cases:questionnaire_return", args=[case.pk])),
        ("post", reverse("cases:questionnaire_approve", args=[case.pk])),
        ("get", reverse("cases:questionnaire_sheet", args=[case.pk])),
        ("get", reverse("cases:questionnaire_sheet_json", args=[case.pk])),
        ("get", reverse("cases:questionnaire_sheet_csv", args=[case.pk])),
    ]
    return applicant, staff


def test_outsiders_get_404_on_every_route_even_when_approved(
    case,
    applicant_user,
    advisor,
    other_advisor,
    other_applicant_user,
    other_firm_advisor,
    other_firm_supervisor,
    other_firm_applicant_user,
    client_for,
):
    submitted(case, applicant_user)
    services.questionnaire_approve(case=case, actor=advisor)
    applicant_routes, staff_routes = _routes(case)
    outsiders = [
        other_advisor,
        other_applicant_user,
        other_firm_advisor,
        other_firm_supervisor,
        other_firm_applicant_user,
    ]
    for user in outsiders:
        client = client_for(user)
        for method, url in applicant_routes + staff_routes:
            assert getattr(client, method)(url).status_code == 404, (user, method, url)
    # the applicant never reaches the advisor's pages, the advisor not the applicant's
    for user, routes in ((applicant_user, staff_routes), (advisor, applicant_routes)):
        client = client_for(user)
        for method, url in routes:
            assert getattr(client, method)(url).status_code == 404, (user, method, url)
    assert client_for(advisor).get(staff_routes[4][1]).status_code == 200


def _grow_children(case, actor, n):  # type: ignore[no-untyped-def]
    def grow():  # type: ignore[no-untyped-def]
        kids = [{"family_name": f"K{i}", "given_names": "X"} for i in range(n)]
        services.questionnaire_section_save(
            case=case,
            section_key="family",
            data={**k_answers()["family"], "children": kids},
            actor=actor,
            require=False,
        )

    return grow


def test_query_counts_are_flat_in_the_number_of_answers(case, applicant_user, advisor, client_for):
    fill_k(case, applicant_user)
    me, staff = client_for(applicant_user), client_for(advisor)
    family = _section_url(case, "family")
    assert_flat_queries(lambda: me.get(family), _grow_children(case, applicant_user, 10))
    services.questionnaire_comment(case=case, question_key="sex", body="Check", actor=advisor)
    review = reverse("cases:questionnaire_review", args=[case.pk])
    check = reverse("cases:my_questionnaire_check", args=[case.pk])
    assert_flat_queries(lambda: staff.get(review), _grow_children(case, advisor, 1))
    assert_flat_queries(lambda: me.get(check), _grow_children(case, applicant_user, 10))


def test_a_page_that_leaves_fields_out_keeps_their_answers(case, applicant_user, client_for):
    fill_k(case, applicant_user)
    revision = QuestionnaireResponse.objects.get(case=case).revision
    client = client_for(applicant_user)
    response = client.post(
        _section_url(case, "personal"),
        {"family_name": "Garcia", "action": "save", "revision": revision},
    )
    assert response.status_code == 302
    answers = QuestionnaireResponse.objects.get(case=case).answers
    assert answers["family_name"] == "Garcia"
    assert answers["birth_place"] == "Berlin"  # not sent, not erased
    assert answers["nationality"] == "DE"


def test_a_revision_that_is_not_a_number_is_refused_as_stale(case, applicant_user, client_for):
    fill_k(case, applicant_user)
    client = client_for(applicant_user)
    data = {**k_answers()["personal"], "family_name": "Changed", "action": "save"}
    client.post(_section_url(case, "personal"), {**data, "revision": "abc"})
    assert QuestionnaireResponse.objects.get(case=case).answers["family_name"] == "Applicant"
