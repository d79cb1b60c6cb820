"""API v1 views of reminders: the requester's notifications and the advisor's case tasks."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions
from cases.api.base import ScopedViewSet
from cases.api.serializers.reminders import (
    NO_FIELDS_REQUEST,
    MarkedSerializer,
    NoFieldsSerializer,
    NotificationSerializer,
    TaskCreateSerializer,
    TaskDoneSerializer,
    TaskSerializer,
)
from cases.models import Case, CaseTask, Notification
from cases.selectors import reminders as selectors
from cases.services import reminders as services
from portal.api.errors import error_responses
from portal.api.language import RequesterLanguageMixin
from portal.api.pagination import FilterBackend, StableOrderingFilter


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        method="filter_unread", help_text="true: only unread; false: only read."
    )

    class Meta:
        model = Notification
        fields = ("unread",)

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: Any
    ) -> QuerySet[Notification]:
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=bool(value))


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first (filter unread)",
        responses={200: NotificationSerializer(many=True), **error_responses(400)},
    ),
)
class NotificationViewSet(RequesterLanguageMixin, mixins.ListModelMixin, ScopedViewSet):
    serializer_class = NotificationSerializer
    filter_backends = (FilterBackend, StableOrderingFilter)
    filterset_class = NotificationFilterSet
    ordering_fields = ("created_at",)
    ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Mark one of your notifications read",
        request=NO_FIELDS_REQUEST,
        responses={200: NotificationSerializer, **error_responses(400, 404)},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=())
    def read(self, request: Request, pk: str | None = None) -> Response:
        note = self.get_object()
        NoFieldsSerializer(data=request.data, context={"request": request}).is_valid(
            raise_exception=True
        )
        services.notification_mark_read(user=request.user, notification_id=note.pk)
        return Response(NotificationSerializer(self.get_queryset().get(pk=note.pk)).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=NO_FIELDS_REQUEST,
        responses={200: MarkedSerializer, **error_responses(400)},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=())
    def read_all(self, request: Request) -> Response:
        NoFieldsSerializer(data=request.data, context={"request": request}).is_valid(
            raise_exception=True
        )
        return Response({"marked": services.notification_mark_read(user=request.user)})


class CaseTaskViewSet(RequesterLanguageMixin, ScopedViewSet):
    # A case's tasks: list and add (registered under ``cases``).
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.visible_to(self.request.user).select_related("advisor")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return TaskCreateSerializer if self.request.method == "POST" else TaskSerializer

    @extend_schema(
        methods=["GET"],
        summary="The case's tasks, open first, then by due date (case staff)",
        responses={200: TaskSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a task to the case (case staff)",
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        if not permissions.is_case_staff(request.user, case):
            raise Http404("No such case.")  # tasks are internal: applicants never see them
        if request.method == "GET":
            return self._paged(selectors.task_list_for_case(case=case), TaskSerializer)
        serializer = TaskCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        task = services.task_create(case=case, actor=request.user, **serializer.validated_data)
        fresh = selectors.task_list_for_case(case=case).get(pk=task.pk)
        return Response(TaskSerializer(fresh).data, status=status.HTTP_201_CREATED)


class TaskViewSet(RequesterLanguageMixin, ScopedViewSet):
    serializer_class = TaskDoneSerializer
    filter_backends = ()

    def get_queryset(self) -> QuerySet[CaseTask]:
        return selectors.task_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Mark a task done, or open it again with done=false (case staff)",
        request=TaskDoneSerializer,
        responses={200: TaskSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        if not permissions.is_case_staff(request.user, task.case):
            raise Http404("No such task.")
        serializer = TaskDoneSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.task_set_done(task=task, actor=request.user, **serializer.validated_data)
        return Response(TaskSerializer(self.get_queryset().get(pk=task.pk)).data)


def register(router: Any) -> None:
    """Add the reminders endpoints to the API v1 router (``portal/api/urls.py``)."""
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register("cases", CaseTaskViewSet, basename="case-task")
    router.register("tasks", TaskViewSet, basename="task")
