"""Date order: an end date before its start is refused with a message naming both questions,
on a page and within each group item; a definition's ``not_before`` must name another date
question of the same page or group; the seed and the migration carry the rule."""

import copy
import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from cases.models import Questionnaire, QuestionnaireResponse, QuestionnaireStatus
from cases.questionnaires.answers import clean_section
from cases.questionnaires.definition import definition_errors
from cases.questionnaires.seed import k_definition, r_definition
from cases.services import questionnaire_answers as services
from portal.errors import InvalidInput
from tests.cases.questionnaires.helpers import k_answers

TODAY = dt.date(2026, 12, 1)


def _date(key, en, zh, **extra):  # type: ignore[no-untyped-def]
    return {"key": key, "type": "date", "label": {"en": en, "zh": zh}, **extra}


PAGE = {
    "key": "s",
    "title": {"en": "Stay", "zh": "停留"},
    "questions": [
        _date("start", "Start date", "开始日期"),
        _date("end", "End date", "结束日期", not_before="start"),
        {
            "key": "jobs",
            "type": "group",
            "label": {"en": "Jobs", "zh": "工作"},
            "fields": [
                _date("from_date", "From", "自"),
                _date("to_date", "To", "至", not_before="from_date"),
            ],
        },
    ],
}


def _clean(raw, lang="en"):  # type: ignore[no-untyped-def]
    return clean_section(PAGE, raw, today=TODAY, lang=lang, require=True)


def test_an_end_on_or_after_the_start_is_accepted():
    cleaned, errors = _clean(
        {
            "start": "2027-03-01",
            "end": "2027-03-01",
            "jobs": [{"from_date": "2020-01-01", "to_date": "2024-06-30"}],
        }
    )
    assert errors == {}
    assert cleaned["end"] == "2027-03-01"


def test_an_end_before_the_start_is_refused_naming_both_questions():
    _cleaned, errors = _clean({"start": "2027-05-01", "end": "2027-03-01"})
    assert errors == {"end": "“End date” must be the same day as “Start date” or later."}


def test_each_group_item_is_checked_against_its_own_start():
    _cleaned, errors = _clean(
        {
            "jobs": [
                {"from_date": "2020-01-01", "to_date": "2021-01-01"},
                {"from_date": "2022-01-01", "to_date": "2021-06-01"},
            ]
        }
    )
    assert errors == {"jobs-1-to_date": "“To” must be the same day as “From” or later."}


def test_the_message_is_in_the_applicants_language():
    with translation.override("zh-hans"):
        _cleaned, errors = _clean({"start": "2027-05-01", "end": "2027-03-01"}, lang="zh-hans")
    assert errors == {"end": "“结束日期”不能早于“开始日期”。"}


def test_a_blank_or_broken_start_leaves_only_its_own_message():
    _cleaned, errors = _clean({"start": "2027-13-01", "end": "2027-03-01"})
    assert set(errors) == {"start"}
    _cleaned, errors = _clean({"start": "", "end": "2027-03-01"})
    assert errors == {}


@pytest.mark.parametrize(
    ("ref", "where"),
    [("nope", "end"), ("end", "end"), ("from_date", "end"), ("start", "to_date")],
)
def test_not_before_must_name_another_date_of_the_same_page_or_group(ref, where):
    page = copy.deepcopy(PAGE)
    if where == "end":
        page["questions"][1]["not_before"] = ref
    else:
        page["questions"][2]["fields"][1]["not_before"] = ref
    errors = definition_errors({"sections": [page]})
    assert errors == [
        f"Question “{where}”, field “not_before”: “{ref}” is not another date question of "
        "the same page or group."
    ]


def test_not_before_is_refused_on_other_question_types():
    page = copy.deepcopy(PAGE)
    page["questions"].append(
        {"key": "n", "type": "text", "label": {"en": "N", "zh": "N"}, "not_before": "start"}
    )
    errors = definition_errors({"sections": [page]})
    assert len(errors) == 1
    assert "not_before" in errors[0]


def test_the_seeds_order_passport_employer_and_address_dates():
    for definition in (k_definition(), r_definition()):
        assert definition_errors(definition) == []
        order = {}
        for section in definition["sections"]:
            for q in section["questions"]:
                for f in [q, *q.get("fields", [])]:
                    if "not_before" in f:
                        order[f["key"]] = f["not_before"]
        assert order == {
            "passport_expiry": "passport_issue_date",
            "end_date": "start_date",
            "to_date": "from_date",
        }


@pytest.mark.django_db
def test_the_service_refuses_an_address_that_ends_before_it_starts(case, applicant_user):
    travel = {
        **k_answers()["travel"],
        "china_addresses": [
            {
                "city": "Beijing",
                "address": "Haidian District 1",
                "from_date": "2027-05-01",
                "to_date": "2027-03-01",
            }
        ],
    }
    with pytest.raises(InvalidInput) as refused:
        services.questionnaire_section_save(
            case=case, section_key="travel", data=travel, actor=applicant_user
        )
    assert refused.value.details["errors"] == {
        "china_addresses-0-to_date": "“To” must be the same day as “From” or later."
    }
    stored = QuestionnaireResponse.objects.filter(case=case, answers__has_key="china_addresses")
    assert not stored.exists()


@pytest.mark.django_db
def test_the_migration_publishes_a_new_version_for_seeded_ones_only(case):
    migration = importlib.import_module("cases.migrations.0031_questionnaire_date_order")
    current = Questionnaire.objects.get(
        visa_type=case.visa_type, status=QuestionnaireStatus.PUBLISHED
    )
    old = copy.deepcopy(current.definition)
    for section in old["sections"]:
        for q in section["questions"]:
            q.pop("not_before", None)
            for f in q.get("fields", []):
                f.pop("not_before", None)
    Questionnaire.objects.filter(pk=current.pk).update(definition=old)
    migration.publish(apps, None)
    migration.publish(apps, None)  # a second run changes nothing
    new = Questionnaire.objects.get(visa_type=case.visa_type, status=QuestionnaireStatus.PUBLISHED)
    assert new.version == current.version + 1
    assert new.definition == k_definition()
    current.refresh_from_db()
    assert current.status == QuestionnaireStatus.RETIRED
    # A version an admin made is left alone.
    Questionnaire.objects.filter(pk=new.pk).update(definition=old, notes="Mine")
    migration.publish(apps, None)
    assert Questionnaire.objects.get(pk=new.pk).status == QuestionnaireStatus.PUBLISHED
