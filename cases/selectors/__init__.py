"""Reads of case data, always scoped to the user asking; one module per sub-domain.

The case, document, timeline and qualification selectors are re-exported here
(``from cases import selectors; selectors.case_list_for_user(...)``); deadlines, reminders and
the eligibility facts are imported from their modules.
"""

from cases.selectors.cases import (
    CaseFilters,
    applicant_cases,
    applicant_get_for_user,
    applicant_list_for_user,
    case_get_for_user,
    case_list_for_user,
    cases_matching,
    cases_overdue,
)
from cases.selectors.documents import (
    applicant_access_list,
    case_requirements,
    document_access_list,
    document_get_for_user,
    document_list_for_user,
    requirement_get_for_user,
    requirement_list_for_case,
    requirement_list_for_upload,
    requirement_list_for_user,
)
from cases.selectors.qualifications import (
    education_list_for_applicant,
    education_list_for_user,
    employment_list_for_applicant,
    employment_list_for_user,
)
from cases.selectors.timeline import (
    case_event_list,
    case_messages,
    case_timeline,
    message_list_for_case,
)

__all__ = [
    "CaseFilters",
    "applicant_access_list",
    "applicant_cases",
    "applicant_get_for_user",
    "applicant_list_for_user",
    "case_event_list",
    "case_get_for_user",
    "case_list_for_user",
    "case_messages",
    "case_requirements",
    "case_timeline",
    "cases_matching",
    "cases_overdue",
    "document_access_list",
    "document_get_for_user",
    "document_list_for_user",
    "education_list_for_applicant",
    "education_list_for_user",
    "employment_list_for_applicant",
    "employment_list_for_user",
    "message_list_for_case",
    "requirement_get_for_user",
    "requirement_list_for_case",
    "requirement_list_for_upload",
    "requirement_list_for_user",
]
