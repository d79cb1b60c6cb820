"""HTML views of cases: thin wrappers that read through selectors and write through services."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, selectors, services
from cases.downloads import document_file_response
from cases.forms import (
    CaseFilterForm,
    CaseOpenForm,
    MessageForm,
    ReviewForm,
    TransitionForm,
    UploadForm,
    WaiveForm,
)
from cases.models import MAIN_LINE, Case, Stage
from cases.uploads import accepted_labels
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
    if form.is_valid():
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                applicant = services.applicant_create(
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
            messages.success(
                request,
                _("Case %(ref)s opened; an invitation was sent to %(email)s.")
                % {"ref": case.reference, "email": applicant.email},
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_open.html", {"form": form})


def _case_page_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    requirements = selectors.case_requirements(case=case)
    for r in requirements:
        r.accepted_label = accepted_labels(list(r.accepted_types))
    stage_index = MAIN_LINE.index(case.stage) if case.stage in MAIN_LINE else -1
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


@login_required
@require_POST
def requirement_upload(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    requirement = selectors.requirement_get_for_user(
        user=request.user, case=case, pk=requirement_pk
    )
    form = UploadForm(request.POST, request.FILES)
    back = _case_url(request, case) + f"#req-{requirement.pk}"
    if not form.is_valid():
        messages.error(
            request,
            _("Choose a file for “%(name)s” before pressing Upload.") % {"name": requirement.name},
        )
        return redirect(back)
    upload = form.cleaned_data["file"]
    _run(
        request,
        lambda: services.document_upload(
            requirement=requirement, stream=upload, filename=upload.name, actor=request.user
        ),
        _("“%(file)s” uploaded for “%(name)s”.") % {"file": upload.name, "name": requirement.name},
    )
    return redirect(back)


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
def document_download(request: HttpRequest, document_pk: int) -> FileResponse:
    """Stream a stored document to a user who may see its case, as an attachment with an
    RFC 6266 / RFC 5987 filename, ``nosniff`` and private, non-stored caching."""
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    return document_file_response(document)


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
    return render(request, "cases/my_case_detail.html", context)
