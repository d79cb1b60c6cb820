"""HTML views of the advisor's side of the questionnaire (``/cases/<pk>/questionnaire/...``):
the review page (answers by section, comments per question, return with what to fix,
approve) and the data sheet of an approved questionnaire as a printable page, a PDF
(``cases/questionnaires/pdf.py``), JSON or CSV. Every format goes through the same check
(case staff, approved; 404 otherwise) and the access log (``cases/services/access.py``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case, QuestionnaireResponse, ResponseStatus
from cases.questionnaires.pdf import PdfUnavailable, render_pdf
from cases.questionnaires.sheet import sheet_sections
from cases.selectors.questionnaires import (
    CaseQuestionnaire,
    case_questionnaire,
    questionnaire_record_preview,
    sheet_document,
)
from cases.services import questionnaire_answers as services
from cases.services.access import questionnaire_sheet_access_record
from cases.views.shared import client_ip, run_service, staff_case
from portal.audit import csv_response


def _staff(request: HttpRequest, pk: int) -> tuple[Case, CaseQuestionnaire]:
    case = staff_case(request, pk)
    return case, case_questionnaire(case=case, with_comments=True)


@login_required
@require_GET
def questionnaire_review(request: HttpRequest, pk: int) -> HttpResponse:
    case, cq = _staff(request, pk)
    lang = get_language() or "en"
    sections = (
        sheet_sections(cq.questionnaire.definition, cq.answers, lang) if cq.questionnaire else []
    )
    for section in sections:
        for row in section["rows"]:
            row["comments"] = cq.comments.get(row["key"], [])
    reviewable = cq.status == ResponseStatus.SUBMITTED
    preview = (
        questionnaire_record_preview(case=case, response=cq.response)
        if reviewable and cq.response is not None
        else None
    )
    return render(
        request,
        "cases/questionnaire/review.html",
        {
            "case": case,
            "cq": cq,
            "sections": sections,
            "reviewable": reviewable,
            "record_preview": preview,
            "commentable": cq.response is not None and cq.status != ResponseStatus.APPROVED,
            "approved": cq.status == ResponseStatus.APPROVED,
        },
    )


@login_required
@require_POST
def questionnaire_comment(request: HttpRequest, pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    run_service(
        request,
        lambda: services.questionnaire_comment(
            case=case,
            question_key=request.POST.get("question", ""),
            body=request.POST.get("body", ""),
            actor=request.user,
        ),
        _("Comment added. Return the questionnaire when you have said everything to fix."),
    )
    return redirect("cases:questionnaire_review", case.pk)


@login_required
@require_POST
def questionnaire_return(request: HttpRequest, pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    run_service(
        request,
        lambda: services.questionnaire_return(
            case=case, note=request.POST.get("note", ""), actor=request.user
        ),
        _("Returned to the applicant with your comments."),
    )
    return redirect("cases:questionnaire_review", case.pk)


@login_required
@require_POST
def questionnaire_approve(request: HttpRequest, pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    try:
        record_version: int | None = int(request.POST["record_version"])
    except (KeyError, ValueError):
        record_version = None
    run_service(
        request,
        lambda: services.questionnaire_approve(
            case=case, actor=request.user, record_version=record_version
        ),
        _("Approved. The answers are locked and the data sheet is ready."),
    )
    return redirect("cases:questionnaire_review", case.pk)


def _approved_unlogged(request: HttpRequest, pk: int) -> tuple[Case, QuestionnaireResponse]:
    """The approved response of a case the user is staff on (404 otherwise)."""
    case, cq = _staff(request, pk)
    if cq.response is None or cq.status != ResponseStatus.APPROVED:
        raise Http404("The questionnaire is not approved yet.")
    return case, cq.response


def _log_read(request: HttpRequest, response: QuestionnaireResponse, fmt: str) -> None:
    questionnaire_sheet_access_record(
        response=response, user=request.user, fmt=fmt, ip_address=client_ip(request)
    )


def _approved(request: HttpRequest, pk: int, fmt: str) -> tuple[Case, QuestionnaireResponse]:
    """The approved response of a case the user is staff on (404 otherwise), its read logged."""
    case, response = _approved_unlogged(request, pk)
    _log_read(request, response, fmt)
    return case, response


@login_required
@require_GET
def questionnaire_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    case, response = _approved(request, pk, "html")
    lang = get_language() or "en"
    response_page = render(
        request,
        "cases/questionnaire/sheet.html",
        {
            "case": case,
            "response": response,
            "sections": sheet_sections(response.questionnaire.definition, response.answers, lang),
        },
    )
    response_page["Cache-Control"] = "private, no-store"
    return response_page


@login_required
@require_GET
def questionnaire_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The data sheet as an A4 PDF with English and Chinese labels. The read is logged only
    when a PDF is served; a server without WeasyPrint's libraries sends the advisor back to the
    review page with a message (the printable page still works)."""
    case, response = _approved_unlogged(request, pk)
    html = render_to_string(
        "cases/questionnaire/sheet_pdf.html",
        {
            "case": case,
            "response": response,
            "sections": sheet_sections(
                response.questionnaire.definition, response.answers, get_language() or "en"
            ),
        },
        request=request,
    )
    try:
        pdf = render_pdf(html)
    except PdfUnavailable as exc:
        messages.error(request, exc.message)
        return redirect("cases:questionnaire_review", case.pk)
    _log_read(request, response, "pdf")
    out = HttpResponse(pdf, content_type="application/pdf")
    out["Content-Disposition"] = f'attachment; filename="{case.reference}-data-sheet.pdf"'
    out["Cache-Control"] = "private, no-store"
    out["X-Content-Type-Options"] = "nosniff"
    return out


@login_required
@require_GET
def questionnaire_sheet_json(request: HttpRequest, pk: int) -> HttpResponse:
    case, response = _approved(request, pk, "json")
    out = JsonResponse(sheet_document(case, response), json_dumps_params={"ensure_ascii": False})
    out["Content-Disposition"] = f'attachment; filename="{case.reference}-data-sheet.json"'
    out["Cache-Control"] = "private, no-store"
    return out


@login_required
@require_GET
def questionnaire_sheet_csv(request: HttpRequest, pk: int) -> HttpResponse:
    case, response = _approved(request, pk, "csv")
    rows = []
    for s in sheet_document(case, response)["sections"]:
        for a in s["answers"]:
            rows.append([s["title_en"], s["title_zh"], a["label_en"], a["label_zh"], a["display"]])
    return csv_response(
        f"{case.reference}-data-sheet.csv",
        ["section", "section_zh", "question", "question_zh", "answer"],
        rows,
    )
