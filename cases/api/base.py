"""The base viewset every endpoint of the ``cases`` API builds on: ids in URLs, list-only
filtering and ordering, paging a queryset with another serializer."""

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from portal.api.pagination import FilterBackend, StableOrderingFilter

ID = r"[0-9]{1,18}"  # ids in URLs: digits within the 64-bit key range, else 404


class ScopedViewSet(viewsets.GenericViewSet):
    lookup_value_regex = ID
    filter_backends = (FilterBackend, StableOrderingFilter)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Query-string filters and ordering apply to lists; an object is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _paged(self, queryset: QuerySet, serializer_class: type[BaseSerializer]) -> Response:
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)
