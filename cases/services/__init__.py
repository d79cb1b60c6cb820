"""Every write to cases: opening, stage transitions, uploads, reviews, waivers, messages.

Each service checks permission, changes rows in one transaction together with the CaseEvent that
records the change, and defers side effects (email, tasks) to ``transaction.on_commit``.

The services live in one module per sub-domain and are re-exported here, so callers keep writing
``from cases import services; services.case_open(...)``:

- ``applicants``: ``applicant_create`` (never links an existing applicant by email)
- ``assignment``: ``case_assign_advisor`` (what a removed advisor held goes with them)
- ``opening``: ``case_next_reference``, ``case_open``, ``case_open_for_applicant``
- ``transitions``: ``ReadyCheck``, ``case_ready_check``, ``allowed_transitions``,
  ``case_transition``
- ``documents``: ``UploadItem``, ``documents_upload``, ``document_upload``, ``document_review``
- ``downloads``: ``document_open_for_download``, ``document_download_url`` (and the check
  ``document_ensure_downloadable`` previews share)
- ``requirements``: ``requirement_waive``, ``requirement_set_due_date``
- ``messages``: ``MAX_MESSAGE_CHARS``, ``message_post``
- ``events``: the one writer of CaseEvent rows (``event_record``, ``events_record``)
- ``access``: the one recorder of document reads (``document_access_record``)
- ``eligibility``, ``qualifications``, ``privacy``, ``reminders``, ``sweep``: import from
  their modules

Patch a collaborator where it is looked up, e.g. ``cases.services.transitions.
current_assessment_outcome``; patching a name on this package does not reach the services.
"""

from cases.services.applicants import applicant_create
from cases.services.assignment import case_assign_advisor
from cases.services.documents import (
    UploadItem,
    document_review,
    document_upload,
    documents_upload,
)
from cases.services.downloads import document_download_url, document_open_for_download
from cases.services.messages import MAX_MESSAGE_CHARS, message_post
from cases.services.opening import case_next_reference, case_open, case_open_for_applicant
from cases.services.requirements import requirement_set_due_date, requirement_waive
from cases.services.transitions import (
    ReadyCheck,
    allowed_transitions,
    case_ready_check,
    case_transition,
)

__all__ = [
    "MAX_MESSAGE_CHARS",
    "ReadyCheck",
    "UploadItem",
    "allowed_transitions",
    "applicant_create",
    "case_assign_advisor",
    "case_next_reference",
    "case_open",
    "case_open_for_applicant",
    "case_ready_check",
    "case_transition",
    "document_download_url",
    "document_open_for_download",
    "document_review",
    "document_upload",
    "documents_upload",
    "message_post",
    "requirement_set_due_date",
    "requirement_waive",
]
