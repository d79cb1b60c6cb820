"""The reminder sweep: time zones and DST, offsets, suppression, language, digest, failures,
idempotence (twice in a row, and concurrently on PostgreSQL)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from cases import services
from cases.models import (
    DeliveryStatus,
    Notification,
    ReminderDelivery,
    ReminderRule,
    Stage,
)
from cases.services import reminders as reminder_services
from cases.services.summary import case_summary_refresh
from cases.services.sweep import reminders_sweep
from tests.factories import AdvisorFactory, ApplicantFactory, open_case, title_of

UTC = dt.UTC
DUE = dt.date(2026, 3, 10)


def only_rule(**fields) -> ReminderRule:
    """Deactivate the seeded rules and create the one under test."""
    ReminderRule.objects.update(active=False)
    defaults = {
        "name": "test rule",
        "kind": "requirement_due",
        "audience": "applicant",
        "channel": "email",
        "offsets": [0],
        "optional": True,
    }
    defaults.update(fields)
    return ReminderRule.objects.create(**defaults)


def one_requirement(case, due=DUE):
    """Leave a single outstanding requirement on ``case``, due on ``due``."""
    case.requirements.update(due_date=None)
    req = case.requirements.get(code="passport-bio-page")
    req.due_date = due
    req.save(update_fields=["due_date"])
    return req


def sweep_at(moment: dt.datetime):
    with time_machine.travel(moment, tick=False):
        return reminders_sweep()


@pytest.fixture
def tz_case(applicant, advisor):
    def make(tz: str, *, recipient_tz: str | None = None):
        user = applicant.user
        user.time_zone = recipient_tz or tz
        user.save(update_fields=["time_zone"])
        with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=UTC), tick=False):
            case = open_case(applicant=applicant, advisor=advisor)
        case.time_zone = tz
        case.save(update_fields=["time_zone"])
        return case

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tz", "due", "send_utc"),
    [
        ("Asia/Shanghai", DUE, dt.datetime(2026, 3, 10, 1, tzinfo=UTC)),
        ("America/Los_Angeles", DUE, dt.datetime(2026, 3, 10, 16, tzinfo=UTC)),
        ("Europe/London", DUE, dt.datetime(2026, 3, 10, 9, tzinfo=UTC)),
        # DST change days: spring forward and fall back.
        ("America/Los_Angeles", dt.date(2026, 3, 8), dt.datetime(2026, 3, 8, 16, tzinfo=UTC)),
        ("America/Los_Angeles", dt.date(2026, 11, 1), dt.datetime(2026, 11, 1, 17, tzinfo=UTC)),
        ("Europe/London", dt.date(2026, 3, 29), dt.datetime(2026, 3, 29, 8, tzinfo=UTC)),
        ("Europe/London", dt.date(2026, 10, 25), dt.datetime(2026, 10, 25, 9, tzinfo=UTC)),
    ],
)
def test_sweep_sends_at_nine_local_not_a_minute_before(tz_case, tz, due, send_utc):
    only_rule(offsets=[0])
    case = tz_case(tz)
    one_requirement(case, due)
    sweep_at(send_utc - dt.timedelta(minutes=1))
    assert len(mail.outbox) == 0
    sweep_at(send_utc + dt.timedelta(minutes=2))
    assert len(mail.outbox) == 1
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.send_after == send_utc
    assert delivery.due_date == due


@pytest.mark.django_db
def test_each_offset_fires_once_on_its_own_day(tz_case):
    only_rule(offsets=[7, 2, 0, -3])
    case = tz_case("Asia/Shanghai")
    one_requirement(case)
    for day in range(1, 16):  # 1 to 15 March, at 09:30 Shanghai, twice a day
        sweep_at(dt.datetime(2026, 3, day, 1, 30, tzinfo=UTC))
        sweep_at(dt.datetime(2026, 3, day, 6, 0, tzinfo=UTC))
    offsets = sorted(ReminderDelivery.objects.values_list("offset_days", flat=True))
    assert offsets == [-3, 0, 2, 7]
    assert len(mail.outbox) == 4
    assert "overdue by 3 days" in mail.outbox[-1].body


@pytest.mark.django_db
def test_sweeping_twice_sends_once(tz_case):
    only_rule(offsets=[0])
    one_requirement(tz_case("Europe/London"))
    first = sweep_at(dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC))
    second = sweep_at(dt.datetime(2026, 3, 10, 9, 10, tzinfo=UTC))
    assert (first.sent, second.sent) == (1, 0)
    assert ReminderDelivery.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_missed_reminder_older_than_the_catch_up_window_is_skipped(tz_case):
    only_rule(offsets=[0])
    one_requirement(tz_case("Europe/London"))
    sweep_at(dt.datetime(2026, 3, 11, 10, tzinfo=UTC))  # 25 hours late
    assert ReminderDelivery.objects.count() == 0


@pytest.mark.django_db
def test_email_is_in_chinese_for_a_chinese_speaking_applicant(tz_case, applicant_user):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    only_rule(offsets=[2])
    case = tz_case("Asia/Shanghai")
    req = one_requirement(case)
    sweep_at(dt.datetime(2026, 3, 8, 1, 5, tzinfo=UTC))
    (message,) = mail.outbox
    assert message.subject.startswith("提醒")
    assert req.name_zh in message.body
    assert "将在 2 天后" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'lang="zh-Hans"' in html
    assert f"/my/cases/{case.pk}/#req-{req.pk}" in message.body


@pytest.mark.django_db
def test_email_is_in_english_with_html_and_a_link(tz_case):
    only_rule(offsets=[2])
    case = tz_case("Europe/London")
    req = one_requirement(case)
    sweep_at(dt.datetime(2026, 3, 8, 9, 5, tzinfo=UTC))
    (message,) = mail.outbox
    assert message.subject.startswith("Reminder: Passport bio-data page")
    assert "is due in 2 days, on 2026-03-10" in message.body
    assert f"http://127.0.0.1:8000/my/cases/{case.pk}/#req-{req.pk}" in message.body
    assert message.alternatives[0][1] == "text/html"


def _due_now(tz_case):
    only_rule(offsets=[0])
    case = tz_case("Europe/London")
    req = one_requirement(case)
    return case, req


NOW = dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_no_reminder_for_an_accepted_or_waived_requirement(tz_case, advisor):
    _case, req = _due_now(tz_case)
    services.requirement_waive(requirement=req, reason="Not needed", actor=advisor)
    sweep_at(NOW)
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_recheck_before_sending_suppresses_a_requirement_waived_after_recording(tz_case, advisor):
    _case, req = _due_now(tz_case)
    with time_machine.travel(NOW, tick=False):
        from cases.services.sweep import reminders_record_due

        assert reminders_record_due(now=NOW) == 1
        services.requirement_waive(requirement=req, reason="Not needed", actor=advisor)
        result = reminders_sweep()
    assert result.suppressed == 1
    assert len(mail.outbox) == 0
    row = ReminderDelivery.objects.get()
    assert row.status == DeliveryStatus.SUPPRESSED
    assert "waived" in row.last_error


@pytest.mark.django_db
def test_recheck_suppresses_deactivated_users_and_withdrawn_cases(tz_case, advisor, applicant):
    _case, _req = _due_now(tz_case)
    from cases.services.sweep import reminders_record_due

    reminders_record_due(now=NOW)
    applicant.user.is_active = False
    applicant.user.save(update_fields=["is_active"])
    sweep_at(NOW)
    assert ReminderDelivery.objects.get().last_error == "recipient deactivated"

    other = open_case(advisor=advisor)
    other.requirements.exclude(code="passport-bio-page").update(due_date=None)
    other.requirements.filter(code="passport-bio-page").update(due_date=DUE)
    other.applicant.user.time_zone = "Europe/London"
    other.applicant.user.save(update_fields=["time_zone"])
    reminders_record_due(now=NOW)
    services.case_transition(case=other, to=Stage.WITHDRAWN, actor=advisor, reason="Client left")
    sweep_at(NOW)
    assert len(mail.outbox) == 0
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SUPPRESSED).count() == 2


@pytest.mark.django_db
def test_done_task_gets_no_reminder_but_open_task_does(tz_case, advisor):
    only_rule(kind="task_due", audience="advisor", offsets=[0])
    advisor.time_zone = "Europe/London"
    advisor.save(update_fields=["time_zone"])
    case = tz_case("Europe/London")
    case.requirements.update(due_date=None)
    open_task = reminder_services.task_create(
        case=case, title="Call the consulate", due_date=DUE, assignee=None, actor=advisor
    )
    done = reminder_services.task_create(
        case=case, title="Book translator", due_date=DUE, assignee=None, actor=advisor
    )
    reminder_services.task_set_done(task=done, done=True, actor=advisor)
    sweep_at(NOW)
    (message,) = mail.outbox
    assert message.to == [advisor.email]
    assert "Call the consulate" in message.body
    assert f"#task-{open_task.pk}" in message.body


@pytest.mark.django_db
def test_optional_reminders_can_be_turned_off_but_advisor_overdue_notice_cannot(tz_case, advisor):
    ReminderRule.objects.update(active=False)
    ReminderRule.objects.create(
        name="applicant",
        kind="requirement_due",
        audience="applicant",
        channel="email",
        offsets=[-3],
        optional=True,
    )
    ReminderRule.objects.create(
        name="advisor overdue",
        kind="requirement_due",
        audience="advisor",
        channel="email",
        offsets=[-3],
        optional=True,
    )
    advisor.time_zone = "Europe/London"
    advisor.save(update_fields=["time_zone"])
    case = tz_case("Europe/London")
    one_requirement(case)
    for user in (advisor, case.applicant.user):
        reminder_services.preference_update(user=user, daily_digest=False, skip_optional=True)
    sweep_at(dt.datetime(2026, 3, 13, 9, 5, tzinfo=UTC))
    assert [m.to for m in mail.outbox] == [[advisor.email]]
    suppressed = ReminderDelivery.objects.get(status=DeliveryStatus.SUPPRESSED)
    assert suppressed.recipient == case.applicant.user


@pytest.mark.django_db
def test_in_app_reminder_creates_one_unread_notification(tz_case, applicant_user):
    only_rule(channel="in_app", offsets=[0])
    case = tz_case("Europe/London")
    one_requirement(case)
    sweep_at(NOW)
    sweep_at(NOW + dt.timedelta(minutes=5))
    note = Notification.objects.get()
    assert note.user == applicant_user
    assert note.read_at is None
    assert "due today" in title_of(note)
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_advisor_digest_bundles_the_days_reminders_into_one_email(advisor):
    only_rule(audience="advisor", offsets=[0])
    advisor.time_zone = "Asia/Shanghai"
    advisor.save(update_fields=["time_zone"])
    reminder_services.preference_update(user=advisor, daily_digest=True, skip_optional=False)
    for _ in range(3):
        case = open_case(advisor=advisor)
        one_requirement(case)
    sweep_at(dt.datetime(2026, 3, 10, 1, 5, tzinfo=UTC))
    (message,) = mail.outbox
    assert message.subject == "Your deadlines today: 3 items"
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 3


class FailingBackend(BaseEmailBackend):
    """An email backend whose server refuses every message (SMTP down)."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


