"""Forms of the HTML pages, one module per sub-domain, re-exported here."""

from cases.forms.case_filters import CaseFilterForm
from cases.forms.cases import (
    AdvisorAssignForm,
    AssessForm,
    CaseOpenForm,
    DateInput,
    EducationForm,
    EmploymentForm,
    MessageForm,
    ReviewForm,
    TransitionForm,
    UploadForm,
    WaiveForm,
)
from cases.forms.reminders import (
    BulkDueDateForm,
    PreferenceForm,
    TaskForm,
)

__all__ = [
    "AdvisorAssignForm",
    "AssessForm",
    "BulkDueDateForm",
    "CaseFilterForm",
    "CaseOpenForm",
    "DateInput",
    "EducationForm",
    "EmploymentForm",
    "MessageForm",
    "PreferenceForm",
    "ReviewForm",
    "TaskForm",
    "TransitionForm",
    "UploadForm",
    "WaiveForm",
]
