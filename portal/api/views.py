"""API v1 account endpoints: the current user, a trivial ping, personal API tokens."""

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import services
from portal.api.errors import error_responses
from portal.api.pagination import StableOrderingFilter
from portal.api.permissions import IsStaffMember
from portal.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
    PingSerializer,
)
from portal.http import request_user
from portal.models import ApiToken

# --- views ---------------------------------------------------------------------------------


@csrf_exempt  # it changes nothing; CSRF's HTML 403 would hide the JSON 404 from token clients
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """JSON 404 for paths under /api/v1/ that match no endpoint (the error body of the API)."""
    body = {"code": "not_found", "detail": _("No such API endpoint or object.")}
    return JsonResponse(body, status=404)


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="The signed-in user",
        responses={200: MeSerializer, **error_responses()},
        tags=["account"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class PingView(APIView):
    """The cheapest authenticated JSON endpoint: the framework's own limit in benchmarks."""

    @extend_schema(
        operation_id="ping_retrieve",
        summary="Check authentication (trivial JSON)",
        responses={200: PingSerializer, **error_responses()},
        tags=["account"],
    )
    def get(self, request: Request) -> Response:
        return Response({"ok": True, "user": request.user.pk})


@extend_schema_view(
    list=extend_schema(
        summary="List API tokens (your own; admins: everyone's)",
        responses={200: ApiTokenSerializer(many=True), **error_responses()},
    ),
    retrieve=extend_schema(
        summary="One API token",
        responses={200: ApiTokenSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Create a personal API token; the key is in this response only",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, **error_responses(400)},
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        request=None,
        responses={204: None, **error_responses(404)},
    ),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = (permissions.IsAuthenticated, IsStaffMember)
    lookup_value_regex = r"[0-9]{1,18}"
    serializer_class = ApiTokenSerializer
    ordering_fields = ("created_at", "name", "last_used_at")
    filter_backends = (StableOrderingFilter,)

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.visible_to(request_user(self.request)).select_related("user")

    def create(self, request: Request) -> Response:
        serializer = ApiTokenCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=request_user(request),
            name=serializer.validated_data["name"],
            expires_in_days=serializer.validated_data.get("expires_in_days"),
        )
        token.key = key  # type: ignore[attr-defined]
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.api_token_revoke(token=self.get_object(), actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
