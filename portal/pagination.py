"""Pagination shared by the web pages and the API."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet, Subquery


class DeferredJoinPaginator(Paginator):
    """Fetch a page's primary keys first (an index range, however deep the page), then only
    those rows with their joins: the database never joins or sorts the rows it skips.

    Pages in the second half read their keys from the other end (the ordering reversed, a
    short offset), so the last page costs what the first does. That needs a total order: the
    ordering must end with the primary key (``("-opened_on", "-id")``); otherwise every page is
    read from the front."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        if top + self.orphans >= self.count:
            top = self.count
        if not isinstance(queryset, QuerySet) or top <= bottom:
            return Page(list(queryset[bottom:top]), number, self)
        if bottom > self.count - top and _ends_with_pk(queryset):
            keys = queryset.reverse().values_list("pk", flat=True)[
                self.count - top : self.count - bottom
            ]
        else:
            keys = queryset.values_list("pk", flat=True)[bottom:top]
        if connections[queryset.db].vendor == "postgresql":
            # pk = ANY(ARRAY(SELECT pk ... LIMIT/OFFSET)): the keys become an InitPlan and the
            # rows are fetched by primary key (``pk IN (subquery)`` plans a scan of the table).
            page_rows = queryset.filter(_PkInArray(F("pk"), Subquery(keys)))
        else:
            page_rows = queryset.filter(pk__in=keys)
        # One round trip; the outer query keeps the queryset's ORDER BY.
        return Page(self.fetch(page_rows), number, self)

    def fetch(self, rows: QuerySet) -> list[Any]:
        """Evaluate the page's queryset; subclasses may fetch values instead of instances."""
        return list(rows)


def _ends_with_pk(queryset: QuerySet) -> bool:
    """Whether the queryset's ordering (explicit, else the model's) ends with its primary key,
    so that no two rows tie and the reversed order is the exact mirror."""
    query = queryset.query
    ordering = query.order_by or (query.default_ordering and queryset.model._meta.ordering) or ()
    if not ordering or not isinstance(ordering[-1], str):
        return False
    pk = queryset.model._meta.pk
    return ordering[-1].lstrip("-") in ("pk", pk.name, pk.attname)


class _PkInArray(Func):
    """``<pk> = ANY(ARRAY(<subquery>))`` as a filter condition (PostgreSQL)."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()
