"""Account services: creating users and inviting them by email."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.errors import InvalidInput
from portal.models import Role, User
from portal.tokens import invitation_token_generator


def invitation_link(user: User) -> str:
    """The absolute one-time link with which ``user`` sets a first password (valid 7 days)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    path = reverse("invitation_accept", kwargs={"uidb64": uidb64, "token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _send_invitation(user_id: int, invited_by: str) -> None:
    user = User.objects.get(pk=user_id)
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "link": invitation_link(user),
            "invited_by": invited_by,
            "days": settings.INVITATION_TIMEOUT_DAYS,
        }
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


def user_invite_applicant(
    *, email: str, full_name: str, preferred_language: str, invited_by: User
) -> User:
    """Create (or find) the applicant login for ``email`` and email a one-time set-password link.

    Raises ``InvalidInput`` when the email belongs to an advisor or admin. The email is sent
    after the surrounding transaction commits.
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            full_name=full_name,
            role=Role.APPLICANT,
            preferred_language=preferred_language,
        )
    elif user.role != Role.APPLICANT:
        raise InvalidInput(
            _("This email address belongs to a staff account; use the applicant's own address.")
        )
    if not user.has_usable_password():
        inviter = invited_by.get_full_name()
        transaction.on_commit(lambda: _send_invitation(user.pk, inviter))
    return user
