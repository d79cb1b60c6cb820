"""API of a case's questionnaire (registered under ``cases``): the definition, the answers
(GET; PATCH one section), comments, status transitions and the data sheet. The same
selectors and services as the HTML pages (``cases/views/questionnaires.py``)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions
from cases.api.base import ScopedViewSet
from cases.models import Case, ResponseStatus
from cases.selectors.questionnaires import CaseQuestionnaire, case_questionnaire, sheet_document
from cases.services import questionnaire_answers as services
from cases.services.access import questionnaire_sheet_access_record
from cases.views.shared import client_ip
from portal.api.errors import error_responses
from portal.api.language import RequesterLanguageMixin
from portal.api.serializers import StrictSerializer
from portal.errors import InvalidInput

TRANSITIONS = ("submitted", "returned", "approved")


class SectionAnswersSerializer(StrictSerializer):
    answers = serializers.DictField(help_text="Question key -> answer, for one section.")
    revision = serializers.IntegerField(
        required=False, min_value=0, help_text="The revision you read; a newer one answers 409."
    )
    require_answers = serializers.BooleanField(
        default=True, help_text="False saves a half-filled section (required check skipped)."
    )


class QuestionnaireTransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=TRANSITIONS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    revision = serializers.IntegerField(required=False, min_value=0)
    record_version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=(
            "For approved: the applicant record's version you read (GET /applicants/<id>/). "
            "Approval writes the confirmed identity and passport answers to the record; if the "
            "record changed since, 409 and nothing is approved. Left out: no such check."
        ),
    )


class CommentSerializer(StrictSerializer):
    question = serializers.CharField(max_length=50)
    body = serializers.CharField(max_length=2000)


def _state(cq: CaseQuestionnaire) -> dict[str, Any]:
    response = cq.response
    return {
        "status": cq.status,
        "revision": cq.revision,
        "version": cq.questionnaire.version if cq.questionnaire else None,
        "answers": cq.answers,
        "return_note": response.return_note if response else "",
        "comments": [
            {"question": key, "body": c.body, "created_at": c.created_at.isoformat()}
            for key, items in cq.comments.items()
            for c in items
        ],
    }


class QuestionnaireStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ResponseStatus.choices)
    revision = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    answers = serializers.DictField()
    return_note = serializers.CharField()
    comments = serializers.ListField(child=serializers.DictField())


class CaseQuestionnaireViewSet(RequesterLanguageMixin, ScopedViewSet):
    filter_backends = ()
    # DRF's OPTIONS answer describes the view's serializer, which this viewset has none of
    # (one per action): OPTIONS was a 500 (tests/portal/api/test_schemathesis.py); now 405.
    metadata_class = None

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.visible_to(self.request.user).select_related("applicant")

    def _load(self, *, staff: bool = False) -> tuple[Case, CaseQuestionnaire]:
        case = self.get_object()
        if staff and not permissions.is_case_staff(self.request.user, case):
            raise Http404("No such case.")
        cq = case_questionnaire(case=case, with_comments=True)
        if cq.questionnaire is None:
            raise Http404("This visa type has no questionnaire.")
        return case, cq

    @extend_schema(
        summary="The case's questionnaire: status, revision, answers, open comments",
        responses={200: QuestionnaireStateSerializer, **error_responses(404)},
    )
    @action(detail=True, methods=["get"])
    def questionnaire(self, request: Request, pk: str | None = None) -> Response:
        _case, cq = self._load()
        return Response(_state(cq))

    @extend_schema(
        summary="The questionnaire definition (sections and questions) the case uses",
        responses={200: OpenApiTypes.OBJECT, **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="questionnaire/definition")
    def questionnaire_definition(self, request: Request, pk: str | None = None) -> Response:
        _case, cq = self._load()
        q = cq.questionnaire
        assert q is not None  # noqa: S101 (``_load`` raised 404 otherwise)
        return Response(
            {"version": q.version, "title": q.title, "status": q.status, **q.definition}
        )

    @extend_schema(
        summary="Save the answers of one section (validated; nothing is stored on 400)",
        request=SectionAnswersSerializer,
        responses={200: QuestionnaireStateSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"questionnaire/sections/(?P<section>[a-z][a-z0-9_]{0,49})",
    )
    def questionnaire_section(
        self, request: Request, pk: str | None = None, section: str = ""
    ) -> Response:
        case, _cq = self._load()
        body = SectionAnswersSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            services.questionnaire_section_save(
                case=case,
                section_key=section,
                data=data["answers"],
                actor=request.user,
                require=data["require_answers"],
                revision=data.get("revision"),
            )
        except InvalidInput as exc:
            errors = exc.details.get("errors")
            if isinstance(errors, dict):
                raise serializers.ValidationError({k: [v] for k, v in errors.items()}) from exc
            raise
        return Response(_state(case_questionnaire(case=case, with_comments=True)))

    @extend_schema(
        summary="Send (applicant), return or approve (case staff) the questionnaire",
        request=QuestionnaireTransitionSerializer,
        responses={200: QuestionnaireStateSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="questionnaire/transition")
    def questionnaire_transition(self, request: Request, pk: str | None = None) -> Response:
        case, _cq = self._load()
        body = QuestionnaireTransitionSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["to"] == "submitted":
            services.questionnaire_submit(
                case=case, actor=request.user, revision=data.get("revision")
            )
        elif data["to"] == "returned":
            services.questionnaire_return(case=case, note=data.get("note", ""), actor=request.user)
        else:
            services.questionnaire_approve(
                case=case, actor=request.user, record_version=data.get("record_version")
            )
        return Response(_state(case_questionnaire(case=case, with_comments=True)))

    @extend_schema(
        summary="Comment on one answer (case staff)",
        request=CommentSerializer,
        responses={201: QuestionnaireStateSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="questionnaire/comments")
    def questionnaire_comments(self, request: Request, pk: str | None = None) -> Response:
        case, _cq = self._load()
        body = CommentSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        services.questionnaire_comment(
            case=case,
            question_key=body.validated_data["question"],
            body=body.validated_data["body"],
            actor=request.user,
        )
        return Response(_state(case_questionnaire(case=case, with_comments=True)), status=201)

    @extend_schema(
        summary="The data sheet of the approved questionnaire (case staff; read is logged)",
        responses={200: OpenApiTypes.OBJECT, **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="questionnaire/sheet")
    def questionnaire_sheet(self, request: Request, pk: str | None = None) -> Response:
        case, cq = self._load(staff=True)
        if cq.response is None or cq.status != ResponseStatus.APPROVED:
            raise Http404("The questionnaire is not approved yet.")
        questionnaire_sheet_access_record(
            response=cq.response, user=request.user, fmt="api", ip_address=client_ip(request)
        )
        return Response(sheet_document(case, cq.response))


def register(router: Any) -> None:
    """Add the questionnaire endpoints to the API v1 router (``portal/api/urls.py``)."""
    router.register("cases", CaseQuestionnaireViewSet, basename="case-questionnaire")
