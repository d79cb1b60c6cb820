"""API v1 views of eligibility: an applicant's education and employment, and assessments.

Who may do what follows the HTML views (``cases/views_eligibility.py``): the applicant edits their
own qualifications and case staff correct them (others get 404); only case staff run an
assessment (the case's applicant gets 403, others 404); the applicant reads their own case's
assessments without the staff-only parts. Order of checks as in ``cases.api.cases``: scoped fetch
(404), permission (403), body (400), service (400/403 from domain errors).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases import permissions, selectors
from cases.api.base import ScopedViewSet
from cases.api.serializers import eligibility as s
from cases.models import Applicant, Case, Education, Employment
from cases.services import eligibility as services_eligibility
from cases.services import qualifications as services_qualifications
from eligibility import selectors as eligibility_selectors
from eligibility.models import Assessment, FieldLevel, FieldOfStudy, Institution
from portal.api.errors import error_responses, service_field_errors
from portal.api.language import RequesterLanguageMixin
from portal.errors import NotAllowed


@dataclass(frozen=True)
class _Kind:
    """One kind of qualification row and the services that write it."""

    name: str
    model: type[Model]
    read: type[BaseSerializer]
    write: type[BaseSerializer]
    fields: tuple[str, ...]
    save: Callable[..., Any]
    delete: Callable[..., None]
    list_for_applicant: Callable[..., QuerySet]
    list_for_user: Callable[..., QuerySet]


EDUCATION = _Kind(
    name="education",
    model=Education,
    read=s.EducationSerializer,
    write=s.EducationInputSerializer,
    fields=services_qualifications.EDUCATION_FIELDS,
    save=services_qualifications.education_save,
    delete=services_qualifications.education_delete,
    list_for_applicant=selectors.education_list_for_applicant,
    list_for_user=selectors.education_list_for_user,
)
EMPLOYMENT = _Kind(
    name="employment",
    model=Employment,
    read=s.EmploymentSerializer,
    write=s.EmploymentInputSerializer,
    fields=services_qualifications.EMPLOYMENT_FIELDS,
    save=services_qualifications.employment_save,
    delete=services_qualifications.employment_delete,
    list_for_applicant=selectors.employment_list_for_applicant,
    list_for_user=selectors.employment_list_for_user,
)


def _check_can_edit(user: Any, applicant: Applicant) -> None:
    if not permissions.can_edit_applicant(user, applicant):
        raise NotAllowed(_("You cannot change this applicant's qualifications."))


# --- applicants/<pk>/education/, applicants/<pk>/employment/ ----------------------------------


class ApplicantQualificationViewSet(RequesterLanguageMixin, ScopedViewSet):
    # The applicant's degrees and jobs: list and add (registered under ``applicants``).
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Applicant]:
        return selectors.applicant_list_for_user(user=self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        kind = EMPLOYMENT if self.action == "employment" else EDUCATION
        return kind.write if self.request.method == "POST" else kind.read

    def _rows(self, request: Request, kind: _Kind) -> Response:
        applicant = self.get_object()
        if request.method == "GET":
            return self._paged(kind.list_for_applicant(applicant=applicant), kind.read)
        _check_can_edit(request.user, applicant)
        serializer = kind.write(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with service_field_errors():
            row = kind.save(
                applicant=applicant, actor=request.user, data=dict(serializer.validated_data)
            )
        fresh = kind.list_for_applicant(applicant=applicant).get(pk=row.pk)
        return Response(kind.read(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The applicant's degrees, latest graduation first",
        responses={200: s.EducationSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a degree (the applicant, or staff on one of their cases)",
        request=s.EducationInputSerializer,
        responses={201: s.EducationSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "post"])
    def education(self, request: Request, pk: str | None = None) -> Response:
        return self._rows(request, EDUCATION)

    @extend_schema(
        methods=["GET"],
        summary="The applicant's jobs, latest start first",
        responses={200: s.EmploymentSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a job (the applicant, or staff on one of their cases)",
        request=s.EmploymentInputSerializer,
        responses={201: s.EmploymentSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "post"])
    def employment(self, request: Request, pk: str | None = None) -> Response:
        return self._rows(request, EMPLOYMENT)


# --- education/<pk>/, employment/<pk>/ --------------------------------------------------------


class _QualificationViewSet(RequesterLanguageMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    kind: _Kind
    filter_backends = ()

    def get_queryset(self) -> QuerySet:
        return self.kind.list_for_user(user=self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.kind.read

    def _save(self, request: Request, *, partial: bool) -> Response:
        row = self.get_object()
        _check_can_edit(request.user, row.applicant)
        context = {"request": request}
        serializer = self.kind.write(data=request.data, partial=partial, context=context)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data or not partial:
            # PATCH: the fields sent over the stored ones; the service checks the whole row.
            data = {f: getattr(row, f) for f in self.kind.fields} if partial else {}
            data.update(serializer.validated_data)
            with service_field_errors():
                self.kind.save(
                    applicant=row.applicant,
                    actor=request.user,
                    data=data,
                    **{self.kind.name: row},
                )
        return Response(self.kind.read(self.get_queryset().get(pk=row.pk)).data)

    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._save(request, partial=False)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._save(request, partial=True)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        row = self.get_object()
        _check_can_edit(request.user, row.applicant)
        self.kind.delete(**{self.kind.name: row}, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _qualification_schema(kind: _Kind, what: str) -> Callable[[type], type]:
    return extend_schema_view(
        retrieve=extend_schema(
            summary=f"One {what}", responses={200: kind.read, **error_responses(404)}
        ),
        update=extend_schema(
            summary=f"Replace a {what} (omitted optional fields take their defaults)",
            request=kind.write,
            responses={200: kind.read, **error_responses(400, 404)},
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of a {what}",
            request=kind.write,
            responses={200: kind.read, **error_responses(400, 404)},
        ),
        destroy=extend_schema(
            summary=f"Remove a {what}", request=None, responses={204: None, **error_responses(404)}
        ),
    )


@_qualification_schema(EDUCATION, "degree")
class EducationViewSet(_QualificationViewSet):
    kind = EDUCATION


@_qualification_schema(EMPLOYMENT, "job")
class EmploymentViewSet(_QualificationViewSet):
    kind = EMPLOYMENT


# --- cases/<pk>/assessments/, assessments/<pk>/ -----------------------------------------------


class CaseAssessmentViewSet(RequesterLanguageMixin, ScopedViewSet):
    # A case's assessments: list and run (registered under ``cases``).
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.visible_to(self.request.user).select_related(
            "applicant", "visa_type", "advisor"
        )

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.request.method == "POST":
            return s.AssessmentRunSerializer
        return s.AssessmentSerializer

    @extend_schema(
        methods=["GET"],
        summary="The case's assessments, newest first (staff-only fields null for applicants)",
        responses={200: s.AssessmentSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Run an assessment of the case now (case staff; the applicant gets 403)",
        request=s.AssessmentRunSerializer,
        responses={201: s.AssessmentDetailSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "post"])
    def assessments(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        staff = permissions.is_case_staff(request.user, case)
        if request.method == "GET":
            page = self.paginate_queryset(
                eligibility_selectors.assessment_list_for_case(case_id=case.pk)
            )
            context = {**self.get_serializer_context(), "staff": staff}
            data = s.AssessmentSerializer(page, many=True, context=context).data
            return self.get_paginated_response(data)
        if not permissions.can_assess(request.user, case):
            raise NotAllowed(_("Only the case's advisor or an admin can run an assessment."))
        serializer = s.AssessmentRunSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assessment = services_eligibility.case_assess(
            case=case, actor=request.user, **serializer.validated_data
        )
        fresh = eligibility_selectors.assessment_list_for_user(user=request.user).get(
            pk=assessment.pk
        )
        body = s.AssessmentDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One assessment: per-criterion results and explanations, what is missing, other "
        "routes (staff also get the facts snapshot, flag, trigger, basis and citations)",
        responses={200: s.AssessmentDetailSerializer, **error_responses(404)},
    ),
)
class AssessmentViewSet(RequesterLanguageMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.AssessmentDetailSerializer
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Assessment]:
        return eligibility_selectors.assessment_list_for_user(user=self.request.user)


# --- reference lists: fields of study, institutions -------------------------------------------


class FieldOfStudyFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        choices=FieldLevel.choices, help_text="Education rows need a detailed field."
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, help_text="Code starts with, or name contains."
    )

    class Meta:
        model = FieldOfStudy
        fields = ("level", "search")

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__startswith=value) | Q(name_en__icontains=value) | Q(name_zh__icontains=value)
        )


class InstitutionFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=100, help_text="Name contains."
    )

    class Meta:
        model = Institution
        fields = ("country", "search")


@extend_schema_view(
    list=extend_schema(
        summary="ISCED-F 2013 fields of study (the codes education and employment rows use)",
        responses={200: s.FieldOfStudySerializer(many=True), **error_responses(400)},
    ),
)
class FieldOfStudyViewSet(RequesterLanguageMixin, mixins.ListModelMixin, ScopedViewSet):
    serializer_class = s.FieldOfStudySerializer
    filterset_class = FieldOfStudyFilterSet
    ordering_fields = ("code",)
    ordering = ("code",)

    def get_queryset(self) -> QuerySet[FieldOfStudy]:
        return FieldOfStudy.objects.select_related("parent")


@extend_schema_view(
    list=extend_schema(
        summary="Universities and research institutions (ids for education and employment rows)",
        responses={200: s.InstitutionSerializer(many=True), **error_responses(400)},
    ),
)
class InstitutionViewSet(RequesterLanguageMixin, mixins.ListModelMixin, ScopedViewSet):
    serializer_class = s.InstitutionSerializer
    filterset_class = InstitutionFilterSet
    ordering_fields = ("name", "country")
    ordering = ("name", "id")

    def get_queryset(self) -> QuerySet[Institution]:
        return Institution.objects.all()


def register(router: Any) -> None:
    """Add the eligibility endpoints to the API v1 router (``portal/api/urls.py``)."""
    router.register("applicants", ApplicantQualificationViewSet, basename="applicant-qualification")
    router.register("education", EducationViewSet, basename="education")
    router.register("employment", EmploymentViewSet, basename="employment")
    router.register("cases", CaseAssessmentViewSet, basename="case-assessment")
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("fields-of-study", FieldOfStudyViewSet, basename="field-of-study")
    router.register("institutions", InstitutionViewSet, basename="institution")
