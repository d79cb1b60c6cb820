"""API v1 reminders: the requester's own notifications, and case tasks (case staff only)."""

import datetime as dt

import pytest

from cases.models import CaseEvent, CaseTask, Notification
from cases.services import reminders as services

pytestmark = pytest.mark.django_db


def _note(user, title="Due soon", **kwargs):
    return Notification.objects.create(user=user, title=title, **kwargs)


# --- notifications ----------------------------------------------------------------------------


def test_notifications_lists_only_your_own_newest_first_with_unread_filter(
    api_for, case, applicant_user, advisor
):
    old = _note(applicant_user, "Old", case=case)
    new = _note(applicant_user, "New", case=case)
    _note(advisor, "Not yours")
    services.notification_mark_read(user=applicant_user, notification_id=old.pk)
    client = api_for(applicant_user)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [(r["id"], r["read"]) for r in rows] == [(new.pk, False), (old.pk, True)]
    unread = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [r["id"] for r in unread] == [new.pk]
    read = client.get("/api/v1/notifications/?unread=false").json()["results"]
    assert [r["id"] for r in read] == [old.pk]


def test_mark_one_read(api_for, applicant_user):
    note = _note(applicant_user)
    response = api_for(applicant_user).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_is_404_and_stays_unread(
    api_for, applicant_user, other_applicant_user, advisor
):
    note = _note(applicant_user)
    for user in (other_applicant_user, advisor):
        response = api_for(user).post(f"/api/v1/notifications/{note.pk}/read/")
        assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_read_all_marks_only_your_own(api_for, applicant_user, advisor):
    mine = [_note(applicant_user), _note(applicant_user)]
    theirs = _note(advisor)
    response = api_for(applicant_user).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2}
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- case tasks -------------------------------------------------------------------------------


def test_advisor_adds_a_task_and_an_internal_event_is_recorded(api_for, case, advisor):
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = api_for(advisor).post(
        f"/api/v1/cases/{case.pk}/tasks/",
        {"title": "Call the consulate", "due_date": due},
        format="json",
    )
    assert response.status_code == 201, response.json()
    task = CaseTask.objects.get(case=case)
    assert (task.title, task.due_date.isoformat(), task.created_by) == (
        "Call the consulate",
        due,
        advisor,
    )
    assert CaseEvent.objects.filter(case=case, internal=True, data__task=task.pk).exists()
    rows = api_for(advisor).get(f"/api/v1/cases/{case.pk}/tasks/").json()["results"]
    assert [r["id"] for r in rows] == [task.pk]


def test_task_assignee_must_be_an_active_advisor(api_for, case, advisor, applicant_user):
    response = api_for(advisor).post(
        f"/api/v1/cases/{case.pk}/tasks/",
        {"title": "x", "assignee": applicant_user.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["fields"]
    blank = api_for(advisor).post(f"/api/v1/cases/{case.pk}/tasks/", {"title": "  "})
    assert blank.status_code == 400
    assert not CaseTask.objects.exists()


def test_task_done_and_open_again(api_for, case, advisor, supervisor):
    task = services.task_create(case=case, title="t", due_date=None, assignee=None, actor=advisor)
    response = api_for(advisor).post(f"/api/v1/tasks/{task.pk}/done/")
    assert response.status_code == 200
    assert response.json()["done"] is True
    task.refresh_from_db()
    assert task.done
    assert task.done_at
    reopened = api_for(supervisor).post(f"/api/v1/tasks/{task.pk}/done/", {"done": False})
    assert reopened.json()["done"] is False
    task.refresh_from_db()
    assert not task.done


def test_tasks_are_404_for_applicants_and_other_advisors(
    api_for, case, advisor, applicant_user, other_applicant_user, other_advisor
):
    task = services.task_create(case=case, title="t", due_date=None, assignee=None, actor=advisor)
    for user in (applicant_user, other_applicant_user, other_advisor):
        client = api_for(user)
        assert client.get(f"/api/v1/cases/{case.pk}/tasks/").status_code == 404, user
        assert client.post(f"/api/v1/cases/{case.pk}/tasks/", {"title": "x"}).status_code == 404
        assert client.post(f"/api/v1/tasks/{task.pk}/done/").status_code == 404
    task.refresh_from_db()
    assert not task.done
    assert CaseTask.objects.count() == 1


def test_api_root_links_each_collection_by_its_list(api_for, advisor):
    """Several apps register under ``cases`` (assessments, tasks): the root still links the
    case list, and the new notification list."""
    body = api_for(advisor).get("/api/v1/").json()
    assert body["cases"].endswith("/api/v1/cases/")
    assert body["applicants"].endswith("/api/v1/applicants/")
    assert body["notifications"].endswith("/api/v1/notifications/")
