"""Photo checks (issue 13): the worker checks each ready version of a photo requirement
against its checklist item's rules, stores the result (``PhotoCheck``) and, when the photo
can be fixed, a corrected copy; the applicant or the advisor may then use that copy, which
becomes a new version through the upload service (the original stays a version).

The check never refuses or blocks an upload: the version stays ``ready`` whatever it finds
(a face the detector misses must not stop anyone), and the advisor sees the same sentences
the applicant does beside the review. Corrected copies are private files like previews
(random key, no public URL), served through the download's permission check and access log.
"""

import logging
import secrets
from typing import IO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import AccessKind, ChecklistItem, Document, PhotoCheck, VersionState
from cases.services.access import document_access_record
from cases.services.documents import UploadItem, documents_upload
from cases.services.downloads import document_ensure_downloadable
from cases.uploads.photo import PhotoRules, Problem, check_photo
from cases.uploads.photo_fix import fix_photo
from portal.errors import NotAllowed, StaleObject
from portal.models import User

log = logging.getLogger(__name__)

# Bytes read at most from a stored photo (the photo item's upload limit is 5 MB; HEIC photos
# arrive converted to JPEG); larger files are "unreadable" rather than read whole.
MAX_PHOTO_READ_BYTES = 60 * 1024 * 1024


def photo_rules_for(item: ChecklistItem) -> PhotoRules:
    """The checker's limits from a checklist item's ``photo_*`` fields."""
    return PhotoRules(
        min_bytes=item.photo_min_bytes,
        max_bytes=item.photo_max_bytes,
        min_width=item.photo_min_width,
        max_width=item.photo_max_width,
        min_height=item.photo_min_height,
        max_height=item.photo_max_height,
        background_min_lightness=item.photo_background_min_lightness,
        background_max_variation=item.photo_background_max_variation,
        background_max_colour=item.photo_background_max_colour,
        face_min_width_pct=item.photo_face_min_width_pct,
        face_max_width_pct=item.photo_face_max_width_pct,
        face_centre_min_pct=item.photo_face_centre_min_pct,
        face_centre_max_pct=item.photo_face_centre_max_pct,
        face_max_offset_pct=item.photo_face_max_offset_pct,
        min_brightness=item.photo_min_brightness,
        min_sharpness=item.photo_min_sharpness,
    )


def _read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return bytes(handle.read(MAX_PHOTO_READ_BYTES + 1))


def document_photo_check(*, document_id: int) -> str:
    """Check one version of a photo requirement and store the result; return ``"checked"``,
    or ``"skipped"`` (unknown id, not ready, file deleted, not a photo requirement, or
    checked already: safe to run twice). The rules are the checklist item's at the time of
    the check. An unexpected error of the checker is stored as the problem ``check_error``
    (the advisor checks by eye) instead of being raised; storage errors propagate (the task
    retries)."""
    document = (
        Document.objects.select_related("requirement__checklist_item")
        .filter(pk=document_id, state=VersionState.READY, file_deleted_at__isnull=True)
        .first()
    )
    item = document.requirement.checklist_item if document else None
    if document is None or item is None or not item.photo_check:
        return "skipped"
    if PhotoCheck.objects.filter(document=document).exists():
        return "skipped"
    data = _read(document)
    rules = photo_rules_for(item)
    problems: list[Problem]
    fix = None
    try:
        if len(data) > MAX_PHOTO_READ_BYTES:
            problems = [Problem("unreadable")]
        else:
            report = check_photo(data, rules)
            problems = report.problems
            if problems:
                fix = fix_photo(data, rules, report=report)
    except Exception:
        log.exception("photo check of document %s failed", document_id)
        problems, fix = [Problem("check_error")], None
    storage = document.file.storage
    name = ""
    if fix is not None:
        key = f"photos/{secrets.token_hex(2)}/{secrets.token_hex(16)}.jpg"
        name = str(storage.save(key, ContentFile(fix.data)))
    try:
        with transaction.atomic():
            PhotoCheck.objects.create(
                document=document,
                problems=[p.as_json() for p in problems],
                fixes=fix.fixes_json() if fix else [],
                corrected_name=name,
                corrected_size_bytes=len(fix.data) if fix else 0,
                corrected_width=fix.width if fix else 0,
                corrected_height=fix.height if fix else 0,
            )
    except IntegrityError:  # checked by another delivery meanwhile: keep its result
        if name:
            storage.delete(name)
        return "skipped"
    return "checked"


def photo_check_delete_files(document: Document) -> None:
    """Delete the corrected copy of ``document`` once the transaction commits (retention:
    it goes with the file) and forget it."""
    check = PhotoCheck.objects.filter(document=document).exclude(corrected_name="").first()
    if check is None:
        return
    name, storage = check.corrected_name, document.file.storage
    PhotoCheck.objects.filter(pk=check.pk).update(corrected_name="", corrected_size_bytes=0)
    transaction.on_commit(lambda: storage.delete(name))


def _offer(document: Document) -> PhotoCheck:
    check = PhotoCheck.objects.filter(document=document).first()
    if check is None or not check.corrected_name:
        raise Http404("No corrected photo.")
    return check


def document_open_corrected_photo(
    *, document: Document, actor: User, ip_address: str | None
) -> IO[bytes]:
    """Open the corrected copy of ``document`` for ``actor`` and record the access (kind
    ``preview``) as a download is recorded. The caller fetched ``document`` through
    ``selectors.document_get_for_user``. Raises ``Http404`` when ``actor`` may not download
    it or there is no corrected copy, ``InvalidInput`` when retention deleted the file."""
    document_ensure_downloadable(document, actor)
    check = _offer(document)
    try:
        handle = document.file.storage.open(check.corrected_name, "rb")
    except FileNotFoundError:
        raise Http404("The corrected photo is missing.") from None
    document_access_record(
        document=document, user=actor, kind=AccessKind.PREVIEW, ip_address=ip_address
    )
    return handle


def photo_correction_use(*, document: Document, actor: User) -> Document:
    """Store the corrected copy of ``document`` as a new version of its requirement, through
    ``documents_upload`` (same checks, quota, timeline event and worker steps; the original
    stays a version). Once per copy: a second call, or a call after a newer upload, raises
    ``StaleObject``. Raises ``NotAllowed`` when ``actor`` may not upload to the case now,
    ``Http404`` when there is no corrected copy, ``InvalidInput`` from the upload service."""
    case = document.requirement.case
    if not permissions.can_upload(actor, case):
        raise NotAllowed(_("Documents cannot be uploaded to this case now."))
    check = _offer(document)
    requirement = document.requirement
    requirement.refresh_from_db()
    if requirement.current_document_id != document.pk or check.used_as_id is not None:
        raise StaleObject(
            _(
                "This corrected photo is no longer offered: a newer photo was uploaded or the "
                "corrected one is already in use. Reload the page."
            )
        )
    stem = document.original_filename.rsplit(".", 1)[0] or "photo"
    with transaction.atomic():
        claimed = PhotoCheck.objects.filter(pk=check.pk, used_as__isnull=True).update(
            used_as=document
        )  # a placeholder that claims the copy; the new version replaces it below
        if not claimed:
            raise StaleObject(_("The corrected photo is already in use. Reload the page."))
        with document.file.storage.open(check.corrected_name, "rb") as handle:
            stream = ContentFile(handle.read())
        (new,) = documents_upload(
            case=case,
            items=[
                UploadItem(requirement=requirement, stream=stream, filename=f"{stem}-corrected.jpg")
            ],
            actor=actor,
        )
        PhotoCheck.objects.filter(pk=check.pk).update(used_as=new)
    return new
