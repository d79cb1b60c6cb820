"""Stages of a case and the allowed moves between them: the one definition every page,
API, filter, task and test uses."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Eligibility assessment")
    DOCUMENTS = "documents", _("Collecting documents")
    REVIEW = "review", _("Review")
    READY = "ready", _("Ready to submit")
    SUBMITTED = "submitted", _("Submitted")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The main line of a case, in order; the stage bar shows these.
MAIN_LINE: tuple[str, ...] = (
    Stage.INTAKE,
    Stage.ASSESSMENT,
    Stage.DOCUMENTS,
    Stage.REVIEW,
    Stage.READY,
    Stage.SUBMITTED,
    Stage.DECIDED,
    Stage.CLOSED,
)
# "Open" stages: work is still going on; on_hold may be entered from these.
OPEN_STAGES: frozenset[str] = frozenset(MAIN_LINE[:6])
# Stages in which the applicant may still upload documents.
UPLOAD_STAGES: frozenset[str] = frozenset(
    {Stage.INTAKE, Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW, Stage.ON_HOLD}
)

# Stages in which missing documents still block the case; later, nothing is "overdue".
COLLECTING_STAGES: frozenset[str] = frozenset(
    {Stage.INTAKE, Stage.ASSESSMENT, Stage.DOCUMENTS, Stage.REVIEW}
)
# The target submission date and the passport check matter only until the case is submitted.
PRE_SUBMISSION_STAGES: frozenset[str] = OPEN_STAGES - {Stage.SUBMITTED}

# The allowed moves (docs/architecture.md, "Stages"). on_hold returns to the stage it was
# entered from; that target is resolved by the service from ``Case.stage_before_hold``.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.INTAKE: frozenset({Stage.ASSESSMENT, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.ASSESSMENT: frozenset({Stage.DOCUMENTS, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.DOCUMENTS: frozenset({Stage.REVIEW, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.REVIEW: frozenset({Stage.READY, Stage.DOCUMENTS, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.READY: frozenset({Stage.SUBMITTED, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.SUBMITTED: frozenset({Stage.DECIDED, Stage.ON_HOLD, Stage.WITHDRAWN}),
    Stage.DECIDED: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
    Stage.ON_HOLD: frozenset(OPEN_STAGES | {Stage.WITHDRAWN}),
    Stage.WITHDRAWN: frozenset(),
}


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
