"""Statements built once and reused (``portal/sql.py``): the same rows and effects as the ORM's
own query, the ORM asked only once per database, and a statement that would be unsafe to
reuse refused."""

import pytest
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from cases.models import Case, DocumentRequirement, RequirementStatus
from cases.models.summary import summary_values
from portal.sql import CompiledSelect, CompiledUpdate
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_a_compiled_update_runs_the_orms_sql_and_builds_it_once(case):
    calls = []

    def values():  # type: ignore[no-untyped-def]
        calls.append(1)
        return summary_values()

    statement = CompiledUpdate(Case, values)
    other = open_case()
    case.requirements.update(status=RequirementStatus.UPLOADED)
    Case.objects.filter(pk=case.pk).update(documents_needed_count=99)

    with CaptureQueriesContext(connection) as ours:
        assert statement.run(case.pk) == 1
    # The effect is checked before the ORM's own UPDATE runs, which would write the same.
    case.refresh_from_db()
    assert case.documents_needed_count == 0
    assert case.documents_to_review_count == case.requirements.filter(required=True).count()
    with CaptureQueriesContext(connection) as orm:
        Case.objects.filter(pk=case.pk).update(**summary_values())
    assert [q["sql"] for q in ours] == [q["sql"] for q in orm]
    needed_before = Case.objects.get(pk=other.pk).documents_needed_count
    assert statement.run(other.pk) == 1  # another key, the same statement
    assert Case.objects.get(pk=other.pk).documents_needed_count == needed_before
    assert statement.run(10**9) == 0  # no such row: nothing written
    assert calls == [1]


def test_a_compiled_select_returns_the_querysets_rows_with_annotations(case):
    other = open_case()

    def build(case_id: int, pk: int):  # type: ignore[no-untyped-def]
        siblings = (
            DocumentRequirement.objects.filter(case_id=OuterRef("case_id"))
            .order_by()
            .values("case_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            DocumentRequirement.objects.filter(case_id=case_id, pk__in=[pk])
            .annotate(siblings=Coalesce(Subquery(siblings), Value(0)), twice=F("position") * 2)
            .order_by("pk")
        )

    statement = CompiledSelect(DocumentRequirement, build)
    mine = case.requirements.order_by("pk").first()
    (row,) = statement.run(case.pk, mine.pk)
    assert row.pk == mine.pk
    assert row.name_en == mine.name_en
    assert row.siblings == case.requirements.count()
    assert row.twice == mine.position * 2
    # Keys are bound each time: another case's requirement is not found through this case.
    assert statement.run(case.pk, other.requirements.first().pk) == []
    assert [r.pk for r in statement.run(other.pk, other.requirements.first().pk)] == [
        other.requirements.first().pk
    ]


def test_a_statement_whose_key_is_not_a_parameter_is_refused(case):
    statement = CompiledSelect(DocumentRequirement, lambda pk: DocumentRequirement.objects.all())
    with pytest.raises(RuntimeError, match="key is missing"):
        statement.run(case.pk)
