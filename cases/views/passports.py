"""The passport reader's page (issue 13): what was read from a passport bio-data page beside the
applicant's record, and "Apply to record". Case staff only; everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import selectors
from cases.models import Case, Document
from cases.selectors.confirmations import confirmation_rows
from cases.selectors.passports import passport_comparison, passport_reading_for_document
from cases.services.passports import passport_reading_apply
from cases.views.shared import run_service, staff_case


def _case_document(request: HttpRequest, pk: int, document_pk: int) -> tuple[Case, Document]:
    case = staff_case(request, pk)
    document = selectors.document_get_for_user(user=request.user, pk=document_pk)
    if document.requirement.case_id != case.pk:
        raise Http404("No such document.")
    return case, document


@login_required
@require_GET
def document_passport(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Advisor page: the fields read from the machine-readable zone beside the record, and
    the rule set's blank-pages question (``cases/views/confirmations.py`` takes the answer)."""
    case, document = _case_document(request, pk, document_pk)
    reading = passport_reading_for_document(user=request.user, document=document)
    rows = passport_comparison(reading=reading, applicant=case.applicant) if reading else []
    questions = confirmation_rows(case=case, language=get_language() or "en")
    return render(
        request,
        "cases/document_passport.html",
        {
            "case": case,
            "document": document,
            "reading": reading,
            "rows": rows,
            "applicable": any(r.applicable for r in rows),
            # The blank-pages question the rule set asks (issue 13), answered here.
            "blank_pages": next((q for q in questions if q.question == "blank_pages"), None),
        },
    )


@login_required
@require_POST
def document_passport_apply(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Copy the chosen fields read into the applicant's record (``passport_reading_apply``)."""
    case, document = _case_document(request, pk, document_pk)
    back = redirect("cases:document_passport", case.pk, document.pk)
    reading = passport_reading_for_document(user=request.user, document=document)
    if reading is None:
        messages.error(request, _("Nothing was read from this page, so there is nothing to apply."))
        return back
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("The form was incomplete: reload the page and try again."))
        return back
    run_service(
        request,
        lambda: passport_reading_apply(
            reading=reading,
            fields=request.POST.getlist("fields"),
            version=version,
            actor=request.user,
        ),
        _("The record now holds the details you chose from the passport."),
    )
    return back
