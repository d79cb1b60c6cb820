"""Route checklists (issue 13, cases/services/routes.py): what a case is asked for follows the
route of its current assessment; switching route keeps every upload."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases import services
from cases.models import CaseEvent, Document, EventKind, Stage
from cases.services import eligibility as services_eligibility
from cases.services.qualifications import employment_delete
from cases.services.routes import requirements_follow_routes
from eligibility import services as elig_services
from eligibility.models import RuleSet
from tests.factories import (
    ApplicantFactory,
    add_education,
    add_employment,
    case_at,
    open_case,
    tick_required_steps,
    upload_document,
)

pytestmark = pytest.mark.django_db

DEGREE_ITEMS = ["degree-certificate", "degree-legalisation", "transcript"]
TEACHING = "teaching-research-position"


def required(case):
    return dict(case.requirements.order_by("code").values_list("code", "required"))


def route_events(case):
    return list(
        CaseEvent.objects.filter(
            case=case, kind=EventKind.UPDATE, data__has_key="route_requirements"
        )
        .order_by("id")
        .values_list("data", flat=True)
    )


def test_switching_route_keeps_uploads_and_changes_what_is_required(case, advisor):
    # Not assessed yet: every conditional item is asked.
    assert all(required(case)[code] for code in [*DEGREE_ITEMS, TEACHING])
    degree_doc = upload_document(case, code="degree-certificate")
    teaching_doc = upload_document(case, code=TEACHING)

    # Teaching or research at a well-known institution, no degree entered: the teaching route.
    job = add_employment(applicant=case.applicant)
    services_eligibility.case_assess(case=case, actor=advisor)
    now = required(case)
    assert [now[c] for c in DEGREE_ITEMS] == [False, False, False]
    assert now[TEACHING] is True
    certificate = case.requirements.get(code="degree-certificate")
    assert certificate.not_needed_for_route
    assert (certificate.status, certificate.current_document_id) == ("uploaded", degree_doc.pk)
    [change] = route_events(case)
    assert [d["code"] for d in change["route_requirements"]["not_needed"]] == [
        "degree-certificate",
        "transcript",
        "degree-legalisation",
    ]
    assert change["route_requirements"]["needed"] == []
    assert change["routes"] == ["k-teaching-research"]
    case.refresh_from_db()  # the per-case summary counts what is required now
    assert case.documents_needed_count == (
        case.requirements.filter(required=True, status__in=["missing", "rejected"]).count()
    )

    # Switch to the degree route: the degree items are required again with their upload, the
    # teaching proof is no longer needed and keeps its own.
    employment_delete(employment=job, actor=advisor)
    add_education(applicant=case.applicant)
    services_eligibility.case_assess(case=case, actor=advisor)
    now = required(case)
    assert [now[c] for c in DEGREE_ITEMS] == [True, True, True]
    assert now[TEACHING] is False
    certificate.refresh_from_db()
    assert (certificate.status, certificate.current_document_id) == ("uploaded", degree_doc.pk)
    teaching = case.requirements.get(code=TEACHING)
    assert (teaching.status, teaching.current_document_id) == ("uploaded", teaching_doc.pk)
    assert Document.objects.filter(requirement__case=case).count() == 2
    second = route_events(case)[-1]["route_requirements"]
    assert [d["code"] for d in second["needed"]] == [
        "degree-certificate",
        "transcript",
        "degree-legalisation",
    ]
    assert [d["code"] for d in second["not_needed"]] == [TEACHING]

    # Assessing again on the same route changes nothing and records nothing.
    services_eligibility.case_assess(case=case, actor=advisor)
    assert len(route_events(case)) == 2


def test_route_change_is_told_in_the_viewers_language(case, advisor):
    add_employment(applicant=case.applicant)
    services_eligibility.case_assess(case=case, actor=advisor)
    event = CaseEvent.objects.get(case=case, data__has_key="route_requirements")
    assert event.internal is False  # the applicant sees it on their timeline
    assert event.summary_text.startswith("Not needed for the route: Degree certificate")
    with translation.override("zh-hans"):
        assert event.summary_text.startswith("本途径不需要：学位证书")


def test_accepted_requirements_are_left_alone(case, advisor):
    doc = upload_document(case, code="degree-certificate")
    services.document_review(document=doc, decision="accepted", reason="", actor=advisor)
    add_employment(applicant=case.applicant)
    services_eligibility.case_assess(case=case, actor=advisor)
    certificate = case.requirements.get(code="degree-certificate")
    assert (certificate.status, certificate.required) == ("accepted", True)
    assert required(case)["transcript"] is False


def test_items_not_needed_for_the_route_do_not_block_ready(advisor):
    case = case_at(Stage.REVIEW, advisor=advisor)
    add_employment(applicant=case.applicant)
    services_eligibility.case_assess(case=case, actor=advisor)
    for req in case.requirements.filter(required=True):
        services.requirement_waive(requirement=req, reason="Seen in the original", actor=advisor)
    assert services.case_ready_check(case=case).missing == []
    tick_required_steps(case, stage=Stage.REVIEW)
    case = services.case_transition(case=case, to=Stage.READY, actor=advisor)
    assert case.stage == Stage.READY
    assert set(case.requirements.filter(status="missing").values_list("code", flat=True)) == set(
        DEGREE_ITEMS
    )


def _answer_class_a(case, advisor, *, yes):
    """Answer the published R rule set's Class A questions (v2: advisor-confirmed categories)."""
    from cases.services.confirmations import case_confirmation_answer, case_confirmation_questions

    for question, n in case_confirmation_questions(case):
        if question != "blank_pages":
            case_confirmation_answer(case=case, question=question, answer=yes, n=n, actor=advisor)
            if yes:
                return


