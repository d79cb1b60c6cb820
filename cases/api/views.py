"""API v1 views of cases: thin wrappers that read through selectors and write through services.

Order of checks in every object action: fetch through a user-scoped selector (404 for what the
caller may not see), then the permission predicate (403), then the request body (400), then the
service (400/403/409 from domain errors).
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases import permissions, selectors, services
from cases.api import inputs
from cases.api import serializers as s
from cases.api.filters import CaseFilterSet, DocumentFilterSet, RequirementFilterSet
from cases.downloads import document_download_response
from cases.models import Applicant, Case, Document, DocumentRequirement, VisaType
from portal.api.errors import error_responses
from portal.api.pagination import FilterBackend, PageNumberPagination, StableOrderingFilter
from portal.errors import InvalidInput, NotAllowed
from portal.pagination import DeferredJoinPaginator

ID = r"[0-9]{1,18}"  # ids in URLs: digits within the 64-bit key range, else 404


class _CaseValuesPaginator(DeferredJoinPaginator):
    def fetch(self, rows: QuerySet) -> list[dict[str, Any]]:
        return list(rows.values(*s.CASE_LIST_VALUES))


class CaseListPagination(PageNumberPagination):
    """The API's page-number pagination, returning the case list's rows as values."""

    django_paginator_class = _CaseValuesPaginator


class _ScopedViewSet(viewsets.GenericViewSet):
    lookup_value_regex = ID
    filter_backends = (FilterBackend, StableOrderingFilter)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Query-string filters and ordering apply to lists; an object is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _paged(self, queryset: QuerySet, serializer_class: type[BaseSerializer]) -> Response:
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


# --- cases ------------------------------------------------------------------------------------


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
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
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

    def create(self, request: Request) -> Response:
        if not permissions.can_open_case(request.user):
            raise NotAllowed(_("Only advisors and admins can open cases."))
        serializer = inputs.CaseOpenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visa_type = data.pop("visa_type")
        advisor = data.pop("advisor", None) or (request.user if request.user.is_advisor else None)
        intended = data.pop("intended_entry_date")
        target = data.pop("target_submission_date")
        with transaction.atomic():
            applicant, _created = services.applicant_get_or_create(actor=request.user, **data)
            case = services.case_open(
                applicant=applicant,
                visa_type=visa_type,
                advisor=advisor,
                actor=request.user,
                intended_entry_date=intended,
                target_submission_date=target,
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


# --- requirements and documents ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Document requirements of the cases you may see",
        responses={200: s.RequirementSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One document requirement",
        responses={200: s.RequirementSerializer, **error_responses(404)},
    ),
)
class RequirementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    serializer_class = s.RequirementSerializer
    filterset_class = RequirementFilterSet
    ordering_fields = ("due_date", "position", "status", "updated_at")
    ordering = ("case_id", "position", "id")

    def get_queryset(self) -> QuerySet[DocumentRequirement]:
        return selectors.requirement_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Upload a new version of the requirement's document (multipart)",
        request={"multipart/form-data": inputs.UploadSerializer},
        responses={201: s.DocumentSerializer, **error_responses(400, 404)},
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=(parsers.MultiPartParser, parsers.FormParser),
        filter_backends=(),
    )
    def upload(self, request: Request, pk: str | None = None) -> Response:
        requirement = self.get_object()
        if not permissions.can_upload(request.user, requirement.case):
            raise NotAllowed(_("Documents cannot be uploaded to this case now."))
        if len(request.FILES.getlist("file")) > 1:
            # One version per request here; several documents go through the case page.
            raise InvalidInput(
                _("Send one file per request to this endpoint; each upload is one version.")
            )
        serializer = inputs.UploadSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        document = services.document_upload(
            requirement=requirement, stream=upload, filename=upload.name, actor=request.user
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Waive the requirement for this case, with a reason (case staff)",
        request=inputs.WaiveSerializer,
        responses={200: s.RequirementSerializer, **error_responses(400, 404)},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=())
    def waive(self, request: Request, pk: str | None = None) -> Response:
        requirement = self.get_object()
        if not permissions.can_review(request.user, requirement.case):
            raise NotAllowed(_("Only the case's advisor or an admin can waive a document."))
        serializer = inputs.WaiveSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.requirement_waive(
            requirement=requirement, reason=serializer.validated_data["reason"], actor=request.user
        )
        fresh = self.get_queryset().get(pk=requirement.pk)
        return Response(s.RequirementSerializer(fresh).data)


@extend_schema_view(
    list=extend_schema(
        summary="Document versions of the cases you may see, newest first",
        responses={200: s.DocumentSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One document version",
        responses={200: s.DocumentSerializer, **error_responses(404)},
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    serializer_class = s.DocumentSerializer
    filterset_class = DocumentFilterSet
    ordering_fields = ("uploaded_at", "version", "review_status")
    ordering = ("-uploaded_at", "-id")

    def get_queryset(self) -> QuerySet[Document]:
        return selectors.document_list_for_user(user=self.request.user).select_related(
            "requirement__case", "requirement__case__applicant"
        )

    @extend_schema(
        summary="Download the stored file (attachment, same headers as the web download)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(400, 404),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=())
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        return document_download_response(request, self.get_object())

    @extend_schema(
        summary="Accept or reject a document version (case staff; rejecting needs a reason)",
        request=inputs.ReviewSerializer,
        responses={200: s.DocumentSerializer, **error_responses(400, 404, 409)},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=())
    def review(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        if not permissions.can_review(request.user, document.requirement.case):
            raise NotAllowed(_("Only the case's advisor or an admin can review documents."))
        serializer = inputs.ReviewSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.document_review(document=document, actor=request.user, **serializer.validated_data)
        return Response(s.DocumentSerializer(self.get_queryset().get(pk=document.pk)).data)


# --- applicants, visa types -------------------------------------------------------------------


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
class ApplicantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    serializer_class = s.ApplicantSerializer
    filter_backends = (StableOrderingFilter,)
    ordering_fields = ("family_name", "given_names", "created_at")
    ordering = ("family_name", "given_names", "id")

    def get_queryset(self) -> QuerySet[Applicant]:
        return selectors.applicant_list_for_user(user=self.request.user)


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
class VisaTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    serializer_class = s.VisaTypeSerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]{1,8}"
    filter_backends = (StableOrderingFilter,)
    ordering_fields = ("code", "name")
    ordering = ("code",)

    def get_queryset(self) -> QuerySet[VisaType]:
        qs = VisaType.objects.prefetch_related("checklist")
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
