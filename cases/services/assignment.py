"""Who works on a case: assigning (or removing) its advisor, and what leaves with them.

Access must not outlive assignment: when an advisor is removed from a case, their open tasks
on it go back to the case's advisor, their pending reminders about it are suppressed and their
in-app notifications about it are removed, in the same transaction. The calendar feed and the
task lists read through ``visible_to``, so the case's deadlines leave their calendar too.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    Case,
    CaseTask,
    DeliveryStatus,
    EventKind,
    Notification,
    ReminderDelivery,
)
from cases.services.events import event_record
from cases.services.notifications import notify_reassigned
from cases.services.timeline_text import event_data
from portal.errors import InvalidInput, NotAllowed, StaleObject
from portal.models import Role, User


def case_assign_advisor(*, case: Case, advisor: User | None, actor: User) -> Case:
    """Make ``advisor`` (an active advisor of the case's firm, or None: unassigned) the
    advisor of ``case`` and hand over what the previous advisor held (module docstring).

    Raises ``NotAllowed`` unless ``actor`` is a supervisor or admin of the case's firm,
    ``InvalidInput`` for an advisor who is not an active advisor of the firm, ``StaleObject``
    when someone else changed the advisor since ``case`` was read."""
    if not permissions.can_assign_advisor(actor, case):
        raise NotAllowed(_("Only a supervisor or an admin can change a case's advisor."))
    if advisor is not None and not (
        advisor.role == Role.ADVISOR and advisor.is_active and advisor.firm_id == case.firm_id
    ):
        raise InvalidInput(
            _("Cases can only be assigned to an active advisor of the firm."),
            details={"field": "advisor"},
        )
    previous_id = case.advisor_id
    new_id = advisor.pk if advisor is not None else None
    if previous_id == new_id:
        return case
    with transaction.atomic():
        # The version bump makes an open "Edit case details" form stale (records.py).
        hit = Case.objects.filter(pk=case.pk, advisor_id=previous_id).update(
            advisor_id=new_id, version=F("version") + 1
        )
        if hit != 1:
            raise StaleObject(_("Someone else changed this case's advisor; reload the page."))
        case.advisor = advisor
        previous = User.objects.filter(pk=previous_id).first() if previous_id else None
        if previous_id is not None:
            access_end_for_removed_advisor(case=case, user_id=previous_id)
        event = event_record(
            case=case,
            actor=actor,
            kind=EventKind.UPDATE,
            before=str(previous_id or ""),
            after=str(new_id or ""),
            internal=True,
            data=event_data(
                "advisor",
                advisor=new_id,
                previous_advisor=previous_id,
                who=advisor.get_full_name() if advisor else "",
            ),
        )
        # After the hand-over (which clears the old advisor's notices about the case): the new
        # advisor is told the case is theirs, the old one that it moved on.
        notify_reassigned(
            case=case, event=event, actor=actor, old_advisor=previous, new_advisor=advisor
        )
    return case


def access_end_for_removed_advisor(*, case: Case, user_id: int) -> dict[str, int]:
    """Within the caller's transaction: the user ``user_id``, who no longer works on ``case``,
    keeps nothing of it unless they still may see it (a supervisor or admin of the firm): their
    open tasks on it are unassigned (they fall to the case's advisor), their pending
    reminders about it suppressed, their notifications about it deleted. Returns the
    counts ``{"tasks", "reminders", "notifications"}``."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None and permissions.can_view_case(user, case):
        return {"tasks": 0, "reminders": 0, "notifications": 0}
    tasks = CaseTask.objects.filter(case=case, assignee_id=user_id, done=False).update(
        assignee=None
    )
    reminders = ReminderDelivery.objects.filter(
        case=case,
        recipient_id=user_id,
        status=DeliveryStatus.PENDING,
    ).update(status=DeliveryStatus.SUPPRESSED, last_error="removed from the case")
    notifications, _rows = Notification.objects.filter(case=case, user_id=user_id).delete()
    return {"tasks": tasks, "reminders": reminders, "notifications": notifications}
