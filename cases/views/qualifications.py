"""HTML views of qualifications (education, employment) and eligibility assessments.

Applicants edit their own rows under ``/my/qualifications/``; case staff correct them under
``/cases/<pk>/qualifications/`` and run assessments with a POST to ``/cases/<pk>/assess/``.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions, selectors
from cases.forms import AssessForm, EducationForm, EmploymentForm
from cases.models import Applicant, Case, Education, Employment
from cases.services import eligibility as services_eligibility
from cases.services import qualifications as services_qualifications
from cases.views.shared import run_service, staff_case
from eligibility.models import AssessmentOutcome
from portal.errors import InvalidInput, PortalError

KINDS: dict[str, dict[str, Any]] = {
    "education": {
        "model": Education,
        "form": EducationForm,
        "save": services_qualifications.education_save,
        "delete": services_qualifications.education_delete,
        "fields": services_qualifications.EDUCATION_FIELDS,
    },
    "employment": {
        "model": Employment,
        "form": EmploymentForm,
        "save": services_qualifications.employment_save,
        "delete": services_qualifications.employment_delete,
        "fields": services_qualifications.EMPLOYMENT_FIELDS,
    },
}


def _kind(kind: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _own_applicant(request: HttpRequest) -> Applicant:
    """The signed-in applicant's profile; staff and users without one get 404."""
    applicant = getattr(request.user, "applicant_profile", None)
    if applicant is None or request.user.is_staff_member:
        raise Http404("No applicant profile.")
    return applicant


def _rows(applicant: Applicant) -> dict[str, Any]:
    # The same selectors (and so the same order) as the API.
    return {
        "education": list(selectors.education_list_for_applicant(applicant=applicant)),
        "employment": list(selectors.employment_list_for_applicant(applicant=applicant)),
    }


def _initial(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _save(
    request: HttpRequest, applicant: Applicant, kind: str, form: Any, obj: Any | None
) -> bool:
    """Validate ``form`` and call the kind's save service; errors land on the form."""
    spec = KINDS[kind]
    if not form.is_valid():
        return False
    try:
        spec["save"](applicant=applicant, actor=request.user, data=form.cleaned_data, **{kind: obj})
    except InvalidInput as exc:
        field = exc.details.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return False
    except PortalError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, _("Saved."))
    return True


def _qualifications_page(
    request: HttpRequest, applicant: Applicant, base: str, case: Case | None, forms: dict[str, Any]
) -> HttpResponse:
    return render(
        request,
        "cases/qualifications.html",
        {
            "applicant": applicant,
            "case": case,
            "base": base,
            "rows": _rows(applicant),
            "education_form": forms.get("education") or EducationForm(prefix="education"),
            "employment_form": forms.get("employment") or EmploymentForm(prefix="employment"),
        },
    )


def _edit_page(
    request: HttpRequest, applicant: Applicant, kind: str, item_pk: int, back: str, base: str
) -> HttpResponse:
    spec = _kind(kind)
    obj = spec["model"].objects.filter(applicant=applicant, pk=item_pk).first()
    if obj is None:
        raise Http404
    if request.method == "POST":
        form = spec["form"](request.POST)
        if _save(request, applicant, kind, form, obj):
            return redirect(back)
    else:
        form = spec["form"](initial=_initial(obj, spec["fields"]))
    return render(
        request,
        "cases/qualification_edit.html",
        {"form": form, "kind": kind, "obj": obj, "back": back, "base": base},
    )


def _details(kind: str, obj: Any) -> list[tuple[str, str]]:
    """What the confirmation page shows of the row to remove, in the active language."""
    if kind == "education":
        country = f" ({obj.country.name})" if obj.country else ""
        graduation = obj.graduation_date.isoformat() if obj.graduation_date else "—"
        return [
            (_("Level"), str(obj.get_level_display())),
            (_("Field"), str(obj.field)),
            (_("Institution"), f"{obj.institution_display}{country}"),
            (_("Graduation"), graduation),
        ]
    end = obj.end_date.isoformat() if obj.end_date else _("now")
    return [
        (_("Role"), obj.role),
        (_("Organisation"), obj.organisation),
        (_("Period"), f"{obj.start_date.isoformat()} – {end}"),
    ]


