"""The per-case document summary: what the overdue filter, the case list's counts and the
dashboards read instead of scanning every requirement.

Four columns of ``Case``, each a function of the case's requirements and stage only (never of
the clock, so nothing goes stale as days pass):

* ``documents_due_on``: the earliest ``due_date`` of a required requirement waiting on the
  applicant (``cases/models/turn.py``: missing or rejected), while the case collects documents
  (``COLLECTING_STAGES``); NULL otherwise or when none of them is dated. The case is overdue
  (``cases/models/overdue.py``: it has an overdue requirement) exactly when this date is before
  today in the case's time zone, which ``case_overdue_q(now)`` compares in SQL on the partial
  index ``case_documents_due_idx`` (firm, documents_due_on).
* ``passport_due_on``: while the case is not yet submitted (``PRE_SUBMISSION_STAGES``) and its
  applicant's passport expires less than ``PASSPORT_VALID_MAX_DAYS`` (184, the most 6 calendar
  months can be) after the intended entry date, the passport check's due date: the target
  submission date, else the entry date; NULL otherwise. A superset of the consular rule
  (fewer than 6 calendar months, ``passport_too_short``), which the reader applies to the few
  rows it returns (``cases/selectors/deadlines.py``, ``passport_deadlines``);
* ``documents_needed_count``: required requirements waiting on the applicant ("still needed");
* ``documents_to_review_count``: required requirements waiting on the advisor (uploaded).

``summary_values()`` gives the three as expressions on ``Case`` (correlated subqueries of its
requirements) for ``Case.objects.filter(...).update(**summary_values())``; the service
``cases/services/summary.py`` (``case_summary_refresh``) runs it, and migration 0035 ran the same
SQL once over every case.
"""

import datetime as dt

from django.db.models import Case as SqlCase
from django.db.models import (
    DateField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan

from cases.models.stages import COLLECTING_STAGES, PRE_SUBMISSION_STAGES
from cases.models.turn import awaits_review_q, waits_on_applicant_q
from cases.reminders.schedule import PASSPORT_VALID_MAX_DAYS


def _of_case(condition: Q):  # type: ignore[no-untyped-def]
    from cases.models.documents import DocumentRequirement

    return DocumentRequirement.objects.filter(
        condition, case=OuterRef("pk"), required=True
    ).order_by()


def _count(condition: Q) -> Expression:
    rows = _of_case(condition).annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _passport_due() -> Expression:
    from cases.models.applicants import Applicant

    expiry = Applicant.objects.filter(pk=OuterRef("applicant_id")).values("passport_expiry")
    latest = ExpressionWrapper(
        F("intended_entry_date") + dt.timedelta(days=PASSPORT_VALID_MAX_DAYS),
        output_field=DateField(),
    )
    return SqlCase(
        When(
            LessThan(Subquery(expiry, output_field=DateField()), latest),
            stage__in=sorted(PRE_SUBMISSION_STAGES),
            then=Coalesce("target_submission_date", "intended_entry_date"),
        ),
        default=None,
        output_field=DateField(),
    )


def summary_values() -> dict[str, Expression]:
    """``{column: expression}`` of the summary columns, for ``QuerySet.update``."""
    earliest = (
        _of_case(waits_on_applicant_q()).annotate(d=Func(F("due_date"), function="MIN")).values("d")
    )
    return {
        "documents_due_on": SqlCase(
            When(
                stage__in=sorted(COLLECTING_STAGES),
                then=Subquery(earliest, output_field=DateField()),
            ),
            default=None,
            output_field=DateField(),
        ),
        "passport_due_on": _passport_due(),
        "documents_needed_count": _count(waits_on_applicant_q()),
        "documents_to_review_count": _count(awaits_review_q()),
    }
