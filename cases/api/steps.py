"""API v1 views of case steps: a case's steps (its staff see all, its applicant the visible
ones), and ticking or unticking one (case staff)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions
from cases.api.base import ScopedViewSet
from cases.api.serializers.reminders import NO_FIELDS_REQUEST, NoFieldsSerializer
from cases.api.serializers.steps import CaseStepSerializer, StepTickSerializer
from cases.models import Case, CaseStep
from cases.selectors import steps as selectors
from cases.services import steps as services
from portal.api.errors import error_responses, service_field_errors
from portal.api.language import RequesterLanguageMixin
from portal.errors import NotAllowed


class CaseStepListViewSet(RequesterLanguageMixin, ScopedViewSet):
    # A case's steps (registered under ``cases``).
    filter_backends = ()
    serializer_class = CaseStepSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.visible_to(self.request.user)

    @extend_schema(
        summary="The case's steps in order (the applicant: the steps shown to them)",
        responses={200: CaseStepSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"])
    def steps(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        return self._paged(
            selectors.step_list_for_case(case=case, user=request.user), CaseStepSerializer
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="One case step (the applicant: only a step shown to them)",
        responses={200: CaseStepSerializer, **error_responses()},
    ),
)
class StepViewSet(RequesterLanguageMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = CaseStepSerializer
    filter_backends = ()

    def get_queryset(self) -> QuerySet[CaseStep]:
        return CaseStep.objects.visible_to(self.request.user).select_related(
            "case", "case__applicant", "case__advisor", "done_by"
        )

    def _fresh(self, step: CaseStep) -> Response:
        data = CaseStepSerializer(
            self.get_queryset().get(pk=step.pk), context=self.get_serializer_context()
        ).data
        return Response(data)

    def _staff_step(self) -> CaseStep:
        """The step, for its case's staff: 404 for a step one may not see, 403 for its
        applicant (who sees it but does not tick it), before the body is read."""
        step: CaseStep = self.get_object()
        if not permissions.is_case_staff(self.request.user, step.case):
            raise NotAllowed(_("Only the case's advisor or an admin can tick case steps."))
        return step

    @extend_schema(
        summary="Tick a step as done on a date, with an optional note (case staff)",
        request=StepTickSerializer,
        responses={200: CaseStepSerializer, **error_responses(400, 409)},
    )
    @action(detail=True, methods=["post"])
    def tick(self, request: Request, pk: str | None = None) -> Response:
        step = self._staff_step()
        serializer = StepTickSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        with service_field_errors():
            services.step_tick(step=step, actor=request.user, **data)
        return self._fresh(step)

    @extend_schema(
        summary="Open a ticked step again (case staff)",
        request=NO_FIELDS_REQUEST,
        responses={200: CaseStepSerializer, **error_responses(400, 409)},
    )
    @action(detail=True, methods=["post"])
    def untick(self, request: Request, pk: str | None = None) -> Response:
        step = self._staff_step()
        NoFieldsSerializer(data=request.data, context={"request": request}).is_valid(
            raise_exception=True
        )
        services.step_untick(step=step, actor=request.user)
        return self._fresh(step)


def register(router: Any) -> None:
    """Add the case steps endpoints to the API v1 router (``portal/api/urls.py``)."""
    router.register("cases", CaseStepListViewSet, basename="case-step")
    router.register("steps", StepViewSet, basename="step")
