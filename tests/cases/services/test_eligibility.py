"""Assessing cases: the service, the pages, permissions, re-assessment after publishing."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services, tasks
from cases.models import Case, CaseEvent, Education, EventKind, Stage
from cases.services import eligibility as services_eligibility
from eligibility import selectors
from eligibility import services as elig_services
from eligibility.models import Assessment, AssessmentTrigger, FieldOfStudy, Institution, RuleSet
from portal.errors import NotAllowed
from tests.factories import ApplicantFactory, open_case, title_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def recognized(db):
    return Institution.objects.create(
        name="Test University",
        country="DE",
        kind="university",
        recognized=True,
        recognition_source="test list",
    )


def add_degree(applicant, code="0613", level=6, institution=None):
    return Education.objects.create(
        applicant=applicant,
        level=level,
        field=FieldOfStudy.objects.get(code=code),
        institution=institution,
        institution_name="" if institution else "Somewhere",
        graduation_date=dt.date(2018, 6, 30),
    )


def confirm_blank_pages(case):
    """The advisor's "yes" to K/R v2's blank-pages question (set up directly; the answering
    service is tested in test_confirmations.py)."""
    answer = {"answer": True, "n": 2, "by": None, "at": None}
    Case.objects.filter(pk=case.pk).update(confirmations={"blank_pages": answer})


def k_rules():
    return RuleSet.objects.get(visa_type_code="K", status="published")


def test_advisor_assessment_stores_snapshot_results_and_event(case, advisor, recognized):
    add_degree(case.applicant, institution=recognized)
    confirm_blank_pages(case)
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    assert assessment.outcome == "eligible"
    assert assessment.rule_set == k_rules()
    assert assessment.facts["education"][0]["field_code"] == "0613"
    assert assessment.results[0]["id"] == "k-v2"
    assert {r["visa_type_code"] for r in assessment.other_routes} == {"R"}
    event = CaseEvent.objects.get(case=case, kind=EventKind.ASSESSMENT)
    assert (event.before, event.after) == ("", "eligible")
    assert selectors.current_assessment_outcome(case_id=case.pk) == "eligible"


def test_missing_birth_date_needs_information(case, advisor, recognized):
    confirm_blank_pages(case)
    case.applicant.date_of_birth = None
    case.applicant.save(update_fields=["date_of_birth"])
    add_degree(case.applicant, institution=recognized)
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    assert assessment.outcome == "needs_information"
    assert assessment.missing_facts == ["date_of_birth"]
    assert assessment.missing_labels("zh-hans") == ["出生日期"]


def test_r_case_missing_letter_is_named_by_its_requirement(
    client_for, r_case, advisor, applicant_user
):
    services_eligibility.case_assess(case=r_case, actor=advisor)
    page = client_for(applicant_user).get(reverse("cases:my_detail", args=[r_case.pk]))
    name = r_case.requirements.get(code="high-level-talent-letter").name_en
    assert name in page.content.decode()


def test_over_45_fails_k_on_age_and_other_routes_show_r(case, advisor, recognized):
    case.applicant.date_of_birth = dt.date(1960, 1, 1)
    case.applicant.save(update_fields=["date_of_birth"])
    add_degree(case.applicant, institution=recognized)
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    assert assessment.outcome == "needs_review"  # age is reported, not official
    routes = {r["visa_type_code"]: r["outcome"] for r in assessment.other_routes}
    assert routes == {"R": "needs_information"}  # R has no age limit; letter still missing


@pytest.mark.parametrize("who", ["applicant_user", "other_advisor", "stranger"])
def test_only_case_staff_run_assessments(request, case, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services_eligibility.case_assess(case=case, actor=user)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("who", ["applicant_user", "other_advisor", "other_applicant_user"])
def test_assess_endpoint_is_404_for_anyone_but_case_staff(request, client_for, case, who):
    response = client_for(request.getfixturevalue(who)).post(
        reverse("cases:case_assess", args=[case.pk])
    )
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_advisor_runs_assessment_from_case_page(client_for, case, advisor, recognized):
    add_degree(case.applicant, institution=recognized)
    confirm_blank_pages(case)
    client = client_for(advisor)
    response = client.post(reverse("cases:case_assess", args=[case.pk]), {"advisor_flag": "on"})
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.outcome == "needs_review"
    assert assessment.advisor_flag
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Needs review" in page
    assert "State Council Order No. 814" in page


def test_applicant_sees_outcome_and_missing_facts_in_their_language(
    client_for, case, advisor, applicant_user
):
    services_eligibility.case_assess(case=case, actor=advisor)  # nothing entered yet
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    page = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "需要补充信息" in text  # needs information, in Chinese
    assert "教育经历" in text
    assert "工作经历" in text
    assert "State Council Order" not in text  # citations are for staff


def test_applicant_never_sees_another_applicants_assessment(
    client_for, case, advisor, other_applicant_user
):
    services_eligibility.case_assess(case=case, actor=advisor)
    response = client_for(other_applicant_user).get(reverse("cases:my_detail", args=[case.pk]))
    assert response.status_code == 404
    assert not Assessment.objects.visible_to(other_applicant_user).exists()
    assert Assessment.objects.visible_to(case.applicant.user).count() == 1


def test_ready_guard_reads_current_assessment(case, advisor, recognized):
    for stage in (Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW):
        case = services.case_transition(case=case, to=stage, actor=advisor)
    assert "no eligibility assessment" in services.case_ready_check(case=case).assessment_problem
    services_eligibility.case_assess(case=case, actor=advisor)  # nothing entered: not ineligible
    assert services.case_ready_check(case=case).assessment_problem == ""
    Education.objects.create(
        applicant=case.applicant,
        level=7,
        field=FieldOfStudy.objects.get(code="0311"),
        institution=recognized,
        graduation_date=dt.date(2018, 1, 1),
    )
    case.applicant.employment.create(
        organisation="Bank", role="Analyst", start_date=dt.date(2019, 1, 1)
    )
    services_eligibility.case_assess(case=case, actor=advisor)
    assert "ineligible" in services.case_ready_check(case=case).assessment_problem


# --- re-assessment after publishing ---------------------------------------------------------


def publish_k_v2(admin_user, criteria_change):
    draft = elig_services.rule_set_new_version(rule_set=k_rules(), actor=admin_user)
    criteria = draft.criteria
    criteria_change(criteria)
    elig_services.rule_set_update_draft(rule_set=draft, actor=admin_user, criteria=criteria)
    return draft


def raise_max_age_to_60(criteria):
    criteria["children"][1]["years"] = 60
    criteria["children"][1]["basis"] = "official"
    criteria["children"][0]["basis"] = "official"


def test_publishing_reassesses_open_cases_once_and_notifies_advisor(
    case, advisor, admin_user, recognized, django_capture_on_commit_callbacks
):
    case.applicant.date_of_birth = dt.date(1970, 1, 1)
    case.applicant.save(update_fields=["date_of_birth"])
    add_degree(case.applicant, institution=recognized)
    confirm_blank_pages(case)
    services_eligibility.case_assess(case=case, actor=advisor)  # needs_review under v2
    unchanged = open_case(advisor=advisor)  # nothing entered: needs_information both times
    services_eligibility.case_assess(case=unchanged, actor=advisor)
    draft = publish_k_v2(admin_user, raise_max_age_to_60)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        elig_services.rule_set_publish(rule_set=draft, actor=admin_user)
    latest = selectors.current_assessment(case_id=case.pk)
    assert (latest.rule_set, latest.trigger) == (draft, AssessmentTrigger.PUBLISH)
    assert (latest.previous_outcome, latest.outcome) == ("needs_review", "eligible")
    events = CaseEvent.objects.filter(kind=EventKind.ASSESSMENT, actor=None)
    assert [(e.case_id, e.before, e.after) for e in events] == [
        (case.pk, "needs_review", "eligible")
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [advisor.email]
    assert case.reference in mail.outbox[0].body
    assert selectors.reassessment_summary(rule_set=draft)["changes"] == [
        ("needs_review", "eligible", 1)
    ]
    # Running the task again changes nothing.
    tasks.reassess_rule_set(draft.pk)
    assert Assessment.objects.filter(rule_set=draft).count() == 2
    assert CaseEvent.objects.filter(kind=EventKind.ASSESSMENT, actor=None).count() == 1


def test_reassessment_skips_closed_cases_and_other_visas(advisor, admin_user, r_case):
    withdrawn = open_case(advisor=advisor)
    services.case_transition(case=withdrawn, to=Stage.WITHDRAWN, actor=advisor, reason="gone")
    draft = publish_k_v2(admin_user, raise_max_age_to_60)
    elig_services.rule_set_publish(rule_set=draft, actor=admin_user)
    changes = services_eligibility.cases_reassess_for_rule_set(
        rule_set_id=draft.pk, case_ids=[withdrawn.pk, r_case.pk]
    )
    assert not changes
    assert not Assessment.objects.exists()


def test_reassessment_query_count_does_not_grow_per_case(advisor, admin_user, recognized):
    draft = publish_k_v2(admin_user, raise_max_age_to_60)
    elig_services.rule_set_publish(rule_set=draft, actor=admin_user)

    def run(n):
        ids = []
        for _ in range(n):
            c = open_case(advisor=advisor, applicant=ApplicantFactory())
            add_degree(c.applicant, institution=recognized)
            services_eligibility.case_assess(case=c, actor=advisor)
            ids.append(c.pk)
        with CaptureQueriesContext(connection) as ctx:
            services_eligibility.cases_reassess_for_rule_set(rule_set_id=draft.pk, case_ids=ids)
        done = Assessment.objects.filter(rule_set=draft, trigger="publish", case_id__in=ids)
        assert done.count() == n
        return len(ctx.captured_queries)

    assert run(2) == run(12)


def test_publish_task_splits_open_cases_into_batches(settings, advisor, admin_user, client_for):
    settings.ELIGIBILITY_REASSESS_BATCH = 2
    cases = [open_case(advisor=advisor) for _ in range(5)]
    draft = publish_k_v2(admin_user, raise_max_age_to_60)
    settings.ELIGIBILITY_ON_PUBLISH = ""  # run the task by hand below
    elig_services.rule_set_publish(rule_set=draft, actor=admin_user)
    assert tasks.reassess_rule_set(draft.pk) == 3
    assert Assessment.objects.filter(rule_set=draft, trigger="publish").count() == len(cases)
    page = client_for(admin_user).get(reverse("admin:eligibility_ruleset_change", args=[draft.pk]))
    assert "5 open cases re-assessed; 5 changed outcome" in page.content.decode()


def test_publishing_tells_the_advisor_in_app_of_each_changed_case(
    case, advisor, admin_user, recognized, django_capture_on_commit_callbacks
):
    from cases.models import Notification

    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    case.applicant.date_of_birth = dt.date(1970, 1, 1)
    case.applicant.save(update_fields=["date_of_birth"])
    add_degree(case.applicant, institution=recognized)
    confirm_blank_pages(case)
    services_eligibility.case_assess(case=case, actor=advisor)  # needs_review under v2
    draft = publish_k_v2(admin_user, raise_max_age_to_60)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        elig_services.rule_set_publish(rule_set=draft, actor=admin_user)
    (note,) = Notification.objects.filter(user=advisor)
    assert case.reference in title_of(note)
    assert "资格" in title_of(note)  # in the advisor's language
    assert note.url == f"/cases/{case.pk}/"
