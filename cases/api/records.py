"""API v1 of the record edits: ``PATCH cases/<pk>/`` and ``PATCH applicants/<pk>/`` (case
staff; the bodies carry the ``version`` read), and the applicant's corrections:
``applicants/<pk>/corrections/`` (list; the applicant proposes) and
``corrections/<pk>/{confirm,decline}/`` (case staff decide).

Order of checks as in ``cases.api.cases``: scoped fetch (404), permission (403), body (400),
service (400/403/409 from domain errors).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions, selectors
from cases.api.base import ScopedViewSet
from cases.api.serializers import records as s
from cases.api.serializers.reminders import NO_FIELDS_REQUEST, NoFieldsSerializer
from cases.models import Applicant, Case, CorrectionProposal
from cases.selectors.corrections import correction_list_for_user
from cases.services.corrections import correction_decide, correction_propose
from cases.services.records import applicant_record_update, case_record_update
from portal.api.errors import error_responses, service_field_errors
from portal.errors import NotAllowed


def case_patch(request: Request, case: Case) -> None:
    """The body of ``PATCH cases/<pk>/`` for a case the caller may see."""
    if not permissions.can_edit_case_record(request.user, case):
        raise NotAllowed(_("Only the case's advisor, a supervisor or an admin can change it."))
    serializer = s.CaseRecordSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    version = data.pop("version")
    with service_field_errors():
        case_record_update(case=case, actor=request.user, changes=data, version=version)


def applicant_patch(request: Request, applicant: Applicant) -> None:
    """The body of ``PATCH applicants/<pk>/`` for an applicant the caller may see."""
    if not permissions.can_edit_applicant_record(request.user, applicant):
        raise NotAllowed(
            _(
                "Only the advisor of one of your cases can change these details. To correct "
                "them, propose a correction (POST applicants/%(id)s/corrections/)."
            )
            % {"id": applicant.pk}
        )
    serializer = s.ApplicantRecordSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    version = data.pop("version")
    with service_field_errors():
        applicant_record_update(
            applicant=applicant, actor=request.user, changes=data, version=version
        )


class ApplicantCorrectionViewSet(ScopedViewSet):
    # applicants/<pk>/corrections/ (registered under ``applicants``).
    filter_backends = ()
    serializer_class = s.CorrectionSerializer

    def get_queryset(self) -> QuerySet[Applicant]:
        return selectors.applicant_list_for_user(user=self.request.user)

    @extend_schema(
        methods=["GET"],
        summary="The applicant's corrections, newest first",
        responses={200: s.CorrectionSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Propose a correction of your own details (the applicant); replaces a pending one",
        request=s.CorrectionCreateSerializer,
        responses={201: s.CorrectionSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"])
    def corrections(self, request: Request, pk: str | None = None) -> Response:
        applicant = self.get_object()
        if request.method == "GET":
            qs = correction_list_for_user(user=request.user).filter(applicant=applicant)
            return self._paged(qs, s.CorrectionSerializer)
        if not permissions.can_propose_correction(request.user, applicant):
            raise NotAllowed(
                _("Only the applicant proposes corrections; staff change the details directly.")
            )
        serializer = s.CorrectionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        note = data.pop("note", "")
        with service_field_errors():
            proposal = correction_propose(
                applicant=applicant, actor=request.user, changes=data, note=note
            )
        return Response(s.CorrectionSerializer(proposal).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One correction", responses={200: s.CorrectionSerializer, **error_responses(404)}
    ),
)
class CorrectionViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.CorrectionSerializer
    filter_backends = ()

    def get_queryset(self) -> QuerySet[CorrectionProposal]:
        return correction_list_for_user(user=self.request.user)

    def _decide(self, request: Request, *, confirm: bool, reason: str = "") -> Response:
        proposal = self.get_object()
        with service_field_errors():
            correction_decide(proposal=proposal, actor=request.user, confirm=confirm, reason=reason)
        return Response(s.CorrectionSerializer(proposal).data)

    def _check(self, request: Request) -> None:
        if not permissions.can_edit_applicant_record(request.user, self.get_object().applicant):
            raise NotAllowed(_("Only the advisor of one of the applicant's cases can decide this."))

    @extend_schema(
        summary="Confirm the correction: its values are written (case staff)",
        request=NO_FIELDS_REQUEST,
        responses={200: s.CorrectionSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        self._check(request)
        NoFieldsSerializer(data=request.data, context={"request": request}).is_valid(
            raise_exception=True
        )
        return self._decide(request, confirm=True)

    @extend_schema(
        summary="Decline the correction with a reason the applicant reads (case staff)",
        request=s.CorrectionDeclineSerializer,
        responses={200: s.CorrectionSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        self._check(request)
        serializer = s.CorrectionDeclineSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._decide(request, confirm=False, reason=serializer.validated_data["reason"])


def register(router: Any) -> None:
    """Add the corrections endpoints to the API v1 router (``portal/api/urls.py``)."""
    router.register("applicants", ApplicantCorrectionViewSet, basename="applicant-correction")
    router.register("corrections", CorrectionViewSet, basename="correction")
