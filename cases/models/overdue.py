"""When is a requirement overdue: the portal's one definition.

A document requirement is **overdue** when both hold:

1. it *may be overdue*: it is required (optional items never are), it is waiting on the
   applicant (missing or rejected, ``cases/models/turn.py``: an item uploaded and awaiting
   review is the advisor's work, never overdue for the applicant; accepted or waived items wait
   on nobody), and its case is still collecting documents (``COLLECTING_STAGES``: intake to
   review; once a case is ready, submitted or later nothing of it is overdue);
2. its due date is before **today in the case's time zone** (``Case.time_zone``, an IANA name;
   empty or unknown reads as UTC). A requirement due 9 March of a case in Asia/Shanghai is
   overdue from 10 March 00:00 Shanghai time, which is 9 March 16:00 UTC.

Every page, API filter, count, dashboard section, reminder and test uses the functions here:
``DocumentRequirement.objects.overdue(now)`` for querysets and ``requirement_is_overdue`` for a
row already loaded; "cases with an overdue requirement" (the case list's and the API's
``overdue`` filter, the dashboard) is ``case_overdue_q(now)``, the same condition read from the
case's stored earliest due date (``Case.documents_due_on``, ``cases/models/summary.py``). No ORM
query is run to build the filter.
"""

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q

from cases.models.stages import COLLECTING_STAGES
from cases.models.turn import APPLICANT_TURN_STATUSES, waits_on_applicant_q
from cases.reminders.schedule import local_today

if TYPE_CHECKING:
    from cases.models.cases import Case
    from cases.models.documents import DocumentRequirement

_DAY = dt.timedelta(days=1)


def may_be_overdue_q(prefix: str = "") -> Q:
    """Condition 1 as a ``Q`` on ``DocumentRequirement`` (``prefix`` such as ``"requirements__"``
    applies it through a relation)."""
    return Q(
        **{f"{prefix}required": True, f"{prefix}case__stage__in": COLLECTING_STAGES}
    ) & waits_on_applicant_q(prefix)


def requirement_may_be_overdue(requirement: "DocumentRequirement", case: "Case") -> bool:
    """Condition 1 for a loaded row (``case`` is its case)."""
    return (
        requirement.required
        and case.stage in COLLECTING_STAGES
        and requirement.status in APPLICANT_TURN_STATUSES
    )


@lru_cache(maxsize=8)
def _zones_off_utc_date(bucket: dt.datetime) -> tuple[frozenset[str], frozenset[str]]:
    """Zones whose local date at ``bucket`` is one day after / one day before the UTC date.

    Every UTC offset is a multiple of 15 minutes, so a local date can only change at a UTC
    instant on a 15-minute boundary; the answer holds for the whole quarter-hour from
    ``bucket``."""
    utc_date = bucket.date()
    ahead, behind = set(), set()
    for name in zoneinfo.available_timezones():
        local = bucket.astimezone(zoneinfo.ZoneInfo(name)).date()
        if local > utc_date:
            ahead.add(name)
        elif local < utc_date:
            behind.add(name)
    return frozenset(ahead), frozenset(behind)


def due_before_local_today_q(
    now: dt.datetime, prefix: str = "", *, due: str = "due_date", zone: str = "case__time_zone"
) -> Q:
    """Condition 2 as a ``Q``: the date field ``due`` before the local date at ``now`` (aware)
    in the zone named by the field ``zone`` (both after ``prefix``; by default a requirement's
    ``due_date`` and its case's ``time_zone``).

    A local date is the UTC date, the day before or the day after, so: due two or more days
    before the UTC date is overdue everywhere; due the day before, unless the case's zone is
    still on that day (``behind``); due on the UTC date, only where it is already tomorrow
    (``ahead``); later, nowhere."""
    now_utc = now.astimezone(dt.UTC)
    bucket = now_utc.replace(minute=now_utc.minute - now_utc.minute % 15, second=0, microsecond=0)
    ahead, behind = _zones_off_utc_date(bucket)
    today_utc = now_utc.date()
    due, zone = f"{prefix}{due}", f"{prefix}{zone}"
    q = Q(**{f"{due}__lt": today_utc - _DAY})
    q |= Q(**{due: today_utc - _DAY}) & ~Q(**{f"{zone}__in": sorted(behind)})
    if ahead:
        q |= Q(**{due: today_utc, f"{zone}__in": sorted(ahead)})
    return q


def case_overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    """Cases with at least one requirement overdue at ``now``, as a ``Q`` on ``Case`` read from
    the case's document summary (``cases/models/summary.py``): ``documents_due_on``, the
    earliest due date of a required requirement waiting on the applicant while the case
    collects documents, is before today in the case's zone. The same cases as
    ``Exists(DocumentRequirement.objects.overdue(now).filter(case=OuterRef("pk")))``, from an
    index range (``case_documents_due_idx``) instead of a scan of requirements."""
    # Due on the UTC date at the latest (the day after only where it is already tomorrow): a
    # range the index reads, before the per-zone condition.
    latest = now.astimezone(dt.UTC).date()
    return Q(**{f"{prefix}documents_due_on__lte": latest}) & due_before_local_today_q(
        now, prefix, due="documents_due_on", zone="time_zone"
    )


def overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    """Both conditions as one ``Q`` on ``DocumentRequirement``."""
    return may_be_overdue_q(prefix) & due_before_local_today_q(now, prefix)


def due_soon_q(now: dt.datetime, days: int, prefix: str = "") -> Q:
    """Requirements that may be overdue (condition 1) but are not yet (due today or later in
    the case's time zone), due by the UTC date ``days - 1`` days after today's: "due in the
    next ``days`` days" of the reports and the case list (one definition for both)."""
    horizon = now.astimezone(dt.UTC).date() + dt.timedelta(days=days - 1)
    return (
        may_be_overdue_q(prefix)
        & ~due_before_local_today_q(now, prefix)
        & Q(**{f"{prefix}due_date__lte": horizon})
    )


def due_before_local_today(due_date: dt.date | None, time_zone: str, now: dt.datetime) -> bool:
    """Condition 2 for a loaded date: ``due_date`` is before the date at ``now`` in
    ``time_zone`` (an IANA name; empty or unknown reads as UTC). Also used for tasks and
    target dates (``cases.selectors.deadlines.Deadline``)."""
    return due_date is not None and due_date < local_today(now, time_zone)


def days_left_local(due_date: dt.date, time_zone: str, now: dt.datetime) -> int:
    """Days from the date at ``now`` in ``time_zone`` (the case's zone, read as in condition
    2) to ``due_date``: 1 due tomorrow, 0 due today, -3 three days overdue. What reminder texts
    say, counted when the message is built (``cases/reminders/emails.py``)."""
    return (due_date - local_today(now, time_zone)).days


def requirement_is_overdue(
    requirement: "DocumentRequirement", case: "Case", now: dt.datetime
) -> bool:
    """Both conditions for a loaded row at instant ``now``."""
    return requirement_may_be_overdue(requirement, case) and due_before_local_today(
        requirement.due_date, case.time_zone, now
    )
