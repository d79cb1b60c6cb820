"""HTML views of photo checks (issue 13): the check of one photo version with the original and
the corrected copy side by side, the corrected image itself, and "Use the corrected photo"."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, selectors
from cases.selectors.photos import photo_document_get_for_user
from cases.services.photos import document_open_corrected_photo, photo_correction_use
from cases.views.shared import case_url, client_ip, run_service
from portal.errors import PortalError


@login_required
@require_GET
def photo_check(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The photo check of one version: what failed and what to do, the original beside the
    corrected copy (when there is one), and the button that uses it. For whoever may see the
    case; the button for whoever may upload to it."""
    document, check = photo_document_get_for_user(user=request.user, pk=document_pk)
    case = document.requirement.case
    requirement = document.requirement
    offer = (
        check is not None
        and check.has_correction
        and requirement.current_document_id == document.pk
        and not document.file_deleted
    )
    return render(
        request,
        "cases/photo_check.html",
        {
            "case": case,
            "document": document,
            "requirement": requirement,
            "check": check,
            "offer": offer,
            "can_use": offer and permissions.can_upload(request.user, case),
            "back": case_url(request, case) + f"#req-{requirement.pk}",
        },
    )


@login_required
@require_GET
def photo_corrected(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The corrected copy as an inline JPEG, through the download's permission check and
    access log (kind ``preview``), with ``nosniff``, private non-stored caching and a
    sandboxing CSP."""
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    try:
        handle = document_open_corrected_photo(
            document=document, actor=request.user, ip_address=client_ip(request)
        )
    except PortalError as exc:
        return HttpResponse(exc.message, status=410, content_type="text/plain; charset=utf-8")
    stem = document.original_filename.rsplit(".", 1)[0] or "photo"
    response = FileResponse(
        handle, as_attachment=False, filename=f"{stem}-corrected.jpg", content_type="image/jpeg"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def photo_use(request: HttpRequest, document_pk: int) -> HttpResponse:
    """Store the corrected copy as a new version (``services.photos.photo_correction_use``);
    back to the case page with what happened."""
    document, _check = photo_document_get_for_user(user=request.user, pk=document_pk)
    case = document.requirement.case
    done = run_service(
        request,
        lambda: photo_correction_use(document=document, actor=request.user),
        _("The corrected photo is now the current version; the original is kept as a version."),
    )
    if not done:
        return redirect("cases:photo_check", document_pk=document.pk)
    return redirect(case_url(request, case) + f"#req-{document.requirement_id}")
