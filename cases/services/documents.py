"""Document writes: uploads (one or many files, all or none, within the case quota) and reviews;
audited downloads are in ``cases/services/downloads.py``."""

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import router, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    Case,
    Document,
    DocumentRequirement,
    EventKind,
    RequirementStatus,
    ReviewStatus,
    VersionState,
)
from cases.services.events import case_touch, event_record
from cases.services.notifications import notify_review, notify_upload
from cases.services.summary import case_summary_refresh
from cases.services.timeline_text import event_data
from cases.services.uploads import (
    documents_enqueue_passport_reads,
    documents_enqueue_previews,
    documents_enqueue_processing,
)
from cases.uploads import CheckedFile, screen_upload
from portal.audit import audit_update
from portal.errors import InvalidInput, NotAllowed, StaleObject
from portal.models import User
from portal.sql import CompiledSelect


@dataclass(frozen=True)
class UploadItem:
    """One file of an upload request: the requirement it is for, a seekable binary stream and
    the name the browser sent (for display only)."""

    requirement: DocumentRequirement
    stream: IO[bytes]
    filename: str


def _check_quota(case: Case, used: tuple[int, int], new_bytes: int, new_files: int) -> None:
    """Raise ``InvalidInput`` when ``new_files`` files of ``new_bytes`` bytes do not fit in the
    case's quota (its visa type's) beside ``used``: (bytes, files) stored already."""
    used_bytes, used_files = used
    visa = case.visa_type
    if used_files + new_files > visa.quota_files:
        raise InvalidInput(
            _(
                "This case already holds %(used)s of its %(limit)s files, so %(new)s more do not "
                "fit. Ask your advisor to remove old versions or raise the limit."
            )
            % {"used": used_files, "limit": visa.quota_files, "new": new_files}
        )
    if used_bytes + new_bytes > visa.quota_bytes:
        raise InvalidInput(
            _(
                "This case already stores %(used)s of its %(limit)s, so %(new)s more do not fit. "
                "Compress the files (a scan at 300 dpi is enough) or ask your advisor."
            )
            % {
                "used": filesizeformat(used_bytes),
                "limit": filesizeformat(visa.quota_bytes),
                "new": filesizeformat(new_bytes),
            }
        )


def documents_upload(*, case: Case, items: list[UploadItem], actor: User) -> list[Document]:
    """Validate every file of one request, then store them all or none.

    At most ``PORTAL_MAX_FILES_PER_REQUEST`` (10) files; each is checked against its own
    requirement (``cases.uploads.screen_upload``: checks bounded by bytes, not pixels); the
    case's quota (bytes and files of its visa type) must hold them all. Each file becomes a new
    version of its requirement (earlier versions are kept): ``ready`` at once (PDFs), or
    ``processing`` (images) with the worker's step (``cases.services.uploads``) queued on
    commit. Raises ``NotAllowed`` when ``actor`` may not upload to ``case`` now and
    ``InvalidInput`` naming every refused file; nothing is stored then.
    """
    if not permissions.can_upload(actor, case):
        raise NotAllowed(_("Documents cannot be uploaded to this case now."))
    limit = settings.PORTAL_MAX_FILES_PER_REQUEST
    if not items:
        raise InvalidInput(_("Choose at least one file before pressing Upload."))
    if len(items) > limit:
        raise InvalidInput(
            _("You sent %(n)s files; upload at most %(limit)s at a time.")
            % {"n": len(items), "limit": limit}
        )
    checked: list[tuple[UploadItem, CheckedFile]] = []
    problems: list[str] = []
    for item in items:
        if item.requirement.case_id != case.pk:
            raise InvalidInput(_("A file was sent for a document of another case."))
        if item.requirement.status == RequirementStatus.WAIVED:
            problems.append(
                _("“%(name)s” was waived by your advisor; nothing to upload.")
                % {"name": item.requirement.name}
            )
            continue
        try:
            checked.append(
                (
                    item,
                    screen_upload(
                        stream=item.stream,
                        filename=item.filename,
                        accepted_types=list(item.requirement.accepted_types),
                        max_size_bytes=item.requirement.max_size_bytes,
                    ),
                )
            )
        except InvalidInput as exc:
            problems.append(exc.message)
    if problems:
        raise InvalidInput(" ".join(problems), details={"files": problems})
    stored: list[str] = []
    documents: list[Document] = []
    try:
        with transaction.atomic():
            # The UPDATE of the case row (its ``updated_at``) comes first and takes the row's
            # lock: uploads to one case are serialised, so the quota holds under races.
            case_touch(case)
            requirements, used = _lock_requirements(case, [i.requirement.pk for i, _c in checked])
            _check_quota(case, used, sum(c.size_bytes for _i, c in checked), len(checked))
            for item, result in checked:
                documents.append(
                    _store_version(case, requirements[item.requirement.pk], result, actor, stored)
                )
            case_summary_refresh(case_ids=[case.pk], locked=True)  # case_touch locked it
            waiting = [d.pk for d in documents if d.state == VersionState.PROCESSING]
            if waiting:
                transaction.on_commit(lambda: documents_enqueue_processing(waiting))
            ready = [d.pk for d in documents if d.state == VersionState.READY]
            if ready:
                transaction.on_commit(lambda: documents_enqueue_previews(ready))
            # The item's requirement (loaded by the caller): the locked row holds few fields.
            passports = [
                d.pk
                for (item, _c), d in zip(checked, documents, strict=True)
                if d.state == VersionState.READY and item.requirement.reads_passport
            ]
            if passports:
                transaction.on_commit(lambda: documents_enqueue_passport_reads(passports))
    except Exception:
        storage = Document._meta.get_field("file").storage
        for path in stored:
            storage.delete(path)
        raise
    # The callers' requirements as the UPDATEs left them (no re-read).
    for item, _result in checked:
        locked = requirements[item.requirement.pk]
        item.requirement.status = locked.status
        item.requirement.current_document = locked.current_document
        item.requirement.updated_at = locked.updated_at
    return documents


