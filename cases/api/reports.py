"""API v1 of the reports (issue 16): ``GET reports/`` gives every report's figures as JSON,
from the same selectors and with the same scope as the reports page (advisors their cases,
supervisors and admins their firm; applicants 404) and the same filters, checked by the same
form (a bad date, period or advisor is a 400 naming the field)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.serializers.reports import ReportQuerySerializer, ReportSerializer
from cases.forms.reports import DEFAULT_REPORT_DAYS, ReportFilterForm
from cases.models import Stage
from cases.selectors import reports as selectors
from cases.selectors.cases import DUE_SOON_DAYS
from portal.api.errors import error_responses
from portal.api.language import RequesterLanguageMixin


def _filters(request: Request) -> selectors.ReportFilters:
    form = ReportFilterForm(
        request.query_params or None, user=request.user, today=timezone.localdate()
    )
    if form.is_bound and not form.is_valid():
        raise serializers.ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
                for name, messages in form.errors.items()
            }
        )
    data = form.cleaned_data if form.is_bound else {}
    end = data.get("end") or timezone.localdate()
    start = data.get("start") or end - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1)
    advisor = data.get("advisor") or ""
    return selectors.ReportFilters(
        start,
        end,
        data.get("visa_type") or "",
        advisor_id=int(advisor) if advisor.isdigit() else None,
        unassigned=advisor == "none",
    )


def _label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


class _OneObjectSchema(AutoSchema):
    """``GET reports/`` answers one object, not a list (drf-spectacular assumes a list for a
    viewset's ``list`` action)."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class ReportViewSet(RequesterLanguageMixin, viewsets.ViewSet):
    schema = _OneObjectSchema()

    @extend_schema(
        summary="Every report's figures over the cases you may see (staff only)",
        parameters=[ReportQuerySerializer],
        responses={200: ReportSerializer, **error_responses(400)},
    )
    def list(self, request: Request) -> Response:
        filters = _filters(request)
        cases = selectors.report_cases_for_user(user=request.user, filters=filters)
        now = timezone.now()
        waiting = selectors.review_waiting(cases, filters, now=now)
        body: dict[str, Any] = {
            "start": filters.start,
            "end": filters.end,
            "visa_type": filters.visa_code,
            "advisor": "none"
            if filters.unassigned
            else (str(filters.advisor_id) if filters.advisor_id else ""),
            "open_cases": [
                {"stage": st, "stage_label": _label(st), "visa_type": code, "count": n}
                for (st, code), n in sorted(selectors.open_by_stage_and_visa(cases).items())
            ],
            "stage_days": [
                {
                    "stage": st,
                    "stage_label": _label(st),
                    "count": sp.count,
                    "median_days": sp.median,
                    "p90_days": sp.p90,
                }
                for st, sp in sorted(selectors.days_per_stage(cases, filters).items())
            ],
            "review_waiting": {
                "reviews_done": {
                    "count": waiting.done.count,
                    "median_days": waiting.done.median,
                    "p90_days": waiting.done.p90,
                },
                "waiting_now": waiting.waiting,
                "oldest_waiting_days": waiting.oldest_waiting_days,
            },
            "outcomes": [
                {
                    "month": o.month,
                    "visa_type": o.visa_code,
                    "approved": o.approved,
                    "refused": o.refused,
                    "withdrawn": o.withdrawn,
                }
                for o in selectors.outcomes_by_month(cases, filters)
            ],
            "weeks": [
                {"week_start": w.start, "opened": w.opened, "closed": w.closed}
                for w in selectors.opened_closed_per_week(cases, filters).weeks
            ],
            "due_soon_days": DUE_SOON_DAYS,
            "deadlines_by_advisor": [
                {
                    "advisor": d.advisor_id,
                    "advisor_name": d.name,
                    "overdue": d.overdue,
                    "due_soon": d.due_soon,
                }
                for d in selectors.deadlines_by_advisor(
                    cases, viewer=request.user, filters=filters, now=now
                )
            ],
        }
        return Response(ReportSerializer(body).data)


def register(router: Any) -> None:
    """Add the report data endpoint to the API v1 router (``portal/api/urls.py``)."""
    router.register("reports", ReportViewSet, basename="report")
