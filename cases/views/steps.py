"""HTML views of case steps: the advisor ticks a step (date done, note) or opens it again.
Thin: the step is read through ``cases/selectors/steps.py`` (404 for anyone but the case's
staff), the change made by ``cases/services/steps.py``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.forms.steps import StepTickForm
from cases.models import CaseStep
from cases.selectors.steps import step_list_for_case
from cases.services import steps as services
from cases.views.shared import form_errors, run_service, staff_case


def _step(request: HttpRequest, pk: int, step_pk: int) -> CaseStep:
    case = staff_case(request, pk)
    step = step_list_for_case(case=case, user=request.user).filter(pk=step_pk).first()
    if step is None:
        raise Http404("No such step.")
    step.case = case
    return step


def _back(step: CaseStep) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[step.case_id]) + f"#step-{step.pk}")


@login_required
@require_POST
def step_tick(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    form = StepTickForm(request.POST, prefix=f"step{step.pk}")
    if not form.is_valid():
        form_errors(request, form)
        return _back(step)
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.step_tick(
            step=step, done_on=data["done_on"], note=data["note"], actor=request.user
        ),
        _("“%(name)s” ticked.") % {"name": step.name},
    )
    return _back(step)


@login_required
@require_POST
def step_untick(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    run_service(
        request,
        lambda: services.step_untick(step=step, actor=request.user),
        _("“%(name)s” is open again.") % {"name": step.name},
    )
    return _back(step)
