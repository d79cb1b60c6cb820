"""Opening a case: race-free reference numbers and the case with its document requirements."""

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    Applicant,
    Case,
    CaseReferenceCounter,
    DocumentRequirement,
    EventKind,
    Stage,
    VisaType,
)
from cases.models.search import case_search_text
from cases.services.applicants import applicant_create
from cases.services.events import event_record
from cases.services.steps import steps_copy_for_case
from cases.services.summary import case_summary_refresh
from cases.services.timeline_text import event_data
from portal.dates import MAX_YEARS_AHEAD, check_not_past, check_not_too_far_ahead, latest_allowed
from portal.errors import InvalidInput, NotAllowed
from portal.models import Role, User


def planned_date_errors(
    *,
    intended_entry_date: dt.date | None,
    target_submission_date: dt.date | None,
    today: dt.date | None = None,
    opened_on: dt.date | None = None,
    past_fields: Collection[str] = ("intended_entry_date", "target_submission_date"),
) -> dict[str, str]:
    """The portal's rules for a case's planned dates, as ``{field: message}`` (empty when
    both are fine): neither more than 10 years after ``today`` (default: today, server's
    zone), neither before ``opened_on`` (when given), those named in ``past_fields`` not before
    ``today``, and the target submission not after the intended entry (one submits before
    travelling). The "Open a case" form, ``case_open`` and the record edits
    (``cases/services/records.py``) all use these."""
    today = today or timezone.localdate()
    latest = latest_allowed(today)
    errors: dict[str, str] = {}
    dates = (
        ("intended_entry_date", intended_entry_date, _("intended entry date")),
        ("target_submission_date", target_submission_date, _("target submission date")),
    )
    for field, day, what in dates:
        if day is None:
            continue
        if day > latest:
            errors[field] = _(
                "This is more than %(years)d years ahead; enter a date up to %(latest)s."
            ) % {"years": MAX_YEARS_AHEAD, "latest": latest.isoformat()}
        elif opened_on is not None and day < opened_on:
            errors[field] = _("The %(field)s %(day)s is before the case opens (%(opened)s).") % {
                "field": getattr(Case._meta.get_field(field), "verbose_name", field),
                "day": day.isoformat(),
                "opened": opened_on.isoformat(),
            }
        elif field in past_fields:
            try:
                check_not_past(day, field=field, what=str(what), today=today)
            except InvalidInput as exc:
                errors[field] = exc.message
    if (
        intended_entry_date
        and target_submission_date
        and target_submission_date > intended_entry_date
        and "target_submission_date" not in errors
    ):
        errors["target_submission_date"] = _(
            "Submit before the intended entry date; this date is after it."
        )
    return errors


def case_check_planned_dates(**kwargs: Any) -> None:
    """Raise ``InvalidInput`` (``details["field"]``) for the first of ``planned_date_errors``
    (same arguments)."""
    for field, message in planned_date_errors(**kwargs).items():
        raise InvalidInput(message, details={"field": field})


