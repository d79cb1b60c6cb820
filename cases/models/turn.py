"""Whose turn is it: the portal's one definition of who a document requirement waits on.

Every requirement waits on exactly one party, read from its status alone:

* the **applicant** while it is *missing* or *rejected* (they must upload a file, or a better
  one);
* the **advisor** while it is *uploaded* (a file awaits review);
* **nobody** once it is *accepted* or *waived*.

Counts ("documents still needed"), lists, the overdue rule (``cases/models/overdue.py``: only an
item waiting on the applicant can be overdue), the dashboard's "Waiting for my review" and the
reminders all read it from here: ``DocumentRequirement.waiting_on`` for a loaded row,
``DocumentRequirement.objects.waiting_on_applicant()`` / ``.awaiting_review()`` or the ``Q``
helpers below for queries.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WaitingOn(models.TextChoices):
    APPLICANT = "applicant", _("Waiting for the applicant")
    ADVISOR = "advisor", _("Waiting for the advisor's review")
    NOBODY = "nobody", _("Done")


# Status values (``RequirementStatus``) by the party they wait on.
APPLICANT_TURN_STATUSES: frozenset[str] = frozenset({"missing", "rejected"})
ADVISOR_TURN_STATUSES: frozenset[str] = frozenset({"uploaded"})
NOBODY_TURN_STATUSES: frozenset[str] = frozenset({"accepted", "waived"})


def waiting_on_status(status: str) -> str:
    """The ``WaitingOn`` value of a requirement in ``status``."""
    if status in APPLICANT_TURN_STATUSES:
        return WaitingOn.APPLICANT
    if status in ADVISOR_TURN_STATUSES:
        return WaitingOn.ADVISOR
    return WaitingOn.NOBODY


def waits_on_applicant_q(prefix: str = "") -> Q:
    """Requirements waiting on the applicant (missing or rejected), as a ``Q`` (``prefix`` such
    as ``"requirements__"`` applies it through a relation)."""
    return Q(**{f"{prefix}status__in": sorted(APPLICANT_TURN_STATUSES)})


def awaits_review_q(prefix: str = "") -> Q:
    """Requirements waiting on the advisor: a file uploaded and not yet reviewed."""
    return Q(**{f"{prefix}status__in": sorted(ADVISOR_TURN_STATUSES)})
