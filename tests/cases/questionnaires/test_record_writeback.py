"""Approval writes the confirmed identity and passport answers to the applicant record through
``applicant_record_update`` (one CaseEvent per changed field), and refuses, approving nothing,
when the record changed after the advisor read it."""

import copy
import datetime as dt
import importlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Applicant, CaseEvent, QuestionnaireResponse, ResponseStatus
from cases.questionnaires.definition import definition_errors
from cases.questionnaires.record import record_values
from cases.questionnaires.seed import k_definition, r_definition
from cases.services import questionnaire_answers as services
from cases.services.records import applicant_record_update
from portal.errors import InvalidInput, StaleObject
from tests.cases.questionnaires.helpers import k_answers, submitted
from tests.otp import login_verified

pytestmark = pytest.mark.django_db


def _record_events(case):  # type: ignore[no-untyped-def]
    return {
        e.data["field"]: e
        for e in CaseEvent.objects.filter(case=case, data__record="applicant").order_by("pk")
    }


def test_the_seed_marks_the_six_record_fields_on_confirmed_answers():
    for definition in (k_definition(), r_definition()):
        assert definition_errors(definition) == []
        values = record_values(definition, k_answers()["personal"] | k_answers()["passport"])
        assert values == {
            "family_name": "Applicant",
            "given_names": "Amy",
            "date_of_birth": "1995-05-17",
            "nationality": "DE",
            "passport_number": "C01X00T47",
            "passport_expiry": "2032-01-09",
        }


def test_approval_writes_the_confirmed_passport_answers_to_the_record(
    case, applicant, applicant_user, advisor
):
    submitted(case, applicant_user)
    version = applicant.version
    services.questionnaire_approve(case=case, actor=advisor, record_version=version)
    applicant.refresh_from_db()
    assert applicant.passport_number == "C01X00T47"
    assert applicant.passport_expiry == dt.date(2032, 1, 9)
    assert applicant.family_name == "Applicant"
    assert applicant.version == version + 1
    events = _record_events(case)
    assert set(events) == {"passport_number", "passport_expiry"}  # only what differed
    assert events["passport_number"].after == "******T47"  # masked on the timeline
    assert events["passport_number"].actor == advisor
    approval = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert "Passport number" in approval.summary_text


def test_nothing_is_written_when_the_record_already_holds_the_answers(
    case, applicant, applicant_user, advisor
):
    applicant_record_update(
        applicant=applicant,
        actor=advisor,
        changes={"passport_number": "C01X00T47", "passport_expiry": "2032-01-09"},
        version=applicant.version,
    )
    applicant.refresh_from_db()
    submitted(case, applicant_user)
    before = CaseEvent.objects.filter(case=case, data__record="applicant").count()
    services.questionnaire_approve(case=case, actor=advisor, record_version=applicant.version)
    assert CaseEvent.objects.filter(case=case, data__record="applicant").count() == before
    assert Applicant.objects.get(pk=applicant.pk).version == applicant.version


def test_a_record_changed_since_the_review_page_refuses_approval_and_keeps_the_change(
    case, applicant, applicant_user, advisor, supervisor
):
    submitted(case, applicant_user)
    seen = applicant.version
    # Someone confirms a newer passport number while the advisor has the review page open.
    applicant_record_update(
        applicant=applicant,
        actor=supervisor,
        changes={"passport_number": "C99X00T47"},
        version=seen,
    )
    with pytest.raises(StaleObject) as refused:
        services.questionnaire_approve(case=case, actor=advisor, record_version=seen)
    assert "changed after you opened this page" in refused.value.message
    assert refused.value.details == {"record_version": seen + 1}
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.SUBMITTED
    assert Applicant.objects.get(pk=applicant.pk).passport_number == "C99X00T47"
    # Read again, approve again: the advisor has now seen the record and the answers.
    services.questionnaire_approve(case=case, actor=advisor, record_version=seen + 1)
    assert Applicant.objects.get(pk=applicant.pk).passport_number == "C01X00T47"


