"""Pagination shared by the web pages and the API."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


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
        if not isinstance(queryset, QuerySet):
            return self._get_page(queryset[bottom:top], number, self)
        keys = queryset.values_list("pk", flat=True)[bottom:top]
        # One round trip: WHERE pk IN (SELECT pk ... ORDER BY ... LIMIT/OFFSET), same order.
        return self._get_page(list(queryset.filter(pk__in=keys)), number, self)
