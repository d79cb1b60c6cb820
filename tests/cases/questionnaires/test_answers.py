"""Answers: every type validated with a message a person can act on, save and resume,
sending, returning with comments, approval locking the answers, stale pages refused."""

import datetime as dt

import pytest

from cases.models import ResponseStatus
from cases.questionnaires.answers import clean_section
from cases.services import questionnaire_answers as services
from portal.errors import InvalidInput, NotAllowed, StaleObject, TransitionNotAllowed
from tests.cases.questionnaires.helpers import fill_k, k_answers, submitted

TODAY = dt.date(2026, 12, 1)


def _section(*questions):  # type: ignore[no-untyped-def]
    return {"key": "s", "title": {"en": "S", "zh": "S"}, "questions": list(questions)}


def _q(key, kind, **extra):  # type: ignore[no-untyped-def]
    return {"key": key, "type": kind, "label": {"en": key.title(), "zh": key}, **extra}


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        (_q("name", "text", max_length=5), "Too long", "“Name” must be 5 characters or fewer"),
        (_q("name", "text"), "a\x00b", "invisible control characters"),
        (_q("mail", "text", format="email"), "nope", "Enter an email address"),
        (_q("tel", "text", format="phone"), "call me", "Enter a phone number"),
        (_q("born", "date", when="past"), "2099-01-01", "“Born” must be today or in the past"),
        (_q("entry", "date", when="future"), "2001-01-01", "must be today or in the future"),
        (_q("born", "date"), "17/05/1995", "as a real date: year-month-day"),
        (_q("born", "date"), "1800-01-01", "Enter a date between 1900-01-01"),
        (
            _q(
                "sex",
                "choice",
                options=[
                    {"value": "f", "label": {"en": "F", "zh": ""}},
                    {"value": "m", "label": {"en": "M", "zh": ""}},
                ],
            ),
            "x",
            "Choose one of the options for “Sex”",
        ),
        (_q("land", "country"), "XX", "Choose “Land” from the list of countries"),
        (_q("ok", "yes_no"), "maybe", "Choose yes or no for “Ok”"),
    ],
)
def test_every_answer_type_is_validated_with_a_clear_message(question, value, message):
    _cleaned, errors = clean_section(
        _section(question), {question["key"]: value}, today=TODAY, lang="en", require=False
    )
    assert message in errors[question["key"]]


def test_passport_number_follows_the_issuing_countrys_pattern():
    section = _section(
        _q("country", "country"),
        _q("number", "text", format="passport_number", country_from="country"),
    )
    _c, errors = clean_section(
        section, {"country": "GB", "number": "AB12"}, today=TODAY, lang="en", require=False
    )
    assert "for example 123456789" in errors["number"]
    cleaned, errors = clean_section(
        section, {"country": "GB", "number": "123 456 789"}, today=TODAY, lang="en", require=False
    )
    assert not errors
    assert cleaned["number"] == "123456789"


def test_required_questions_follow_ups_and_groups():
    section = _section(
        _q("ok", "yes_no", required=True, follow_up=[_q("why", "text", required=True)]),
        _q(
            "kids",
            "group",
            max_items=2,
            fields=[_q("name", "text", required=True), _q("born", "date")],
        ),
    )
    _c, errors = clean_section(section, {}, today=TODAY, lang="en", require=True)
    assert errors == {"ok": "Choose an answer for “Ok”."}
    _c, errors = clean_section(section, {"ok": "yes"}, today=TODAY, lang="en", require=True)
    assert errors == {"why": "Answer “Why”."}
    cleaned, errors = clean_section(
        section,
        {"ok": "no", "why": "stale", "kids": [{"name": "", "born": "2020-01-01"}, {}]},
        today=TODAY,
        lang="en",
        require=True,
    )
    assert errors == {"kids-0-name": "Answer “Name”."}
    assert cleaned["why"] == ""  # a "no" drops the follow-up
    _c, errors = clean_section(
        section,
        {"ok": "no", "kids": [{"name": "A"}, {"name": "B"}, {"name": "C"}]},
        today=TODAY,
        lang="en",
        require=False,
    )
    assert "at most 2 items" in errors["kids"]


def test_messages_are_in_the_applicants_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        _c, errors = clean_section(
            _section(_q("born", "date", when="past")),
            {"born": "2099-01-01"},
            today=TODAY,
            lang="zh-hans",
            require=False,
        )
    assert errors["born"] == "“born”必须是今天或过去的日期。"


def test_answers_of_another_page_are_refused():
    _c, errors = clean_section(
        _section(_q("a", "text")), {"zz": "x"}, today=TODAY, lang="en", require=False
    )
    assert "zz" in errors["__all__"]


