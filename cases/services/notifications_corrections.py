"""Who is told of the applicant's corrections (issue 10), through ``notify`` like every other
event (``cases/services/notifications.py``): in-app at once in the recipient's language, email
through the reminder ledger, never to the actor, never to a deactivated user.

* A proposal (``correction_propose``): the advisor of each of the applicant's open cases (of
  every case when none is open), once per advisor however many cases they share, linked to
  the correction panel of that case's page, with the applicant's note.
* A decision (``correction_decide``): the applicant, once, linked to their details page, with
  the reason when declined.

Called by ``cases/services/corrections.py`` inside its transaction with the events it wrote.
"""

from collections.abc import Iterable

from django.urls import reverse

from cases.models import Case, CaseEvent, CorrectionProposal, ReminderKind
from cases.reminders.emails import Notice
from cases.services.notifications import BODY_MAX, notify_all
from cases.services.records import APPLICANT_RECORD_FIELDS
from portal.models import User


def _cases_first_open(cases: Iterable[Case]) -> list[Case]:
    """``cases`` with the open ones first (each group in id order); only the open ones when
    there are any."""
    ordered = sorted(cases, key=lambda c: c.pk)
    open_ones = [c for c in ordered if c.is_open]
    return open_ones or ordered


def _fields(proposal: CorrectionProposal) -> list[str]:
    """The fields ``proposal`` changes, in the order of the details form."""
    return [f for f in APPLICANT_RECORD_FIELDS if f in proposal.changes]


def notify_correction_proposed(
    *, proposal: CorrectionProposal, events: Iterable[CaseEvent], actor: User
) -> int:
    """Tell the advisors of the applicant's cases of ``proposal`` (``events``: the "proposed"
    event of each case). Returns the number of notifications written."""
    by_case = {e.case_id: e for e in events}
    cases = Case.objects.filter(pk__in=by_case).select_related("advisor", "applicant")
    who = proposal.applicant.full_name or actor.get_full_name()
    fields = _fields(proposal)
    items: list[tuple[Notice, Iterable[User | None]]] = []
    told: set[int] = set()
    for case in _cases_first_open(cases):
        if case.advisor_id is None or case.advisor_id in told:
            continue
        told.add(case.advisor_id)
        notice = Notice(
            kind=ReminderKind.CORRECTION_PROPOSED,
            case=case,
            event=by_case[case.pk],
            actor=actor,
            facts={"who": who, "fields": fields},
            body=proposal.note[:BODY_MAX],
            anchor="#correction",
        )
        items.append((notice, [case.advisor]))
    return len(notify_all(items))


def notify_correction_decided(
    *, proposal: CorrectionProposal, events: Iterable[CaseEvent], actor: User, confirmed: bool
) -> int:
    """Tell the applicant that ``proposal`` was confirmed or declined (with the reason);
    ``events`` are those the decision wrote on the applicant's cases (the notice is linked to
    the first open one's). Returns the number of notifications written (0 or 1)."""
    by_case: dict[int, CaseEvent] = {}
    for event in events:
        by_case.setdefault(event.case_id, event)
    user = proposal.applicant.user
    if user is None or not by_case:
        return 0
    cases = Case.objects.filter(pk__in=by_case).select_related("advisor", "applicant")
    case = _cases_first_open(cases)[0]
    notice = Notice(
        kind=ReminderKind.CORRECTION_DECIDED,
        case=case,
        event=by_case[case.pk],
        actor=actor,
        facts={"fields": _fields(proposal), "confirmed": confirmed},
        body="" if confirmed else proposal.decline_reason[:BODY_MAX],
        path=reverse("cases:my_details"),
    )
    return len(notify_all([(notice, [user])]))
