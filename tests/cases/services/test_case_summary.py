"""The per-case document summary (``cases/models/summary.py``: ``Case.documents_due_on`` and
the counts by whose turn) stays equal to what the requirements say after every write path,
and "overdue" read from it (``case_overdue_q``) is the same set of cases as the requirement
rule of ``cases/models/overdue.py``, at any instant, without a write when a due date passes."""

import datetime as dt
import io
import itertools

import pytest
import time_machine
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases import selectors, services
from cases.models import (
    COLLECTING_STAGES,
    PRE_SUBMISSION_STAGES,
    Case,
    DocumentRequirement,
    RequirementStatus,
    Stage,
    VersionState,
)
from cases.models.overdue import case_overdue_q
from cases.models.turn import ADVISOR_TURN_STATUSES, APPLICANT_TURN_STATUSES
from cases.services.records import applicant_record_update, case_record_update
from cases.services.reminders import requirement_bulk_set_due_date
from cases.services.summary import case_summary_refresh
from tests.factories import ApplicantFactory, case_at, open_case, upload_document

pytestmark = pytest.mark.django_db

SUMMARY = ("documents_due_on", "documents_needed_count", "documents_to_review_count")


def _expected(case: Case) -> tuple[dt.date | None, int, int]:
    """The summary recomputed in Python from the case's requirement rows."""
    case.refresh_from_db()
    required = list(case.requirements.filter(required=True))
    waiting = [r for r in required if r.status in APPLICANT_TURN_STATUSES]
    dated = [r.due_date for r in waiting if r.due_date is not None]
    due = min(dated) if dated and case.stage in COLLECTING_STAGES else None
    review = sum(r.status in ADVISOR_TURN_STATUSES for r in required)
    return due, len(waiting), review


def _stored(case: Case) -> tuple[dt.date | None, int, int]:
    return Case.objects.values_list(*SUMMARY).get(pk=case.pk)


def _passport_due(case: Case) -> dt.date | None:
    """``passport_due_on`` recomputed in Python: before submission, a passport expiring less
    than 184 days after entry; the target submission date, else the entry date."""
    case.refresh_from_db()
    expiry, entry = case.applicant.passport_expiry, case.intended_entry_date
    if case.stage not in PRE_SUBMISSION_STAGES or expiry is None or entry is None:
        return None
    if expiry >= entry + dt.timedelta(days=184):
        return None
    return case.target_submission_date or entry


def _assert_passport(case: Case) -> dt.date | None:
    stored = Case.objects.values_list("passport_due_on", flat=True).get(pk=case.pk)
    assert stored == _passport_due(case)
    return stored


def _assert_true(case: Case) -> tuple[dt.date | None, int, int]:
    stored = _stored(case)
    assert stored == _expected(case)
    return stored


def test_a_new_case_has_its_summary(case):
    due, needed, review = _assert_true(case)
    assert needed == case.requirements.filter(required=True).count() > 0
    assert review == 0
    assert due is not None


def test_upload_accept_reject_and_waive_keep_the_summary(case, advisor, applicant_user):
    _d, needed, _r = _assert_true(case)
    document = upload_document(case, actor=applicant_user)
    assert _assert_true(case)[1:] == (needed - 1, 1)
    services.document_review(
        document=document, decision="rejected", reason="Blurred", actor=advisor
    )
    assert _assert_true(case)[1:] == (needed, 0)
    document = upload_document(case, actor=applicant_user)
    services.document_review(document=document, decision="accepted", reason="", actor=advisor)
    assert _assert_true(case)[1:] == (needed - 1, 0)
    other = case.requirements.filter(required=True, status=RequirementStatus.MISSING).first()
    services.requirement_waive(requirement=other, reason="Not needed", actor=advisor)
    assert _assert_true(case)[1:] == (needed - 2, 0)


