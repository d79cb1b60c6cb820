"""Dashboard and the invitation pages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cases import selectors
from cases.reminders.deadlines import dashboard_deadlines_for_user
from portal.tokens import invitation_token_generator


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Applicants go to their cases; advisors and admins see their overdue cases, overdue and
    this week's items, and open cases without any deadline."""
    if not request.user.is_staff_member:
        return redirect("cases:my_cases")
    overdue = selectors.case_list_for_user(
        user=request.user, filters=selectors.CaseFilters(overdue=True)
    )[:20]
    deadlines = dashboard_deadlines_for_user(user=request.user)
    return render(
        request, "portal/dashboard.html", {"overdue": list(overdue), "deadlines": deadlines}
    )


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: the applicant chooses a first password (7 days)."""

    token_generator = invitation_token_generator
    reset_url_token = "set-password"  # noqa: S105 - a URL segment, not a secret
    template_name = "registration/invitation_accept.html"


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and docker-compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def invitation_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/invitation_done.html")
