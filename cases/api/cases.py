"""API v1 views of cases, applicants and visa types: thin wrappers that read through selectors
and write through services.

Order of checks in every object action: fetch through a user-scoped selector (404 for what the
caller may not see), then the permission predicate (403), then the request body (400), then the
service (400/403/409 from domain errors).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases import permissions, selectors, services
from cases.api import records as records_api
from cases.api.base import ScopedViewSet
from cases.api.documents import DocumentViewSet, RequirementViewSet
from cases.api.filters import CaseFilterSet
from cases.api.serializers import cases as s
from cases.api.serializers import inputs
from cases.api.serializers import records as record_inputs
from cases.models import Applicant, Case, VisaType
from portal.api.errors import error_responses
from portal.api.pagination import PageNumberPagination, StableOrderingFilter
from portal.errors import NotAllowed
from portal.models import DEFAULT_FIRM_SLUG
from portal.pagination import DeferredJoinPaginator


class _CaseValuesPaginator(DeferredJoinPaginator):
    def fetch(self, rows: QuerySet) -> list[dict[str, Any]]:
        return list(rows.values(*s.CASE_LIST_VALUES))


class CaseListPagination(PageNumberPagination):
    """The API's page-number pagination, returning the case list's rows as values."""

    django_paginator_class = _CaseValuesPaginator


@extend_schema_view(
    list=extend_schema(
        summary="List the cases you may see (filter, search, order, page)",
        responses={200: s.CaseListSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One case",
        responses={200: s.CaseDetailSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Open a case for a new applicant (advisors, admins); the applicant is invited",
        request=inputs.CaseOpenSerializer,
        responses={201: s.CaseDetailSerializer, **error_responses(400)},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    filterset_class = CaseFilterSet
    ordering_fields = (
        "opened_on",
        "reference",
        "stage",
        "target_submission_date",
        "intended_entry_date",
        "updated_at",
    )
    ordering = ("-opened_on", "-id")

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list_for_user(user=self.request.user)

    def list(self, request: Request) -> Response:
        # Keys first, then the page's 50 rows as plain values: the requirement counts
        # (subqueries) run for those rows only, however deep the page, and no model instances
        # are built (bench/api_throughput.py).
        paginator = CaseListPagination()
        qs = self.filter_queryset(self.get_queryset())
        rows = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([s.case_list_row(row) for row in rows])

    def get_serializer_class(self) -> type[BaseSerializer]:
        return s.CaseListSerializer if self.action == "list" else s.CaseDetailSerializer

    def _case(self) -> Case:
        return self.get_object()

    @extend_schema(
        summary="Change the case's planned dates, time zone or advisor (staff; 409 when stale)",
        request=record_inputs.CaseRecordSerializer,
        responses={200: s.CaseDetailSerializer, **error_responses(400, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        records_api.case_patch(request, self._case())
        fresh = self.get_queryset().get(pk=pk)
        return Response(s.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def create(self, request: Request) -> Response:
        if not permissions.can_open_case(request.user):
            raise NotAllowed(_("Only advisors and admins can open cases."))
        serializer = inputs.CaseOpenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visa_type = data.pop("visa_type")
        applicant = data.pop("applicant", None)
        case, _created = services.case_open_for_applicant(
            actor=request.user,
            visa_type=visa_type,
            applicant=applicant,
            advisor=data.pop("advisor", None),
            intended_entry_date=data.pop("intended_entry_date"),
            target_submission_date=data.pop("target_submission_date"),
            applicant_fields=None if applicant is not None else data,
        )
        case = self.get_queryset().get(pk=case.pk)
        body = s.CaseDetailSerializer(case, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move the case to another stage (409 with the reason when not allowed or stale)",
        request=inputs.TransitionSerializer,
        responses={200: s.CaseDetailSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        case = self._case()
        if not permissions.can_transition(request.user, case):
            raise NotAllowed(_("Only the case's advisor or an admin can change its stage."))
        serializer = inputs.TransitionSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.case_transition(case=case, actor=request.user, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(s.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The case's document requirements, in checklist order",
        responses={200: s.RequirementSerializer(many=True), **error_responses(404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=())
    def requirements(self, request: Request, pk: str | None = None) -> Response:
        case = self._case()
        return self._paged(selectors.requirement_list_for_case(case=case), s.RequirementSerializer)

    @extend_schema(
        summary="The case's timeline, newest first (internal events for staff only)",
        responses={200: s.CaseEventSerializer(many=True), **error_responses(404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=())
    def events(self, request: Request, pk: str | None = None) -> Response:
        case = self._case()
        qs = selectors.case_event_list(case=case, user=request.user)
        # Summaries are worded in the requester's language (token clients too).
        with translation.override(request.user.preferred_language or None):
            return self._paged(qs, s.CaseEventSerializer)

    @extend_schema(
        methods=["GET"],
        summary="The case's message thread, oldest first (internal notes for staff only)",
        responses={200: s.MessageSerializer(many=True), **error_responses(404)},
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Post a message (case staff may post internal notes)",
        request=inputs.MessageCreateSerializer,
        responses={201: s.MessageSerializer, **error_responses(400, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], filter_backends=())
    def messages(self, request: Request, pk: str | None = None) -> Response:
        case = self._case()
        if request.method == "GET":
            qs = selectors.message_list_for_case(case=case, user=request.user)
            return self._paged(qs, s.MessageSerializer)
        serializer = inputs.MessageCreateSerializer(
            data=request.data, context={"request": request, "case": case}
        )
        serializer.is_valid(raise_exception=True)
        message = services.message_post(case=case, author=request.user, **serializer.validated_data)
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Applicants you may see (staff: of visible cases; applicants: yourself)",
        responses={200: s.ApplicantSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One applicant",
        responses={200: s.ApplicantSerializer, **error_responses(404)},
    ),
)
class ApplicantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ApplicantSerializer
    filter_backends = (StableOrderingFilter,)
    ordering_fields = ("family_name", "given_names", "created_at")
    ordering = ("family_name", "given_names", "id")

    def get_queryset(self) -> QuerySet[Applicant]:
        return selectors.applicant_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Correct the applicant's identity and passport details (case staff; 409 when "
        "stale); the applicant proposes a correction instead (POST .../corrections/)",
        request=record_inputs.ApplicantRecordSerializer,
        responses={200: s.ApplicantSerializer, **error_responses(400, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        records_api.applicant_patch(request, self.get_object())
        return Response(s.ApplicantSerializer(self.get_queryset().get(pk=pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Visa types with their checklists",
        responses={200: s.VisaTypeSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One visa type with its checklist",
        responses={200: s.VisaTypeSerializer, **error_responses(404)},
    ),
)
class VisaTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.VisaTypeSerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]{1,8}"
    filter_backends = (StableOrderingFilter,)
    ordering_fields = ("code", "name")
    ordering = ("code",)

    def get_queryset(self) -> QuerySet[VisaType]:
        user = self.request.user
        qs = VisaType.objects.visible_to(user).prefetch_related("checklist")
        if user.is_authenticated and user.is_platform_admin:
            # Codes repeat across firms (each has its own K): a platform admin reads their own
            # firm's visa types, or the default firm's when they have none.
            qs = (
                qs.filter(firm_id=user.firm_id)
                if user.firm_id
                else qs.filter(firm__slug=DEFAULT_FIRM_SLUG)
            )
        if not self.request.user.is_staff_member:
            qs = qs.filter(active=True)
        return qs


def register(router: Any) -> None:
    """Add the cases endpoints to the API v1 router (``portal/api/urls.py``)."""
    router.register("cases", CaseViewSet, basename="case")
    router.register("requirements", RequirementViewSet, basename="requirement")
    router.register("documents", DocumentViewSet, basename="document")
    router.register("applicants", ApplicantViewSet, basename="applicant")
    router.register("visa-types", VisaTypeViewSet, basename="visa-type")