def test_the_earliest_due_date_follows_uploads_and_due_date_changes(case, advisor, applicant_user):
    passport = case.requirements.get(code="passport-bio-page")
    early = timezone.localdate() + dt.timedelta(days=1)
    services.requirement_set_due_date(requirement=passport, due_date=early, actor=advisor)
    assert _assert_true(case)[0] == early
    upload_document(case, actor=applicant_user)  # awaiting review: no longer the applicant's
    assert _assert_true(case)[0] != early
    later = timezone.localdate() + dt.timedelta(days=400)
    count = requirement_bulk_set_due_date(
        case_ids=[case.pk],
        code="digital-photo",
        due_date=later,
        actor=advisor,
    )
    assert count == 1
    _assert_true(case)


def test_the_workers_refusal_puts_the_item_back_on_the_applicant(
    case, applicant_user, jpeg_bytes, django_capture_on_commit_callbacks
):
    _d, needed, _r = _assert_true(case)
    sos = jpeg_bytes.find(b"\xff\xda")
    damaged = jpeg_bytes[: sos + 20] + bytes([0xFF, 0x13]) * 2000 + jpeg_bytes[sos + 4020 :]
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_upload(
            requirement=case.requirements.get(code="digital-photo"),
            stream=io.BytesIO(damaged),
            filename="photo.jpg",
            actor=applicant_user,
        )
    document.refresh_from_db()
    assert document.state == VersionState.REFUSED
    assert _assert_true(case)[1:] == (needed, 0)


def test_stage_transitions_set_and_clear_the_due_date(case, advisor):
    due = _assert_true(case)[0]
    held = services.case_transition(case=case, to=Stage.ON_HOLD, actor=advisor, reason="Wait")
    assert _assert_true(held)[0] is None  # on hold: not collecting documents
    back = services.case_transition(case=held, to=Stage.INTAKE, actor=advisor, reason="Back")
    assert _assert_true(back)[0] == due
    ready = case_at(Stage.READY, advisor=advisor)
    assert _assert_true(ready)[0] is None


def test_a_due_date_passing_makes_the_case_overdue_without_any_write(case, advisor):
    passport = case.requirements.get(code="passport-bio-page")
    due = dt.date(2026, 3, 9)
    Case.objects.filter(pk=case.pk).update(time_zone="Asia/Shanghai")
    services.requirement_set_due_date(requirement=passport, due_date=due, actor=advisor)
    for rest in case.requirements.exclude(pk=passport.pk):
        services.requirement_set_due_date(requirement=rest, due_date=None, actor=advisor)
    stored = _assert_true(case)
    # 10 March 00:00 in Shanghai is 9 March 16:00 UTC.
    for now, overdue in (
        (dt.datetime(2026, 3, 9, 15, 59, tzinfo=dt.UTC), False),
        (dt.datetime(2026, 3, 9, 16, 0, tzinfo=dt.UTC), True),
        (dt.datetime(2026, 3, 20, tzinfo=dt.UTC), True),
    ):
        with time_machine.travel(now, tick=False):
            listed = selectors.case_list_for_user(
                user=advisor, filters=selectors.CaseFilters(overdue=True)
            )
            assert listed.filter(pk=case.pk).exists() is overdue
            assert _stored(case) == stored  # nothing was written


def _mixed_cases(advisor) -> list[Case]:
    """Cases in every collecting and some later stages, zones either side of UTC, items
    missing, uploaded, accepted, rejected and waived, optional and required, dated around
    the day boundary and undated."""
    cases = []
    zones = ["Asia/Shanghai", "America/Los_Angeles", "UTC", "Pacific/Kiritimati"]
    base = dt.date(2026, 3, 9)
    stages = [Stage.INTAKE, Stage.DOCUMENTS, Stage.REVIEW, Stage.READY, Stage.ON_HOLD]
    for n, (stage, zone) in enumerate(itertools.product(stages, zones)):
        case = case_at(stage, applicant=ApplicantFactory(), advisor=advisor)
        Case.objects.filter(pk=case.pk).update(time_zone=zone)
        statuses = ["missing", "uploaded", "accepted", "rejected", "waived"]
        for i, req in enumerate(case.requirements.order_by("id")):
            status = statuses[(n + i) % len(statuses)]
            due = None if (n + i) % 6 == 0 else base + dt.timedelta(days=(n + i) % 5 - 2)
            # Rows as any history of uploads and reviews leaves them; the summary then refreshed
            # by its one writer, as each service does.
            DocumentRequirement.objects.filter(pk=req.pk).update(
                status=status, due_date=due, required=(n + i) % 4 != 0
            )
        case_summary_refresh(case_ids=[case.pk])
        cases.append(case)
    return cases


