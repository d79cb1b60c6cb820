"""Questionnaire definitions: validation naming the question and field, versioning like rule
sets, the K and R seed, the admin writing through the services."""

import copy
import importlib

import pytest
from django.urls import reverse

from cases.models import Questionnaire, QuestionnaireStatus, VisaType
from cases.questionnaires.definition import definition_errors, iter_questions
from cases.questionnaires.seed import install_for, k_definition, r_definition
from cases.services import questionnaires as services
from portal.errors import InvalidInput, NotAllowed
from tests.factories import make_firm, visa_type

pytestmark = pytest.mark.django_db


def _one(question: dict) -> dict:
    return {"sections": [{"key": "s", "title": {"en": "S", "zh": "S"}, "questions": [question]}]}


def test_seeded_k_and_r_definitions_are_valid_and_cover_the_form_sections():
    for definition in (k_definition(), r_definition()):
        assert definition_errors(definition) == []
        keys = [s["key"] for s in definition["sections"]]
        assert keys == [
            "personal",
            "passport",
            "contact",
            "occupation",
            "education",
            "family",
            "travel",
            "previous_visits",
            "other_countries",
            "declarations",
        ]
        confirmed = {q["key"] for q in iter_questions(definition) if q.get("confirm") == "advisor"}
        assert {"family_name", "given_names", "passport_number", "passport_expiry"} <= confirmed
        assert "home_address" not in confirmed  # the applicant's own words


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        (
            {"key": "sex", "type": "choice", "label": {"en": "Sex", "zh": "性别"}},
            "question “sex”, field “options”",
        ),
        (
            {"key": "x", "type": "bogus", "label": {"en": "X", "zh": ""}},
            "question “x”, field “type”",
        ),
        (
            {"key": "x", "type": "text", "label": {"en": "X", "zh": ""}, "max_length": 99999},
            "question “x”, field “max_length”",
        ),
        ({"key": "Bad Key", "type": "text", "label": {"en": "X", "zh": ""}}, "field “key”"),
        (
            {"key": "x", "type": "text", "label": {"en": "X", "zh": ""}, "colour": "red"},
            "question “x”, field “(question)”",
        ),
        ({"key": "x", "type": "text", "label": {"en": "X"}}, "question “x”, field “label.zh”"),
        (
            {
                "key": "n",
                "type": "text",
                "label": {"en": "N", "zh": ""},
                "format": "passport_number",
            },
            "question “n”, field “country_from”",
        ),
        (
            {
                "key": "g",
                "type": "group",
                "label": {"en": "G", "zh": ""},
                "fields": [
                    {
                        "key": "h",
                        "type": "group",
                        "label": {"en": "H", "zh": ""},
                        "fields": [{"key": "t", "type": "text", "label": {"en": "T", "zh": ""}}],
                    }
                ],
            },
            "question “h”, field “type”",
        ),
    ],
)
def test_a_bad_question_is_refused_naming_the_question_and_field(question, needle):
    errors = definition_errors(_one(question))
    assert errors
    assert any(needle in e for e in errors), errors
    assert all(e.startswith("Section “s”") for e in errors)


def test_duplicate_question_keys_are_refused():
    definition = k_definition()
    definition["sections"][1]["questions"].append(
        copy.deepcopy(definition["sections"][0]["questions"][0])
    )
    errors = definition_errors(definition)
    assert any("“family_name”, field “key”: the key is used twice" in e for e in errors)


def test_not_a_definition_is_refused_with_a_sentence():
    assert definition_errors([]) == [
        "The definition must be a JSON object with a list of “sections”."
    ]


def test_every_k_and_r_visa_type_of_every_firm_has_a_published_questionnaire():
    firm_b = make_firm()
    for vt in VisaType.objects.filter(code__in=["K", "R"]):
        published = Questionnaire.objects.get(visa_type=vt, status=QuestionnaireStatus.PUBLISHED)
        assert published.firm_id == vt.firm_id
        assert published.version == 1
    assert Questionnaire.objects.filter(firm=firm_b).count() == 2


def test_the_seed_is_idempotent():
    before = Questionnaire.objects.count()
    assert install_for(Questionnaire, VisaType) == 0
    migration = importlib.import_module("cases.migrations.0017_questionnaires")
    from django.apps import apps

    migration.seed(apps, None)
    assert Questionnaire.objects.count() == before


