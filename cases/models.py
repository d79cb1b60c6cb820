"""Cases: applicants, visa types and checklists, cases and stages, documents, events, messages.

Writes go through ``cases/services/``; nothing here changes state on ``save()``.
"""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.dates import validate_stored_date
from portal.models import validate_time_zone

if TYPE_CHECKING:
    from portal.models import User


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


def default_accepted_types() -> list[str]:
    return list(settings.DOCUMENT_DEFAULT_TYPES)


def default_max_bytes() -> int:
    return int(settings.DOCUMENT_DEFAULT_MAX_BYTES)


def default_case_quota_bytes() -> int:
    return int(settings.CASE_DEFAULT_QUOTA_BYTES)


def default_case_quota_files() -> int:
    return int(settings.CASE_DEFAULT_QUOTA_FILES)


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Eligibility assessment")
    DOCUMENTS = "documents", _("Collecting documents")
    REVIEW = "review", _("Review")
    READY = "ready", _("Ready to submit")
    SUBMITTED = "submitted", _("Submitted")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The main line of a case, in order; the stage bar shows these.
MAIN_LINE: tuple[str, ...] = (
    Stage.INTAKE,
    Stage.ASSESSMENT,
    Stage.DOCUMENTS,
    Stage.REVIEW,
    Stage.READY,
    Stage.SUBMITTED,
    Stage.DECIDED,
    Stage.CLOSED,
)
# "Open" stages: work is still going on; on_hold may be entered from these.
OPEN_STAGES: frozenset[str] = frozenset(MAIN_LINE[:6])
# Stages before a decision, from which a case may be withdrawn.
WITHDRAWABLE: frozenset[str] = OPEN_STAGES | {Stage.ON_HOLD}
# Stages in which the applicant may still upload documents.
UPLOAD_STAGES: frozenset[str] = frozenset(
    {Stage.INTAKE, Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW, Stage.ON_HOLD}
)

