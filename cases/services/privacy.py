"""Privacy services: the retention rule (delete document files some days after a case closes,
keeping a tombstone) and the applicant's export of everything the portal holds about them.

Retention never touches an open case: only cases in stage closed or withdrawn whose
``closed_at`` is at least ``VisaType.retention_days_after_close`` days old.
"""

import datetime as dt
import json
import tempfile
import zipfile
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    AccessKind,
    Applicant,
    Case,
    CaseEvent,
    Document,
    EventKind,
    Message,
    Stage,
)
from cases.services.access import document_access_record
from cases.services.events import event_record
from cases.uploads import clean_display_filename
from portal.audit import audit_update
from portal.errors import NotAllowed
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
                file="", file_deleted_at=deleted_at, file_deleted_reason=item.reason[:200]
            )
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
                summary=_("File deleted under the retention rule: %(name)s (v%(v)s)")
                % {"name": doc.original_filename, "v": doc.version},
                data=tombstone,
                internal=True,
            )
            if path:
                transaction.on_commit(partial(doc.file.storage.delete, path))
        done.append(item)
    return done


# --- the applicant's data export --------------------------------------------------------------


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _applicant_profile(applicant: Applicant) -> dict[str, Any]:
    fields = (
        "given_names",
        "family_name",
        "email",
        "phone",
        "date_of_birth",
        "nationality",
        "passport_number",
        "passport_expiry",
        "created_at",
        "updated_at",
    )
    return {
        f: _iso(str(getattr(applicant, f)) if f == "nationality" else getattr(applicant, f))
        for f in fields
    }


def applicant_export_archive(*, user: User, ip_address: str | None = None) -> IO[bytes]:
    """One ZIP archive of everything the portal holds about the applicant ``user``: profile
    (account and applicant record), cases with their requirements and timeline, messages
    (internal notes excluded), the document list and every stored file.

    Each exported file is recorded in the access log (kind ``export``). Returns a temporary
    file at position 0. Raises ``NotAllowed`` for staff accounts.
    """
    if user.is_staff_member:
        raise NotAllowed(_("The data export is for applicants."))
    applicant = Applicant.objects.filter(user=user).first()
    cases = list(
        Case.objects.filter(applicant__user=user)
        .select_related("visa_type", "advisor")
        .prefetch_related("requirements")
        .order_by("opened_on", "id")
    )
    documents = list(
        Document.objects.filter(requirement__case__in=cases)
        .select_related("requirement__case", "uploaded_by")
        .order_by("requirement__case_id", "requirement__position", "version")
    )
    messages = list(
        Message.objects.filter(case__in=cases, internal=False)
        .select_related("author", "case")
        .order_by("created_at", "id")
    )
    events = list(
        CaseEvent.objects.filter(case__in=cases, internal=False)
        .select_related("actor", "case")
        .order_by("created_at", "id")
    )
    profile = {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "time_zone": user.time_zone,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "applicant": _applicant_profile(applicant) if applicant else None,
    }
    case_rows = [
        {
            "reference": c.reference,
            "visa_type": c.visa_type.code,
            "stage": c.stage,
            "advisor": str(c.advisor) if c.advisor else None,
            "opened_on": _iso(c.opened_on),
            "intended_entry_date": _iso(c.intended_entry_date),
            "target_submission_date": _iso(c.target_submission_date),
            "submitted_at": _iso(c.submitted_at),
            "decided_at": _iso(c.decided_at),
            "decision": c.decision,
            "closed_at": _iso(c.closed_at),
            "requirements": [
                {"code": r.code, "name": r.name_en, "status": r.status, "due": _iso(r.due_date)}
                for r in c.requirements.all()
            ],
            "timeline": [
                {"at": _iso(e.created_at), "kind": e.kind, "summary": e.summary}
                for e in events
                if e.case_id == c.pk
            ],
        }
        for c in cases
    ]
    message_rows = [
        {
            "case": m.case.reference,
            "at": _iso(m.created_at),
            "author": str(m.author),
            "body": m.body,
        }
        for m in messages
    ]
    doc_rows = []
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - returned
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for doc in documents:
            case = doc.requirement.case
            arcname = ""
            if not doc.file_deleted and doc.file:
                safe = clean_display_filename(doc.original_filename).replace("/", "_")
                arcname = f"files/{case.reference}/{doc.requirement.code}/v{doc.version}-{safe}"
                try:
                    with doc.file.open("rb") as handle:
                        archive.writestr(arcname, handle.read())
                except FileNotFoundError:
                    arcname = ""
                else:
                    document_access_record(
                        document=doc, user=user, kind=AccessKind.EXPORT, ip_address=ip_address
                    )
            doc_rows.append(
                {
                    "case": case.reference,
                    "requirement": doc.requirement.code,
                    "version": doc.version,
                    "filename": doc.original_filename,
                    "content_type": doc.content_type,
                    "size_bytes": doc.size_bytes,
                    "sha256": doc.sha256,
                    "uploaded_at": _iso(doc.uploaded_at),
                    "uploaded_by": str(doc.uploaded_by),
                    "review_status": doc.review_status,
                    "file_deleted_at": _iso(doc.file_deleted_at),
                    "file_in_archive": arcname,
                }
            )
        for name, data in (
            ("profile.json", profile),
            ("cases.json", case_rows),
            ("messages.json", message_rows),
            ("documents.json", doc_rows),
        ):
            archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=2))
    out.seek(0)
    return out