def test_versioning_draft_publish_retire_and_published_is_immutable(firm_admin):
    k = visa_type("K")
    v1 = Questionnaire.objects.get(visa_type=k, status=QuestionnaireStatus.PUBLISHED)
    with pytest.raises(NotAllowed):
        services.questionnaire_update_draft(questionnaire=v1, actor=firm_admin, notes="x")
    v2 = services.questionnaire_new_version(questionnaire=v1, actor=firm_admin)
    assert (v2.version, v2.status) == (2, QuestionnaireStatus.DRAFT)
    changed = copy.deepcopy(v2.definition)
    changed["sections"][0]["title"]["en"] = "About you"
    services.questionnaire_update_draft(questionnaire=v2, actor=firm_admin, definition=changed)
    services.questionnaire_publish(questionnaire=v2, actor=firm_admin)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == QuestionnaireStatus.RETIRED
    assert v2.status == QuestionnaireStatus.PUBLISHED
    assert v1.definition["sections"][0]["title"]["en"] == "Personal details"
    with pytest.raises(NotAllowed):
        services.questionnaire_publish(questionnaire=v2, actor=firm_admin)
    services.questionnaire_retire(questionnaire=v2, actor=firm_admin)
    assert Questionnaire.objects.filter(visa_type=k, status="published").count() == 0


def test_a_bad_draft_is_refused_and_nothing_changes(firm_admin):
    v1 = Questionnaire.objects.get(visa_type=visa_type("K"), status="published")
    draft = services.questionnaire_new_version(questionnaire=v1, actor=firm_admin)
    bad = _one({"key": "x", "type": "choice", "label": {"en": "X", "zh": ""}})
    with pytest.raises(InvalidInput) as exc:
        services.questionnaire_update_draft(questionnaire=draft, actor=firm_admin, definition=bad)
    assert "question “x”, field “options”" in exc.value.message
    draft.refresh_from_db()
    assert draft.definition == v1.definition


def test_advisors_and_other_firms_admins_cannot_write_definitions(advisor, other_firm_admin):
    v1 = Questionnaire.objects.get(visa_type=visa_type("K"), status="published")
    for actor in (advisor, other_firm_admin):
        with pytest.raises(NotAllowed):
            services.questionnaire_new_version(questionnaire=v1, actor=actor)


def test_admin_edits_a_draft_through_the_service_and_shows_errors(client_for, firm_admin):
    from django.contrib.auth.models import Permission

    firm_admin.user_permissions.set(Permission.objects.filter(codename__endswith="questionnaire"))
    client = client_for(firm_admin)
    v1 = Questionnaire.objects.get(visa_type=visa_type("K"), status="published")
    draft = services.questionnaire_new_version(questionnaire=v1, actor=firm_admin)
    url = reverse("admin:cases_questionnaire_change", args=[draft.pk])
    bad = (
        '{"sections": [{"key": "s", "title": {"en": "S", "zh": ""}, "questions": ['
        '{"key": "x", "type": "choice", "label": {"en": "X", "zh": ""}}]}]}'
    )
    response = client.post(
        url, {"title_en": "K v2", "title_zh": "", "definition": bad, "notes": ""}
    )
    assert response.status_code == 200
    assert "question “x”, field “options”" in response.content.decode()
    draft.refresh_from_db()
    assert draft.definition == v1.definition
    # published versions are read-only: a POST is refused
    response = client.post(reverse("admin:cases_questionnaire_change", args=[v1.pk]), {})
    assert response.status_code == 403


def test_other_firms_admin_cannot_open_this_firms_questionnaire(client_for, other_firm_admin):
    from django.contrib.auth.models import Permission

    other_firm_admin.is_staff = True
    other_firm_admin.save(update_fields=["is_staff"])
    other_firm_admin.user_permissions.set(Permission.objects.all())
    v1 = Questionnaire.objects.get(visa_type=visa_type("K"), status="published")
    response = client_for(other_firm_admin).get(
        reverse("admin:cases_questionnaire_change", args=[v1.pk])
    )
    assert response.status_code in (302, 404)
