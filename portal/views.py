"""Dashboard, invitation pages and two-factor enrolment and verification."""

import base64
import datetime as dt
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.qr import write_qrcode_image

from cases import selectors
from cases.reminders.schedule import local_today
from cases.selectors.deadlines import dashboard_deadlines_for_user
from cases.selectors.review import awaiting_review_for_user
from cases.services.notifications import notify_invitation_accepted
from portal import audit, dates, services
from portal.errors import PortalError
from portal.http import AuthenticatedHttpRequest
from portal.invitations import (
    InvitationState,
    invitation_mark_accepted,
    invitation_mark_opened,
    invitation_state,
)
from portal.models import Invitation
from portal.tokens import invitation_token_generator


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Applicants go to their cases; advisors and admins see the uploads waiting for their
    review (oldest first), their overdue cases, overdue and this week's items, and open cases
    without any deadline."""
    if not request.user.is_staff_member:
        return redirect("cases:my_cases")
    overdue = selectors.case_list_for_user(
        user=request.user, filters=selectors.CaseFilters(overdue=True)
    )[:20]
    deadlines = dashboard_deadlines_for_user(user=request.user)
    return render(
        request,
        "portal/dashboard.html",
        {
            "overdue": list(overdue),
            "deadlines": deadlines,
            "to_review": awaiting_review_for_user(user=request.user),
        },
    )


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: the applicant chooses a first password (7 days)."""

    token_generator = invitation_token_generator
    reset_url_token = "set-password"  # noqa: S105 - a URL segment, not a secret
    template_name = "registration/invitation_accept.html"

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Record the first visit of a working link; remember why a genuine old link no
        longer works (a newer email was sent, or it expired) to say so plainly."""
        self.problem = ""
        token = kwargs.get("token", "")
        user = self.get_user(kwargs.get("uidb64", ""))
        if user is not None and token and token != self.reset_url_token:
            invitation = invitation_token_generator.invitation_for(user, token)
            if invitation is not None:
                self.problem = _invitation_problem(invitation)
                if not self.problem and invitation_state(invitation) == InvitationState.VALID:
                    invitation_mark_opened(invitation=invitation)
        return super().dispatch(*args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["problem"] = self.problem
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        """Set the first password and record the invitation accepted, then tell the advisors
        of the applicant's open cases."""
        with transaction.atomic():
            response = super().form_valid(form)
            invitation_mark_accepted(user=form.user)
            notify_invitation_accepted(user=form.user)
        return response


def _invitation_problem(invitation: Invitation) -> str:
    """What to tell the holder of a genuine link that no longer works because a newer email
    was sent or it expired (dates in the invitee's time zone); empty otherwise."""
    state = invitation_state(invitation)
    user = invitation.user
    if state == InvitationState.SUPERSEDED:
        newest = Invitation.objects.filter(user=user).order_by("-sent_at", "-id").first()
        sent = local_today(newest.sent_at if newest else invitation.sent_at, user.time_zone)
        return str(
            _(
                "This link no longer works because a newer invitation email was sent to you "
                "on %(date)s. Open the link in that newest email."
            )
            % {"date": sent.isoformat()}
        )
    if state == InvitationState.EXPIRED:
        return str(
            _(
                "This invitation link has expired: it was sent on %(date)s and worked for "
                "%(days)d days. Ask your advisor to send it again."
            )
            % {
                "date": local_today(invitation.sent_at, user.time_zone).isoformat(),
                "days": settings.INVITATION_TIMEOUT_DAYS,
            }
        )
    return ""


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for docker compose and orchestrators: this process answers. It asks nothing of
    the database or Redis, so their outage does not restart every web container; readiness
    (``/healthz/ready``, portal/health.py) checks those."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def invitation_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/invitation_done.html")


# The URL segment Django's reset view (and our invitation view) swaps the token for.
_TOKEN_PLACEHOLDER = "set-password"  # noqa: S105 - a URL segment, not a secret


def no_referrer(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Send ``Referrer-Policy: no-referrer`` on responses whose URL carries a reset or
    invitation token, so the token never leaks in a Referer header.

    Pages without a token in their URL (the email form, the set-password form after Django
    moved the token into the session) keep the site-wide ``same-origin`` policy: under
    ``no-referrer`` browsers send ``Origin: null`` with form posts, which Django's CSRF
    check rightly refuses, and those forms would never submit.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        token = kwargs.get("token", "")
        if token and token != _TOKEN_PLACEHOLDER:
            response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )


def _must_verify_first(request: AuthenticatedHttpRequest) -> bool:
    return bool(user_has_device(request.user, confirmed=True) and not request.user.is_verified())


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code,
    then see the single-use recovery codes once. A user who already has one must verify a code
    first (a password alone never replaces an authenticator)."""
    if _must_verify_first(request):
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor_setup')}")
    device = services.two_factor_enrol_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_enrol_confirm(
                user=request.user, device=device, token=form.cleaned_data["token"]
            )
        except PortalError as exc:
            form.add_error("token", exc.message)
        else:
            request.session.cycle_key()
            otp_login(request, device)
            response = render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _safe_next(request)},
            )
            response["Cache-Control"] = "no-store"
            return response
    key = base64.b32encode(device.bin_key).decode()
    response = render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "next": request.GET.get("next", ""),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def two_factor_qr(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The pending authenticator's otpauth:// URL as an SVG QR code (no script, no inline
    data URL), for the enrolment page's ``<img>``."""
    if _must_verify_first(request):
        raise Http404
    device = services.two_factor_enrol_start(user=request.user)
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for a TOTP or recovery code once per session before case data or the admin."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_check(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            request.session.cycle_key()  # a new session id once the second factor is proven
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("That code did not work. Type a new code and try again."))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def two_factor_recovery(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Issue a fresh set of recovery codes (the old ones stop working); needs a verified
    session."""
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    codes = services.recovery_codes_regenerate(user=request.user)
    response = render(
        request,
        "registration/two_factor_codes.html",
        {"codes": codes, "next": reverse("dashboard")},
    )
    response["Cache-Control"] = "no-store"
    return response


class AuditExportForm(forms.Form):
    start = forms.DateField(
        label=_("From (UTC date)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To (UTC date, inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        latest = dates.latest_allowed(timezone.now().astimezone(dt.UTC).date())
        for name in ("start", "end"):
            day = data.get(name)
            if day and not dates.EARLIEST_DUE_DATE <= day <= latest:
                self.add_error(
                    name,
                    _("Choose a date between %(earliest)s and %(latest)s.")
                    % {
                        "earliest": dates.EARLIEST_DUE_DATE.isoformat(),
                        "latest": latest.isoformat(),
                    },
                )
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


@login_required
@require_GET
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Admins: the audit log (changes and document accesses) of their firm for a date range
    as CSV, with cells escaped against formula injection. Everyone else gets 404."""
    if not request.user.is_portal_admin:
        raise Http404
    form = AuditExportForm(request.GET or None)
    if not form.is_valid():
        return render(
            request,
            "portal/audit_export.html",
            {"form": form},
            status=400 if request.GET else 200,
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    entries = audit.audit_entries_between(start=start, end=end, user=request.user)
    return audit.csv_response(
        f"audit-{start.isoformat()}-{end.isoformat()}.csv",
        audit.AUDIT_CSV_HEADER,
        audit.audit_csv_rows(entries),
    )


@login_required
@require_POST
def logout_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    """End every session of the signed-in user, this one included (a lost laptop, a shared
    computer)."""
    services.user_sessions_end(user=request.user)
    logout(request)
    return redirect("login")
