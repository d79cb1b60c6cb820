"""Notifications of the events people act on (cases/services/notifications.py): recipient,
language, once only, none to self, none to deactivated users or after unassignment, and a
burst of uploads making one email."""

import datetime as dt

import pytest
import time_machine

from cases import services
from cases.models import (
    Case,
    DeliveryStatus,
    Notification,
    ReminderDelivery,
    ReminderPreference,
    Stage,
)
from cases.services.notifications import notify_invitation_accepted, notify_reassigned
from cases.services.sweep import deliveries_send_due
from tests.factories import AdvisorFactory, case_at, title_of, upload_document

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def later(minutes: int = 10) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def send(at: dt.datetime):
    with time_machine.travel(at, tick=False):
        return deliveries_send_due()


def notes_of(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


@pytest.fixture
def doc_case(case) -> Case:
    return case_at(Stage.DOCUMENTS, case=case)


@pytest.fixture
def quiet(doc_case):
    """The case in the documents stage, with the notifications of setting it up removed."""
    Notification.objects.all().delete()
    ReminderDelivery.objects.all().delete()
    return doc_case


# --- who is told of what --------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_message_tells_the_advisor_not_the_author(quiet, applicant_user, mailoutbox):
    advisor = quiet.advisor
    with time_machine.travel(T0, tick=False):
        services.message_post(case=quiet, author=applicant_user, body="Is my photo fine?")
    (note,) = notes_of(advisor)
    assert quiet.reference in title_of(note)
    assert note.body == "Is my photo fine?"
    assert note.url.startswith(f"/cases/{quiet.pk}/")
    assert notes_of(applicant_user) == []  # no self-notification
    assert mailoutbox == []  # not before the batch window
    send(later())
    (email,) = mailoutbox
    assert email.to == [advisor.email]
    assert "Is my photo fine?" in email.body
    send(later(20))
    assert len(mailoutbox) == 1  # once only


@pytest.mark.django_db
def test_advisor_message_tells_the_applicant_in_chinese(quiet, applicant_user, mailoutbox):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    with time_machine.travel(T0, tick=False):
        services.message_post(case=quiet, author=quiet.advisor, body="请补充照片")
    (note,) = notes_of(applicant_user)
    assert "新消息" in title_of(note)
    assert note.url.startswith(f"/my/cases/{quiet.pk}") or "/my/" in note.url
    assert notes_of(quiet.advisor) == []
    send(later())
    (email,) = mailoutbox
    assert email.to == [applicant_user.email]
    assert "您好" in email.body


@pytest.mark.django_db
def test_internal_note_goes_to_case_staff_only(quiet, applicant_user, admin_user):
    services.message_post(case=quiet, author=admin_user, body="Check the stamp", internal=True)
    assert notes_of(applicant_user) == []
    (note,) = notes_of(quiet.advisor)
    assert "internal note" in title_of(note)
    # The advisor's own internal note tells nobody.
    services.message_post(case=quiet, author=quiet.advisor, body="Mine", internal=True)
    assert len(notes_of(quiet.advisor)) == 1
    assert notes_of(applicant_user) == []


@pytest.mark.django_db
def test_upload_tells_the_advisor(quiet, applicant_user):
    upload_document(quiet, actor=applicant_user)
    (note,) = notes_of(quiet.advisor)
    assert "uploaded" in title_of(note)
    req = quiet.requirements.get(code="passport-bio-page")
    assert note.url.endswith(f"#req-{req.pk}")
    assert notes_of(applicant_user) == []


@pytest.mark.django_db
def test_advisor_uploading_on_behalf_tells_nobody(quiet):
    upload_document(quiet, actor=quiet.advisor)
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_rejection_tells_the_applicant_with_the_reason(quiet, applicant_user, mailoutbox):
    doc = upload_document(quiet, actor=applicant_user)
    with time_machine.travel(T0, tick=False):
        services.document_review(
            document=doc, decision="rejected", reason="The corners are cut off", actor=quiet.advisor
        )
    (note,) = notes_of(applicant_user)
    assert "new" in title_of(note)
    assert quiet.reference in title_of(note)
    assert note.body == "The corners are cut off"
    send(later())
    (email,) = mailoutbox
    assert email.to == [applicant_user.email]
    assert "The corners are cut off" in email.body


@pytest.mark.django_db
def test_acceptance_tells_the_applicant(quiet, applicant_user):
    doc = upload_document(quiet, actor=applicant_user)
    services.document_review(document=doc, decision="accepted", reason="", actor=quiet.advisor)
    (note,) = notes_of(applicant_user)
    assert "accepted" in title_of(note)


@pytest.mark.django_db
def test_stage_changes_the_applicant_should_know_of(case, applicant_user):
    case = case_at(Stage.ASSESSMENT, case=case)
    assert notes_of(applicant_user) == []  # assessment is internal
    services.case_transition(case=case, to=Stage.DOCUMENTS, actor=case.advisor)
    (note,) = notes_of(applicant_user)
    assert "Collecting documents" in title_of(note)
    services.case_transition(case=case, to=Stage.ON_HOLD, actor=case.advisor, reason="Travel")
    assert notes_of(applicant_user)[-1].body == "Travel"


@pytest.mark.django_db
def test_ready_override_reason_is_not_sent_to_the_applicant(quiet, applicant_user):
    quiet = services.case_transition(case=quiet, to=Stage.REVIEW, actor=quiet.advisor)
    services.case_transition(
        case=quiet, to=Stage.READY, actor=quiet.advisor, override=True, reason="Internal why"
    )
    last = notes_of(applicant_user)[-1]
    assert "Ready to submit" in title_of(last)
    assert last.body == ""


@pytest.mark.django_db
def test_reassignment_tells_new_and_old_advisor_and_old_gets_nothing_after(
    quiet, applicant_user, mailoutbox
):
    old = quiet.advisor
    new = AdvisorFactory(full_name="Nina New")
    with time_machine.travel(T0, tick=False):
        services.message_post(case=quiet, author=applicant_user, body="Before")  # to old
    # The reassignment itself is the records helper's service; here the row changes directly.
    Case.objects.filter(pk=quiet.pk).update(advisor=new)
    quiet.refresh_from_db()
    with time_machine.travel(T0, tick=False):
        notify_reassigned(
            case=quiet, event=None, actor=AdvisorFactory(), old_advisor=old, new_advisor=new
        )
        services.message_post(case=quiet, author=applicant_user, body="After")
    assert "assigned to you" in title_of(notes_of(new)[0])
    assert [n.body for n in notes_of(new)] == ["", "After"]
    old_notes = notes_of(old)
    assert "Nina New" in title_of(old_notes[-1])
    assert "After" not in [n.body for n in old_notes]
    send(later())
    to_old = [m for m in mailoutbox if m.to == [old.email]]
    (email,) = to_old  # the reassignment; the pending "Before" email is suppressed
    assert "Nina New" in email.body
    assert "Before" not in email.body
    before = ReminderDelivery.objects.get(recipient=old, rule__kind="message")
    assert before.status == DeliveryStatus.SUPPRESSED


@pytest.mark.django_db
def test_no_notifications_to_deactivated_users(quiet, applicant_user, mailoutbox):
    advisor = quiet.advisor
    with time_machine.travel(T0, tick=False):
        services.message_post(case=quiet, author=applicant_user, body="One")
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])
    services.message_post(case=quiet, author=applicant_user, body="Two")
    assert [n.body for n in notes_of(advisor)] == ["One"]
    send(later())
    assert mailoutbox == []  # the pending email is suppressed at send time
    row = ReminderDelivery.objects.get(recipient=advisor)
    assert row.status == DeliveryStatus.SUPPRESSED


