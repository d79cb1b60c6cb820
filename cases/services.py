"""Every write to cases: opening, stage transitions, uploads, reviews, waivers, messages.

Each service checks permission, changes rows in one transaction together with the CaseEvent that
records the change, and defers side effects (email, tasks) to ``transaction.on_commit``.
"""

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Sum
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    MAIN_LINE,
    SATISFIED_STATUSES,
    TRANSITIONS,
    AccessKind,
    Applicant,
    Case,
    CaseEvent,
    CaseReferenceCounter,
    Decision,
    Document,
    DocumentAccess,
    DocumentRequirement,
    EventKind,
    Message,
    RequirementStatus,
    ReviewStatus,
    Stage,
    VisaType,
)
from cases.uploads import CheckedFile, check_upload
from eligibility.selectors import current_assessment_outcome
from portal.audit import audit_access, audit_update
from portal.dates import check_not_too_far_ahead
from portal.errors import InvalidInput, NotAllowed, StaleObject, TransitionNotAllowed
from portal.models import Role, User
from portal.services import user_invite_applicant

MAX_MESSAGE_CHARS = 10_000


def _event(case: Case, actor: User | None, kind: str, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, **fields)


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


# --- applicants and opening -------------------------------------------------------------------


def applicant_get_or_create(
    *, actor: User, invite: bool = True, **fields: Any
) -> tuple[Applicant, bool]:
    """The applicant with this email if one exists (unchanged: their recorded passport data
    wins), else a new one via ``applicant_create``. Returns ``(applicant, created)``.
    Raises ``NotAllowed`` unless ``actor`` is staff."""
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can add applicants."))
    email = (fields.get("email") or "").strip()
    existing = Applicant.objects.filter(email__iexact=email).order_by("id").first()
    if existing is not None:
        return existing, False
    return applicant_create(actor=actor, invite=invite, **fields), True


def applicant_create(*, actor: User, invite: bool = True, **fields: Any) -> Applicant:
    """Create an applicant from passport-style fields; with ``invite`` also create their login
    and email a one-time set-password link. Raises ``NotAllowed`` unless ``actor`` is staff,
    ``InvalidInput`` when the email already belongs to an applicant or a staff account."""
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can add applicants."))
    language = fields.pop("preferred_language", "en")
    if Applicant.objects.filter(email__iexact=(fields.get("email") or "").strip()).exists():
        raise InvalidInput(_("An applicant with this email address already exists."))
    with transaction.atomic():
        applicant = Applicant(**fields)
        applicant.full_clean()
        if invite:
            applicant.user = user_invite_applicant(
                email=applicant.email,
                full_name=applicant.full_name,
                preferred_language=language,
                invited_by=actor,
            )
        applicant.save()
    return applicant


def case_next_reference(*, prefix: str, year: int) -> str:
    """Allocate the next case reference such as ``K-2026-00042`` without races.

    The per-(prefix, year) counter row is incremented with a row lock inside the caller's
    transaction, so two concurrent openings never get the same number.
    """
    with transaction.atomic():
        counter = (
            CaseReferenceCounter.objects.select_for_update()
            .filter(prefix=prefix, year=year)
            .first()
        )
        if counter is None:
            try:
                with transaction.atomic():
                    counter = CaseReferenceCounter.objects.create(prefix=prefix, year=year)
            except IntegrityError:
                counter = CaseReferenceCounter.objects.select_for_update().get(
                    prefix=prefix, year=year
                )
        CaseReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        counter.refresh_from_db(fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:05d}"


