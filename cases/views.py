"""HTML views of cases: thin wrappers that read through selectors and write through services."""

from collections.abc import Callable
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, privacy, selectors, services
from cases.downloads import document_download_response
from cases.eligibility_facts import missing_fact_labels
from cases.forms import (
    AssessForm,
    CaseFilterForm,
    CaseOpenForm,
    MessageForm,
    ReviewForm,
    TransitionForm,
    UploadForm,
    WaiveForm,
)
from cases.models import MAIN_LINE, Case, RequirementStatus, Stage
from cases.reminders.deadlines import case_deadlines_for_applicant, case_tasks
from cases.reminders.forms import TaskForm
from cases.uploads import accepted_labels
from eligibility.selectors import current_assessment
from portal.errors import PortalError
from portal.pagination import DeferredJoinPaginator


def _staff_case(request: HttpRequest, pk: int) -> Case:
    """The case if the user is staff on it; applicants and outsiders get 404."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not permissions.is_case_staff(request.user, case):
        raise Http404("No such case.")
    return case


def _applicant_case(request: HttpRequest, pk: int) -> Case:
    """The case if the user is its applicant; everyone else gets 404."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not permissions.is_case_applicant(request.user, case):
        raise Http404("No such case.")
    return case


def _case_url(request: HttpRequest, case: Case) -> str:
    if permissions.is_case_staff(request.user, case):
        return reverse("cases:detail", args=[case.pk])
    return reverse("cases:my_detail", args=[case.pk])


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service call; report a domain error as a message instead of a 500."""
    try:
        action()
    except PortalError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- advisor pages ----------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        return redirect("cases:my_cases")
    form = CaseFilterForm(request.GET or None)
    filters = selectors.CaseFilters()
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("Some filters were not understood and were ignored."))
    elif form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            stage=data["stage"],
            visa_type=data["visa_type"],
            overdue=data["overdue"],
            search=data["q"],
        )
    qs = selectors.case_list_for_user(user=request.user, filters=filters)
    page = DeferredJoinPaginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    if not permissions.can_open_case(request.user):
        raise Http404
    form = CaseOpenForm(request.POST or None)
    if request.user.is_advisor and not request.user.is_supervisor:
        # Advisors open cases for themselves; supervisors and admins may assign anyone.
        advisor_field = form.fields["advisor"]
        advisor_field.queryset = advisor_field.queryset.filter(pk=request.user.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                applicant, created = services.applicant_get_or_create(
                    actor=request.user,
                    given_names=data["given_names"],
                    family_name=data["family_name"],
                    email=data["email"],
                    preferred_language=data["preferred_language"],
                    date_of_birth=data["date_of_birth"],
                    nationality=data["nationality"] or "",
                    passport_number=data["passport_number"],
                    passport_expiry=data["passport_expiry"],
                )
                advisor = data["advisor"] or (request.user if request.user.is_advisor else None)
                case = services.case_open(
                    applicant=applicant,
                    visa_type=data["visa_type"],
                    advisor=advisor,
                    actor=request.user,
                    intended_entry_date=data["intended_entry_date"],
                    target_submission_date=data["target_submission_date"],
                )
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            if created:
                text = _("Case %(ref)s opened; an invitation was sent to %(email)s.")
            else:
                text = _(
                    "Case %(ref)s opened for the existing applicant with the address %(email)s; "
                    "their recorded details were kept."
                )
            messages.success(request, text % {"ref": case.reference, "email": applicant.email})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_open.html", {"form": form})


def _case_page_context(request: HttpRequest, case: Case) -> dict[str, Any]:
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
        "assessment_missing": missing_fact_labels(
            assessment.missing_facts if assessment else [], requirements, get_language() or "en"
        ),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _staff_case(request, pk)
    context = _case_page_context(request, case)
    context.update(
        transitions=[(s, Stage(s).label) for s in services.allowed_transitions(case)],
        ready_check=services.case_ready_check(case=case) if case.stage == Stage.REVIEW else None,
        review_form=ReviewForm(),
        waive_form=WaiveForm(),
        transition_form=TransitionForm(),
        assess_form=AssessForm(),
        tasks=case_tasks(case=case),
        task_form=TaskForm(auto_id="task_%s"),
    )
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = _staff_case(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("cases:detail", pk=case.pk)
    data = form.cleaned_data
    _run(
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
def document_review(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    case = _staff_case(request, pk)
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    if document.requirement.case_id != case.pk:
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _run(
            request,
            lambda: services.document_review(
                document=document,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            ),
            _("Review saved for “%(name)s”.") % {"name": document.original_filename},
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + f"#req-{document.requirement_id}")


@login_required
@require_POST
def requirement_waive(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    case = _staff_case(request, pk)
    requirement = selectors.requirement_get_for_user(
        user=request.user, case=case, pk=requirement_pk
    )
    form = WaiveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _run(
            request,
            lambda: services.requirement_waive(
                requirement=requirement, reason=form.cleaned_data["reason"], actor=request.user
            ),
            _("“%(name)s” waived.") % {"name": requirement.name},
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + f"#req-{requirement.pk}")


# --- shared by both roles ---------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str | None:
    return get_client_ip_address(request) or None


def _upload_page(
    request: HttpRequest, case: Case, errors: list[str], status: int = 200
) -> HttpResponse:
    requirements = [
        r
        for r in selectors.case_requirements(case=case)
        if r.status not in (RequirementStatus.WAIVED, RequirementStatus.ACCEPTED)
        or permissions.is_case_staff(request.user, case)
    ]
    for r in requirements:
        r.accepted_label = accepted_labels(list(r.accepted_types))
    return render(
        request,
        "cases/upload.html",
        {
            "case": case,
            "requirements": requirements,
            "errors": errors,
            "back": _case_url(request, case),
            "max_files": settings.PORTAL_MAX_FILES_PER_REQUEST,
            "can_upload": permissions.can_upload(request.user, case),
        },
        status=status,
    )


def _store_uploads(
    request: HttpRequest, case: Case, items: list[services.UploadItem]
) -> HttpResponse:
    """Run the upload service; success redirects to the case page, refusal answers 400 with
    the reasons and the form again (nothing was stored)."""
    try:
        documents = services.documents_upload(case=case, items=items, actor=request.user)
    except PortalError as exc:
        errors = [str(e) for e in exc.details.get("files", [])] or [exc.message]
        return _upload_page(request, case, errors, status=exc.status)
    names = ", ".join(f"“{d.original_filename}”" for d in documents)
    messages.success(request, _("Uploaded: %(names)s.") % {"names": names})
    return redirect(_case_url(request, case))


@login_required
def case_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Several documents of one case in one request (at most 10 files, each validated)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        return _upload_page(request, case, [])
    requirements = {str(r.pk): r for r in case.requirements.all()}
    items: list[services.UploadItem] = []
    for key in request.FILES:
        requirement = requirements.get(key.removeprefix("file-"))
        if requirement is None:
            raise Http404("No such document requirement.")
        items.extend(
            services.UploadItem(requirement=requirement, stream=f, filename=f.name)
            for f in request.FILES.getlist(key)
        )
    return _store_uploads(request, case, items)


@login_required
@require_POST
def requirement_upload(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    requirement = selectors.requirement_get_for_user(
        user=request.user, case=case, pk=requirement_pk
    )
    files = [f for key in request.FILES for f in request.FILES.getlist(key)]
    if not files:
        messages.error(
            request,
            _("Choose a file for “%(name)s” before pressing Upload.") % {"name": requirement.name},
        )
        return redirect(_case_url(request, case) + f"#req-{requirement.pk}")
    items = [services.UploadItem(requirement=requirement, stream=f, filename=f.name) for f in files]
    return _store_uploads(request, case, items)


@login_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _run(
            request,
            lambda: services.message_post(
                case=case,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
            ),
            _("Message sent."),
        )
    return redirect(_case_url(request, case) + "#messages")


@login_required
@require_GET
def document_download(request: HttpRequest, document_pk: int) -> HttpResponse:
    """Stream a stored document to a user who may see its case, as an attachment with an
    RFC 6266 / RFC 5987 filename, ``nosniff`` and private, non-stored caching. Every download
    is recorded (``services.document_open_for_download``)."""
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    try:
        return document_download_response(request, document)
    except PortalError as exc:
        return HttpResponse(exc.message, status=410, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def document_access(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Advisor page: who opened this document version, when, how and from where."""
    case = _staff_case(request, pk)
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    if document.requirement.case_id != case.pk:
        raise Http404
    return render(
        request,
        "cases/document_access.html",
        {
            "case": case,
            "document": document,
            "accesses": selectors.document_access_list(document=document),
        },
    )


# --- applicant pages --------------------------------------------------------------------------


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
    case = _applicant_case(request, pk)
    context = _case_page_context(request, case)
    context["upload_form"] = UploadForm()
    context["upcoming_items"], context["overdue_items"] = case_deadlines_for_applicant(case=case)
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
    archive = privacy.applicant_export_archive(user=request.user, ip_address=_client_ip(request))
    stamp = timezone.now().strftime("%Y%m%d")
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"visa-portal-my-data-{stamp}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