def case_next_reference(*, firm_id: int, prefix: str, year: int) -> str:
    """Allocate the firm's next case reference such as ``K-2026-00042`` without races.

    Each firm numbers its own cases. The per-(firm, prefix, year) counter row is incremented
    with a row lock inside the caller's transaction, so two concurrent openings never get the
    same number.
    """
    key = {"firm_id": firm_id, "prefix": prefix, "year": year}
    with transaction.atomic():
        counter = CaseReferenceCounter.objects.select_for_update().filter(**key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = CaseReferenceCounter.objects.create(**key)
            except IntegrityError:
                counter = CaseReferenceCounter.objects.select_for_update().get(**key)
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
    """Open a case in stage intake, create its document requirements from the checklist and
    copy its visa type's case steps (``cases/services/steps.py``).

    Due dates are ``opened_on`` plus each item's offset in days; they are dates in the case's
    ``time_zone`` (an IANA name; default the advisor's, else UTC). Raises ``NotAllowed`` unless
    ``actor`` is an advisor or admin, ``InvalidInput`` for an inactive visa type, a non-advisor
    or an intended entry / target submission date more than 10 years ahead.
    """
    if not permissions.can_open_case(actor):
        raise NotAllowed(_("Only advisors and admins can open cases."))
    # Firm first: the case belongs to the applicant's firm; the actor, the advisor and the
    # visa type must be of it too (a platform admin acts in any firm).
    if not permissions.is_firm_member(actor, applicant.firm_id):
        raise NotAllowed(_("You can open cases only for applicants of your firm."))
    if visa_type.firm_id != applicant.firm_id:
        raise InvalidInput(
            _("Choose one of your firm's visa types."), details={"field": "visa_type"}
        )
    if advisor is not None and advisor.firm_id != applicant.firm_id:
        raise InvalidInput(
            _("Cases can only be assigned to an advisor of the firm."),
            details={"field": "advisor"},
        )
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
    case_check_planned_dates(
        intended_entry_date=intended_entry_date,
        target_submission_date=target_submission_date,
        opened_on=opened_on,
        past_fields=(),
    )
    with transaction.atomic():
        reference = case_next_reference(
            firm_id=applicant.firm_id, prefix=visa_type.code, year=opened_on.year
        )
        case = Case.objects.create(
            firm_id=applicant.firm_id,
            reference=reference,
            applicant=applicant,
            visa_type=visa_type,
            advisor=advisor,
            opened_on=opened_on,
            intended_entry_date=intended_entry_date,
            target_submission_date=target_submission_date,
            time_zone=time_zone or (advisor.time_zone if advisor is not None else "UTC"),
            search_text=case_search_text(
                reference=reference,
                given_names=applicant.given_names,
                family_name=applicant.family_name,
                email=applicant.email,
                passport_number=applicant.passport_number,
            ),
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
                # A new case has no assessment: every conditional item is asked until its
                # route is known (cases/services/routes.py).
                required=item.required,
                route_condition=item.route_condition,
                accepted_types=list(item.accepted_types),
                max_size_bytes=item.max_size_bytes,
                due_date=opened_on + dt.timedelta(days=item.due_offset_days),
            )
            for item in visa_type.checklist.all()
        )
        case_summary_refresh(case_ids=[case.pk])
        steps_copy_for_case(case=case)
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.OPENED,
            after=Stage.INTAKE,
            data=event_data("opened", ref=case.reference),
        )
    return case


def case_open_for_applicant(
    *,
    actor: User,
    visa_type: VisaType,
    applicant: Applicant | None = None,
    applicant_fields: dict[str, Any] | None = None,
    advisor: User | None = None,
    intended_entry_date: dt.date | None = None,
    target_submission_date: dt.date | None = None,
) -> tuple[Case, bool]:
    """Open a case, in one transaction, either for ``applicant`` (a deliberate choice of an
    existing applicant, who must be one ``actor`` may see: ``applicant_list_for_user``) or for
    a new applicant made from ``applicant_fields`` (names, email, ``preferred_language``,
    birth date, nationality, passport number and expiry) by ``applicant_create``, which never
    links an existing applicant by email. The HTML form and the API both call this. The
    advisor defaults to ``actor`` when ``actor`` is an advisor. Returns
    ``(case, applicant_created)``. Raises ``NotAllowed`` (an applicant ``actor`` may not see,
    as if it did not exist) or ``InvalidInput`` as ``applicant_create`` and ``case_open``."""
    from cases.selectors.cases import applicant_list_for_user

    if advisor is None and actor.is_advisor:
        advisor = actor
    if (applicant is None) == (applicant_fields is None):
        raise InvalidInput(_("Choose an existing applicant or enter a new applicant's details."))
    with transaction.atomic():
        if applicant is not None:
            if not applicant_list_for_user(user=actor).filter(pk=applicant.pk).exists():
                raise NotAllowed(_("No such applicant."))
            created = False
        else:
            applicant = applicant_create(
                actor=actor, firm=actor.firm or visa_type.firm, **(applicant_fields or {})
            )
            created = True
        case = case_open(
            applicant=applicant,
            visa_type=visa_type,
            advisor=advisor,
            actor=actor,
            intended_entry_date=intended_entry_date,
            target_submission_date=target_submission_date,
        )
    return case, created
