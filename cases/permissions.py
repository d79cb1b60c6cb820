"""Pure predicates: may this user do this to this case? No queries beyond loaded attributes
(``can_edit_applicant`` reads the applicant's cases).

Who may download a document: ``can_download_document``, whoever may see its case (the
applicant, the assigned advisor, a supervisor, an admin). Views fetch the document through
``selectors.document_get_for_user`` (anyone else gets 404), the download service checks this
predicate again, and ``cases.services.access.document_access_record`` records every read.

Visibility (whether the user may see the case at all) is decided by ``Case.objects.visible_to``;
these predicates assume the case is already visible and answer the finer questions.
"""

from typing import TYPE_CHECKING

from cases.models import UPLOAD_STAGES
from portal.firms import is_firm_member

if TYPE_CHECKING:
    from cases.models import Applicant, Case, Document
    from portal.models import User


def is_case_staff(user: "User", case: "Case") -> bool:
    """True, within the case's firm, for an admin, a supervising advisor, or the advisor
    assigned to ``case``; always for a platform admin."""
    if not is_firm_member(user, case.firm_id):
        return False
    if user.is_portal_admin:
        return True
    return user.is_advisor and (user.is_supervisor or case.advisor_id == user.pk)


def is_case_applicant(user: "User", case: "Case") -> bool:
    """True when ``user`` is the login of the case's applicant."""
    return bool(user.is_authenticated and case.applicant.user_id == user.pk)


def can_view_case(user: "User", case: "Case") -> bool:
    return is_case_staff(user, case) or is_case_applicant(user, case)


def can_download_document(user: "User", document: "Document") -> bool:
    """Who may download (or preview, or export) a stored document: whoever may see its case."""
    return can_view_case(user, document.requirement.case)


def can_transition(user: "User", case: "Case") -> bool:
    """Only case staff move a case between stages."""
    return is_case_staff(user, case)


def can_review(user: "User", case: "Case") -> bool:
    """Only case staff accept, reject or waive documents."""
    return is_case_staff(user, case)


def can_upload(user: "User", case: "Case") -> bool:
    """Staff upload on the applicant's behalf; the applicant uploads while documents are open."""
    if is_case_staff(user, case):
        return case.is_open
    return is_case_applicant(user, case) and case.stage in UPLOAD_STAGES


def can_assign_advisor(user: "User", case: "Case") -> bool:
    """Supervisors and admins of the case's firm (and platform admins) change its advisor."""
    return is_case_staff(user, case) and (user.is_portal_admin or user.is_supervisor)


def can_be_task_assignee(user: "User", case: "Case") -> bool:
    """A task of ``case`` may be assigned only to an active advisor who may see the case."""
    return bool(user.is_active and user.is_advisor and is_case_staff(user, case))


def can_see_firm_figures(user: "User") -> bool:
    """Supervisors and admins see the figures of every advisor of their firm (reports, the
    case list's advisor filter); other advisors only their own, applicants none."""
    return bool(
        user.is_authenticated
        and user.is_staff_member
        and (user.is_portal_admin or (user.is_advisor and user.is_supervisor))
    )


def can_open_case(user: "User") -> bool:
    """Advisors and admins open cases."""
    return bool(user.is_authenticated and user.is_active and user.is_staff_member)


def can_post_internal_note(user: "User", case: "Case") -> bool:
    return is_case_staff(user, case)


def can_assess(user: "User", case: "Case") -> bool:
    """Only case staff (the assigned advisor, a supervisor, an admin) run assessments."""
    return is_case_staff(user, case)


def can_confirm_facts(user: "User", case: "Case") -> bool:
    """Who answers the questions a rule set asks the advisor to confirm (blank passport
    pages, Class A categories): case staff, as for assessments."""
    return is_case_staff(user, case)


def can_edit_applicant(user: "User", applicant: "Applicant") -> bool:
    """May ``user`` change ``applicant``'s record and qualifications: the applicant's own
    login, or staff on at least one of the applicant's cases (one query)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if applicant.user_id == user.pk:
        return True
    return any(is_case_staff(user, c) for c in applicant.cases.all())


def can_answer_questionnaire(user: "User", case: "Case", status: str) -> bool:
    """The case's applicant answers while the questionnaire is not started, in progress or
    returned; case staff may correct answers until it is approved (then it is locked)."""
    if status == "approved":
        return False
    if is_case_staff(user, case):
        return True
    return is_case_applicant(user, case) and status in ("not_started", "in_progress", "returned")


def can_review_questionnaire(user: "User", case: "Case") -> bool:
    """Case staff comment on, return and approve the questionnaire, and read its data sheet."""
    return is_case_staff(user, case)


def can_edit_applicant_record(user: "User", applicant: "Applicant") -> bool:
    """May ``user`` change ``applicant``'s identity and passport details directly (and confirm
    or decline the applicant's corrections): staff on at least one of the applicant's cases
    (one query). The applicant proposes corrections instead (``can_propose_correction``)."""
    if not (user.is_authenticated and user.is_active and user.is_staff_member):
        return False
    return any(is_case_staff(user, c) for c in applicant.cases.all())


def can_propose_correction(user: "User", applicant: "Applicant") -> bool:
    """Only the applicant's own login proposes corrections to their details."""
    return bool(user.is_authenticated and user.is_active and applicant.user_id == user.pk)


def can_edit_case_record(user: "User", case: "Case") -> bool:
    """Case staff change a case's dates and time zone (its advisor: ``can_assign_advisor``)."""
    return is_case_staff(user, case)