@pytest.mark.django_db
def test_failed_email_is_retried_with_backoff_then_recorded_failed(tz_case, settings):
    settings.EMAIL_BACKEND = "tests.cases.services.test_sweep.FailingBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    _due_now(tz_case)
    sweep_at(NOW)
    row = ReminderDelivery.objects.get()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert row.send_after == NOW + dt.timedelta(seconds=60)
    assert "refused" in row.last_error
    sweep_at(NOW + dt.timedelta(seconds=30))  # too early for the retry
    row.refresh_from_db()
    assert row.attempts == 1
    sweep_at(NOW + dt.timedelta(seconds=61))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 2)
    assert row.send_after == NOW + dt.timedelta(seconds=61 + 120)
    sweep_at(NOW + dt.timedelta(seconds=200))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)


class PickyBackend(BaseEmailBackend):
    """Refuses mail to one address only (a bad mailbox must not block the others)."""

    def send_messages(self, messages):
        for m in messages:
            if "bounce" in m.to[0]:
                raise OSError("mailbox unavailable")
            mail.outbox.append(m)
        return len(messages)


@pytest.mark.django_db
def test_one_failing_recipient_does_not_block_the_others(settings, advisor):
    settings.EMAIL_BACKEND = "tests.cases.services.test_sweep.PickyBackend"
    only_rule(offsets=[0])
    mail.outbox = []
    for email in ("a-bounce@example.test", "b@example.test", "c@example.test"):
        case = open_case(applicant=ApplicantFactory(email=email), advisor=advisor)
        one_requirement(case)
    sweep_at(NOW)
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.test", "c@example.test"]
    statuses = dict(ReminderDelivery.objects.values_list("recipient__email", "status"))
    assert statuses["a-bounce@example.test"] == DeliveryStatus.PENDING