def test_overdue_from_the_summary_is_the_requirement_rule_on_a_mixed_fixture(advisor):
    cases = _mixed_cases(advisor)
    for case in cases:
        _assert_true(case)
    ids = [c.pk for c in cases]
    instants = [
        dt.datetime(2026, 3, d, h, m, tzinfo=dt.UTC)
        for d in (7, 8, 9, 10, 11)
        for h, m in ((0, 0), (9, 59), (10, 0), (15, 59), (16, 0), (23, 59))
    ]
    seen = set()
    for now in instants:
        old = set(
            Case.objects.filter(pk__in=ids)
            .filter(Exists(DocumentRequirement.objects.overdue(now).filter(case=OuterRef("pk"))))
            .values_list("pk", flat=True)
        )
        new = set(
            Case.objects.filter(pk__in=ids).filter(case_overdue_q(now)).values_list("pk", flat=True)
        )
        assert new == old, now
        seen.add(len(new))
    assert len(seen) > 2  # the instants really cross due dates of the fixture


def test_list_counts_are_the_summary_counts(advisor, applicant_user, case):
    upload_document(case, actor=applicant_user)
    listed = selectors.case_list_for_user(user=advisor).get(pk=case.pk)
    _due, needed, review = _assert_true(case)
    assert (
        (listed.outstanding_count, listed.awaiting_review_count)
        == (needed, review)
        == (
            case.requirements.filter(required=True, status__in=APPLICANT_TURN_STATUSES).count(),
            1,
        )
    )


def test_the_passport_check_follows_record_edits_and_submission(case, advisor):
    assert _assert_passport(case) is None  # the factory's passport runs to 2032
    entry = case.intended_entry_date
    applicant = case.applicant
    applicant_record_update(
        applicant=applicant,
        actor=advisor,
        changes={"passport_expiry": entry + dt.timedelta(days=30)},
        version=applicant.version,
    )
    assert _assert_passport(case) == entry  # no target date: the entry date
    target = timezone.localdate() + dt.timedelta(days=20)
    case.refresh_from_db()
    case_record_update(
        case=case, actor=advisor, changes={"target_submission_date": target}, version=case.version
    )
    assert _assert_passport(case) == target
    submitted = case_at(Stage.SUBMITTED, case=case)
    assert _assert_passport(submitted) is None
    _assert_true(submitted)


def test_dashboard_passport_items_come_from_the_summary(advisor, client_for):
    from cases.selectors.deadlines import passport_deadlines

    short = []
    for days in (10, 400, 20):  # entry is 90 days ahead: 400 leaves 310 days
        applicant = ApplicantFactory(passport_expiry=timezone.localdate() + dt.timedelta(days=days))
        short.append(open_case(applicant=applicant, advisor=advisor))
    listed = passport_deadlines(Case.objects.visible_to(advisor), limit=1)
    expected = [c for c in short if _passport_due(c) is not None]
    assert len(expected) == 2
    assert [c.pk for c in listed] == [max(expected, key=lambda c: (_passport_due(c), c.pk)).pk]
    everything = passport_deadlines(Case.objects.visible_to(advisor))
    assert {c.pk for c in everything} == {c.pk for c in expected}
