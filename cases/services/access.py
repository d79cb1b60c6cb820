"""The one recorder of document reads: every DocumentAccess row is created here, together with
its audit-log entry (docs/architecture.md, "Who may download a document").

``tests/test_layout.py`` fails if code elsewhere creates DocumentAccess rows.
"""

from typing import Any

from django.db import transaction

from cases.models import AccessKind, Document, DocumentAccess
from portal.audit import audit_access
from portal.models import User


def document_access_record(
    *, document: Document, user: User, kind: str = AccessKind.DOWNLOAD, ip_address: str | None
) -> DocumentAccess:
    """Record that ``user`` read ``document`` (``kind``: an ``AccessKind``: download, preview or
    export) from ``ip_address``: one DocumentAccess row (who, role, email, version, when in UTC)
    and one audit entry, in one transaction. The caller has checked that ``user`` may see it."""
    with transaction.atomic():
        access = DocumentAccess.objects.create(
            document=document,
            user=user,
            user_email=user.email,
            user_role=user.role,
            version=document.version,
            kind=kind,
            ip_address=ip_address or None,
        )
        audit_access(
            document, actor=user, additional_data={"kind": str(kind), "version": document.version}
        )
    return access


def questionnaire_sheet_access_record(
    *, response: Any, user: User, fmt: str, ip_address: str | None
) -> None:
    """Record that ``user`` read the data sheet of ``response`` (a ``QuestionnaireResponse``)
    as ``fmt`` (``html``, ``pdf``, ``json``, ``csv``) from ``ip_address``: one audit-log access
    entry (the sheet is no stored document, so no DocumentAccess row). The caller has checked
    that ``user`` is staff on the case."""
    audit_access(
        response,
        actor=user,
        additional_data={"kind": "questionnaire_sheet", "format": fmt, "ip": ip_address or ""},
    )
