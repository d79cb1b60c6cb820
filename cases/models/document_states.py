"""The states of an uploaded document version: its review, its place in the upload pipeline,
its preview, and why the worker's check failed. Re-exported by ``cases/models/documents.py``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class VersionState(models.TextChoices):
    """Where a version is in the upload pipeline (issue 18): the worker's step runs while it is
    ``processing``; only a ``ready`` version may be reviewed."""

    PROCESSING = "processing", _("Being checked")
    READY = "ready", _("Ready")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Could not be checked")


class PreviewState(models.TextChoices):
    """Whether a version's preview images can be shown (``Document.preview_state``)."""

    READY = "ready", _("Preview ready")
    PENDING = "pending", _("Preview being made")
    FAILED = "failed", _("No preview could be made")
    NONE = "none", _("No preview")


# ``Document.preview_key`` of a version whose preview the worker gave up on (every try failed);
# real keys start with "previews/", and "" means not made yet.
PREVIEW_FAILED_KEY = "failed"


class FailureKind(models.TextChoices):
    """Why the worker's last try of a ``failed`` version did not finish."""

    TIMEOUT = "timeout", _("Checking the file took longer than the time limit.")
    WORKER_LOST = (
        "worker_lost",
        _(
            "The program checking the file stopped before it finished (it may have run out "
            "of memory)."
        ),
    )
    ERROR = "error", _("An unexpected error stopped the check.")
