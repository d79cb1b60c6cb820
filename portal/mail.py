"""Account emails (password reset, invitation, a case opened elsewhere) in the recipient's
saved language.

The rule (issue 11): an email to a person with an account is written in that account's
``User.preferred_language``, never in the language of the browser or request that caused it
(a zh-hans applicant who asks for a reset from an English browser gets a Chinese email).
Reminder and notification emails follow the same rule through ``language_of``.
"""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def language_of(user: Any) -> str:
    """The language code of ``user``'s emails: their saved ``preferred_language`` when it is
    one of ``settings.LANGUAGES`` ("en", "zh-hans"), else ``settings.LANGUAGE_CODE``."""
    language = getattr(user, "preferred_language", "") or ""
    if language in dict(settings.LANGUAGES):
        return language
    return str(settings.LANGUAGE_CODE)


def account_mail_send(
    *,
    address: str,
    language: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
) -> None:
    """Render ``subject_template`` (one line: newlines removed) and ``body_template`` (plain
    text) with ``context`` in ``language`` and send them to ``address`` from
    ``DEFAULT_FROM_EMAIL``. Errors of the mail server propagate (callers run after commit)."""
    with translation.override(language):
        subject = "".join(render_to_string(subject_template, context).splitlines()).strip()
        body = render_to_string(body_template, context)
    send_mail(subject, body, None, [address])
