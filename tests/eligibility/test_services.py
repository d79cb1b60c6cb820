"""Rule sets (schema, immutability, publishing), institution import, reference data."""

import copy
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from eligibility import services
from eligibility.data.rule_sets_v1 import K_V1
from eligibility.models import FieldOfStudy, Institution, RuleSet, RuleSetStatus
from eligibility.rules import criteria_errors, strip_generated_labels
from portal.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db

SAMPLE_CSV = (
    Path(__file__).resolve().parents[2] / "eligibility" / "data" / "institutions_sample.csv"
)


def test_isced_f_installed_with_three_levels_and_chinese_names():
    assert FieldOfStudy.objects.filter(level="broad").count() == 12
    software = FieldOfStudy.objects.select_related("parent__parent").get(code="0613")
    assert software.parent.code == "061"
    assert software.parent.parent.code == "06"
    assert software.name_zh == "软件与应用开发及分析"


def test_seeded_v1_rule_sets_are_kept_retired_with_citations():
    """v1 is history since eligibility/0006 published v2: retired, and still a valid document
    once its stored leaf labels (now generated) are dropped."""
    k = RuleSet.objects.get(visa_type_code="K", version=1)
    r = RuleSet.objects.get(visa_type_code="R", version=1)
    assert k.status == r.status == RuleSetStatus.RETIRED
    assert "Order No. 814" in k.citations[0]
    assert "2025-08-14" in k.citations[1]
    ages = [c for c in k.criteria["children"] if c["type"] in ("min_age", "max_age")]
    assert {c["basis"] for c in ages} == {"reported"}
    assert not criteria_errors(strip_generated_labels(k.criteria))
    assert not criteria_errors(strip_generated_labels(r.criteria))


def test_bad_criteria_error_names_criterion_and_field(admin_user):
    criteria = copy.deepcopy(K_V1)
    criteria["children"][1]["years"] = "forty-five"
    criteria["children"][2]["children"][0]["children"][1]["fields"] = ["STEM"]
    with pytest.raises(InvalidInput) as exc:
        services.rule_set_create_draft(
            visa_type_code="K",
            effective_date=RuleSet.objects.published().get(visa_type_code="K").effective_date,
            criteria=criteria,
            citations=["x"],
            actor=admin_user,
        )
    errors = exc.value.details["errors"]
    assert any("“k-age-max”" in e and "“years”" in e for e in errors)
    assert any("“k-degree-field”" in e and "“fields.0”" in e for e in errors)
    assert RuleSet.objects.filter(visa_type_code="K").count() == 2  # v1 and v2, no new draft


def test_published_rule_set_is_immutable(admin_user):
    k = RuleSet.objects.get(visa_type_code="K", version=1)
    changed = copy.deepcopy(k.criteria)
    changed["children"][1]["years"] = 50
    with pytest.raises(NotAllowed):
        services.rule_set_update_draft(rule_set=k, actor=admin_user, criteria=changed)
    k.refresh_from_db()
    assert k.criteria["children"][1]["years"] == 45


def test_new_version_copies_to_draft_and_publish_retires_previous(admin_user):
    v1 = RuleSet.objects.published().get(visa_type_code="K")  # v2 since eligibility/0006
    v2 = services.rule_set_new_version(rule_set=v1, actor=admin_user)
    assert (v2.version, v2.status, v2.criteria) == (3, RuleSetStatus.DRAFT, v1.criteria)
    services.rule_set_publish(rule_set=v2, actor=admin_user)
    v1.refresh_from_db()
    assert v1.status == RuleSetStatus.RETIRED
    assert RuleSet.objects.published().get(visa_type_code="K") == v2
    with pytest.raises(NotAllowed):
        services.rule_set_publish(rule_set=v2, actor=admin_user)


@pytest.mark.parametrize("who", ["advisor", "supervisor", "applicant_user"])
def test_only_admins_publish(request, admin_user, who):
    draft = services.rule_set_new_version(
        rule_set=RuleSet.objects.published().get(visa_type_code="K"), actor=admin_user
    )
    with pytest.raises(NotAllowed):
        services.rule_set_publish(rule_set=draft, actor=request.getfixturevalue(who))
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT


def csv_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


HEADER = "name,country,ror_id,kind,recognized,recognition_source\n"


