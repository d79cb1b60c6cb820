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
