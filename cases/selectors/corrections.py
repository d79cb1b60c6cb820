"""Reads of the applicant's proposed corrections, scoped to the user asking (firm first)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cases.models import Applicant, Case, CorrectionProposal, CorrectionStatus
from cases.services.records import (
    clean_record_value,
    field_label,
    record_text,
    stored_value,
)
from portal.models import User


def correction_list_for_user(*, user: User) -> QuerySet[CorrectionProposal]:
    """Corrections ``user`` may see (``CorrectionProposal.objects.visible_to``), newest first,
    with the applicant and the deciding user joined."""
    return (
        CorrectionProposal.objects.visible_to(user)
        .select_related("applicant", "decided_by")
        .order_by("-created_at", "-id")
    )


def correction_get_for_user(*, user: User, pk: int | str) -> CorrectionProposal:
    """The correction ``pk`` if ``user`` may see it, else ``Http404``."""
    try:
        return correction_list_for_user(user=user).get(pk=pk)
    except (CorrectionProposal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such correction.") from None


def correction_pending_for_case(*, case: Case, user: User) -> CorrectionProposal | None:
    """The pending correction of the case's applicant, if ``user`` may see it (one query)."""
    return (
        correction_list_for_user(user=user)
        .filter(status=CorrectionStatus.PENDING, applicant_id=case.applicant_id)
        .first()
    )


def correction_latest_for_applicant(
    *, applicant: Applicant, user: User
) -> CorrectionProposal | None:
    """The applicant's most recent correction (any status) that ``user`` may see."""
    return correction_list_for_user(user=user).filter(applicant_id=applicant.pk).first()


def correction_rows(proposal: CorrectionProposal) -> list[dict[str, Any]]:
    """One row per proposed field for a page: ``label``, ``now`` (the recorded value),
    ``proposed``; passport numbers shown in full only to those who may see the record."""
    applicant = proposal.applicant
    rows = []
    for name, raw in proposal.changes.items():
        value = clean_record_value(Applicant, name, raw)
        current = stored_value(applicant, name)
        rows.append(
            {
                "name": name,
                "label": field_label(Applicant, name),
                "now": _display(name, current),
                "proposed": _display(name, value),
            }
        )
    return rows


def _display(name: str, value: Any) -> str:
    if name == "passport_number":
        return str(value or "")
    if name == "nationality" and value:
        from django_countries import countries

        return str(countries.name(value) or value)
    return record_text(name, value)
