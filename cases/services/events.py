"""The one writer of the case timeline: every CaseEvent row is created here.

Services call these inside their own ``transaction.atomic()`` block, so an event is written in
the same transaction as the change it records (docs/architecture.md, "The timeline").
``tests/test_layout.py`` fails if code elsewhere creates CaseEvent rows.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.services.timeline_text import renderable
from portal.models import User


def event_build(
    *,
    actor: User | None,
    kind: str,
    case: Case | None = None,
    case_id: int | None = None,
    before: str = "",
    after: str = "",
    internal: bool = False,
    data: dict[str, Any] | None = None,
    stage_entered_at: dt.datetime | None = None,
) -> CaseEvent:
    """An unsaved event of ``case`` (or ``case_id``) for ``events_record``; ``kind`` is an
    ``EventKind``; ``data`` what the event's words are rendered from when shown (made by
    ``cases.services.timeline_text.event_data``, or a record edit's / correction's data; no
    sentence is stored); ``stage_entered_at`` only on a stage change
    (``CaseEvent.stage_entered_at``). Raises ``ValueError`` without a case or when no renderer
    reads ``data``."""
    target = case.pk if case is not None else case_id
    if target is None:
        raise ValueError("An event needs its case.")
    if not renderable(data or {}):
        raise ValueError(f"No timeline renderer reads this event's data: {data!r}.")
    return CaseEvent(
        case_id=target,
        actor=actor,
        kind=kind,
        before=before or "",
        after=after or "",
        internal=internal,
        data=data if data is not None else {},
        stage_entered_at=stage_entered_at,
    )


def event_record(*, case: Case, actor: User | None, kind: str, **fields: Any) -> CaseEvent:
    """Write one event of ``case`` (fields as ``event_build``) and return it."""
    event = event_build(case=case, actor=actor, kind=kind, **fields)
    event.save()
    return event


def events_record(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """Write events made by ``event_build`` in one INSERT per 500 rows."""
    return CaseEvent.objects.bulk_create(list(events), batch_size=500)


def case_touch(case: Case) -> None:
    """Bump ``Case.updated_at`` (UTC) without loading or saving the whole row."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
