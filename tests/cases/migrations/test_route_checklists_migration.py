"""Migrations 0036 and 0037 (route checklists, issue 13) run on a database that has open cases: the R
cases get the invitation letter and the Class A evidence, every open case's conditional
requirements follow the route of its current assessment, and uploads and accepted documents
stay as they were."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases import services
from cases.models import ChecklistItem, DegreeLevel, Document, Stage
from cases.services import eligibility as services_eligibility
from tests.factories import add_education, add_employment, open_case, upload_document

BEFORE = [("cases", "0035_case_document_summary")]
NEW_R = ["employer-invitation-letter", "class-a-evidence"]


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


# serialized_rollback: the flush after this test then leaves the tables empty instead of
# re-creating content types under new ids (post_migrate), which the next serialized-rollback
# test (the reminder worker integration test) would collide with when it restores its rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_brings_existing_open_cases_to_their_route(advisor):
    k_teaching = open_case(advisor=advisor)
    upload_document(k_teaching, code="degree-certificate")
    add_employment(applicant=k_teaching.applicant)
    services_eligibility.case_assess(case=k_teaching, actor=advisor)
    r_class_a = open_case(advisor=advisor, visa_code="R")
    add_education(applicant=r_class_a.applicant, level=DegreeLevel.DOCTORAL)
    add_employment(applicant=r_class_a.applicant)
    services_eligibility.case_assess(case=r_class_a, actor=advisor)
    r_new = open_case(advisor=advisor, visa_code="R")  # never assessed
    letter = upload_document(r_class_a, code="high-level-talent-letter")
    services.document_review(document=letter, decision="accepted", reason="", actor=advisor)
    closed = open_case(advisor=advisor, visa_code="R")
    services.case_transition(case=closed, to=Stage.WITHDRAWN, actor=advisor, reason="gone")
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("cases")

    # Back to the database as it was before the migration (the new R items' rows with it).
    try:
        ChecklistItem.objects.filter(code__in=NEW_R).delete()  # cascades nothing: SET_NULL
        from cases.models import DocumentRequirement

        DocumentRequirement.objects.filter(code__in=NEW_R).delete()
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_documentrequirement SET required = true "
                "WHERE code <> 'teaching-research-position'"
            )
            cursor.execute(
                "UPDATE cases_documentrequirement SET required = false "
                "WHERE code = 'teaching-research-position'"
            )
    finally:
        _migrate(leaf)

    def required(case):  # type: ignore[no-untyped-def]
        return dict(case.requirements.values_list("code", "required"))

    k = required(k_teaching)
    assert (k["degree-certificate"], k["transcript"], k["teaching-research-position"]) == (
        False,
        False,
        True,
    )
    certificate = k_teaching.requirements.get(code="degree-certificate")
    assert certificate.status == "uploaded"
    assert Document.objects.filter(requirement=certificate).count() == 1
    r = required(r_class_a)
    assert (r["employer-invitation-letter"], r["class-a-evidence"]) == (True, True)
    accepted = r_class_a.requirements.get(code="high-level-talent-letter")
    assert (accepted.status, accepted.route_condition) == ("accepted", "r-confirmation-letter")
    assert accepted.current_document_id == letter.pk
    new = required(r_new)  # the route is not known yet: everything asked
    assert all(new[code] for code in [*NEW_R, "high-level-talent-letter"])
    assert r_new.requirements.get(code="class-a-evidence").route_condition == "r-class-a-*"
    assert not closed.requirements.filter(code__in=NEW_R).exists()
    item = ChecklistItem.objects.get(
        code="teaching-research-position", visa_type=k_teaching.visa_type
    )
    assert (item.required, item.route_condition) == (True, "k-teaching-research")
    assert "teaching or research route" in item.help_en
