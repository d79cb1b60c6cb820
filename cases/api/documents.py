"""API v1 views of document requirements and document versions: lists, uploads, review,
waivers, downloads and preview pages."""

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions, selectors, services
from cases.api.base import ScopedViewSet
from cases.api.filters import DocumentFilterSet, RequirementFilterSet
from cases.api.serializers import cases as s
from cases.api.serializers import inputs
from cases.models import Document, DocumentRequirement
from cases.views.downloads import document_download_response, document_preview_response
from portal.api.errors import error_responses
from portal.errors import InvalidInput, NotAllowed


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
class RequirementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.RequirementSerializer
    filterset_class = RequirementFilterSet
    ordering_fields = ("due_date", "position", "status", "updated_at")
    ordering = ("case_id", "position", "id")

    def get_queryset(self) -> QuerySet[DocumentRequirement]:
        if self.action == "upload":
            return selectors.requirement_list_for_upload(user=self.request.user)
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
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
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
        summary="One page of the version's preview: a PNG made on the server, never the file "
        "itself (same permission check and access log as the download)",
        parameters=[
            OpenApiParameter(
                "page",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description="The page, from 1 (default 1) up to the version's "
                "preview.page_count; the URLs are listed in preview.pages.",
            )
        ],
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(400, 404),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=())
    def preview(self, request: Request, pk: str | None = None) -> FileResponse:
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or len(raw) > 4 or int(raw) < 1:
            raise exceptions.ValidationError(
                {"page": [_("The page must be a whole number from 1, such as page=1.")]}
            )
        return document_preview_response(request, self.get_object(), int(raw))

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
