"""List endpoints: page numbers, django-filter filters and stable ``?ordering=`` (the
``DEFAULT_PAGINATION_CLASS`` and ``DEFAULT_FILTER_BACKENDS`` of the settings)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, pagination
from rest_framework.request import Request

from portal.pagination import DeferredJoinPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``: 50 per page by default, at most 100."""

    django_paginator_class = DeferredJoinPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string names none of the view's filters
    (building and validating a FilterSet costs about 0.5 ms a request; the result is the same)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(request.query_params) & set(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(filters.OrderingFilter):
    """``?ordering=field`` (``-field`` descending), with ``id`` appended as a tie-breaker so pages
    never repeat or skip rows."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> Sequence[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(o.lstrip("-") in ("id", "pk") for o in ordering):
            last = ordering[-1]
            ordering = [*ordering, "-id" if last.startswith("-") else "id"]
        return ordering
