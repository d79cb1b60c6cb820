"""Document requirements (the case's checklist), uploaded document versions and the record
of who opened each file."""

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.dates import validate_stored_date

if TYPE_CHECKING:
    from portal.models import User
from cases.models.cases import Case
from cases.models.document_states import (
    PREVIEW_FAILED_KEY,
    FailureKind,
    PreviewState,
    ReviewStatus,
    VersionState,
)
from cases.models.overdue import overdue_q
from cases.models.turn import awaits_review_q, waiting_on_status, waits_on_applicant_q
from cases.models.visas import ChecklistItem, default_accepted_types, default_max_bytes


class PrivateStorage(LazyObject):
    """The ``private`` entry of ``settings.STORAGES``, resolved on first use (so settings
    overrides in tests apply). Files there never have a public URL."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """Storage callable for FileFields (keeps migrations free of settings values)."""
    return private_storage


def document_storage_key(instance: "Document", filename: str) -> str:
    """A random storage key; the user's filename never reaches the storage backend."""
    return f"documents/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class RequirementStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    UPLOADED = "uploaded", _("Uploaded, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAIVED = "waived", _("Waived")


# Checklist item codes of the passport bio-data page: a ready version of one is read by the
# passport reader (``cases/services/passports.py``; the seeded K and R checklists use it).
PASSPORT_REQUIREMENT_CODES: frozenset[str] = frozenset({"passport-bio-page"})

SATISFIED_STATUSES: frozenset[str] = frozenset(
    {RequirementStatus.ACCEPTED, RequirementStatus.WAIVED}
)


class RequirementQuerySet(models.QuerySet["DocumentRequirement"]):
    def visible_to(self, user: "User") -> "RequirementQuerySet":
        return self.filter(case__in=Case.objects.visible_to(user))

    def outstanding(self) -> "RequirementQuerySet":
        return self.exclude(status__in=SATISFIED_STATUSES)

    def waiting_on_applicant(self) -> "RequirementQuerySet":
        """Missing or rejected: the applicant's turn (``cases/models/turn.py``)."""
        return self.filter(waits_on_applicant_q())

    def awaiting_review(self) -> "RequirementQuerySet":
        """Uploaded and not yet reviewed: the advisor's turn (``cases/models/turn.py``)."""
        return self.filter(awaits_review_q())

    def overdue(self, now: dt.datetime | None = None) -> "RequirementQuerySet":
        """Requirements overdue at ``now`` (default: the current instant), by the one
        definition in ``cases/models/overdue.py``: today is read in each case's time zone."""
        return self.filter(overdue_q(now or timezone.now()))


