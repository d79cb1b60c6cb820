"""Privacy services: the retention rule (delete document files some days after a case closes,
keeping a tombstone) and the applicant's export of everything the portal holds about them.

Retention never touches an open case: only cases in stage closed or withdrawn whose
``closed_at`` is at least ``VisaType.retention_days_after_close`` days old.
"""

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from cases.models import (
    Case,
    Document,
    EventKind,
    PassportReading,
    Stage,
)
from cases.services.events import event_record
from cases.services.photos import photo_check_delete_files
from cases.services.previews import document_previews_delete
from cases.services.timeline_text import event_data
from portal.audit import audit_update
from portal.models import User

RETENTION_STAGES = (Stage.CLOSED, Stage.WITHDRAWN)


@dataclass(frozen=True)
class RetentionItem:
    """One stored file the retention rule deletes: ids, case reference, display name, SHA-256,
    size in bytes, when the case closed (UTC) and the rule in days."""

    document_id: int
    case_id: int
    case_reference: str
    filename: str
    sha256: str
    size_bytes: int
    closed_at: dt.datetime
    retention_days: int

    @property
    def reason(self) -> str:
        return (
            f"retention: {self.retention_days} days after case {self.case_reference} closed "
            f"on {self.closed_at.date().isoformat()}"
        )


def retention_due(*, now: dt.datetime | None = None) -> list[RetentionItem]:
    """The dry run: every stored file that the retention rules delete at ``now`` (UTC), oldest
    case first. Only closed or withdrawn cases of visa types with a rule; files already deleted
    are not listed."""
    now = now or timezone.now()
    documents = (
        Document.objects.filter(
            file_deleted_at__isnull=True,
            requirement__case__stage__in=RETENTION_STAGES,
            requirement__case__closed_at__isnull=False,
            requirement__case__visa_type__retention_days_after_close__isnull=False,
        )
        .select_related("requirement__case__visa_type")
        .order_by("requirement__case__closed_at", "id")
    )
    items = []
    for doc in documents:
        case = doc.requirement.case
        days = case.visa_type.retention_days_after_close
        if case.closed_at is None or days is None:  # excluded by the query; for the types
            continue
        if case.closed_at + dt.timedelta(days=days) <= now:
            items.append(
                RetentionItem(
                    document_id=doc.pk,
                    case_id=case.pk,
                    case_reference=case.reference,
                    filename=doc.original_filename,
                    sha256=doc.sha256,
                    size_bytes=doc.size_bytes,
                    closed_at=case.closed_at,
                    retention_days=days,
                )
            )
    return items


def retention_apply(
    *, dry_run: bool, actor: User | None = None, now: dt.datetime | None = None
) -> list[RetentionItem]:
    """Delete the files ``retention_due`` lists (nothing when ``dry_run``) and return the list.

    Each deletion keeps the Document row as a tombstone (name, hash, uploader stay; deletion
    time and reason are set), writes an audit entry with name, hash, who, when and why, and a
    case timeline event. The case row is re-checked under a lock, so a case reopened meanwhile
    is skipped. Safe to run twice: deleted files are not listed again.
    """
    items = retention_due(now=now)
    if dry_run:
        return items
    done: list[RetentionItem] = []
    for item in items:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=item.case_id)
            if case.stage not in RETENTION_STAGES:
                continue
            doc = Document.objects.select_for_update().get(pk=item.document_id)
            if doc.file_deleted:
                continue
            deleted_at = timezone.now()
            path = doc.file.name
            Document.objects.filter(pk=doc.pk).update(
                file="",
                file_deleted_at=deleted_at,
                file_deleted_reason=item.reason[:200],
                preview_key="",
                preview_pages=0,
            )
            document_previews_delete(doc)  # the preview images go with the file
            photo_check_delete_files(doc)  # and so does a corrected photo
            PassportReading.objects.filter(document=doc).delete()  # and what was read from it
            tombstone = {
                "tombstone": {
                    "filename": doc.original_filename,
                    "sha256": doc.sha256,
                    "size_bytes": doc.size_bytes,
                    "version": doc.version,
                    "deleted_by": actor.email if actor else "retention task",
                    "deleted_at": deleted_at.isoformat(),
                    "reason": item.reason,
                }
            }
            audit_update(doc, {"file": (path, "")}, actor=actor, additional_data=tombstone)
            event_record(
                case=case,
                actor=actor,
                kind=EventKind.UPDATE,
                data=event_data(
                    "retention", file=doc.original_filename, version=doc.version, **tombstone
                ),
                internal=True,
            )
            if path:
                transaction.on_commit(partial(doc.file.storage.delete, path))
        done.append(item)
    return done


# The applicant's data export lives in ``cases/services/data_export.py``.
from cases.services.data_export import applicant_export_archive  # noqa: E402, F401