@pytest.mark.django_db
def test_target_submission_and_passport_deadlines_are_reminded(advisor, applicant):
    ReminderRule.objects.update(active=False)
    ReminderRule.objects.create(
        name="t", kind="target_submission", audience="advisor", channel="email", offsets=[0]
    )
    ReminderRule.objects.create(
        name="p", kind="passport_validity", audience="applicant", channel="email", offsets=[0]
    )
    applicant.passport_expiry = dt.date(2026, 9, 1)
    applicant.save(update_fields=["passport_expiry"])
    case = open_case(applicant=applicant, advisor=advisor)
    case.requirements.update(due_date=None)
    case.intended_entry_date = dt.date(2026, 4, 1)  # 1 Sept is < 6 months after 1 April
    case.target_submission_date = DUE
    case.save(update_fields=["intended_entry_date", "target_submission_date"])
    case_summary_refresh(case_ids=[case.pk])  # as case_record_update does
    sweep_at(dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC))
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "target submission date" in bodies[advisor.email]
    assert "Passport renewal" in bodies[applicant.email]
    assert "2026-09-01" in bodies[applicant.email]


@pytest.mark.django_db
def test_changed_due_date_suppresses_the_recorded_reminder(tz_case, advisor):
    case, req = _due_now(tz_case)
    from cases.services.sweep import reminders_record_due

    reminders_record_due(now=NOW)
    with time_machine.travel(NOW, tick=False):  # the new date must not be past (issue 10)
        reminder_services.requirement_bulk_set_due_date(
            actor=advisor, case_ids=[case.pk], code=req.code, due_date=DUE + dt.timedelta(days=30)
        )
    sweep_at(NOW)
    assert ReminderDelivery.objects.get().last_error == "due date changed"
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_record_query_count_does_not_grow_with_due_items(advisor, django_assert_max_num_queries):
    only_rule(offsets=[0])
    from cases.services.sweep import reminders_record_due

    def run():
        with django_assert_max_num_queries(4) as ctx:
            reminders_record_due(now=NOW)
        return len(ctx.captured_queries)

    one_requirement(open_case(advisor=advisor))
    small = run()
    for _ in range(5):
        one_requirement(open_case(advisor=advisor))
    assert run() == small


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once():
    only_rule(offsets=[0])
    advisor = AdvisorFactory()
    for _ in range(6):
        one_requirement(open_case(advisor=advisor))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(reminders_sweep(now=NOW))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert ReminderDelivery.objects.count() == 6
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 6
    assert sum(r.sent for r in results) == 6
    assert len(mail.outbox) == 6
    assert len({m.to[0] for m in mail.outbox}) == 6


