"""HTML views of documents: uploads, review, waivers, downloads and the access log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, selectors, services
from cases.forms import (
    ReviewForm,
    WaiveForm,
)
from cases.models import Case, DocumentRequirement, RequirementStatus
from cases.uploads import accepted_labels
from cases.views.downloads import document_download_response, document_preview_response
from cases.views.shared import case_url, form_errors, run_service, staff_case
from portal.errors import PortalError


@login_required
@require_POST
def document_review(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    if document.requirement.case_id != case.pk:
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        run_service(
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
    case = staff_case(request, pk)
    requirement = selectors.requirement_get_for_user(
        user=request.user, case=case, pk=requirement_pk
    )
    form = WaiveForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        run_service(
            request,
            lambda: services.requirement_waive(
                requirement=requirement, reason=form.cleaned_data["reason"], actor=request.user
            ),
            _("“%(name)s” waived.") % {"name": requirement.name},
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + f"#req-{requirement.pk}")


def _upload_page(
    request: HttpRequest,
    case: Case,
    errors: list[str],
    status: int = 200,
    requirement: DocumentRequirement | None = None,
) -> HttpResponse:
    """The upload page: every document of the case the user may still upload to, or, for a
    refusal sent from one document's card (``requirement``), that document alone, named in
    the heading, with its one input marked invalid and described by the errors."""
    if requirement is not None:
        requirements = [requirement]
    else:
        requirements = [
            r
            for r in selectors.case_requirements(case=case)
            if r.status not in (RequirementStatus.WAIVED, RequirementStatus.ACCEPTED)
            or permissions.is_case_staff(request.user, case)
        ]
    for r in requirements:
        r.accepted_label = accepted_labels(list(r.accepted_types))
    back = case_url(request, case)
    return render(
        request,
        "cases/upload.html",
        {
            "case": case,
            "requirements": requirements,
            "requirement": requirement,
            "errors": errors,
            "back": back + (f"#req-{requirement.pk}" if requirement is not None else ""),
            "max_files": settings.PORTAL_MAX_FILES_PER_REQUEST,
            "can_upload": permissions.can_upload(request.user, case),
        },
        status=status,
    )


def _store_uploads(
    request: HttpRequest,
    case: Case,
    items: list[services.UploadItem],
    requirement: DocumentRequirement | None = None,
) -> HttpResponse:
    """Run the upload service; success redirects to the case page, refusal answers 400 with
    the reasons and the form again (nothing was stored): for one document's card
    (``requirement``) its own form only."""
    try:
        documents = services.documents_upload(case=case, items=items, actor=request.user)
    except PortalError as exc:
        errors = [str(e) for e in exc.details.get("files", [])] or [exc.message]
        return _upload_page(request, case, errors, status=exc.status, requirement=requirement)
    names = ", ".join(f"“{d.original_filename}”" for d in documents)
    messages.success(request, _("Uploaded: %(names)s.") % {"names": names})
    return redirect(case_url(request, case))


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
        return redirect(case_url(request, case) + f"#req-{requirement.pk}")
    items = [services.UploadItem(requirement=requirement, stream=f, filename=f.name) for f in files]
    return _store_uploads(request, case, items, requirement=requirement)


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
def document_preview(request: HttpRequest, document_pk: int) -> HttpResponse:
    """One PNG page (``?page=N``, from 1; default 1) of a document's server-made preview, to a
    user who may see its case; recorded in the access log as a preview."""
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or len(raw) > 4:
        raise Http404("No such preview page.")
    page = int(raw)
    try:
        return document_preview_response(request, document, page)
    except PortalError as exc:
        return HttpResponse(exc.message, status=410, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def document_access(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Advisor page: who opened this document version, when, how and from where."""
    case = staff_case(request, pk)
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
