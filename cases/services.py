"""Every write to cases: opening, stage transitions, uploads, reviews, waivers, messages.

Each service checks permission, changes rows in one transaction together with the CaseEvent that
records the change, and defers side effects (email, tasks) to ``transaction.on_commit``.
"""

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    MAIN_LINE,
    SATISFIED_STATUSES,
    TRANSITIONS,
    Applicant,
    Case,
    CaseEvent,
    CaseReferenceCounter,
    Decision,
    Document,
    DocumentRequirement,
    EventKind,
    Message,
    RequirementStatus,
    ReviewStatus,
    Stage,
    VisaType,
)
from cases.uploads import check_upload
from eligibility.selectors import current_assessment_outcome
from portal.errors import InvalidInput, NotAllowed, StaleObject, TransitionNotAllowed
from portal.models import Role, User
from portal.services import user_invite_applicant

MAX_MESSAGE_CHARS = 10_000


def _event(case: Case, actor: User | None, kind: str, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, **fields)


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


# --- applicants and opening -------------------------------------------------------------------


def applicant_create(*, actor: User, invite: bool = True, **fields: Any) -> Applicant:
    """Create an applicant from passport-style fields; with ``invite`` also create their login
    and email a one-time set-password link. Raises ``NotAllowed`` unless ``actor`` is staff."""
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can add applicants."))
    language = fields.pop("preferred_language", "en")
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
    ``actor`` is an advisor or admin, ``InvalidInput`` for an inactive visa type or a non-advisor.
    """
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can open cases."))
    if not visa_type.active:
        raise InvalidInput(_("The %(code)s visa type is not active.") % {"code": visa_type.code})
    if advisor is not None and (advisor.role != Role.ADVISOR or not advisor.is_active):
        raise InvalidInput(_("Cases can only be assigned to an active advisor."))
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
        _event(
            case,
            actor,
            EventKind.OVERRIDE if event_data.get("override") else EventKind.STAGE,
            before=case.stage,
            after=to,
            summary=reason[:500],
            data=event_data,
        )
    case.refresh_from_db()
    return case


# --- documents --------------------------------------------------------------------------------


def document_upload(
    *, requirement: DocumentRequirement, stream: IO[bytes], filename: str, actor: User
) -> Document:
    """Validate and store a new version of a requirement's document.

    ``stream`` is a seekable binary file. The previous version is kept (superseded). Raises
    ``NotAllowed`` when ``actor`` may not upload to this case now and ``InvalidInput`` (with a
    message saying what to upload instead) for empty, oversized, wrongly typed or corrupt files;
    nothing is stored then.
    """
    case = requirement.case
    if not permissions.can_upload(actor, case):
        raise NotAllowed(_("Documents cannot be uploaded to this case now."))
    if requirement.status == RequirementStatus.WAIVED:
        raise InvalidInput(_("This document was waived by your advisor; nothing to upload."))
    checked = check_upload(
        stream=stream,
        filename=filename,
        accepted_types=list(requirement.accepted_types),
        max_size_bytes=requirement.max_size_bytes,
    )
    with transaction.atomic():
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
        document.file.save("upload", File(stream), save=False)
        path = document.file.name
        try:
            document.save()
            DocumentRequirement.objects.filter(pk=locked.pk).update(
                current_document=document,
                status=RequirementStatus.UPLOADED,
                updated_at=timezone.now(),
            )
            _event(
                case,
                actor,
                EventKind.UPLOAD,
                after=RequirementStatus.UPLOADED,
                summary=f"{requirement.name_en}: {checked.display_name} (v{version})",
                data={"requirement": requirement.code, "document": document.pk, "version": version},
            )
            _touch(case)
        except Exception:
            document.file.storage.delete(path)
            raise
    requirement.refresh_from_db()
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
        DocumentRequirement.objects.filter(pk=requirement.pk, current_document=document).update(
            status=decision, updated_at=now
        )
        _event(
            case,
            actor,
            EventKind.REVIEW,
            before=document.review_status,
            after=decision,
            summary=f"{requirement.name_en} v{document.version}: {reason}"[:500],
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
    with transaction.atomic():
        DocumentRequirement.objects.filter(pk=requirement.pk).update(
            status=RequirementStatus.WAIVED, waived_reason=reason, updated_at=timezone.now()
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
