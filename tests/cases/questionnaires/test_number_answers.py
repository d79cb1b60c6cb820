"""Number questions: the days of stay are a whole number within the question's bounds, with a
message in the applicant's language for anything else; the seed asks for a number and a
migration publishes it as version 2 where version 1 had free text."""

import copy
import datetime as dt
import importlib

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Questionnaire, QuestionnaireResponse, QuestionnaireStatus
from cases.questionnaires.answers import clean_section
from cases.questionnaires.definition import definition_errors
from cases.questionnaires.seed import k_definition, r_definition
from cases.services import questionnaire_answers as services
from portal.errors import InvalidInput
from tests.cases.questionnaires.helpers import fill_k, k_answers

TODAY = dt.date(2026, 12, 1)
DAYS = {
    "key": "days",
    "type": "number",
    "label": {"en": "Days", "zh": "天数"},
    "min": 1,
    "max": 365,
}
SECTION = {"key": "s", "title": {"en": "S", "zh": "节"}, "questions": [DAYS]}


def _clean(value, lang="en"):  # type: ignore[no-untyped-def]
    return clean_section(SECTION, {"days": value}, today=TODAY, lang=lang, require=True)


@pytest.mark.parametrize(
    ("value", "stored"), [("90", 90), (90, 90), (" 1 ", 1), ("365", 365), ("９０", 90)]
)
def test_whole_numbers_in_range_are_stored_as_numbers(value, stored):
    cleaned, errors = _clean(value)
    assert errors == {}
    assert cleaned["days"] == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ninety", "Enter “Days” as a whole number in digits, like 1."),
        ("90.5", "Enter “Days” as a whole number in digits, like 1."),
        (90.5, "Enter “Days” as a whole number in digits, like 1."),
        (True, "Enter “Days” as a whole number in digits, like 1."),
        ("9" * 40, "Enter “Days” as a whole number in digits, like 1."),
        ("0", "“Days” must be between 1 and 365."),
        ("9000", "“Days” must be between 1 and 365."),
        ("-3", "“Days” must be between 1 and 365."),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(value, message):
    _cleaned, errors = _clean(value)
    assert errors == {"days": message}


def test_the_messages_are_in_chinese_for_a_chinese_applicant():
    with translation.override("zh-hans"):
        assert _clean("九十", "zh-hans")[1]["days"] == "请用数字填写“天数”（整数），例如 1。"
        assert _clean("9000", "zh-hans")[1]["days"] == "“天数”必须在 1 到 365 之间。"


def test_one_bound_only():
    only_min = {**SECTION, "questions": [{**DAYS, "max": None}]}
    only_min["questions"][0].pop("max")
    assert clean_section(only_min, {"days": "0"}, today=TODAY, lang="en", require=True)[1] == {
        "days": "“Days” must be 1 or more."
    }


def test_a_definition_with_min_above_max_is_refused_naming_the_question():
    bad = {**SECTION, "questions": [{**DAYS, "min": 10, "max": 5}]}
    assert any("“days”, field “min”" in e for e in definition_errors({"sections": [bad]}))
    wrong = {**SECTION, "questions": [{**DAYS, "max": "many"}]}
    assert any("field “max”" in e for e in definition_errors({"sections": [wrong]}))


def test_the_seed_asks_for_the_days_of_stay_as_a_number():
    for definition in (k_definition(), r_definition()):
        (stay,) = [
            q for s in definition["sections"] for q in s["questions"] if q["key"] == "stay_days"
        ]
        assert (stay["type"], stay["min"], stay["max"]) == ("number", 1, 365)


@pytest.mark.django_db
def test_the_travel_page_refuses_text_and_keeps_the_stored_number(case, applicant_user, client_for):
    fill_k(case, applicant_user)
    assert QuestionnaireResponse.objects.get(case=case).answers["stay_days"] == 90
    url = reverse("cases:my_questionnaire_section", args=[case.pk, "travel"])
    client = client_for(applicant_user)
    page = client.get(url).content.decode()
    assert 'inputmode="numeric" name="stay_days"' in page
    data = {**k_answers()["travel"], "stay_days": "about 90", "action": "continue"}
    data.pop("china_addresses")
    data.pop("china_contact")
    answer = client.post(url, data)
    assert answer.status_code == 400
    assert "as a whole number in digits" in answer.content.decode()
    assert QuestionnaireResponse.objects.get(case=case).answers["stay_days"] == 90


@pytest.mark.django_db
def test_the_api_refuses_a_stay_over_a_year(case, applicant_user):
    with pytest.raises(InvalidInput) as refused:
        services.questionnaire_section_save(
            case=case,
            section_key="travel",
            data={**k_answers()["travel"], "stay_days": 400},
            actor=applicant_user,
        )
    assert refused.value.details["errors"] == {
        "stay_days": "“Longest stay in China per visit (days)” must be between 1 and 365."
    }


@pytest.mark.django_db
def test_the_migration_publishes_version_2_and_keeps_cases_on_version_1(case, applicant_user):
    """A database seeded before the change: version 1 asks for text, and a case started on it."""
    migration = importlib.import_module("cases.migrations.0029_questionnaire_stay_days_number")
    v1 = Questionnaire.objects.get(visa_type=case.visa_type, status=QuestionnaireStatus.PUBLISHED)
    old = copy.deepcopy(v1.definition)
    for section in old["sections"]:
        for i, q in enumerate(section["questions"]):
            if q["key"] == "stay_days":
                section["questions"][i] = {
                    k: v for k, v in q.items() if k not in ("min", "max")
                } | {"type": "text", "max_length": 4}
    Questionnaire.objects.filter(pk=v1.pk).update(definition=old)
    services.questionnaire_section_save(
        case=case, section_key="personal", data=k_answers()["personal"], actor=applicant_user
    )
    from django.apps import apps

    migration.publish_v2(apps, None)
    migration.publish_v2(apps, None)  # a second run changes nothing
    current = Questionnaire.objects.get(
        visa_type=case.visa_type, status=QuestionnaireStatus.PUBLISHED
    )
    assert current.version == 2
    assert current.definition == k_definition()
    v1.refresh_from_db()
    assert v1.status == QuestionnaireStatus.RETIRED
    assert QuestionnaireResponse.objects.get(case=case).questionnaire_id == v1.pk
