"""The sweep sends a batch over one mail connection, claims and marks it in bulk (issue 17):
queries per batch are constant whatever the number of emails (1,000 reminders included), a
failing email does not cost the others their connection, and the claim and mark rules keep
each reminder to one email."""

import datetime as dt
import secrets

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import (
    Applicant,
    Case,
    DeliveryStatus,
    DocumentRequirement,
    ReminderDelivery,
    ReminderRule,
    VisaType,
)
from cases.services.sweep import reminders_record_due, reminders_sweep
from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)  # after 09:00 UTC: "due today" fires


def only_email_rule() -> None:
    ReminderRule.objects.update(active=False)
    ReminderRule.objects.create(
        name="batch", kind="requirement_due", audience="applicant", channel="email", offsets=[0]
    )


def due_reminders(count: int) -> None:
    """``count`` applicants (UTC) with one case each and one requirement due today, in bulk
    (as ``bench/reminders_sweep.py`` loads them)."""
    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    visa = VisaType.objects.get(code="K", firm=firm)
    tag = secrets.token_hex(3)
    users = User.objects.bulk_create(
        User(email=f"s{tag}-{i}@batch.test", firm=firm, role=Role.APPLICANT, time_zone="UTC")
        for i in range(count)
    )
    applicants = Applicant.objects.bulk_create(
        Applicant(firm=firm, user=u, given_names="Batch", family_name=str(i), email=u.email)
        for i, u in enumerate(users)
    )
    cases = Case.objects.bulk_create(
        Case(
            firm=firm,
            reference=f"S{tag}-{i:05d}",
            applicant=a,
            visa_type=visa,
            opened_on=NOW.date() - dt.timedelta(days=30),
            stage="documents",
            time_zone="UTC",
        )
        for i, a in enumerate(applicants)
    )
    DocumentRequirement.objects.bulk_create(
        DocumentRequirement(
            case=c, code="item", position=0, name_en="Item", name_zh="项目", due_date=NOW.date()
        )
        for c in cases
    )


def sweep_queries() -> int:
    mail.outbox = []
    ReminderDelivery.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        reminders_sweep(now=NOW)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_sweep_queries_are_flat_from_10_to_1000_reminders(settings):
    # One batch for both runs, and the mark window wide enough that a slow test machine does
    # not split the marks (each split is one UPDATE more, bounded by time, not by rows).
    settings.REMINDER_BATCH_SIZE = 2000
    settings.REMINDER_MARK_WINDOW_SECONDS = 3600
    only_email_rule()
    due_reminders(10)
    small = sweep_queries()
    assert len(mail.outbox) == 10
    due_reminders(990)
    large = sweep_queries()
    assert len(mail.outbox) == 1000
    # The ledger is written 500 rows per INSERT (``reminder_ledger``): 1,000 rows take one
    # INSERT more than 10. Nothing else grows.
    assert large == small + 1, f"queries grew with reminders: {small} -> {large}"
    assert large <= 18
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 1000


@pytest.mark.django_db
def test_1000_reminders_in_batches_of_200_cost_constant_queries_per_batch(settings):
    settings.REMINDER_MARK_WINDOW_SECONDS = 3600
    only_email_rule()
    due_reminders(1000)
    total = sweep_queries()
    # record (constant) + 5 batches of: fetch, re-check loads, claim (select + update), mark,
    # and the last empty fetch of the in-app channel. The old sweep made 2,030.
    assert total <= 60, total
    assert len(mail.outbox) == 1000
    assert len({m.to[0] for m in mail.outbox}) == 1000


class CountingBackend(LocmemBackend):
    """The in-memory backend, counting connections opened and closed."""

    opened = 0
    closed = 0

    def open(self):
        type(self).opened += 1
        return True

    def close(self):
        type(self).closed += 1


@pytest.mark.django_db
def test_a_batch_goes_over_one_mail_connection(settings):
    settings.EMAIL_BACKEND = "tests.cases.services.test_sweep_batches.CountingBackend"
    CountingBackend.opened = CountingBackend.closed = 0
    only_email_rule()
    due_reminders(25)
    reminders_sweep(now=NOW)
    assert len(mail.outbox) == 25
    assert (CountingBackend.opened, CountingBackend.closed) == (1, 1)


class FlakyBackend(CountingBackend):
    """Refuses one address; a refused send leaves the connection unusable (it is reopened)."""

    def send_messages(self, messages):
        if any("-3@" in m.to[0] for m in messages):
            raise OSError("mailbox unavailable")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_failed_email_reopens_the_connection_and_the_others_are_sent(settings):
    settings.EMAIL_BACKEND = "tests.cases.services.test_sweep_batches.FlakyBackend"
    FlakyBackend.opened = FlakyBackend.closed = 0
    only_email_rule()
    due_reminders(6)
    result = reminders_sweep(now=NOW)
    assert (result.sent, result.retried, result.emails) == (5, 1, 5)
    assert len(mail.outbox) == 5
    assert (FlakyBackend.opened, FlakyBackend.closed) == (2, 2)
    failed = ReminderDelivery.objects.get(status=DeliveryStatus.PENDING)
    assert "-3@" in failed.recipient.email
    assert "mailbox unavailable" in failed.last_error


@pytest.mark.django_db
def test_rows_claimed_by_another_sweep_are_not_sent_and_nothing_stays_sending(settings):
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 900
    only_email_rule()
    due_reminders(4)
    reminders_record_due(now=NOW)
    taken = list(ReminderDelivery.objects.order_by("id").values_list("pk", flat=True)[:2])
    # Another (live) sweep holds a fresh claim on two of the rows.
    ReminderDelivery.objects.filter(pk__in=taken).update(
        status=DeliveryStatus.SENDING, claimed_at=NOW, attempts=1
    )
    result = reminders_sweep(now=NOW)
    assert result.sent == 2
    assert len(mail.outbox) == 2
    sent = set(
        ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).values_list("pk", flat=True)
    )
    assert not sent & set(taken)
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENDING).count() == 2


@pytest.mark.django_db
def test_mark_window_zero_marks_each_email_at_once(settings):
    """With ``REMINDER_MARK_WINDOW_SECONDS = 0`` every email is marked sent by its own UPDATE
    (the narrowest re-send window after a crash), at one query per email more."""
    only_email_rule()
    due_reminders(5)
    settings.REMINDER_MARK_WINDOW_SECONDS = 3600
    wide = sweep_queries()
    settings.REMINDER_MARK_WINDOW_SECONDS = 0
    narrow = sweep_queries()
    assert narrow == wide + 4
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 5
