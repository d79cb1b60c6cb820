"""Keeping the per-case document summary (``cases/models/summary.py``) true.

``case_summary_refresh`` is the one writer of ``Case.documents_due_on``,
``documents_needed_count`` and ``documents_to_review_count``. Every service that changes what
they are computed from calls it inside its own transaction, after its write:

* ``case_open`` (requirements created), ``case_transition`` (stage: collecting or not);
* ``documents_upload`` (missing/rejected -> uploaded), ``document_review`` (-> accepted or
  rejected), the worker's refusal of an upload (``cases/services/uploads.py``: back to missing);
* ``requirement_waive``, ``requirement_set_due_date`` and the bulk due date
  (``requirements_set_due_date`` in ``cases/services/reminders.py``);
* ``requirements_follow_routes`` (``cases/services/routes.py``: ``required`` follows the route).

A due date passing changes nothing stored: the overdue comparison with today happens in SQL
when read (``cases/models/overdue.py``, ``case_overdue_q``).
"""

from collections.abc import Iterable

from django.db import router, transaction

from cases.models import Case
from cases.models.summary import summary_values
from portal.sql import CompiledUpdate

# The one-case UPDATE of the upload and the review, its SQL built once per process
# (``portal/sql.py``: compiling it cost about 10 ms of each upload).
_ONE_CASE = CompiledUpdate(Case, summary_values)


def case_summary_refresh(*, case_ids: Iterable[int], locked: bool = False) -> None:
    """Recompute the summary of the cases ``case_ids`` from their requirements and stage. Two
    queries whatever the number of cases: the case rows are locked first (in id order), so
    that of two transactions changing requirements of one case the later one computes after
    the earlier has committed and sees both changes (a READ COMMITTED statement reads the
    rows committed when it starts). ``locked``: the caller's transaction already holds the
    rows' locks (the upload and the review UPDATE the case row first, ``case_touch``), so one
    UPDATE is enough (for one case, the same SQL reused: ``_ONE_CASE``)."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    if not locked:
        with transaction.atomic():
            rows = Case.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            list(rows.values_list("pk"))
            _update(ids)
        return
    _update(ids)


def _update(ids: list[int]) -> None:
    if len(ids) == 1:
        _ONE_CASE.run(ids[0], using=router.db_for_write(Case))
    else:
        Case.objects.filter(pk__in=ids).update(**summary_values())
