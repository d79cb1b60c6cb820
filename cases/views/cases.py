"""HTML views of the advisor's case pages: list, open, detail, stage moves, messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, selectors, services
from cases.forms import (
    AdvisorAssignForm,
    AssessForm,
    CaseFilterForm,
    CaseOpenForm,
    MessageForm,
    ReviewForm,
    TransitionForm,
    WaiveForm,
)
from cases.forms.reminders import TaskForm
from cases.models import Stage
from cases.reminders.schedule import local_today
from cases.selectors.case_summary import case_summary_for_staff
from cases.selectors.corrections import correction_pending_for_case, correction_rows
from cases.selectors.invitations import invitation_status_for_case
from cases.selectors.reminders import task_list_for_case
from cases.services import applicants as services_applicants
from cases.services.steps import FINISHED_STAGES
from cases.views.shared import case_page_context, case_url, form_errors, run_service, staff_case
from portal.audit import audit_access
from portal.errors import PortalError
from portal.pagination import DeferredJoinPaginator
from portal.spreadsheets import table_response


def _case_filters(
    request: HttpRequest, *, warn: bool = True
) -> tuple[CaseFilterForm, selectors.CaseFilters]:
    """The case list's filters from the query string; bad values are ignored, with a warning
    when ``warn`` (the form shows what was wrong beside its field)."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = selectors.CaseFilters()
    if form.is_bound and not form.is_valid():
        if warn:
            messages.warning(request, _("Some filters were not understood and were ignored."))
    elif form.is_valid():
        data = form.cleaned_data
        advisor = data.get("advisor") or ""  # supervisors and admins only (CaseFilterForm)
        filters = selectors.CaseFilters(
            stage=data["stage"],
            visa_type=data["visa_type"],
            overdue=data["overdue"],
            due_soon=data["due_soon"],
            search=data["q"],
            advisor_id=int(advisor) if advisor.isdigit() else None,
            unassigned=advisor == "none",
            awaiting_review=data["awaiting_review"],
            decision=data["decision"],
            left_stage=data["left_stage"],
            **{name: data[name] for pair in CaseFilterForm.RANGES for name in pair},
        )
    return form, filters


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        return redirect("cases:my_cases")
    form, filters = _case_filters(request)
    qs = selectors.case_list_for_user(user=request.user, filters=filters)
    page = DeferredJoinPaginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "max_export_rows": MAX_EXPORT_ROWS,
        },
    )


# A download holds at most this many cases: past it, the list asks for narrower filters
# (a spreadsheet of a whole large firm is neither readable nor cheap to build).
MAX_EXPORT_ROWS = 20_000


