"""Messages on a case thread, including staff-only internal notes."""

import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, EventKind, Message
from cases.services.events import case_touch, event_record
from cases.services.notifications import notify_message
from cases.services.timeline_text import event_data
from portal.errors import InvalidInput, NotAllowed
from portal.models import User

MAX_MESSAGE_CHARS = 10_000


def message_post(*, case: Case, author: User, body: str, internal: bool = False) -> Message:
    """Post to the case thread and tell the other side (``notify_message``). Internal notes are
    for staff only. Raises ``NotAllowed`` and ``InvalidInput`` (empty or over 10,000
    characters)."""
    if not permissions.can_view_case(author, case):
        raise NotAllowed(_("You cannot write on this case."))
    if internal and not permissions.can_post_internal_note(author, case):
        raise NotAllowed(_("Only advisors can write internal notes."))
    body = (body or "").strip()
    # Invisible characters only (zero-width spaces, direction marks: Unicode category Cf) are
    # no message either.
    if not "".join(ch for ch in body if unicodedata.category(ch) != "Cf").strip():
        raise InvalidInput(_("Write a message before sending."))
    if len(body) > MAX_MESSAGE_CHARS:
        raise InvalidInput(
            _("Messages are limited to %(n)s characters; split it in two.")
            % {"n": MAX_MESSAGE_CHARS}
        )
    with transaction.atomic():
        message = Message.objects.create(case=case, author=author, body=body, internal=internal)
        event = event_record(
            case=case,
            actor=author,
            kind=EventKind.MESSAGE,
            internal=internal,
            data=event_data("message", message=message.pk, excerpt=body[:120]),
        )
        case_touch(case)
        notify_message(case=case, event=event, author=author, body=body, internal=internal)
    return message
