"""The deferred-join paginator returns the same pages as Django's, in the same order."""

import pytest
from django.core.paginator import Paginator

from cases.models import Case
from portal.pagination import DeferredJoinPaginator
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_pages_match_djangos_paginator(advisor):
    for _ in range(7):
        open_case(advisor=advisor)
    qs = Case.objects.select_related("applicant").order_by("-opened_on", "-id")
    ours, django = DeferredJoinPaginator(qs, 3), Paginator(qs, 3)
    assert ours.num_pages == django.num_pages == 3
    for number in (1, 2, 3):
        assert [c.pk for c in ours.page(number)] == [c.pk for c in django.page(number)]


def test_empty_list_has_one_empty_page(db):
    page = DeferredJoinPaginator(Case.objects.order_by("id"), 10).page(1)
    assert list(page) == []


def test_orphans_join_the_last_page(advisor):
    for _ in range(5):
        open_case(advisor=advisor)
    qs = Case.objects.order_by("id")
    ours, django = DeferredJoinPaginator(qs, 2, orphans=1), Paginator(qs, 2, orphans=1)
    assert [c.pk for c in ours.page(2)] == [c.pk for c in django.page(2)]


def test_every_page_matches_when_late_pages_are_read_from_the_end(advisor):
    for _ in range(11):
        open_case(advisor=advisor)
    for ordering in (("-opened_on", "-id"), ("id",), ("stage", "-id")):
        qs = Case.objects.select_related("applicant").order_by(*ordering)
        for per_page, orphans in ((3, 0), (4, 1), (5, 2)):
            ours = DeferredJoinPaginator(qs, per_page, orphans=orphans)
            django = Paginator(qs, per_page, orphans=orphans)
            assert ours.num_pages == django.num_pages
            for number in django.page_range:
                assert [c.pk for c in ours.page(number)] == [c.pk for c in django.page(number)]


def test_the_last_page_reads_its_keys_from_the_end(advisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(12):
        open_case(advisor=advisor)
    paginator = DeferredJoinPaginator(Case.objects.order_by("-opened_on", "-id"), 3)
    paginator.count  # noqa: B018 - counted before, as a page view does
    with CaptureQueriesContext(connection) as ctx:
        last = list(paginator.page(4))
    assert [c.pk for c in last] == list(
        Case.objects.order_by("-opened_on", "-id").values_list("pk", flat=True)[9:12]
    )
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert "OFFSET 9" not in sql  # the first three keys of the reversed order, no skipping