def _delete_page(
    request: HttpRequest, applicant: Applicant, kind: str, item_pk: int, back: str
) -> HttpResponse:
    """GET: "Remove this degree?" (or job) with its details and a button; POST: remove it
    and go ``back``. A row of another applicant is 404."""
    spec = _kind(kind)
    obj = spec["model"].objects.filter(applicant=applicant, pk=item_pk).first()
    if obj is None:
        raise Http404
    if request.method == "POST":
        run_service(
            request, lambda: spec["delete"](**{kind: obj}, actor=request.user), _("Removed.")
        )
        return redirect(back)
    education = kind == "education"
    return render(
        request,
        "cases/confirm_remove.html",
        {
            "question": _("Remove this degree?") if education else _("Remove this job?"),
            "details": _details(kind, obj),
            # What the person typed (not translated), marked for translation tools and checks.
            "typed": [_("Role"), _("Organisation")],
            "warning": _(
                "It is removed from the applicant's profile and no longer counts for "
                "eligibility; this cannot be undone."
            ),
            "back": back,
        },
    )


# --- applicant ------------------------------------------------------------------------------


@login_required
def my_qualifications(request: HttpRequest) -> HttpResponse:
    """GET: the applicant's degrees and jobs with add forms. POST (``kind`` field): add one."""
    applicant = _own_applicant(request)
    base = reverse("cases:my_qualifications")
    forms: dict[str, Any] = {}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        spec = _kind(kind)
        form = spec["form"](request.POST, prefix=kind)
        if _save(request, applicant, kind, form, None):
            return redirect(base + f"#{kind}")
        forms[kind] = form
    return _qualifications_page(request, applicant, base, None, forms)


@login_required
def my_qualification_edit(request: HttpRequest, kind: str, item_pk: int) -> HttpResponse:
    applicant = _own_applicant(request)
    base = reverse("cases:my_qualifications")
    return _edit_page(request, applicant, kind, item_pk, base + f"#{kind}", base)


@login_required
@require_http_methods(["GET", "POST"])
def my_qualification_delete(request: HttpRequest, kind: str, item_pk: int) -> HttpResponse:
    applicant = _own_applicant(request)
    back = reverse("cases:my_qualifications") + f"#{kind}"
    return _delete_page(request, applicant, kind, item_pk, back)


# --- case staff -----------------------------------------------------------------------------


@login_required
def case_qualifications(request: HttpRequest, pk: int) -> HttpResponse:
    """The case applicant's degrees and jobs for staff to correct; POST adds one."""
    case = staff_case(request, pk)
    base = reverse("cases:case_qualifications", args=[case.pk])
    forms: dict[str, Any] = {}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        spec = _kind(kind)
        form = spec["form"](request.POST, prefix=kind)
        if _save(request, case.applicant, kind, form, None):
            return redirect(base + f"#{kind}")
        forms[kind] = form
    return _qualifications_page(request, case.applicant, base, case, forms)


@login_required
def case_qualification_edit(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    base = reverse("cases:case_qualifications", args=[case.pk])
    return _edit_page(request, case.applicant, kind, item_pk, base + f"#{kind}", base)


@login_required
@require_http_methods(["GET", "POST"])
def case_qualification_delete(
    request: HttpRequest, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    case = staff_case(request, pk)
    back = reverse("cases:case_qualifications", args=[case.pk]) + f"#{kind}"
    return _delete_page(request, case.applicant, kind, item_pk, back)


@login_required
@require_POST
def case_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """Run an assessment of the case (case staff only; others get 404)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not permissions.can_assess(request.user, case):
        raise Http404("No such case.")
    form = AssessForm(request.POST)
    flag = form.is_valid() and form.cleaned_data["advisor_flag"]
    result: dict[str, Any] = {}

    def run() -> None:
        result["a"] = services_eligibility.case_assess(
            case=case, actor=request.user, advisor_flag=bool(flag)
        )

    if run_service(request, run, _("Assessment saved.")):
        messages.info(
            request,
            _("Outcome: %(outcome)s.") % {"outcome": AssessmentOutcome(result["a"].outcome).label},
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#assessment")
