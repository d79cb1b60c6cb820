"""HTML views of the applicant's questionnaire (``/my/cases/<pk>/questionnaire/...``): an
overview with progress, one page per section (GOV.UK "question pages": every answer saved on
"Continue"), and "Check your answers" with "Send to my advisor". No JavaScript needed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import permissions
from cases.models import Case, Questionnaire, ResponseStatus
from cases.questionnaires.answers import section_missing
from cases.questionnaires.definition import section_by_key, section_keys, text
from cases.questionnaires.sheet import sheet_sections
from cases.selectors.questionnaires import (
    CaseQuestionnaire,
    case_questionnaire,
    questionnaire_prefill,
)
from cases.services import questionnaire_answers as services
from cases.views.questionnaire_forms import parse_post, section_fields
from cases.views.shared import applicant_case
from portal.errors import InvalidInput, PortalError


def _lang() -> str:
    return get_language() or "en"


def _load(request: HttpRequest, pk: int) -> tuple[Case, CaseQuestionnaire, Questionnaire]:
    case = applicant_case(request, pk)
    cq = case_questionnaire(case=case, with_comments=True)
    if cq.questionnaire is None:
        raise Http404("No questionnaire for this visa type.")
    return case, cq, cq.questionnaire


def _progress(case: Case, cq: CaseQuestionnaire, q: Questionnaire) -> list[dict[str, Any]]:
    answers = cq.answers
    today = services._today(case)
    rows = []
    for section in q.definition["sections"]:
        keys = [q["key"] for q in section["questions"]]
        started = any(k in answers for k in keys)
        missing = section_missing(section, answers, today=today, lang=_lang()) if started else {}
        comments = sum(len(cq.comments.get(k, [])) for k in keys)
        rows.append(
            {
                "key": section["key"],
                "title": text(section["title"], _lang()),
                "done": started and not missing,
                "started": started,
                "comments": comments,
            }
        )
    return rows


@login_required
@require_GET
def my_questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    case, cq, questionnaire = _load(request, pk)
    progress = _progress(case, cq, questionnaire)
    first_open = next((p["key"] for p in progress if not p["done"]), None)
    return render(
        request,
        "cases/questionnaire/overview.html",
        {
            "case": case,
            "cq": cq,
            "title": questionnaire.title,
            "progress": progress,
            "done_count": sum(1 for p in progress if p["done"]),
            "next_key": first_open,
            "editable": permissions.can_answer_questionnaire(request.user, case, cq.status),
        },
    )


@login_required
def my_questionnaire_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    case, cq, questionnaire = _load(request, pk)
    definition = questionnaire.definition
    page = section_by_key(definition, section)
    if page is None:
        raise Http404("No such page.")
    keys = section_keys(definition)
    index = keys.index(section)
    editable = permissions.can_answer_questionnaire(request.user, case, cq.status)
    overview = reverse("cases:my_questionnaire", args=[case.pk])
    answers: dict[str, Any] = cq.answers
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            messages.error(request, services._locked_message(cq.status))
            return redirect(overview)
        data = parse_post(page, request.POST)
        action = request.POST.get("action", "continue")
        adding = action == "add"
        try:
            services.questionnaire_section_save(
                case=case,
                section_key=section,
                data=data,
                actor=request.user,
                require=action == "continue",
                revision=_int(request.POST.get("revision")),
            )
        except InvalidInput as exc:
            errors = dict(exc.details.get("errors") or {}) or {"__all__": exc.message}
            answers = {**answers, **data}
        except PortalError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        else:
            if adding:
                return redirect(request.path)
            if action == "save":
                messages.success(request, _("Your answers are saved. You can come back later."))
                return redirect(overview)
            if index + 1 < len(keys):
                return redirect("cases:my_questionnaire_section", case.pk, keys[index + 1])
            return redirect("cases:my_questionnaire_check", case.pk)
    fields = section_fields(
        page,
        answers,
        prefill=questionnaire_prefill(case=case) if editable else {},
        errors=errors,
        comments=cq.comments,
        lang=_lang(),
        extra_item=editable,
    )
    response = cq.response
    return render(
        request,
        "cases/questionnaire/section.html",
        {
            "case": case,
            "cq": cq,
            "page": page,
            "page_title": text(page["title"], _lang()),
            "intro": text(page.get("intro"), _lang()),
            "fields": fields,
            "errors": errors,
            "error_list": _error_list(fields, errors),
            "step": index + 1,
            "steps": len(keys),
            "back": reverse("cases:my_questionnaire_section", args=[case.pk, keys[index - 1]])
            if index
            else overview,
            "editable": editable,
            "revision": response.revision if response else 0,
        },
        status=400 if errors else 200,
    )


def _int(value: Any) -> int | None:
    """The revision a page sent: None when the POST has none (no check, as in the API, where
    it is optional); a value that is not a whole number answers -1, which never matches, so the
    save is refused as stale instead of skipping the check."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _error_list(fields: list[dict[str, Any]], errors: dict[str, str]) -> list[tuple[str, str]]:
    """(anchor id, message) for the error summary, in page order."""
    found = []

    def walk(items: list[dict[str, Any]]) -> None:
        for f in items:
            if f["error"]:
                found.append((f["id"], f["error"]))
            walk(f["follow_ups"])
            for item in f.get("items", []):
                walk(item["fields"])

    walk(fields)
    if "__all__" in errors:
        found.insert(0, ("", errors["__all__"]))
    return found


@login_required
def my_questionnaire_check(request: HttpRequest, pk: int) -> HttpResponse:
    case, cq, questionnaire = _load(request, pk)
    editable = permissions.can_answer_questionnaire(request.user, case, cq.status)
    missing: dict[str, dict[str, str]] = {}
    if cq.response is not None:
        missing = services.questionnaire_missing(cq.response, case)
    if request.method == "POST":
        try:
            services.questionnaire_submit(
                case=case, actor=request.user, revision=_int(request.POST.get("revision"))
            )
        except PortalError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        messages.success(
            request,
            _("Your answers are sent to your advisor. You will hear if anything must change."),
        )
        return redirect("cases:my_questionnaire", case.pk)
    return render(
        request,
        "cases/questionnaire/check.html",
        {
            "case": case,
            "cq": cq,
            "sections": sheet_sections(questionnaire.definition, cq.answers, _lang()),
            "missing": missing,
            "editable": editable and cq.response is not None,
            "can_send": editable
            and cq.response is not None
            and not missing
            and cq.status in (ResponseStatus.IN_PROGRESS, ResponseStatus.RETURNED),
        },
    )
