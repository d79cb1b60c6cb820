"""Helpers every HTML view of the ``cases`` app shares: fetching a case for a role (404 for
everyone else), running a service call, reporting form errors, the client's IP address."""

from collections.abc import Callable
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from cases import permissions, selectors
from cases.forms import MessageForm
from cases.models import MAIN_LINE, Case, Stage
from cases.selectors.eligibility import missing_fact_labels
from cases.selectors.steps import steps_by_stage
from cases.uploads import accepted_labels
from eligibility.selectors import current_assessment
from portal.errors import PortalError


def staff_case(request: HttpRequest, pk: int) -> Case:
    """The case if the user is staff on it; applicants and outsiders get 404."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not permissions.is_case_staff(request.user, case):
        raise Http404("No such case.")
    return case


def applicant_case(request: HttpRequest, pk: int) -> Case:
    """The case if the user is its applicant; everyone else gets 404."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not permissions.is_case_applicant(request.user, case):
        raise Http404("No such case.")
    return case


def case_url(request: HttpRequest, case: Case) -> str:
    if permissions.is_case_staff(request.user, case):
        return reverse("cases:detail", args=[case.pk])
    return reverse("cases:my_detail", args=[case.pk])


def run_service(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service call; report a domain error as a message instead of a 500."""
    try:
        action()
    except PortalError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def client_ip(request: HttpRequest) -> str | None:
    return get_client_ip_address(request) or None


def case_page_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    requirements = selectors.case_requirements(case=case)
    for r in requirements:
        r.accepted_label = accepted_labels(list(r.accepted_types))
    stage_index = MAIN_LINE.index(case.stage) if case.stage in MAIN_LINE else -1
    assessment = current_assessment(case_id=case.pk)
    return {
        "case": case,
        "requirements": requirements,
        "messages_thread": selectors.case_messages(case=case, user=request.user),
        "timeline": selectors.case_timeline(case=case, user=request.user),
        "main_line": [
            (s, Stage(s).label, i < stage_index, i == stage_index) for i, s in enumerate(MAIN_LINE)
        ],
        "message_form": MessageForm(),
        "can_upload": permissions.can_upload(request.user, case),
        "assessment": assessment,
        "step_groups": steps_by_stage(case=case, user=request.user),
        "assessment_missing": missing_fact_labels(
            assessment.missing_facts if assessment else [], requirements, get_language() or "en"
        ),
    }
