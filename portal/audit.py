"""Audit trail helpers on top of django-auditlog, and the one CSV writer every export uses.

django-auditlog records saves and deletes of registered models by itself (settings:
``AUDITLOG_INCLUDE_TRACKING_MODELS``). Services that change rows with a conditional
``QuerySet.update()`` (stage changes, reviews) call ``audit_update`` so those changes are in the
same trail; the actor and IP come from the request (AuditlogMiddleware) unless given.
"""

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse

# Cells starting with these are formulas to spreadsheet programs (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def audit_update(
    instance: Model,
    changes: dict[str, tuple[Any, Any]],
    *,
    actor: Any = None,
    additional_data: dict[str, Any] | None = None,
) -> LogEntry | None:
    """Record an update of ``instance`` made without ``save()``: ``changes`` maps field name to
    (before, after); values are stored as strings, like django-auditlog's own entries."""
    return LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.UPDATE,
        changes={k: [str(before), str(after)] for k, (before, after) in changes.items()},
        actor=actor,
        additional_data=additional_data,
    )


def audit_access(instance: Model, *, actor: Any, additional_data: dict[str, Any]) -> LogEntry:
    """Record that ``actor`` read ``instance`` (a document download, preview or export)."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        additional_data=additional_data,
    )


def csv_safe(value: object) -> str:
    """A cell value that spreadsheet programs show as text: ``None`` becomes empty and a value
    starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe
    (OWASP CSV injection guidance)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_rows(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Encode ``header`` and ``rows`` as CSV lines with every cell passed through ``csv_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in itertools.chain([header], rows):
        writer.writerow([csv_safe(c) for c in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM, so spreadsheet programs read Chinese names)
    whose cells are escaped against formula injection. Every CSV export uses this."""

    def body() -> Iterator[str]:
        yield "\ufeff"
        yield from csv_rows(header, rows)

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


AUDIT_CSV_HEADER = [
    "timestamp_utc",
    "actor",
    "remote_addr",
    "action",
    "object_type",
    "object_id",
    "object",
    "changes",
    "additional_data",
]


def audit_entries_between(*, start: dt.date, end: dt.date, user: Any = None) -> QuerySet[LogEntry]:
    """Audit entries from ``start`` 00:00 UTC to the end of ``end`` (inclusive dates), oldest
    first, with actor and content type joined. Any dates work (``date.max`` means no end).
    With ``user``, firm first: only entries whose actor belongs to ``user``'s firm (every
    entry for a platform admin; entries of the system or of platform admins are theirs)."""
    from portal.firms import firm_scope

    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    entries = LogEntry.objects.filter(timestamp__gte=start_at)
    if user is not None:
        entries = firm_scope(entries, user, path="actor__firm")
    if end < dt.date.max:
        end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        entries = entries.filter(timestamp__lt=end_at)
    return entries.select_related("actor", "content_type").order_by("timestamp", "id")


def audit_csv_rows(entries: QuerySet[LogEntry]) -> Iterator[list[object]]:
    """One CSV row per entry (see ``AUDIT_CSV_HEADER``); reads in chunks of 2,000."""
    actions = dict(LogEntry.Action.choices)
    for e in entries.iterator(chunk_size=2000):
        yield [
            e.timestamp.astimezone(dt.UTC).isoformat(),
            e.actor.email if e.actor else (e.actor_email or ""),
            e.remote_addr or "",
            actions.get(e.action, e.action),
            f"{e.content_type.app_label}.{e.content_type.model}",
            e.object_pk,
            e.object_repr,
            json.dumps(e.changes_dict, ensure_ascii=False) if e.changes else "",
            json.dumps(e.additional_data, ensure_ascii=False) if e.additional_data else "",
        ]