@pytest.mark.django_db
def test_first_save_pins_the_published_version_and_bad_input_stores_nothing(case, applicant_user):
    data = k_answers()["personal"]
    response = services.questionnaire_section_save(
        case=case, section_key="personal", data=data, actor=applicant_user
    )
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.questionnaire.visa_type_id == case.visa_type_id
    assert response.answers["family_name"] == "Applicant"
    with pytest.raises(InvalidInput) as exc:
        services.questionnaire_section_save(
            case=case,
            section_key="personal",
            data={**data, "date_of_birth": "2099-01-01"},
            actor=applicant_user,
        )
    assert "date_of_birth" in exc.value.details["errors"]
    response.refresh_from_db()
    assert response.answers["date_of_birth"] == "1995-05-17"


@pytest.mark.django_db
def test_a_case_keeps_its_version_when_a_new_one_is_published(case, applicant_user, firm_admin):
    from cases.models import Questionnaire
    from cases.services import questionnaires as definitions

    response = services.questionnaire_section_save(
        case=case, section_key="contact", data=k_answers()["contact"], actor=applicant_user
    )
    v1 = response.questionnaire
    v2 = definitions.questionnaire_new_version(questionnaire=v1, actor=firm_admin)
    definitions.questionnaire_publish(questionnaire=v2, actor=firm_admin)
    response = services.questionnaire_section_save(
        case=case, section_key="passport", data=k_answers()["passport"], actor=applicant_user
    )
    assert response.questionnaire_id == v1.pk
    assert Questionnaire.objects.get(pk=v1.pk).status == "retired"


@pytest.mark.django_db
def test_a_stale_revision_is_refused(case, applicant_user):
    services.questionnaire_section_save(
        case=case, section_key="contact", data=k_answers()["contact"], actor=applicant_user
    )
    with pytest.raises(StaleObject):
        services.questionnaire_section_save(
            case=case,
            section_key="contact",
            data=k_answers()["contact"],
            actor=applicant_user,
            revision=0,
        )


@pytest.mark.django_db
def test_send_needs_every_required_answer(case, applicant_user):
    services.questionnaire_section_save(
        case=case, section_key="contact", data=k_answers()["contact"], actor=applicant_user
    )
    with pytest.raises(InvalidInput) as exc:
        services.questionnaire_submit(case=case, actor=applicant_user)
    assert "personal" in exc.value.details["sections"]


@pytest.mark.django_db
def test_review_cycle_and_no_edits_after_approval(case, applicant_user, advisor):
    submitted(case, applicant_user)
    with pytest.raises(NotAllowed):
        services.questionnaire_section_save(
            case=case, section_key="contact", data=k_answers()["contact"], actor=applicant_user
        )
    with pytest.raises(InvalidInput):
        services.questionnaire_return(case=case, note="", actor=advisor)
    services.questionnaire_comment(
        case=case,
        question_key="birth_place",
        body="Write the city as in the passport.",
        actor=advisor,
    )
    response = services.questionnaire_return(case=case, note="", actor=advisor)
    assert response.status == ResponseStatus.RETURNED
    data = {**k_answers()["personal"], "birth_place": "Berlin-Mitte"}
    services.questionnaire_section_save(
        case=case, section_key="personal", data=data, actor=applicant_user
    )
    services.questionnaire_submit(case=case, actor=applicant_user)
    assert response.comments.filter(resolved_at__isnull=True).count() == 0
    approved = services.questionnaire_approve(case=case, actor=advisor)
    assert approved.status == ResponseStatus.APPROVED
    for actor in (applicant_user, advisor):
        with pytest.raises(NotAllowed):
            services.questionnaire_section_save(
                case=case, section_key="contact", data=k_answers()["contact"], actor=actor
            )
    with pytest.raises(TransitionNotAllowed):
        services.questionnaire_comment(case=case, question_key="sex", body="x", actor=advisor)
    approved.refresh_from_db()
    assert approved.answers["birth_place"] == "Berlin-Mitte"


@pytest.mark.django_db
def test_applicants_cannot_review_and_other_advisors_cannot_touch(
    case, applicant_user, other_advisor, other_firm_advisor
):
    submitted(case, applicant_user)
    for actor in (applicant_user, other_advisor, other_firm_advisor):
        with pytest.raises(NotAllowed):
            services.questionnaire_approve(case=case, actor=actor)
    for actor in (other_advisor, other_firm_advisor):
        with pytest.raises(NotAllowed):
            services.questionnaire_section_save(
                case=case, section_key="contact", data=k_answers()["contact"], actor=actor
            )


@pytest.mark.django_db
def test_fill_writes_timeline_events(case, applicant_user):
    from cases.models import CaseEvent

    before = CaseEvent.objects.filter(case=case).count()
    fill_k(case, applicant_user)
    assert CaseEvent.objects.filter(case=case).count() == before + 10