class DocumentRequirement(models.Model):
    """One checklist item of one case, copied when the case opens.

    Names, help, limits, required flag and route condition are copied (later checklist edits
    do not rewrite open cases); a conditional ``required`` follows the route (services/routes).
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("case")
    )
    checklist_item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checklist item"),
    )
    code = models.SlugField(max_length=50, verbose_name=_("code"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    help_en = models.TextField(blank=True, verbose_name=_("help (English)"))
    help_zh = models.TextField(blank=True, verbose_name=_("help (Chinese)"))
    required = models.BooleanField(default=True, verbose_name=_("required"))
    accepted_types = models.JSONField(
        default=default_accepted_types, verbose_name=_("accepted file types")
    )
    max_size_bytes = models.PositiveBigIntegerField(
        default=default_max_bytes, verbose_name=_("maximum size (bytes)")
    )
    status = models.CharField(
        max_length=16,
        choices=RequirementStatus.choices,
        default=RequirementStatus.MISSING,
        verbose_name=_("status"),
    )
    due_date = models.DateField(
        null=True, blank=True, validators=[validate_stored_date], verbose_name=_("due date")
    )
    current_document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    waived_reason = models.TextField(blank=True, verbose_name=_("reason for waiving"))
    route_condition = models.CharField(
        max_length=500, blank=True, verbose_name=_("required only on routes")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = RequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ("case", "position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "code"], name="requirement_code_unique_per_case"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # The reminder sweep and dashboards look up outstanding rows by due date.
            models.Index(
                fields=["due_date"],
                name="requirement_open_due",
                condition=~Q(status__in=["accepted", "waived"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.name_en}"

    @property
    def name(self) -> str:
        return (
            self.name_zh
            if (get_language() or "").startswith("zh") and self.name_zh
            else self.name_en
        )

    @property
    def help_text(self) -> str:
        return (
            self.help_zh
            if (get_language() or "").startswith("zh") and self.help_zh
            else self.help_en
        )

    @property
    def is_satisfied(self) -> bool:
        return self.status in SATISFIED_STATUSES

    @property
    def not_needed_for_route(self) -> bool:
        return bool(self.route_condition) and not self.required  # issue 13, services/routes.py

    @property
    def reads_passport(self) -> bool:
        """Whether uploads here go through the passport reader (the bio-data page)."""
        return self.code in PASSPORT_REQUIREMENT_CODES

    @property
    def waiting_on(self) -> str:
        """Who must act next: a ``WaitingOn`` value (``cases/models/turn.py``)."""
        return waiting_on_status(self.status)

    @property
    def is_waived(self) -> bool:
        return self.status == RequirementStatus.WAIVED

    @property
    def takes_uploads(self) -> bool:
        """Whether a new file may still be added (not accepted, not waived)."""
        return not self.is_satisfied


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: "User") -> "DocumentQuerySet":
        return self.filter(requirement__case__in=Case.objects.visible_to(user))


class Document(models.Model):
    """One uploaded version of a file for a requirement.

    ``size_bytes`` in bytes; ``sha256`` hex digest; ``content_type`` is what the content sniffed
    as, not what the browser claimed. A new upload supersedes, never deletes, earlier versions.
    """

    requirement = models.ForeignKey(
        DocumentRequirement,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("required document"),
    )
    version = models.PositiveIntegerField(verbose_name=_("version"))
    file = models.FileField(
        upload_to=document_storage_key,
        storage=get_private_storage,
        max_length=200,
        verbose_name=_("file"),
    )
    original_filename = models.CharField(max_length=255, verbose_name=_("file name"))
    content_type = models.CharField(max_length=100, verbose_name=_("file type"))
    size_bytes = models.PositiveBigIntegerField(verbose_name=_("size (bytes)"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256 checksum"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="uploaded_documents",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))
    review_status = models.CharField(
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
        verbose_name=_("review result"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_documents",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_reason = models.TextField(blank=True, verbose_name=_("review comment"))
    state = models.CharField(
        max_length=16,
        choices=VersionState.choices,
        default=VersionState.READY,
        verbose_name=_("processing state"),
    )
    # Refused: the refusal message, in the uploader's language. Failed: a ``FailureKind``.
    state_reason = models.TextField(blank=True, verbose_name=_("processing note"))
    # Tries of the worker's step so far (claimed one at a time; ``cases/services/uploads.py``).
    processing_attempts = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("processing attempts")
    )
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    # Preview (issue 10): PNG pages at ``<preview_key>/<n>.png`` (n from 1) in the private
    # storage, made once per version by the worker (``cases/services/previews.py``).
    preview_key = models.CharField(
        max_length=100, blank=True, verbose_name=_("preview storage key")
    )
    preview_pages = models.PositiveSmallIntegerField(default=0, verbose_name=_("preview pages"))
    # Tombstone: the file was deleted (retention); name, hash, uploader stay on this row.
    file_deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("file deleted at"))
    file_deleted_reason = models.CharField(
        max_length=200, blank=True, verbose_name=_("reason the file was deleted")
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ("requirement", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "version"], name="document_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} (v{self.version})"

    @property
    def is_pending(self) -> bool:
        """Uploaded and not yet reviewed."""
        return self.review_status == ReviewStatus.PENDING

    @property
    def is_rejected(self) -> bool:
        return self.review_status == ReviewStatus.REJECTED

    @property
    def is_ready(self) -> bool:
        """Checked to the end by the worker (or needing no worker): it may be reviewed."""
        return self.state == VersionState.READY

    @property
    def is_reviewable(self) -> bool:
        return self.is_ready and self.is_pending

    @property
    def preview_page_numbers(self) -> range:
        """1..``preview_pages``: the pages a preview image exists for."""
        return range(1, self.preview_pages + 1)

    @property
    def preview_state(self) -> str:
        """A ``PreviewState``: ``ready`` once page images exist; ``pending`` while the version
        is being checked or its preview made; ``failed`` when every try to make it failed (the
        file still downloads and can be reviewed); ``none`` for a refused or failed version or
        a deleted file."""
        if self.file_deleted_at is not None:
            return PreviewState.NONE
        if self.preview_pages:
            return PreviewState.READY
        if self.preview_key == PREVIEW_FAILED_KEY:
            return PreviewState.FAILED
        if self.state in (VersionState.PROCESSING, VersionState.READY):
            return PreviewState.PENDING
        return PreviewState.NONE

    def preview_page_name(self, page: int) -> str:
        """The storage name of preview page ``page`` (from 1)."""
        return f"{self.preview_key}/{page}.png"

    @property
    def state_message(self) -> str:
        """What a person reads about a version that is not ready, in the active language."""
        if self.state == VersionState.PROCESSING:
            return str(
                _(
                    "We are still checking this file. Refresh the page in a minute to see the "
                    "result."
                )
            )
        if self.state == VersionState.REFUSED:
            return self.state_reason
        if self.state == VersionState.FAILED:
            why = (
                FailureKind(self.state_reason).label
                if self.state_reason in FailureKind.values
                else FailureKind.ERROR.label
            )
            return str(
                _(
                    "We could not finish checking this file: %(why)s The file is kept. Upload "
                    "it again, or save it as PDF and upload that."
                )
                % {"why": why}
            )
        return ""

    @property
    def file_deleted(self) -> bool:
        return self.file_deleted_at is not None