def _lock_requirements(
    case: Case, pks: list[int]
) -> tuple[dict[int, DocumentRequirement], tuple[int, int]]:
    """Lock the requirements ``pks`` of ``case`` (in id order) and read, in the same query,
    each one's ``last_version`` (its highest version number, 0 before any upload) and what the
    case stores: (bytes, files) of every version whose file was not deleted.

    Call it with the case row locked (``case_touch`` in the transaction): the statement's
    snapshot then includes every upload committed before ours, so the usage is current. The
    SQL is built once per process and number of files (``_LOCKED``, ``portal/sql.py``)."""
    keys = sorted(set(pks))
    rows = _LOCKED.run(case.pk, *keys, using=router.db_for_write(DocumentRequirement))
    first = rows[0] if rows else None
    used = (int(first.used_bytes), int(first.used_files)) if first else (0, 0)
    return {r.pk: r for r in rows}, used


def _locked_rows(case_id: int, *pks: int) -> QuerySet[DocumentRequirement]:
    """The query of ``_lock_requirements``: requirements ``pks`` of case ``case_id``, locked,
    with ``last_version``, ``used_bytes`` and ``used_files``."""
    last = (
        Document.objects.filter(requirement=OuterRef("pk"))
        .order_by("-version")
        .values("version")[:1]
    )
    stored = (
        Document.objects.filter(requirement__case_id=case_id, file_deleted_at__isnull=True)
        .order_by()
        .values("requirement__case")
    )
    return (
        DocumentRequirement.objects.select_for_update()
        .filter(case_id=case_id, pk__in=pks)
        .annotate(
            last_version=Coalesce(Subquery(last), 0),
            used_bytes=Coalesce(Subquery(stored.annotate(b=Sum("size_bytes")).values("b")), 0),
            used_files=Coalesce(Subquery(stored.annotate(n=Count("id")).values("n")), 0),
        )
        .order_by("pk")
    )


_LOCKED = CompiledSelect(DocumentRequirement, _locked_rows)