@login_required
@require_GET
def case_list_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The case list with its current filters as CSV (streamed, formula-escaped) or XLSX:
    the same columns as the page, every matching case, at most ``MAX_EXPORT_ROWS``. Staff
    only (others: 404); the export is recorded in the audit log."""
    if not request.user.is_staff_member:
        raise Http404
    form, filters = _case_filters(request, warn=False)
    query = request.GET.copy()
    back = reverse("cases:list") + ("?" + query.urlencode() if query else "")
    if form.is_bound and form.errors:
        # A download of everything when a filter was mistyped would look like the filtered
        # list; send the person back to the list, which shows each field's message.
        messages.error(
            request, _("Some filters were not understood. Correct them, then download again.")
        )
        return redirect(back)
    qs = selectors.case_list_for_user(user=request.user, filters=filters)
    total = qs.count()
    if total > MAX_EXPORT_ROWS:
        messages.error(
            request,
            _(
                "%(n)d cases match these filters; a download holds at most %(max)d. "
                "Narrow the filters and download again."
            )
            % {"n": total, "max": MAX_EXPORT_ROWS},
        )
        return redirect(back)
    audit_access(
        request.user,
        actor=request.user,
        additional_data={"export": "case_list", "format": fmt, "filters": query.dict()},
    )
    header = [
        _("Reference"),
        _("Applicant"),
        _("Visa"),
        _("Stage"),
        _("Advisor"),
        _("Opened"),
        _("Still needed"),
        _("To review"),
        _("Overdue"),
    ]
    rows = (
        [
            case.reference,
            case.applicant.full_name,
            case.visa_type.code,
            case.get_stage_display(),
            str(case.advisor) if case.advisor else "",
            case.opened_on,
            case.outstanding_count,
            case.awaiting_review_count,
            case.overdue_count,
        ]
        for case in qs.iterator(chunk_size=1000)
    )
    stem = f"cases-{timezone.localdate().isoformat()}"
    return table_response(fmt, stem, str(_("Cases")), [str(h) for h in header], rows)


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case for a new applicant, or (``?applicant=<id>``, the "Open another case" link
    of a case page) for an existing applicant the user may see; anyone else's is 404."""
    if not permissions.can_open_case(request.user):
        raise Http404
    applicant = None
    if request.GET.get("applicant"):
        applicant = selectors.applicant_get_for_user(user=request.user, pk=request.GET["applicant"])
    form = CaseOpenForm(request.POST or None, actor=request.user, applicant=applicant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, created = services.case_open_for_applicant(
                actor=request.user,
                applicant=applicant,
                applicant_fields=None if applicant else form.applicant_fields(),
                visa_type=data["visa_type"],
                advisor=data["advisor"],
                intended_entry_date=data["intended_entry_date"],
                target_submission_date=data["target_submission_date"],
            )
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            if created:
                text = _("Case %(ref)s opened; an invitation was sent to %(email)s.")
            else:
                text = _("Case %(ref)s opened for %(name)s, with their recorded details.")
            messages.success(
                request,
                text
                % {
                    "ref": case.reference,
                    "email": case.applicant.email,
                    "name": case.applicant.full_name,
                },
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_open.html", {"form": form, "applicant": applicant})


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    context = case_page_context(request, case)
    correction = correction_pending_for_case(case=case, user=request.user)
    context.update(
        correction=correction,
        summary=case_summary_for_staff(
            case=case, requirements=context["requirements"], user=request.user
        ),
        correction_rows=correction_rows(correction) if correction else [],
        transitions=[(s, Stage(s).label) for s in services.allowed_transitions(case)],
        ready_check=services.case_ready_check(case=case) if case.stage == Stage.REVIEW else None,
        review_form=ReviewForm(),
        waive_form=WaiveForm(),
        transition_form=TransitionForm(),
        assess_form=AssessForm(),
        tasks=list(task_list_for_case(case=case)),
        invitation=invitation_status_for_case(case=case),
        steps_editable=case.stage not in FINISHED_STAGES,
        step_today=local_today(timezone.now(), case.time_zone),
        task_form=TaskForm(auto_id="task_%s", case=case),
        advisor_form=(
            AdvisorAssignForm(auto_id="advisor_%s", case=case)
            if permissions.can_assign_advisor(request.user, case)
            else None
        ),
    )
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def case_assign_advisor(request: HttpRequest, pk: int) -> HttpResponse:
    """Supervisors and admins of the case's firm change its advisor (others: 404 for a case
    they may not see, an error message otherwise)."""
    case = staff_case(request, pk)
    form = AdvisorAssignForm(request.POST, case=case)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cases:detail", pk=case.pk)
    advisor = form.cleaned_data["advisor"]
    run_service(
        request,
        lambda: services.case_assign_advisor(case=case, advisor=advisor, actor=request.user),
        _("The case's advisor is now %(name)s.") % {"name": advisor or _("nobody")},
    )
    return redirect("cases:detail", pk=case.pk)  # supervisors and admins still see it


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cases:detail", pk=case.pk)
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.case_transition(
            case=case,
            to=data["to"],
            actor=request.user,
            reason=data["reason"],
            decision=data["decision"],
            override=data["override"],
        ),
        _("Case moved to “%(stage)s”.") % {"stage": Stage(data["to"]).label},
    )
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        run_service(
            request,
            lambda: services.message_post(
                case=case,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
            ),
            _("Message sent."),
        )
    return redirect(case_url(request, case) + "#messages")


@login_required
@require_POST
def case_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Send again": a new invitation email to the case's applicant (case staff; others 404).
    Earlier links stop working; at most 3 sends an hour (the message says when)."""
    case = staff_case(request, pk)
    run_service(
        request,
        lambda: services_applicants.case_invitation_resend(case=case, actor=request.user),
        _("A new invitation was sent to %(email)s. Earlier links no longer work.")
        % {"email": case.applicant.email},
    )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#invitation")