@pytest.mark.django_db
def test_optional_emails_can_be_turned_off_in_app_stays(quiet, applicant_user, mailoutbox):
    ReminderPreference.objects.create(user=quiet.advisor, skip_optional=True)
    with time_machine.travel(T0, tick=False):
        upload_document(quiet, actor=applicant_user)  # optional kind
        services.message_post(case=quiet, author=applicant_user, body="Hello")  # mandatory
    assert len(notes_of(quiet.advisor)) == 2
    send(later())
    (email,) = mailoutbox
    assert "Hello" in email.body
    assert "uploaded" not in email.body


@pytest.mark.django_db
def test_daily_digest_waits_for_nine_local(quiet, applicant_user, mailoutbox):
    advisor = quiet.advisor
    advisor.time_zone = "Asia/Shanghai"
    advisor.save(update_fields=["time_zone"])
    ReminderPreference.objects.create(user=advisor, daily_digest=True)
    with time_machine.travel(T0, tick=False):  # 10:00 in Shanghai
        services.message_post(case=quiet, author=applicant_user, body="Digest me")
    send(later())
    assert mailoutbox == []
    send(dt.datetime(2026, 3, 11, 1, 5, tzinfo=UTC))  # 09:05 next day in Shanghai
    (email,) = mailoutbox
    assert "Digest me" in email.body