def _store_version(
    case: Case,
    locked: DocumentRequirement,
    checked: CheckedFile,
    actor: User,
    stored: list[str],
) -> Document:
    """Store ``checked`` as the next version of the locked requirement ``locked`` (from
    ``_lock_requirements``; its ``last_version``, status and current document are kept up to
    date here, so two files for one requirement become two versions)."""
    version = locked.last_version + 1  # type: ignore[attr-defined]
    document = Document(
        requirement=locked,
        version=version,
        original_filename=checked.display_name,
        content_type=checked.content_type,
        size_bytes=checked.size_bytes,
        sha256=checked.sha256,
        uploaded_by=actor,
        state=VersionState.PROCESSING if checked.needs_processing else VersionState.READY,
    )
    # An upload Django spooled to disk is moved into local storage, not copied (issue 18).
    spooled = hasattr(checked.stream, "temporary_file_path")
    document.file.save("upload", checked.stream if spooled else File(checked.stream), save=False)
    stored.append(document.file.name)
    document.save()
    now = timezone.now()
    DocumentRequirement.objects.filter(pk=locked.pk).update(
        current_document=document, status=RequirementStatus.UPLOADED, updated_at=now
    )
    audit_update(
        locked,
        {
            "status": (locked.status, RequirementStatus.UPLOADED),
            "current_document": (locked.current_document_id, document.pk),
        },
        actor=actor,
    )
    locked.last_version = version  # type: ignore[attr-defined]
    locked.status = RequirementStatus.UPLOADED
    locked.current_document = document
    locked.updated_at = now
    event = event_record(
        case=case,
        actor=actor,
        kind=EventKind.UPLOAD,
        after=RequirementStatus.UPLOADED,
        data=event_data(
            "upload",
            requirement=locked.code,
            document=document.pk,
            version=version,
            name_en=locked.name_en,
            name_zh=locked.name_zh,
            file=checked.display_name,
        ),
    )
    notify_upload(
        case=case,
        event=event,
        uploader=actor,
        name_en=locked.name_en,
        name_zh=locked.name_zh,
        requirement_id=locked.pk,
    )
    return document


def document_upload(
    *, requirement: DocumentRequirement, stream: IO[bytes], filename: str, actor: User
) -> Document:
    """Validate and store a new version of one requirement's document (``documents_upload``
    with one file). Raises ``NotAllowed`` and ``InvalidInput``; nothing is stored then."""
    (document,) = documents_upload(
        case=requirement.case,
        items=[UploadItem(requirement=requirement, stream=stream, filename=filename)],
        actor=actor,
    )
    return document


def document_review(*, document: Document, decision: str, reason: str, actor: User) -> Document:
    """Accept or reject one document version; the requirement's status follows when the version
    is the current one. ``decision`` is accepted | rejected; rejecting needs a ``reason`` the
    applicant will read. Raises ``NotAllowed`` and ``InvalidInput``; a version already reviewed
    by someone else in the meantime raises ``StaleObject``."""
    requirement = document.requirement
    case = requirement.case
    if not permissions.can_review(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can review documents."))
    reason = (reason or "").strip()
    if decision not in (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED):
        raise InvalidInput(_("Choose accept or reject."))
    current_id = (
        DocumentRequirement.objects.filter(pk=requirement.pk)
        .values_list("current_document_id", flat=True)
        .get()
    )
    if current_id != document.pk:
        raise InvalidInput(
            _("This is an earlier version of the file; only the latest upload can be reviewed.")
        )
    if document.state != VersionState.READY:
        raise InvalidInput(_not_reviewable(document))
    if decision == ReviewStatus.REJECTED and not reason:
        raise InvalidInput(
            _("Write the reason for rejecting; the applicant sees it and needs it to fix the file.")
        )
    now = timezone.now()
    with transaction.atomic():
        # ``state=ready`` in the UPDATE: a version is never reviewed while processing, even
        # when the page that sent the decision was rendered from an older row.
        hit = Document.objects.filter(
            pk=document.pk, review_status=document.review_status, state=VersionState.READY
        ).update(review_status=decision, reviewed_by=actor, reviewed_at=now, review_reason=reason)
        if hit != 1:
            raise StaleObject(_("This document was reviewed by someone else. Reload the page."))
        audit_update(
            document,
            {"review_status": (document.review_status, decision), "review_reason": ("", reason)},
            actor=actor,
        )
        DocumentRequirement.objects.filter(pk=requirement.pk, current_document=document).update(
            status=decision, updated_at=now
        )
        event = event_record(
            case=case,
            actor=actor,
            kind=EventKind.REVIEW,
            before=document.review_status,
            after=decision,
            data=event_data(
                "review",
                requirement=requirement.code,
                document=document.pk,
                version=document.version,
                name_en=requirement.name_en,
                name_zh=requirement.name_zh,
                reason=reason,
            ),
        )
        notify_review(
            case=case,
            event=event,
            reviewer=actor,
            decision=decision,
            reason=reason,
            name_en=requirement.name_en,
            name_zh=requirement.name_zh,
            requirement_id=requirement.pk,
        )
        case_touch(case)
        case_summary_refresh(case_ids=[case.pk], locked=True)
    document.refresh_from_db()
    return document


def _not_reviewable(document: Document) -> str:
    if document.state == VersionState.PROCESSING:
        return _(
            "This file is still being checked, so it cannot be reviewed yet. Refresh the page "
            "in a minute and review it once it shows as ready."
        )
    return _(
        "This file did not pass the upload checks, so it cannot be reviewed. The applicant "
        "needs to upload a new file."
    )