# The allowed moves (DESIGN.md section 4). on_hold returns to the stage it was entered from;
# that target is resolved by the service from ``Case.stage_before_hold``.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.INTAKE: frozenset({Stage.ASSESSMENT, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.ASSESSMENT: frozenset({Stage.DOCUMENTS, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.DOCUMENTS: frozenset({Stage.REVIEW, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.REVIEW: frozenset({Stage.READY, Stage.DOCUMENTS, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.READY: frozenset({Stage.SUBMITTED, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.SUBMITTED: frozenset({Stage.DECIDED, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.DECIDED: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
    Stage.ON_HOLD: frozenset(OPEN_STAGES | {Stage.WITHDRAWN}),
    Stage.WITHDRAWN: frozenset(),
}


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Applicant(models.Model):
    """The person applying for a visa; names as printed in the passport.

    ``user`` is the optional login (created by an invitation). ``nationality`` is an
    ISO 3166-1 alpha-2 code.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applicant_profile",
    )
    given_names = models.CharField(_("given names"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_stored_date]
    )
    nationality = CountryField(_("nationality"), blank=True)
    passport_number = models.CharField(_("passport number"), max_length=40, blank=True)
    passport_expiry = models.DateField(
        _("passport expiry date"), null=True, blank=True, validators=[validate_stored_date]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("family_name", "given_names")
        indexes = [models.Index(fields=["family_name", "given_names"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


class VisaType(models.Model):
    """A visa category (K, R, ...) whose checklist admins edit."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    quota_bytes = models.PositiveBigIntegerField(
        _("storage per case (bytes)"),
        default=default_case_quota_bytes,
        validators=[MinValueValidator(1)],
        help_text=_("Total size of the stored files of one case; 300 MB by default."),
    )
    quota_files = models.PositiveIntegerField(
        _("files per case"),
        default=default_case_quota_files,
        validators=[MinValueValidator(1)],
        help_text=_("Number of stored file versions of one case; 200 by default."),
    )
    retention_days_after_close = models.PositiveIntegerField(
        _("delete files after close (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(36_500)],  # 100 years; more overflows dates
        help_text=_(
            "Document files of a closed or withdrawn case are deleted this many days after it "
            "closed (a tombstone with name and hash stays). Empty keeps them."
        ),
    )

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the active language (Chinese when available and active)."""
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name


class ChecklistItem(models.Model):
    """One document a visa type asks for.

    ``accepted_types`` holds MIME types (application/pdf, image/jpeg, image/png);
    ``max_size_bytes`` is in bytes; ``due_offset_days`` counts days from the case's opening date.
    """

    visa_type = models.ForeignKey(VisaType, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    help_en = models.TextField(_("help (English)"), blank=True)
    help_zh = models.TextField(_("help (Chinese)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    accepted_types = models.JSONField(_("accepted file types"), default=default_accepted_types)
    max_size_bytes = models.PositiveBigIntegerField(
        _("maximum size (bytes)"), default=default_max_bytes, validators=[MinValueValidator(1)]
    )
    due_offset_days = models.PositiveIntegerField(
        _("due offset (days)"), default=14, validators=[MaxValueValidator(3650)]
    )

    class Meta:
        ordering = ("visa_type", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["visa_type", "code"], name="checklist_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visa_type.code}: {self.name_en}"


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: "User") -> "CaseQuerySet":
        """Cases ``user`` may see: admins and supervisors all, advisors those assigned to them,
        applicants their own; inactive or anonymous users none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_portal_admin or (user.is_advisor and user.is_supervisor):
            return self.all()
        if user.is_advisor:
            return self.filter(advisor=user)
        return self.filter(applicant__user=user)

    def open(self) -> "CaseQuerySet":
        return self.filter(stage__in=[*OPEN_STAGES, Stage.ON_HOLD])


class Case(models.Model):
    """An application of one applicant for one visa type, moving through stages.

    Dates a person means (intended entry, target submission) are dates; moments are UTC datetimes.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="cases")
    visa_type = models.ForeignKey(VisaType, on_delete=models.PROTECT, related_name="cases")
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advised_cases",
        limit_choices_to={"role": "advisor"},
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    stage_before_hold = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    opened_on = models.DateField(_("opened on"), validators=[validate_stored_date])
    intended_entry_date = models.DateField(
        _("intended entry date"), null=True, blank=True, validators=[validate_stored_date]
    )
    target_submission_date = models.DateField(
        _("target submission date"), null=True, blank=True, validators=[validate_stored_date]
    )
    # Due dates of the case are calendar dates in this IANA zone (issue 4).
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    ready_override_reason = models.TextField(_("ready override reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ("-opened_on", "-id")
        indexes = [
            models.Index(fields=["stage"]),
            models.Index(fields=["advisor", "stage"]),
            models.Index(fields=["target_submission_date"], name="case_target_submission"),
            # The case list's default order: a page is an index range scan, not a sort of all.
            models.Index(fields=["-opened_on", "-id"], name="case_list_order_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES or self.stage == Stage.ON_HOLD


class CaseReferenceCounter(models.Model):
    """Last number used for case references per visa code and year (``K-2026-00042``)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class RequirementStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    UPLOADED = "uploaded", _("Uploaded, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAIVED = "waived", _("Waived")


SATISFIED_STATUSES: frozenset[str] = frozenset(
    {RequirementStatus.ACCEPTED, RequirementStatus.WAIVED}
)


class RequirementQuerySet(models.QuerySet["DocumentRequirement"]):
    def visible_to(self, user: "User") -> "RequirementQuerySet":
        return self.filter(case__in=Case.objects.visible_to(user))

    def outstanding(self) -> "RequirementQuerySet":
        return self.exclude(status__in=SATISFIED_STATUSES)


class DocumentRequirement(models.Model):
    """One checklist item of one case, copied when the case opens.

    The item's names, help, limits and required flag are copied so that later checklist edits
    do not rewrite open cases. ``due_date`` is a calendar date.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requirements")
    checklist_item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.SlugField(max_length=50)
    position = models.PositiveIntegerField(default=0)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200)
    help_en = models.TextField(blank=True)
    help_zh = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    accepted_types = models.JSONField(default=default_accepted_types)
    max_size_bytes = models.PositiveBigIntegerField(default=default_max_bytes)
    status = models.CharField(
        max_length=16, choices=RequirementStatus.choices, default=RequirementStatus.MISSING
    )
    due_date = models.DateField(null=True, blank=True, validators=[validate_stored_date])
    current_document = models.ForeignKey(
        "Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waived_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ("case", "position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "code"], name="requirement_code_unique_per_case"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # The reminder sweep and dashboards look up outstanding rows by due date (issue 4).
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


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: "User") -> "DocumentQuerySet":
        return self.filter(requirement__case__in=Case.objects.visible_to(user))


class Document(models.Model):
    """One uploaded version of a file for a requirement.

    ``size_bytes`` in bytes; ``sha256`` hex digest; ``content_type`` is what the content sniffed
    as, not what the browser claimed. A new upload supersedes, never deletes, earlier versions.
    """

    requirement = models.ForeignKey(
        DocumentRequirement, on_delete=models.CASCADE, related_name="documents"
    )
    version = models.PositiveIntegerField()
    file = models.FileField(
        upload_to=document_storage_key, storage=get_private_storage, max_length=200
    )
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploaded_documents"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_documents",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    # Tombstone: the file was deleted (retention); name, hash, uploader stay on this row.
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    file_deleted_reason = models.CharField(max_length=200, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ("requirement", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "version"], name="document_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} (v{self.version})"

    @property
    def file_deleted(self) -> bool:
        return self.file_deleted_at is not None


class AccessKind(models.TextChoices):
    DOWNLOAD = "download", _("Download")
    PREVIEW = "preview", _("Preview")
    EXPORT = "export", _("Data export")


class DocumentAccessQuerySet(models.QuerySet["DocumentAccess"]):
    def visible_to(self, user: "User") -> "DocumentAccessQuerySet":
        return self.filter(document__in=Document.objects.visible_to(user))


class DocumentAccess(models.Model):
    """One read of a stored document file: who, when (UTC), which version, how, from where.

    Written by ``cases.services.document_open_for_download`` for every download, preview or
    export, by the web pages and the API alike. ``user_email`` keeps who it was if the account
    is later removed.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user_email = models.EmailField()
    user_role = models.CharField(max_length=16)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=AccessKind.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    accessed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = DocumentAccessQuerySet.as_manager()

    class Meta:
        ordering = ("-accessed_at", "-id")
        indexes = [models.Index(fields=["document", "-accessed_at"])]
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self) -> str:
        return f"{self.user_email} {self.kind} document {self.document_id} v{self.version}"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    STAGE = "stage", _("Stage change")
    UPLOAD = "upload", _("Upload")
    REVIEW = "review", _("Review")
    WAIVE = "waive", _("Requirement waived")
    ASSESSMENT = "assessment", _("Assessment")
    MESSAGE = "message", _("Message")
    REMINDER = "reminder", _("Reminder")
    OVERRIDE = "override", _("Override")
    INVITE = "invite", _("Invitation sent")
    UPDATE = "update", _("Case details changed")


class CaseEvent(models.Model):
    """One line of a case's timeline and audit trail, written with the change it records."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    before = models.CharField(max_length=64, blank=True)
    after = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.before}->{self.after}"


class MessageQuerySet(models.QuerySet["Message"]):
    def visible_to(self, user: "User") -> "MessageQuerySet":
        qs = self.filter(case__in=Case.objects.visible_to(user))
        if not user.is_staff_member:
            qs = qs.filter(internal=False)
        return qs


class Message(models.Model):
    """A message in a case's thread; ``internal`` notes are for advisors only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


# Education and employment live in their own module; imported here so Django registers them.
from cases.qualifications import DegreeLevel, Education, Employment  # noqa: E402, F401

# Deadlines and reminders live in their own module (issue 4); imported here so Django registers
# them with the cases app.
from cases.reminders.models import (  # noqa: E402, F401
    CalendarFeed,
    CaseTask,
    Notification,
    ReminderDelivery,
    ReminderPreference,
    ReminderRule,
)