def test_review_page_lists_what_the_record_takes_over_and_approve_carries_its_version(
    case, applicant, applicant_user, advisor, supervisor, client_for
):
    submitted(case, applicant_user)
    staff = client_for(advisor)
    page = staff.get(reverse("cases:questionnaire_review", args=[case.pk])).content.decode()
    assert "Approving also updates the applicant" in page
    assert applicant.passport_number in page
    assert "C01X00T47" in page
    seen = applicant.version
    assert f'name="record_version" value="{seen}"' in page
    applicant_record_update(
        applicant=Applicant.objects.get(pk=applicant.pk),
        actor=supervisor,
        changes={"given_names": "Amy Lee"},
        version=seen,
    )
    answer = staff.post(
        reverse("cases:questionnaire_approve", args=[case.pk]),
        {"record_version": str(seen)},
        follow=True,
    )
    assert "changed after you opened this page" in answer.content.decode()
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.SUBMITTED
    assert Applicant.objects.get(pk=applicant.pk).given_names == "Amy Lee"


def test_chinese_advisor_reads_the_conflict_in_chinese(case, applicant, applicant_user, advisor):
    from django.utils import translation

    submitted(case, applicant_user)
    with translation.override("zh-hans"), pytest.raises(StaleObject) as refused:
        services.questionnaire_approve(case=case, actor=advisor, record_version=0)
    assert "申请人" in refused.value.message


def test_api_approval_with_a_stale_record_version_is_409(case, applicant, applicant_user, advisor):
    submitted(case, applicant_user)
    api = login_verified(APIClient(), advisor)
    url = f"/api/v1/cases/{case.pk}/questionnaire/transition/"
    stale = api.post(url, {"to": "approved", "record_version": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["details"] == {"record_version": applicant.version}
    done = api.post(url, {"to": "approved", "record_version": applicant.version}, format="json")
    assert done.status_code == 200, done.json()
    assert Applicant.objects.get(pk=applicant.pk).passport_number == "C01X00T47"


def test_an_answer_the_record_refuses_stops_approval(
    case, applicant, applicant_user, advisor, monkeypatch
):
    submitted(case, applicant_user)
    import cases.services.questionnaire_record as writeback

    monkeypatch.setattr(
        writeback, "record_values", lambda definition, answers: {"family_name": "x" * 121}
    )
    with pytest.raises(InvalidInput) as refused:
        services.questionnaire_approve(case=case, actor=advisor)
    assert "cannot be written to the applicant's record" in refused.value.message
    assert QuestionnaireResponse.objects.get(case=case).status == ResponseStatus.SUBMITTED


def _question(key="q", **extra):  # type: ignore[no-untyped-def]
    return {"key": key, "type": "text", "label": {"en": "Q", "zh": "问"}, **extra}


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (_question(record="applicant.family_name"), "only an answer the advisor confirms"),
        (
            {**_question(confirm="advisor", record="applicant.date_of_birth")},
            "needs a question of type date",
        ),
        (
            {
                "key": "g",
                "type": "group",
                "label": {"en": "G", "zh": "组"},
                "fields": [_question(confirm="advisor", record="applicant.family_name")],
            },
            "a field of a group cannot be written",
        ),
        (_question(confirm="advisor", record="applicant.email"), "field “record”"),
    ],
)
def test_bad_record_markers_are_refused_naming_the_question(question, message):
    definition = {
        "sections": [{"key": "s", "title": {"en": "S", "zh": "节"}, "questions": [question]}]
    }
    errors = " ".join(definition_errors(definition))
    assert message in errors
    assert "“record”" in errors


def test_two_questions_may_not_write_the_same_record_field():
    questions = [
        _question("a", confirm="advisor", record="applicant.family_name"),
        _question("b", confirm="advisor", record="applicant.family_name"),
    ]
    definition = {
        "sections": [{"key": "s", "title": {"en": "S", "zh": "节"}, "questions": questions}]
    }
    assert any("already writes applicant.family_name" in e for e in definition_errors(definition))


def test_the_migration_marks_a_version_1_seeded_before_the_markers():
    migration = importlib.import_module("cases.migrations.0025_questionnaire_record_markers")
    old = copy.deepcopy(k_definition())
    for section in old["sections"]:
        for question in section["questions"]:
            question.pop("record", None)
    assert migration._mark(old) is True
    assert old == k_definition()
    assert migration._mark(old) is False  # a second run changes nothing
