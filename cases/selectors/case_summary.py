"""The summary at the top of the advisor's case page (issue 11): the stage in words, how many
documents wait on the advisor and on the applicant, and the next deadline.

Every figure comes from the portal's one rule for it: whose turn a requirement is
(``cases/models/turn.py``, counted over required requirements as the case list's "Still needed"
and "To review" columns are), the case's deadlines (``cases/selectors/deadlines.py``) and the
overdue rule (``cases/models/overdue.py``: due before today in the case's time zone).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from cases.models import Case, CaseTask, DocumentRequirement, WaitingOn
from cases.reminders.schedule import zone
from cases.selectors.deadlines import Deadline, deadlines_for
from portal.models import User


@dataclass(frozen=True)
class NextDeadline:
    """The most urgent open deadline of a case. ``ends_at`` is the last minute of its due date
    in the case's time zone (an aware datetime: templates show it in the viewer's zone);
    ``overdue`` by the portal's one rule."""

    deadline: Deadline
    overdue: bool
    ends_at: dt.datetime

    @property
    def title(self) -> str:
        return self.deadline.title

    @property
    def due_date(self) -> dt.date:
        return self.deadline.due_date

    @property
    def anchor(self) -> str:
        return self.deadline.anchor


@dataclass(frozen=True)
class CaseSummary:
    """What the advisor reads first. Counts are of required requirements: ``waiting_on_advisor``
    uploaded and awaiting review, ``waiting_on_applicant`` missing or rejected."""

    waiting_on_advisor: int
    waiting_on_applicant: int
    next_deadline: NextDeadline | None


def _end_of_day(day: dt.date, tz_name: str) -> dt.datetime:
    """23:59 on ``day`` in zone ``tz_name`` (the last minute before the item is overdue)."""
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=zone(tz_name))


def next_deadline(items: Iterable[Deadline], now: dt.datetime) -> NextDeadline | None:
    """The earliest overdue item, else the soonest item due today or later (case-local); past
    items that cannot be overdue (optional ones, cases no longer collecting) are skipped."""
    overdue = None
    upcoming = None
    for item in sorted(items, key=lambda d: (d.due_date, d.kind, d.target_id)):
        if item.is_overdue(now):
            overdue = overdue or item
        elif item.due_date >= item.case_today(now):
            upcoming = upcoming or item
    chosen = overdue or upcoming
    if chosen is None:
        return None
    return NextDeadline(
        deadline=chosen,
        overdue=chosen is overdue,
        ends_at=_end_of_day(chosen.due_date, chosen.case.time_zone),
    )


def case_summary_for_staff(
    *,
    case: Case,
    requirements: Iterable[DocumentRequirement],
    user: User,
    now: dt.datetime | None = None,
) -> CaseSummary:
    """The summary of ``case`` (already checked as visible to ``user``, who is staff on it)
    from its loaded ``requirements``; the deadlines cost five queries whatever the number of
    requirements, tasks or steps."""
    now = now or timezone.now()
    waiting = [r.waiting_on for r in requirements if r.required]
    items = deadlines_for(
        cases=Case.objects.visible_to(user).filter(pk=case.pk),
        tasks=CaseTask.objects.visible_to(user).filter(case_id=case.pk),
    )
    return CaseSummary(
        waiting_on_advisor=waiting.count(WaitingOn.ADVISOR),
        waiting_on_applicant=waiting.count(WaitingOn.APPLICANT),
        next_deadline=next_deadline(items, now),
    )