def case_open(
    *,
    applicant: Applicant,
    visa_type: VisaType,
    advisor: User | None,
    actor: User,
    intended_entry_date: dt.date | None = None,
    target_submission_date: dt.date | None = None,
    opened_on: dt.date | None = None,
    time_zone: str = "",
) -> Case:
    """Open a case in stage intake and create its document requirements from the checklist.

    Due dates are ``opened_on`` plus each item's offset in days; they are dates in the case's
    ``time_zone`` (an IANA name; default the advisor's, else UTC). Raises ``NotAllowed`` unless
    ``actor`` is an advisor or admin, ``InvalidInput`` for an inactive visa type, a non-advisor
    or an intended entry / target submission date more than 10 years ahead.
    """
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can open cases."))
    if not visa_type.active:
        raise InvalidInput(_("The %(code)s visa type is not active.") % {"code": visa_type.code})
    if advisor is not None and (advisor.role != Role.ADVISOR or not advisor.is_active):
        raise InvalidInput(_("Cases can only be assigned to an active advisor."))
    if actor.is_advisor and not actor.is_supervisor and advisor != actor:
        # An advisor works only on their own cases; handing one to a colleague is for
        # supervisors and admins (otherwise the case would vanish from the opener's view).
        raise InvalidInput(
            _("You can open cases only for yourself; ask a supervisor to assign another advisor.")
        )
    check_not_too_far_ahead(intended_entry_date, field="intended_entry_date")
    check_not_too_far_ahead(target_submission_date, field="target_submission_date")
    opened_on = opened_on or timezone.localdate()
    with transaction.atomic():
        case = Case.objects.create(
            reference=case_next_reference(prefix=visa_type.code, year=opened_on.year),
            applicant=applicant,
            visa_type=visa_type,
            advisor=advisor,
            opened_on=opened_on,
            intended_entry_date=intended_entry_date,
            target_submission_date=target_submission_date,
            time_zone=time_zone or (advisor.time_zone if advisor is not None else "UTC"),
        )
        DocumentRequirement.objects.bulk_create(
            DocumentRequirement(
                case=case,
                checklist_item=item,
                code=item.code,
                position=item.position,
                name_en=item.name_en,
                name_zh=item.name_zh,
                help_en=item.help_en,
                help_zh=item.help_zh,
                required=item.required,
                accepted_types=list(item.accepted_types),
                max_size_bytes=item.max_size_bytes,
                due_date=opened_on + dt.timedelta(days=item.due_offset_days),
            )
            for item in visa_type.checklist.all()
        )
        _event(case, actor, EventKind.OPENED, after=Stage.INTAKE, summary=case.reference)
    return case


# --- stage transitions ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyCheck:
    """Why a case cannot move to ``ready``: names of outstanding required requirements, and the
    assessment problem (empty when none)."""

    missing: list[str]
    assessment_problem: str

    @property
    def ok(self) -> bool:
        return not self.missing and not self.assessment_problem


def case_ready_check(*, case: Case) -> ReadyCheck:
    """Evaluate the ``ready`` guard (DESIGN.md section 4): every required requirement accepted
    or waived, and a current assessment whose outcome is not ``ineligible``."""
    missing = [
        r.name
        for r in case.requirements.filter(required=True).exclude(status__in=SATISFIED_STATUSES)
    ]
    outcome = current_assessment_outcome(case_id=case.pk)
    problem = ""
    if outcome is None:
        problem = _("The case has no eligibility assessment yet.")
    elif outcome == "ineligible":
        problem = _("The current eligibility assessment says the applicant is ineligible.")
    return ReadyCheck(missing=missing, assessment_problem=problem)


def allowed_transitions(case: Case) -> list[str]:
    """Stages ``case`` may move to next, in main-line order; on_hold returns only to the stage
    it was entered from."""
    targets = TRANSITIONS.get(case.stage, frozenset())
    if case.stage == Stage.ON_HOLD:
        targets = frozenset(t for t in targets if t in (case.stage_before_hold, Stage.WITHDRAWN))
    order = [*MAIN_LINE, Stage.ON_HOLD, Stage.WITHDRAWN]
    return [s for s in order if s in targets]