@pytest.mark.django_db
def test_sweep_celery_task_runs_the_service(tz_case):
    from cases.tasks import reminders_sweep as task

    _due_now(tz_case)
    with time_machine.travel(NOW, tick=False):
        result = task.delay().get()
    assert result["sent"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_schedule_is_a_periodic_task_every_five_minutes():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Reminder sweep")
    assert task.task == "cases.reminders_sweep"
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (5, "minutes")


@pytest.mark.django_db
def test_nothing_stays_claimed_after_a_sweep(tz_case):
    _due_now(tz_case)
    sweep_at(NOW)
    assert not ReminderDelivery.objects.filter(status=DeliveryStatus.SENDING).exists()


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_dead_worker_is_sent_after_the_timeout(tz_case, settings):
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 600
    _due_now(tz_case)
    from cases.services.sweep import reminders_record_due

    reminders_record_due(now=NOW)
    ReminderDelivery.objects.update(status=DeliveryStatus.SENDING, claimed_at=NOW, attempts=1)
    sweep_at(NOW + dt.timedelta(minutes=5))
    assert len(mail.outbox) == 0
    sweep_at(NOW + dt.timedelta(minutes=11))
    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.get().status == DeliveryStatus.SENT


# --- overdue reminders only for what the portal calls overdue --------------------------------


@pytest.mark.django_db
def test_no_overdue_reminder_for_optional_requirements_or_cases_past_review(tz_case, advisor):
    from cases.models import Case

    only_rule(offsets=[-3])
    counted = tz_case("Europe/London")
    one_requirement(counted)
    optional = tz_case("Europe/London")
    one_requirement(optional)
    optional.requirements.update(required=False)
    submitted = tz_case("Europe/London")
    one_requirement(submitted)
    Case.objects.filter(pk=submitted.pk).update(stage=Stage.SUBMITTED)
    sweep_at(dt.datetime(2026, 3, 13, 9, 5, tzinfo=UTC))
    assert list(ReminderDelivery.objects.values_list("case_id", flat=True)) == [counted.pk]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_optional_requirement_still_gets_its_reminder_before_the_due_date(tz_case):
    only_rule(offsets=[0])
    case = tz_case("Europe/London")
    one_requirement(case)
    case.requirements.update(required=False)
    sweep_at(NOW)
    assert len(mail.outbox) == 1
    assert "overdue" not in mail.outbox[0].body


@pytest.mark.django_db
def test_recheck_suppresses_an_overdue_reminder_once_the_case_is_past_review(tz_case):
    from cases.models import Case
    from cases.services.sweep import reminders_record_due

    only_rule(offsets=[-3])
    case = tz_case("Europe/London")
    one_requirement(case)
    moment = dt.datetime(2026, 3, 13, 9, 5, tzinfo=UTC)
    assert reminders_record_due(now=moment) == 1
    Case.objects.filter(pk=case.pk).update(stage=Stage.READY)
    result = sweep_at(moment)
    assert (result.sent, result.suppressed) == (0, 1)
    assert "not overdue" in ReminderDelivery.objects.get().last_error
    assert len(mail.outbox) == 0