def test_import_reports_added_updated_and_rejected_with_line_numbers():
    Institution.objects.create(name="Old U", country="FR", kind="university")
    report = services.institutions_import_csv(
        stream=csv_bytes(
            HEADER
            + "New U,DE,,university,yes,Ranking 2026\n"
            + "Old U,FR,,university,yes,Ranking 2026\n"
            + "Bad Country U,XX,,university,no,\n"
            + "Nameless,DE,,school,no,\n"
            + "Unsourced U,DE,,university,yes,\n"
        ),
        actor=None,
    )
    assert (report.added, report.updated) == (1, 1)
    assert [line for line, _ in report.rejected] == [4, 5, 6]
    assert "ISO 3166-1" in report.rejected[0][1]
    assert Institution.objects.get(name="Old U").recognized


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8",
        b"name,country\nX,DE\n",  # columns missing
        (HEADER + "A,DE,,university,no,,extra\n").encode(),  # more cells than the header
    ],
)
def test_malformed_csv_loads_nothing(content):
    with pytest.raises(InvalidInput):
        services.institutions_import_csv(
            stream=io.BytesIO(content + (HEADER + "Z U,DE,,university,no,\n").encode()),
            actor=None,
        )
    assert not Institution.objects.exists()


def test_import_command_loads_labelled_sample(capsys):
    call_command("import_institutions", str(SAMPLE_CSV))
    assert "7 added, 0 updated, 0 rejected." in capsys.readouterr().out
    assert Institution.objects.filter(recognition_source__startswith="SAMPLE").count() == 6
    with pytest.raises(CommandError):
        call_command("import_institutions", str(SAMPLE_CSV) + ".missing")


def test_only_admins_import(advisor):
    with pytest.raises(NotAllowed):
        services.institutions_import_csv(stream=csv_bytes(HEADER), actor=advisor)


# --- admin ------------------------------------------------------------------------------------


def test_admin_import_view_reports_rows(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:eligibility_institution_import"),
        {"file": io.BytesIO((HEADER + "Bad,XX,,university,no,\n").encode())},
    )
    assert response.status_code == 200
    assert "0 added, 0 updated, 1 rejected." in response.content.decode()


def test_admin_change_form_cannot_edit_published_rule_set(client_for, admin_user):
    k = RuleSet.objects.get(visa_type_code="K", version=1)
    client = client_for(admin_user)
    url = reverse("admin:eligibility_ruleset_change", args=[k.pk])
    client.post(url, {"criteria": "{}", "citations": "[]", "notes": "hacked"})
    k.refresh_from_db()
    assert k.notes != "hacked"
    assert k.criteria["id"] == "k-v1"


def test_admin_draft_with_bad_json_shows_clear_error(client_for, admin_user):
    draft = services.rule_set_new_version(
        rule_set=RuleSet.objects.published().get(visa_type_code="K"), actor=admin_user
    )
    response = client_for(admin_user).post(
        reverse("admin:eligibility_ruleset_change", args=[draft.pk]),
        {
            "effective_date": "2026-01-01",
            "citations": '["x"]',
            "criteria": '{"id": "k", "type": "max_age", "years": 45}',
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "Criterion “k” (root)" in response.content.decode()
    draft.refresh_from_db()
    assert draft.criteria["id"] == "k-v2"


def test_admin_publish_action(client_for, admin_user):
    draft = services.rule_set_new_version(
        rule_set=RuleSet.objects.published().get(visa_type_code="K"), actor=admin_user
    )
    client_for(admin_user).post(
        reverse("admin:eligibility_ruleset_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.PUBLISHED


def test_admin_preview_runs_draft_against_case_and_saves_nothing(client_for, admin_user, case):
    draft = services.rule_set_new_version(
        rule_set=RuleSet.objects.published().get(visa_type_code="K"), actor=admin_user
    )
    response = client_for(admin_user).get(
        reverse("admin:eligibility_ruleset_preview", args=[draft.pk]), {"case": case.reference}
    )
    text = response.content.decode()
    assert response.status_code == 200
    # The outcome and each result in words (issue 11), never the raw codes.
    assert "Outcome: More information needed" in text
    assert "needs_information" not in text
    assert "<td>unknown</td>" in text
    assert "<td>pass</td>" not in text
    assert "education history" in text
    assert not case.assessments.exists()
    missing = client_for(admin_user).get(
        reverse("admin:eligibility_ruleset_preview", args=[draft.pk]), {"case": "K-1999-99999"}
    )
    assert "No case with reference" in missing.content.decode()


def test_advisor_cannot_reach_rule_set_admin(client_for, advisor):
    response = client_for(advisor).get(reverse("admin:eligibility_ruleset_changelist"))
    assert response.status_code == 302  # to the admin login: advisors are not admin staff


def test_admin_published_rule_set_page_shows_reassessment_summary(client_for, admin_user):
    k = RuleSet.objects.get(visa_type_code="K", version=1)
    response = client_for(admin_user).get(reverse("admin:eligibility_ruleset_change", args=[k.pk]))
    assert response.status_code == 200
    assert "No cases re-assessed" in response.content.decode()
