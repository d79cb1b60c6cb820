"""HTML views of the applicant's own pages (``/my/...``): cases, a case, who opened my
files, my data."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import selectors
from cases.forms import (
    UploadForm,
)
from cases.models import WaitingOn
from cases.selectors.corrections import correction_latest_for_applicant
from cases.selectors.deadlines import case_deadlines_for_applicant
from cases.services import privacy
from cases.views.shared import applicant_case, case_page_context, client_ip


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff_member:
        return redirect("cases:list")
    cases = list(selectors.applicant_cases(user=request.user))
    return render(request, "cases/my_cases.html", {"cases": cases})


@login_required
@require_GET
def my_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = applicant_case(request, pk)
    context = case_page_context(request, case)
    context["upload_form"] = UploadForm()
    context["correction"] = correction_latest_for_applicant(
        applicant=case.applicant, user=request.user
    )
    context["upcoming_items"], context["overdue_items"] = case_deadlines_for_applicant(case=case)
    # GOV.UK order (issue 11): first what the applicant must do, then what waits on the advisor.
    requirements = list(context["requirements"])
    context["to_do"] = [
        r for r in requirements if r.required and r.waiting_on == WaitingOn.APPLICANT
    ]
    context["with_advisor"] = [r for r in requirements if r.waiting_on == WaitingOn.ADVISOR]
    return render(request, "cases/my_case_detail.html", context)


@login_required
@require_GET
def my_access(request: HttpRequest) -> HttpResponse:
    """Applicant page: who opened the applicant's files, when, which version."""
    if request.user.is_staff_member:
        raise Http404
    return render(
        request,
        "cases/my_access.html",
        {"accesses": selectors.applicant_access_list(user=request.user)},
    )


@login_required
def my_export(request: HttpRequest) -> HttpResponse:
    """Applicant page: download everything the portal holds about them as one ZIP (POST)."""
    if request.user.is_staff_member:
        raise Http404
    if request.method != "POST":
        return render(request, "cases/my_export.html")
    archive = privacy.applicant_export_archive(user=request.user, ip_address=client_ip(request))
    stamp = timezone.now().strftime("%Y%m%d")
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"visa-portal-my-data-{stamp}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
