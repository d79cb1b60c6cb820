"""The advisor's confirmations page (issue 13): the questions the rule set asks the advisor
(blank passport pages, Class A categories) with yes / no, and the answer itself (POST, also
sent by the passport page's blank-pages form). Case staff only; everyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.selectors.confirmations import confirmation_rows
from cases.services.confirmations import case_confirmation_answer
from cases.views.shared import run_service, staff_case
from portal.errors import InvalidInput


@login_required
@require_http_methods(["GET", "POST"])
def case_confirmations(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the questions and answers; POST ``question``, ``answer`` (yes | no), ``n`` (the
    number shown) and optional ``next`` (a path of this case to return to)."""
    case = staff_case(request, pk)
    if request.method == "POST":
        back = request.POST.get("next", "")
        own = f"/cases/{case.pk}/"
        if not (
            back.startswith(own)
            and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        ):
            back = request.path

        def answer() -> object:
            raw_answer = request.POST.get("answer", "")
            raw_n = request.POST.get("n", "")
            if raw_answer not in ("yes", "no") or not (raw_n == "" or raw_n.isdigit()):
                raise InvalidInput(_("Choose yes or no, then send the answer."))
            return case_confirmation_answer(
                case=case,
                question=request.POST.get("question", ""),
                answer=raw_answer == "yes",
                n=int(raw_n) if raw_n else None,
                actor=request.user,
            )

        run_service(request, answer, _("Answer recorded; the case was assessed again."))
        return redirect(back)
    return render(
        request,
        "cases/confirmations.html",
        {"case": case, "rows": confirmation_rows(case=case, language=get_language() or "en")},
    )