@pytest.mark.django_db
def test_a_burst_of_ten_uploads_in_a_minute_is_one_email(quiet, applicant_user, mailoutbox):
    codes = [r.code for r in quiet.requirements.all() if "application/pdf" in r.accepted_types]
    for i in range(10):  # one every 6 seconds: versions of the PDF documents
        with time_machine.travel(T0 + dt.timedelta(seconds=6 * i), tick=False):
            upload_document(quiet, code=codes[i % len(codes)], actor=applicant_user)
    assert len(notes_of(quiet.advisor)) == 10
    send(later(1))  # inside the window: nothing yet
    assert mailoutbox == []
    result = send(later(5))
    assert result.emails == 1
    (email,) = mailoutbox
    assert email.to == [quiet.advisor.email]
    assert "10" in email.subject
    assert email.body.count("uploaded") == 10
    send(later(30))
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_invitation_accepted_tells_the_advisor(quiet, applicant_user):
    assert notify_invitation_accepted(user=applicant_user) == 1
    (note,) = notes_of(quiet.advisor)
    assert "accepted the invitation" in title_of(note)


@pytest.mark.django_db
def test_notification_task_sends_due_emails_once(quiet, applicant_user, mailoutbox):
    from cases import tasks

    with time_machine.travel(T0, tick=False):
        services.message_post(case=quiet, author=applicant_user, body="Via Celery")
    with time_machine.travel(later(), tick=False):
        tasks.notifications_send()
        tasks.notifications_send()
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_accepting_the_invitation_link_notifies_the_advisor(client, quiet, applicant_user):
    from portal.services import invitation_link

    link = "/" + invitation_link(applicant_user).split("/", 3)[3]
    page = client.get(link, follow=True)
    password = "a-long-new-password-2026"
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302
    (note,) = notes_of(quiet.advisor)
    assert "accepted the invitation" in title_of(note)


@pytest.mark.django_db
def test_in_app_notices_of_a_batch_cost_flat_queries(advisor):
    """The re-assessment batch tells advisors of N cases with a constant number of queries."""
    from cases.models import ReminderKind
    from cases.services.notifications import Notice, notify_all
    from tests.factories import open_case
    from tests.queries import assert_flat_queries

    cases = [open_case(advisor=advisor)]

    def tell():
        notify_all(
            [
                (
                    Notice(
                        kind=ReminderKind.ELIGIBILITY_CHANGED,
                        case=c,
                        event=None,
                        actor=None,
                        facts={"before": "needs_review", "after": "eligible", "version": 2},
                    ),
                    [advisor],
                )
                for c in cases
            ]
        )

    def grow():
        cases.extend(open_case(advisor=advisor) for _ in range(4))

    assert_flat_queries(tell, grow, at_most=3)
