"""Reads of photo checks (issue 13), scoped to the user through the document's case."""

from django.http import Http404

from cases.models import Document, PhotoCheck
from cases.selectors.documents import document_get_for_user
from portal.models import User


def photo_document_get_for_user(*, user: User, pk: int) -> tuple[Document, PhotoCheck | None]:
    """A version ``user`` may see whose requirement checks photos (or that was checked), with
    its check (``None`` while the worker has not finished). Raises ``Http404`` otherwise."""
    document = document_get_for_user(user=user, pk=pk)
    item = document.requirement.checklist_item
    check = PhotoCheck.objects.filter(document=document).first()
    if check is None and (item is None or not item.photo_check):
        raise Http404("Not a photo.")
    return document, check