def case_transition(
    *,
    case: Case,
    to: str,
    actor: User,
    reason: str = "",
    decision: str = "",
    override: bool = False,
) -> Case:
    """Move ``case`` to stage ``to`` with a conditional UPDATE and a CaseEvent, atomically.

    ``reason`` is required to override the ready guard (``override=True``) and to withdraw or
    hold; ``decision`` (approved | refused) is required for ``decided``. Raises ``NotAllowed``
    (actor may not move cases), ``TransitionNotAllowed`` (move not in the map or a guard fails,
    ``details["missing"]`` lists outstanding requirements) and ``StaleObject`` (someone else
    moved the case first; nothing is changed).
    """
    if not permissions.can_transition(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can change its stage."))
    reason = (reason or "").strip()
    if to not in allowed_transitions(case):
        raise TransitionNotAllowed(
            _("A case in stage “%(from)s” cannot move to “%(to)s”.")
            % {"from": Stage(case.stage).label, "to": Stage(to).label if to in Stage.values else to}
        )
    update: dict[str, Any] = {"stage": to, "updated_at": timezone.now()}
    event_data: dict[str, Any] = {}
    now = timezone.now()
    if to == Stage.READY:
        check = case_ready_check(case=case)
        if not check.ok:
            if not override:
                parts = []
                if check.missing:
                    parts.append(
                        _("Still outstanding: %(list)s.") % {"list": ", ".join(check.missing)}
                    )
                if check.assessment_problem:
                    parts.append(check.assessment_problem)
                raise TransitionNotAllowed(
                    _("The case is not ready to submit. %(why)s") % {"why": " ".join(parts)},
                    details={"missing": check.missing, "assessment": check.assessment_problem},
                )
            if not reason:
                raise InvalidInput(_("Write the reason for overriding the ready check."))
            update["ready_override_reason"] = reason
            event_data = {
                "override": True,
                "missing": check.missing,
                "assessment": check.assessment_problem,
            }
    if to in (Stage.WITHDRAWN, Stage.ON_HOLD) and not reason:
        raise InvalidInput(_("Write a reason for this change; it goes on the case timeline."))
    if to == Stage.DECIDED:
        if decision not in Decision.values:
            raise InvalidInput(_("Choose the decision: approved or refused."))
        update.update(decision=decision, decided_at=now)
        event_data["decision"] = decision
    if to == Stage.SUBMITTED:
        update["submitted_at"] = now
    if to in (Stage.CLOSED, Stage.WITHDRAWN):
        update["closed_at"] = now
    if to == Stage.ON_HOLD:
        update["stage_before_hold"] = case.stage
    elif case.stage == Stage.ON_HOLD:
        update["stage_before_hold"] = ""

    with transaction.atomic():
        hit = Case.objects.filter(pk=case.pk, stage=case.stage).update(**update)
        if hit != 1:
            raise StaleObject(
                _("Case %(ref)s was changed by someone else. Reload the page and try again.")
                % {"ref": case.reference}
            )
        audit_update(
            case,
            {k: (getattr(case, k), v) for k, v in update.items() if k != "updated_at"},
            actor=actor,
        )
        _event(
            case,
            actor,
            EventKind.OVERRIDE if event_data.get("override") else EventKind.STAGE,
            before=case.stage,
            after=to,
            summary=reason[:500],
            data=event_data,
            # An override's reasoning is between advisors; the applicant sees the new stage.
            internal=bool(event_data.get("override")),
        )
    case.refresh_from_db()
    return case


# --- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadItem:
    """One file of an upload request: the requirement it is for, a seekable binary stream and
    the name the browser sent (for display only)."""

    requirement: DocumentRequirement
    stream: IO[bytes]
    filename: str


def _case_usage(case: Case) -> tuple[int, int]:
    """(bytes, files) stored for ``case``: every version whose file was not deleted."""
    row = Document.objects.filter(requirement__case=case, file_deleted_at__isnull=True).aggregate(
        total=Sum("size_bytes"), files=Count("id")
    )
    return int(row["total"] or 0), int(row["files"] or 0)


def _check_quota(case: Case, new_bytes: int, new_files: int) -> None:
    used_bytes, used_files = _case_usage(case)
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
    requirement (``cases.uploads.check_upload``); the case's quota (bytes and files of its visa
    type) must hold them all. Each file becomes a new version of its requirement (earlier
    versions are kept). Raises ``NotAllowed`` when ``actor`` may not upload to ``case`` now and
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
                    check_upload(
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
            # The case row lock serialises uploads to one case, so the quota holds under races.
            Case.objects.select_for_update().filter(pk=case.pk).first()
            _check_quota(case, sum(c.size_bytes for _i, c in checked), len(checked))
            for item, result in checked:
                documents.append(_store_version(case, item.requirement, result, actor, stored))
            _touch(case)
    except Exception:
        storage = Document._meta.get_field("file").storage
        for path in stored:
            storage.delete(path)
        raise
    for item, _result in checked:
        item.requirement.refresh_from_db()
    return documents


def _store_version(
    case: Case,
    requirement: DocumentRequirement,
    checked: CheckedFile,
    actor: User,
    stored: list[str],
) -> Document:
    locked = DocumentRequirement.objects.select_for_update().get(pk=requirement.pk)
    version = (locked.documents.aggregate(v=Max("version"))["v"] or 0) + 1
    document = Document(
        requirement=locked,
        version=version,
        original_filename=checked.display_name,
        content_type=checked.content_type,
        size_bytes=checked.size_bytes,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    document.file.save("upload", File(checked.stream), save=False)
    stored.append(document.file.name)
    document.save()
    DocumentRequirement.objects.filter(pk=locked.pk).update(
        current_document=document, status=RequirementStatus.UPLOADED, updated_at=timezone.now()
    )
    audit_update(
        locked,
        {
            "status": (locked.status, RequirementStatus.UPLOADED),
            "current_document": (locked.current_document_id, document.pk),
        },
        actor=actor,
    )
    _event(
        case,
        actor,
        EventKind.UPLOAD,
        after=RequirementStatus.UPLOADED,
        summary=f"{requirement.name_en}: {checked.display_name} (v{version})",
        data={"requirement": requirement.code, "document": document.pk, "version": version},
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


def document_open_for_download(
    *, document: Document, actor: User, ip_address: str | None, kind: str = AccessKind.DOWNLOAD
) -> IO[bytes]:
    """Open a stored document version for ``actor`` and record the access (who, when, which
    version, how, from which IP) in the access log and the audit trail, in one transaction.

    The caller has checked visibility (through ``selectors.document_get_for_user``); web and API
    downloads and previews both call this. Raises ``InvalidInput`` when the file was deleted by
    the retention rule and ``Http404`` when the stored file is missing.
    """
    if document.file_deleted:
        raise InvalidInput(
            _("This file was deleted on %(date)s under the retention rule; only its record stays.")
            % {"date": document.file_deleted_at.date().isoformat()}
        )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    with transaction.atomic():
        DocumentAccess.objects.create(
            document=document,
            user=actor,
            user_email=actor.email,
            user_role=actor.role,
            version=document.version,
            kind=kind,
            ip_address=ip_address or None,
        )
        audit_access(
            document,
            actor=actor,
            additional_data={"kind": str(kind), "version": document.version},
        )
    return handle


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
    if decision == ReviewStatus.REJECTED and not reason:
        raise InvalidInput(
            _("Write the reason for rejecting; the applicant sees it and needs it to fix the file.")
        )
    now = timezone.now()
    with transaction.atomic():
        hit = Document.objects.filter(pk=document.pk, review_status=document.review_status).update(
            review_status=decision, reviewed_by=actor, reviewed_at=now, review_reason=reason
        )
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
        _event(
            case,
            actor,
            EventKind.REVIEW,
            before=document.review_status,
            after=decision,
            summary=f"{requirement.name_en} v{document.version}"
            + (f": {reason}" if reason else "")[:400],
            data={"requirement": requirement.code, "document": document.pk},
        )
        _touch(case)
    document.refresh_from_db()
    return document


def requirement_waive(*, requirement: DocumentRequirement, reason: str, actor: User) -> None:
    """Mark a requirement as not needed for this case, with a written reason.
    Raises ``NotAllowed`` for non-staff and ``InvalidInput`` without a reason."""
    case = requirement.case
    if not permissions.can_review(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can waive a document."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Write the reason for waiving this document."))
    if requirement.status in SATISFIED_STATUSES:
        raise InvalidInput(_("This document is already accepted or waived."))
    with transaction.atomic():
        DocumentRequirement.objects.filter(pk=requirement.pk).update(
            status=RequirementStatus.WAIVED, waived_reason=reason, updated_at=timezone.now()
        )
        audit_update(
            requirement,
            {
                "status": (requirement.status, RequirementStatus.WAIVED),
                "waived_reason": ("", reason),
            },
            actor=actor,
        )
        _event(
            case,
            actor,
            EventKind.WAIVE,
            before=requirement.status,
            after=RequirementStatus.WAIVED,
            summary=f"{requirement.name_en}: {reason}"[:500],
            data={"requirement": requirement.code},
        )
    requirement.refresh_from_db()


# --- messages ---------------------------------------------------------------------------------


def message_post(*, case: Case, author: User, body: str, internal: bool = False) -> Message:
    """Post to the case thread. Internal notes are for staff only. Raises ``NotAllowed`` and
    ``InvalidInput`` (empty or over 10,000 characters)."""
    if not permissions.can_view_case(author, case):
        raise NotAllowed(_("You cannot write on this case."))
    if internal and not permissions.can_post_internal_note(author, case):
        raise NotAllowed(_("Only advisors can write internal notes."))
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write a message before sending."))
    if len(body) > MAX_MESSAGE_CHARS:
        raise InvalidInput(
            _("Messages are limited to %(n)s characters; split it in two.")
            % {"n": MAX_MESSAGE_CHARS}
        )
    with transaction.atomic():
        message = Message.objects.create(case=case, author=author, body=body, internal=internal)
        _event(
            case,
            author,
            EventKind.MESSAGE,
            summary=body[:120],
            internal=internal,
            data={"message": message.pk},
        )
        _touch(case)
    return message
