"""Pagination shared by the web pages and the API."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet, Subquery


class DeferredJoinPaginator(Paginator):
    """Fetch a page's primary keys first (an index range, however deep the page), then only
    those rows with their joins: the database never joins or sorts the rows it skips."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        if top + self.orphans >= self.count:
            top = self.count
        if not isinstance(queryset, QuerySet) or top <= bottom:
            return Page(list(queryset[bottom:top]), number, self)
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


class _PkInArray(Func):
    """``<pk> = ANY(ARRAY(<subquery>))`` as a filter condition (PostgreSQL)."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()
