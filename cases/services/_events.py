"""Helpers shared by the case services: record a CaseEvent and bump ``Case.updated_at``.

Callers run them inside their own ``transaction.atomic()`` block, so the event is written in the
same transaction as the change it records.
"""

from typing import Any

from django.utils import timezone

from cases.models import Case, CaseEvent
from portal.models import User


def _event(case: Case, actor: User | None, kind: str, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, **fields)


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
