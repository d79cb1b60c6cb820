"""Models of the ``cases`` app, one module per sub-domain; all re-exported here so that
``from cases.models import Case`` keeps working and Django registers every model.

Writes go through ``cases/services/``; nothing here changes state on ``save()``.
"""

from cases.models.access import AccessKind, DocumentAccess
from cases.models.applicants import Applicant
from cases.models.cases import Case, CaseQuerySet, CaseReferenceCounter
from cases.models.corrections import CorrectionProposal, CorrectionStatus
from cases.models.documents import (
    PASSPORT_REQUIREMENT_CODES,
    PREVIEW_FAILED_KEY,
    SATISFIED_STATUSES,
    Document,
    DocumentRequirement,
    FailureKind,
    PreviewState,
    PrivateStorage,
    RequirementStatus,
    ReviewStatus,
    VersionState,
    document_storage_key,
    get_private_storage,
    private_storage,
)
from cases.models.passports import PassportReading, ReadingStatus
from cases.models.photos import PhotoCheck
from cases.models.qualifications import DegreeLevel, Education, Employment
from cases.models.questionnaires import (
    APPLICANT_EDITABLE,
    QuestionComment,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireStatus,
    ResponseStatus,
)
from cases.models.reminders import (
    EVENT_KINDS,
    Audience,
    CalendarFeed,
    CaseTask,
    Channel,
    DeliveryStatus,
    Notification,
    ReminderDelivery,
    ReminderKind,
    ReminderPreference,
    ReminderRule,
    TargetType,
)
from cases.models.stages import (
    COLLECTING_STAGES,
    MAIN_LINE,
    OPEN_STAGES,
    PRE_SUBMISSION_STAGES,
    TRANSITIONS,
    UPLOAD_STAGES,
    Decision,
    Stage,
)
from cases.models.steps import (
    MAX_STEP_NOTE_CHARS,
    MAX_STEP_OFFSET_DAYS,
    CaseStep,
    StepAssignee,
    StepTemplate,
)
from cases.models.timeline import STAGE_ENTRY_KINDS, CaseEvent, EventKind, Message
from cases.models.turn import (
    ADVISOR_TURN_STATUSES,
    APPLICANT_TURN_STATUSES,
    WaitingOn,
)
from cases.models.visas import (
    ChecklistItem,
    VisaType,
    default_accepted_types,
    default_case_quota_bytes,
    default_case_quota_files,
    default_max_bytes,
)

__all__ = [
    "ADVISOR_TURN_STATUSES",
    "APPLICANT_EDITABLE",
    "APPLICANT_TURN_STATUSES",
    "COLLECTING_STAGES",
    "EVENT_KINDS",
    "MAIN_LINE",
    "MAX_STEP_NOTE_CHARS",
    "MAX_STEP_OFFSET_DAYS",
    "OPEN_STAGES",
    "PASSPORT_REQUIREMENT_CODES",
    "PREVIEW_FAILED_KEY",
    "PRE_SUBMISSION_STAGES",
    "SATISFIED_STATUSES",
    "STAGE_ENTRY_KINDS",
    "TRANSITIONS",
    "UPLOAD_STAGES",
    "AccessKind",
    "Applicant",
    "Audience",
    "CalendarFeed",
    "Case",
    "CaseEvent",
    "CaseQuerySet",
    "CaseReferenceCounter",
    "CaseStep",
    "CaseTask",
    "Channel",
    "ChecklistItem",
    "CorrectionProposal",
    "CorrectionStatus",
    "Decision",
    "DegreeLevel",
    "DeliveryStatus",
    "Document",
    "DocumentAccess",
    "DocumentRequirement",
    "Education",
    "Employment",
    "EventKind",
    "FailureKind",
    "Message",
    "Notification",
    "PassportReading",
    "PhotoCheck",
    "PreviewState",
    "PrivateStorage",
    "QuestionComment",
    "Questionnaire",
    "QuestionnaireResponse",
    "QuestionnaireStatus",
    "ReadingStatus",
    "ReminderDelivery",
    "ReminderKind",
    "ReminderPreference",
    "ReminderRule",
    "RequirementStatus",
    "ResponseStatus",
    "ReviewStatus",
    "Stage",
    "StepAssignee",
    "StepTemplate",
    "TargetType",
    "VersionState",
    "VisaType",
    "WaitingOn",
    "default_accepted_types",
    "default_case_quota_bytes",
    "default_case_quota_files",
    "default_max_bytes",
    "document_storage_key",
    "get_private_storage",
    "private_storage",
]
