"""Pages of deadlines and reminders: dashboard, applicant deadlines, tasks, bulk due dates,
notifications, preferences and the calendar feed; outsiders get 404."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cases.models import CaseEvent, CaseTask, Notification, ReminderPreference
from cases.services import reminders as reminder_services
from cases.services.summary import case_summary_refresh
from tests.factories import open_case

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def set_due(case, code, due):
    case.requirements.update(due_date=None)
    case.requirements.filter(code=code).update(due_date=due)
    case_summary_refresh(case_ids=[case.pk])  # the summary's one writer, as the services do


@pytest.mark.django_db
def test_dashboard_lists_overdue_this_week_and_cases_without_deadline(
    frozen, client_for, advisor, case
):
    set_due(case, "passport-bio-page", dt.date(2026, 3, 8))
    week = open_case(advisor=advisor)
    set_due(week, "digital-photo", dt.date(2026, 3, 14))
    bare = open_case(advisor=advisor)
    bare.requirements.update(due_date=None)
    later = open_case(advisor=advisor)
    set_due(later, "digital-photo", dt.date(2026, 5, 1))
    html = client_for(advisor).get(reverse("dashboard")).content.decode()
    overdue = html[html.index("Overdue items") : html.index("Due in the next 7 days")]
    this_week = html[html.index("Due in the next 7 days") : html.index("Open cases with no")]
    none = html[html.index("Open cases with no") :]
    assert case.reference in overdue
    assert "Passport bio-data page" in overdue
    assert week.reference in this_week
    assert "2026-03-14" in this_week
    assert bare.reference in none
    assert (
        later.reference
        not in html.replace(f"{later.reference}</a></td>", "")[: html.index("Open cases with no")]
    )


@pytest.mark.django_db
def test_dashboard_uses_the_case_time_zone_for_today(client_for, advisor, case):
    # 20:00 UTC on 9 March is already 10 March in Shanghai: due 9 March is overdue there.
    case.time_zone = "Asia/Shanghai"
    case.save(update_fields=["time_zone"])
    set_due(case, "passport-bio-page", dt.date(2026, 3, 9))
    with time_machine.travel(dt.datetime(2026, 3, 9, 20, tzinfo=UTC), tick=False):
        html = client_for(advisor).get(reverse("dashboard")).content.decode()
    overdue = html[html.index("Overdue items") : html.index("Due in the next 7 days")]
    assert case.reference in overdue


@pytest.mark.django_db
def test_dashboard_does_not_show_other_advisors_deadlines(frozen, client_for, other_advisor, case):
    set_due(case, "passport-bio-page", dt.date(2026, 3, 8))
    html = client_for(other_advisor).get(reverse("dashboard")).content.decode()
    assert case.reference not in html


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_cases(
    frozen, client_for, advisor, django_assert_max_num_queries
):
    client = client_for(advisor)

    def count() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    c = open_case(advisor=advisor)
    set_due(c, "passport-bio-page", dt.date(2026, 3, 8))
    reminder_services.task_create(
        case=c, title="t", due_date=dt.date(2026, 3, 11), assignee=None, actor=advisor
    )
    small = count()
    for _ in range(4):
        c = open_case(advisor=advisor)
        set_due(c, "passport-bio-page", dt.date(2026, 3, 8))
        reminder_services.task_create(
            case=c, title="t", due_date=dt.date(2026, 3, 11), assignee=None, actor=advisor
        )
        open_case(advisor=advisor).requirements.update(due_date=None)
    assert count() == small


@pytest.mark.django_db
def test_applicant_case_page_shows_upcoming_and_overdue(frozen, client_for, applicant_user, case):
    case.requirements.update(due_date=None)
    case.requirements.filter(code="passport-bio-page").update(due_date=dt.date(2026, 3, 1))
    case.requirements.filter(code="digital-photo").update(due_date=dt.date(2026, 3, 20))
    html = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk])).content
    html = html.decode()
    section = html[html.index('id="deadlines-h"') : html.index('id="checklist-h"')]
    assert section.index("Overdue") < section.index("2026-03-01") < section.index("Upcoming")
    assert section.index("Upcoming") < section.index("2026-03-20")


@pytest.mark.django_db
def test_advisor_adds_and_completes_a_task(client_for, advisor, case):
    client = client_for(advisor)
    response = client.post(
        reverse("reminders:task_create", args=[case.pk]),
        {"title": "Call the consulate", "due_date": "2026-03-12"},
    )
    assert response.status_code == 302
    task = CaseTask.objects.get()
    assert (task.title, task.due_date, task.done) == (
        "Call the consulate",
        dt.date(2026, 3, 12),
        False,
    )
    assert (
        "Call the consulate" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    client.post(reverse("reminders:task_done", args=[case.pk, task.pk]), {"done": "1"})
    task.refresh_from_db()
    assert task.done
    assert CaseEvent.objects.filter(case=case, data__what="task", data__change="done").exists()


@pytest.mark.django_db
def test_task_without_title_is_refused_with_a_message(client_for, advisor, case):
    response = client_for(advisor).post(
        reverse("reminders:task_create", args=[case.pk]), {"title": ""}, follow=True
    )
    assert CaseTask.objects.count() == 0
    assert "This field is required" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_advisor", "applicant_user", "stranger"])
def test_outsiders_get_404_on_task_pages(request, client_for, advisor, case, who):
    task = reminder_services.task_create(
        case=case, title="x", due_date=None, assignee=None, actor=advisor
    )
    client = client_for(request.getfixturevalue(who))
    assert (
        client.post(reverse("reminders:task_create", args=[case.pk]), {"title": "y"}).status_code
        == 404
    )
    assert client.post(reverse("reminders:task_done", args=[case.pk, task.pk])).status_code == 404
    task.refresh_from_db()
    assert not task.done
    assert CaseTask.objects.count() == 1


@pytest.mark.django_db
def test_bulk_due_date_sets_the_same_requirement_on_selected_cases(client_for, advisor, case):
    second = open_case(advisor=advisor)
    untouched = open_case(advisor=advisor)
    client = client_for(advisor)
    assert client.get(reverse("reminders:bulk_due_date")).status_code == 200
    due = timezone.localdate() + dt.timedelta(days=120)  # past dates are refused (issue 10)
    response = client.post(
        reverse("reminders:bulk_due_date"),
        {"code": "digital-photo", "due_date": due.isoformat(), "cases": [case.pk, second.pk]},
    )
    assert response.status_code == 302
    for c in (case, second):
        assert c.requirements.get(code="digital-photo").due_date == due
    assert untouched.requirements.get(code="digital-photo").due_date != due
    assert CaseEvent.objects.filter(data__due_date=due.isoformat()).count() == 2


@pytest.mark.django_db
def test_bulk_due_date_refuses_another_advisors_case_and_changes_nothing(
    advisor, other_advisor, case
):
    from portal.errors import InvalidInput

    theirs = open_case(advisor=other_advisor)
    before = theirs.requirements.get(code="digital-photo").due_date
    with pytest.raises(InvalidInput):
        reminder_services.requirement_bulk_set_due_date(
            actor=advisor,
            case_ids=[case.pk, theirs.pk],
            code="digital-photo",
            due_date=dt.date(2026, 4, 1),
        )
    assert theirs.requirements.get(code="digital-photo").due_date == before
    assert case.requirements.get(code="digital-photo").due_date != dt.date(2026, 4, 1)


@pytest.mark.django_db
def test_bulk_due_date_form_rejects_a_case_not_offered(client_for, advisor, other_advisor):
    theirs = open_case(advisor=other_advisor)
    response = client_for(advisor).post(
        reverse("reminders:bulk_due_date"),
        {"code": "digital-photo", "due_date": "2026-04-01", "cases": [theirs.pk]},
    )
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()


@pytest.mark.django_db
def test_bulk_due_date_page_is_404_for_applicants(client_for, applicant_user):
    assert client_for(applicant_user).get(reverse("reminders:bulk_due_date")).status_code == 404


@pytest.mark.django_db
def test_bulk_page_query_count_does_not_grow(client_for, advisor, django_assert_max_num_queries):
    client = client_for(advisor)

    def count() -> int:
        with django_assert_max_num_queries(15) as ctx:
            client.get(reverse("reminders:bulk_due_date"))
        return len(ctx.captured_queries)

    open_case(advisor=advisor)
    small = count()
    for _ in range(5):
        open_case(advisor=advisor)
    assert count() == small


def _note(user, title="Reminder", url="/"):
    return Notification.objects.create(user=user, title=title, url=url)


@pytest.mark.django_db
def test_notifications_unread_count_list_and_mark_read(client_for, applicant_user):
    first = _note(applicant_user, "Passport due today")
    _note(applicant_user, "Photo due in 2 days")
    client = client_for(applicant_user)
    page = client.get(reverse("reminders:notifications")).content.decode()
    assert "Passport due today" in page
    assert re.search(r'class="badge"[^>]*>2<', page)
    client.post(reverse("reminders:notification_read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at is not None
    assert re.search(
        r'class="badge"[^>]*>1<', client.get(reverse("dashboard"), follow=True).content.decode()
    )
    client.post(reverse("reminders:notifications_read_all"))
    assert Notification.objects.unread().count() == 0


@pytest.mark.django_db
def test_another_users_notification_is_404_and_stays_unread(client_for, applicant_user, stranger):
    note = _note(applicant_user, "Secret passport reminder")
    client = client_for(stranger)
    assert client.post(reverse("reminders:notification_read", args=[note.pk])).status_code == 404
    assert "Secret passport" not in client.get(reverse("reminders:notifications")).content.decode()
    client.post(reverse("reminders:notifications_read_all"))
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.django_db
def test_notification_list_query_count_does_not_grow(
    client_for, applicant_user, django_assert_max_num_queries
):
    client = client_for(applicant_user)

    def count() -> int:
        with django_assert_max_num_queries(10) as ctx:
            client.get(reverse("reminders:notifications"))
        return len(ctx.captured_queries)

    _note(applicant_user)
    small = count()
    for _ in range(10):
        _note(applicant_user)
    assert count() == small


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client_for):
    client = client_for(None)
    for name in ("reminders:notifications", "reminders:preferences", "reminders:bulk_due_date"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_preferences_are_saved_and_digest_is_for_advisors_only(client_for, advisor, applicant_user):
    client_for(advisor).post(
        reverse("reminders:preferences"), {"daily_digest": "on", "skip_optional": "on"}
    )
    pref = ReminderPreference.objects.get(user=advisor)
    assert pref.daily_digest
    assert pref.skip_optional
    page = client_for(applicant_user).get(reverse("reminders:preferences")).content.decode()
    assert "daily digest" not in page
    client_for(applicant_user).post(reverse("reminders:preferences"), {"daily_digest": "on"})
    assert not ReminderPreference.objects.get(user=applicant_user).daily_digest


def _feed_url(client) -> str:
    html = client.post(reverse("reminders:calendar_rotate")).content.decode()
    return re.search(r'id="feed-url" value="http://testserver([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_calendar_feed_lists_the_users_deadlines_and_can_be_revoked(
    frozen, client_for, applicant_user, case, other_applicant
):
    set_due(case, "passport-bio-page", dt.date(2026, 3, 20))
    theirs = open_case(applicant=other_applicant)
    set_due(theirs, "passport-bio-page", dt.date(2026, 3, 21))
    client = client_for(applicant_user)
    path = _feed_url(client)
    anonymous = client_for(None)
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [f"{case.reference}: Passport bio-data page"]
    assert events[0].decoded("dtstart") == dt.date(2026, 3, 20)
    assert theirs.reference not in response.content.decode()
    client.post(reverse("reminders:calendar_revoke"))
    assert anonymous.get(path).status_code == 404


@pytest.mark.django_db
def test_replacing_the_calendar_link_invalidates_the_old_one(client_for, advisor):
    client = client_for(advisor)
    old = _feed_url(client)
    new = _feed_url(client)
    assert old != new
    assert client_for(None).get(old).status_code == 404
    assert client_for(None).get(new).status_code == 200


@pytest.mark.django_db
def test_calendar_feed_with_a_wrong_token_is_404(client_for):
    url = reverse("reminders:calendar_feed", args=["not-a-real-token"])
    assert client_for(None).get(url).status_code == 404


@pytest.mark.django_db
def test_calendar_feed_of_a_deactivated_user_is_404(client_for, advisor):
    path = _feed_url(client_for(advisor))
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])
    assert client_for(None).get(path).status_code == 404


@pytest.mark.django_db
def test_advisor_feed_has_tasks_and_query_count_is_constant(
    frozen, advisor, django_assert_max_num_queries
):
    from cases.reminders.ics import calendar_for_user

    def count() -> int:
        with django_assert_max_num_queries(10) as ctx:
            calendar_for_user(user=advisor)
        return len(ctx.captured_queries)

    c = open_case(advisor=advisor)
    reminder_services.task_create(
        case=c,
        title="Check translation",
        due_date=dt.date(2026, 3, 15),
        assignee=None,
        actor=advisor,
    )
    assert b"Check translation" in calendar_for_user(user=advisor)
    small = count()
    for _ in range(4):
        open_case(advisor=advisor)
    assert count() == small
    assert timezone.now() == NOW


@pytest.mark.django_db
def test_notification_open_follows_only_local_urls(client_for, applicant_user):
    local = _note(applicant_user, url="/my/")
    evil = _note(applicant_user, url="//evil.example/phish")
    client = client_for(applicant_user)
    response = client.post(reverse("reminders:notification_read", args=[local.pk]), {"open": "1"})
    assert response["Location"] == "/my/"
    response = client.post(reverse("reminders:notification_read", args=[evil.pk]), {"open": "1"})
    assert response["Location"] == reverse("reminders:notifications")


@pytest.mark.django_db
def test_passport_too_short_for_entry_shows_as_a_deadline(
    frozen, client_for, advisor, applicant, applicant_user
):
    applicant.passport_expiry = dt.date(2026, 6, 1)
    applicant.save(update_fields=["passport_expiry"])
    case = open_case(applicant=applicant, advisor=advisor)  # entry: today + 90 days
    case.requirements.update(due_date=None)
    case.target_submission_date = dt.date(2026, 3, 12)
    case.save(update_fields=["target_submission_date"])
    case_summary_refresh(case_ids=[case.pk])  # as case_record_update does
    page = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk])).content
    assert "Renew the passport: it expires on 2026-06-01" in page.decode()
    dashboard = client_for(advisor).get(reverse("dashboard")).content.decode()
    this_week = dashboard[dashboard.index("Due in the next 7 days") :]
    assert "Renew the passport" in this_week
    assert "Target submission date" in this_week


@pytest.mark.django_db
def test_admin_sees_failed_deliveries_and_can_retry_them(
    client_for, admin_user, applicant_user, case, django_assert_max_num_queries
):
    from cases.models import DeliveryStatus, ReminderDelivery, ReminderRule

    rule = ReminderRule.objects.first()

    def add(n: int) -> None:
        for i in range(n):
            ReminderDelivery.objects.create(
                rule=rule,
                target_type="requirement",
                target_id=1000 + i + n * 100,
                case=case,
                recipient=applicant_user,
                due_date=dt.date(2026, 3, 10),
                offset_days=0,
                channel="email",
                status=DeliveryStatus.FAILED,
                attempts=5,
                last_error="SMTPServerDisconnected: gone",
                send_after=NOW,
            )

    client = client_for(admin_user)
    url = reverse("admin:cases_reminderdelivery_changelist")

    def count() -> int:
        with django_assert_max_num_queries(15) as ctx:
            page = client.get(url + "?status__exact=failed")
        assert "SMTPServerDisconnected" in page.content.decode()
        return len(ctx.captured_queries)

    add(1)
    small = count()
    add(5)
    assert count() == small
    ids = list(ReminderDelivery.objects.values_list("pk", flat=True))
    client.post(url, {"action": "retry_failed", "_selected_action": ids})
    assert set(ReminderDelivery.objects.values_list("status", "attempts")) == {("pending", 0)}


@pytest.mark.django_db
def test_only_admins_may_retry_deliveries(advisor):
    from portal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        reminder_services.reminder_deliveries_retry(actor=advisor, delivery_ids=[1])


# --- implausible due dates (tester's bug: 9999-12-31 made the calendar feed answer 500) -------


@pytest.mark.django_db
@pytest.mark.parametrize("due", ["9999-12-31", "2036-03-11", "1999-12-31"])
def test_task_with_an_implausible_due_date_is_refused_with_a_message(
    frozen, client_for, advisor, case, due
):
    response = client_for(advisor).post(
        reverse("reminders:task_create", args=[case.pk]),
        {"title": "Far away", "due_date": due},
        follow=True,
    )
    assert response.status_code == 200
    assert CaseTask.objects.count() == 0
    page = response.content.decode()
    assert "years ahead" in page or "too far in the past" in page


@pytest.mark.django_db
def test_task_due_exactly_ten_years_ahead_is_accepted(frozen, advisor, case):
    task = reminder_services.task_create(
        case=case, title="x", due_date=dt.date(2036, 3, 10), assignee=None, actor=advisor
    )
    assert task.due_date == dt.date(2036, 3, 10)


@pytest.mark.django_db
@pytest.mark.parametrize("due", [dt.date(9999, 12, 31), dt.date(1800, 1, 1)])
def test_bulk_due_date_refuses_an_implausible_date_and_changes_nothing(frozen, advisor, case, due):
    from portal.errors import InvalidInput

    before = case.requirements.get(code="digital-photo").due_date
    with pytest.raises(InvalidInput):
        reminder_services.requirement_bulk_set_due_date(
            actor=advisor, case_ids=[case.pk], code="digital-photo", due_date=due
        )
    assert case.requirements.get(code="digital-photo").due_date == before


@pytest.mark.django_db
def test_calendar_feed_survives_the_largest_stored_dates(frozen, client_for, advisor, case):
    # Rows stored before validation existed (or written around the services) must not crash it.
    CaseTask.objects.create(
        case=case, title="Legacy", due_date=dt.date.max, assignee=None, created_by=advisor
    )
    set_due(case, "digital-photo", dt.date.max)
    response = client_for(None).get(_feed_url(client_for(advisor)))
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert {e.decoded("dtstart") for e in events} == {dt.date.max}
    assert len(events) == 2


# --- "overdue" means the same everywhere (tester's bug: optional and submitted listed) --------


@pytest.mark.django_db
def test_dashboard_overdue_items_follow_the_case_list_definition(frozen, client_for, advisor):
    from cases import selectors
    from cases.models import Case, Stage

    counted = open_case(advisor=advisor)
    set_due(counted, "passport-bio-page", dt.date(2026, 3, 8))
    optional = open_case(advisor=advisor)
    set_due(optional, "passport-bio-page", dt.date(2026, 3, 8))
    optional.requirements.filter(code="passport-bio-page").update(required=False)
    case_summary_refresh(case_ids=[optional.pk])
    past_review = {}
    for stage in (Stage.READY, Stage.SUBMITTED):
        c = open_case(advisor=advisor)
        set_due(c, "passport-bio-page", dt.date(2026, 3, 8))
        Case.objects.filter(pk=c.pk).update(stage=stage)
        case_summary_refresh(case_ids=[c.pk])
        past_review[stage] = c
    html = client_for(advisor).get(reverse("dashboard")).content.decode()
    overdue = html[html.index("Overdue items") : html.index("Due in the next 7 days")]
    this_week = html[html.index("Due in the next 7 days") : html.index("Open cases with no")]
    assert counted.reference in overdue
    for c in (optional, *past_review.values()):
        assert c.reference not in overdue
        assert c.reference not in this_week  # past due, so not "coming up" either
    listed = selectors.cases_overdue(Case.objects.visible_to(advisor))
    assert set(listed.values_list("pk", flat=True)) == {counted.pk}


@pytest.mark.django_db
def test_applicant_page_does_not_call_an_optional_document_overdue(
    frozen, client_for, applicant_user, case
):
    set_due(case, "passport-bio-page", dt.date(2026, 3, 1))
    case.requirements.filter(code="passport-bio-page").update(required=False)
    html = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk])).content
    html = html.decode()
    section = html[html.index('id="deadlines-h"') : html.index('id="checklist-h"')]
    assert "Overdue" not in section
    assert "2026-03-01" not in section