def test_r_class_a_applicant_is_asked_for_the_evidence_and_invitation_not_the_letter(
    r_case, advisor
):
    assert {"employer-invitation-letter", "class-a-evidence"} <= set(required(r_case))
    _answer_class_a(r_case, advisor, yes=True)  # assesses again: a Class A route passes
    now = required(r_case)
    assert now["class-a-evidence"] is True
    assert now["employer-invitation-letter"] is True
    assert now["high-level-talent-letter"] is False


def test_r_applicant_without_class_a_is_asked_for_the_letter_not_the_evidence(r_case, advisor):
    _answer_class_a(r_case, advisor, yes=False)
    now = required(r_case)  # every Class A route failed; the Confirmation Letter one is open
    assert (now["class-a-evidence"], now["high-level-talent-letter"]) == (False, True)
    assert now["employer-invitation-letter"] is True


def test_publish_reassessment_moves_requirements_in_constant_queries(advisor, admin_user):
    def cases(n):
        made = []
        for _ in range(n):
            c = open_case(advisor=advisor, applicant=ApplicantFactory())
            add_employment(applicant=c.applicant)
            made.append(c)
        return made

    k = RuleSet.objects.get(visa_type_code="K", status="published")
    draft = elig_services.rule_set_new_version(rule_set=k, actor=admin_user)
    elig_services.rule_set_publish(rule_set=draft, actor=admin_user)  # re-assesses (eager)
    few, many = cases(2), cases(8)

    def run(batch):
        with CaptureQueriesContext(connection) as ctx:
            services_eligibility.cases_reassess_for_rule_set(
                rule_set_id=draft.pk, case_ids=[c.pk for c in batch]
            )
        return len(ctx.captured_queries)

    assert run(few) == run(many)
    for c in [*few, *many]:
        assert required(c)["degree-certificate"] is False
        assert required(c)[TEACHING] is True
        assert len(route_events(c)) == 1


def test_closed_cases_are_not_changed(case, advisor):
    add_employment(applicant=case.applicant)
    assessment = services_eligibility.case_assess(case=case, actor=advisor)
    case.requirements.filter(code="transcript").update(required=True)
    services.case_transition(case=case, to=Stage.WITHDRAWN, actor=advisor, reason="gone")
    assert requirements_follow_routes(assessments=[assessment], actor=None) == []
    assert required(case)["transcript"] is True
