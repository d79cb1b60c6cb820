"""HTML views of the record edits: staff edit an applicant's details and a case's details,
and confirm or decline the applicant's corrections; the applicant sees their details and
proposes a correction (``/my/details/``)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.forms.records import (
    ApplicantRecordForm,
    CaseRecordForm,
    CorrectionDecisionForm,
    CorrectionForm,
)
from cases.models import Applicant
from cases.selectors.corrections import (
    correction_get_for_user,
    correction_latest_for_applicant,
    correction_rows,
)
from cases.services.corrections import correction_decide, correction_propose
from cases.services.records import (
    APPLICANT_RECORD_FIELDS,
    RecordChange,
    applicant_record_update,
    case_record_update,
)
from cases.views.shared import form_errors, run_service, staff_case
from portal.errors import InvalidInput, PortalError


def _report(request: HttpRequest, result: RecordChange) -> None:
    if result.changed:
        messages.success(request, _("Saved. The change is on the case timeline."))
    else:
        messages.info(request, _("Nothing was changed: the details were already these."))
    for warning in result.warnings:
        messages.warning(request, warning)


def _to_form(form: Any, exc: PortalError) -> None:
    """A domain error on the field it names, else at the top of the form."""
    field = exc.details.get("field") if isinstance(exc, InvalidInput) else None
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
def applicant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff on the case: correct the applicant's identity and passport details."""
    case = staff_case(request, pk)
    applicant = case.applicant
    form = ApplicantRecordForm.for_applicant(applicant, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = applicant_record_update(
                applicant=applicant,
                actor=request.user,
                changes=form.changes(),
                version=form.cleaned_data["version"],
            )
        except PortalError as exc:
            _to_form(form, exc)
        else:
            _report(request, result)
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {
            "case": case,
            "form": form,
            "title": _("Edit applicant details"),
            "intro": _(
                "Correct the details as printed in the passport. Every change is written on the "
                "timeline of the applicant's cases; passport numbers are shown masked there."
            ),
        },
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff on the case: its planned dates and time zone; supervisors and admins also its
    advisor."""
    case = staff_case(request, pk)
    can_reassign = permissions.can_assign_advisor(request.user, case)
    form = CaseRecordForm(request.POST or None, case=case, can_reassign=can_reassign)
    if request.method == "POST" and form.is_valid():
        try:
            result = case_record_update(
                case=case,
                actor=request.user,
                changes=form.changes(),
                version=form.cleaned_data["version"],
            )
        except PortalError as exc:
            _to_form(form, exc)
        else:
            _report(request, result)
            if not permissions.can_view_case(request.user, case):
                return redirect("cases:list")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {
            "case": case,
            "form": form,
            "title": _("Edit case details"),
            "intro": _(
                "Due dates stay the same calendar days; with a new time zone they end at "
                "midnight there."
            ),
        },
    )


@login_required
@require_POST
def correction_decision(request: HttpRequest, pk: int, correction_pk: int) -> HttpResponse:
    """Staff on the case confirm or decline the pending correction of its applicant."""
    case = staff_case(request, pk)
    proposal = correction_get_for_user(user=request.user, pk=correction_pk)
    if proposal.applicant_id != case.applicant_id:
        raise Http404("No such correction.")
    form = CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cases:detail", pk=case.pk)
    confirm = form.cleaned_data["decision"] == "confirm"
    run_service(
        request,
        lambda: correction_decide(
            proposal=proposal,
            actor=request.user,
            confirm=confirm,
            reason=form.cleaned_data["reason"],
        ),
        _("Correction confirmed: the details are updated.")
        if confirm
        else _("Correction declined; the applicant sees your reason."),
    )
    return redirect("cases:detail", pk=case.pk)


def _own_applicant(request: HttpRequest) -> Applicant:
    applicant = getattr(request.user, "applicant_profile", None)
    if applicant is None or request.user.is_staff_member:
        raise Http404("No applicant profile.")
    return applicant


@login_required
@require_GET
def my_details(request: HttpRequest) -> HttpResponse:
    """The applicant's recorded details and the state of their latest correction."""
    applicant = _own_applicant(request)
    latest = correction_latest_for_applicant(applicant=applicant, user=request.user)
    return render(
        request,
        "cases/my_details.html",
        {
            "applicant": applicant,
            "correction": latest,
            "correction_rows": correction_rows(latest) if latest else [],
        },
    )


@login_required
def my_correction(request: HttpRequest) -> HttpResponse:
    """The applicant proposes new values; their advisor confirms or declines them."""
    applicant = _own_applicant(request)
    form = CorrectionForm.for_applicant(applicant, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in APPLICANT_RECORD_FIELDS}
        changes["nationality"] = changes["nationality"] or ""
        try:
            correction_propose(
                applicant=applicant,
                actor=request.user,
                changes=changes,
                note=form.cleaned_data["note"],
            )
        except PortalError as exc:
            _to_form(form, exc)
        else:
            messages.success(
                request,
                _("Sent to your advisor. Your details change once they confirm the correction."),
            )
            return redirect("cases:my_details")
    return render(
        request,
        "cases/record_form.html",
        {
            "form": form,
            "title": _("Propose a correction"),
            "intro": _(
                "Change what is wrong, as printed in your passport. Your advisor checks the "
                "correction against your documents before your details change."
            ),
            "submit": _("Send to my advisor"),
            "cancel_url_name": "cases:my_details",
        },
    )
