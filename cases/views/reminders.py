"""HTML views of deadlines and reminders: tasks, bulk due dates, notifications, preferences and
the calendar feed. Thin: reads through selectors, writes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions, selectors
from cases.forms.reminders import BulkDueDateForm, PreferenceForm, TaskForm
from cases.models import (
    OPEN_STAGES,
    CalendarFeed,
    CaseTask,
    ChecklistItem,
    Notification,
    ReminderPreference,
)
from cases.reminders.ics import calendar_for_user
from cases.services import reminders as services
from cases.views.shared import form_errors, run_service, staff_case
from portal.errors import PortalError

BULK_CASE_LIMIT = 200


# --- case tasks (case staff) ------------------------------------------------------------------


@login_required
@require_POST
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    form = TaskForm(request.POST, case=case)
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.task_create(
                case=case,
                title=data["title"],
                due_date=data["due_date"],
                assignee=data["assignee"],
                actor=request.user,
            ),
            _("Task added."),
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#tasks")


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    case = staff_case(request, pk)
    try:
        task = CaseTask.objects.select_related("case", "case__advisor").get(pk=task_pk, case=case)
    except CaseTask.DoesNotExist:
        raise Http404("No such task.") from None
    done = request.POST.get("done", "1") == "1"
    run_service(
        request,
        lambda: services.task_set_done(task=task, done=done, actor=request.user),
        _("Task marked done.") if done else _("Task reopened."),
    )
    return redirect(reverse("cases:detail", args=[case.pk]) + f"#task-{task.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """GET: "Remove this task?" with the task's details and a button; POST: remove it."""
    case = staff_case(request, pk)
    task = CaseTask.objects.select_related("assignee").filter(pk=task_pk, case=case).first()
    if task is None:
        raise Http404("No such task.")
    back = reverse("cases:detail", args=[case.pk]) + "#tasks"
    if request.method == "POST":
        task.case = case
        run_service(
            request,
            lambda: services.task_delete(task=task, actor=request.user),
            _("Task removed."),
        )
        return redirect(back)
    details = [
        (_("Task"), task.title),
        (_("Due date"), task.due_date.isoformat() if task.due_date else "—"),
        (_("Assigned to"), str(task.assignee or case.advisor or "—")),
    ]
    return render(
        request,
        "cases/confirm_remove.html",
        {
            "question": _("Remove this task?"),
            "details": details,
            "warning": _("The task and its reminders are removed; this cannot be undone."),
            "back": back,
        },
    )


# --- bulk due date (advisors and admins) ------------------------------------------------------


@login_required
def bulk_due_date(request: HttpRequest) -> HttpResponse:
    """Set a due date on one checklist requirement (by code) across selected cases."""
    if not permissions.can_open_case(request.user):
        raise Http404
    names: dict[str, str] = {}
    for code, name in ChecklistItem.objects.order_by("code", "id").values_list("code", "name_en"):
        names.setdefault(code, name)
    codes = [(code, f"{code} – {name}") for code, name in names.items()]
    cases_qs = (
        selectors.case_list_for_user(user=request.user)
        .filter(stage__in=OPEN_STAGES)
        .order_by("reference")[:BULK_CASE_LIMIT]
    )
    choices = [
        (c.pk, f"{c.reference} · {c.applicant.full_name} · {c.get_stage_display()}")
        for c in cases_qs
        if permissions.is_case_staff(request.user, c)
    ]
    form = BulkDueDateForm(request.POST or None, codes=codes, cases=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.requirement_bulk_set_due_date(
                actor=request.user,
                case_ids=data["cases"],
                code=data["code"],
                due_date=data["due_date"],
            )
        except PortalError as exc:
            # A date error goes beside the date field; anything else above the form.
            field = exc.details.get("field")
            form.add_error(
                field if isinstance(field, str) and field in form.fields else None, exc.message
            )
        else:
            messages.success(request, _("Due date set."))
            messages.info(request, _("%(n)d requirement(s) changed.") % {"n": changed})
            return redirect("reminders:bulk_due_date")
    return render(request, "reminders/bulk_due_date.html", {"form": form})


# --- notifications (any signed-in user, their own) --------------------------------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(user=request.user).select_related("case")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "reminders/notifications.html", {"page": page, "query": ""})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = Notification.objects.filter(user=request.user, pk=pk).first()
    if note is None:
        raise Http404("No such notification.")
    services.notification_mark_read(user=request.user, notification_id=note.pk)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.url)
    return redirect("reminders:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    n = services.notification_mark_read(user=request.user)
    messages.success(request, _("%(n)d notification(s) marked read.") % {"n": n})
    return redirect("reminders:notifications")


# --- preferences and calendar feed (any signed-in user, their own) ----------------------------


def _preferences_page(
    request: HttpRequest, form: PreferenceForm, feed_url: str = ""
) -> HttpResponse:
    return render(
        request,
        "reminders/preferences.html",
        {
            "form": form,
            "has_feed": CalendarFeed.objects.filter(user=request.user).exists(),
            "feed_url": feed_url,
        },
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = ReminderPreference.objects.filter(user=request.user).first()
    initial = {
        "daily_digest": pref.daily_digest if pref else False,
        "skip_optional": pref.skip_optional if pref else False,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if not request.user.is_staff_member:
        del form.fields["daily_digest"]
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user,
            daily_digest=form.cleaned_data.get("daily_digest", False),
            skip_optional=form.cleaned_data["skip_optional"],
        )
        messages.success(request, _("Reminder preferences saved."))
        return redirect("reminders:preferences")
    return _preferences_page(request, form)


@never_cache
@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    """Create or replace the feed link; the page shows it once (only a hash is stored)."""
    token = services.calendar_feed_rotate(user=request.user)
    url = request.build_absolute_uri(reverse("reminders:calendar_feed", args=[token]))
    messages.success(request, _("Your new calendar link is below; the old one no longer works."))
    pref = ReminderPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(
        initial={
            "daily_digest": pref.daily_digest if pref else False,
            "skip_optional": pref.skip_optional if pref else False,
        }
    )
    if not request.user.is_staff_member:
        del form.fields["daily_digest"]
    response = _preferences_page(request, form, feed_url=url)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    if services.calendar_feed_revoke(user=request.user):
        messages.success(request, _("Calendar link revoked."))
    return redirect("reminders:preferences")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed; the secret token is the credential (unknown or revoked: 404)."""
    user = services.calendar_feed_user(token=token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        calendar_for_user(user=user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
