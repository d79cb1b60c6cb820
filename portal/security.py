"""Account security plumbing: login throttling limits (django-axes), the rate-limited and
enumeration-safe password reset form, and who must pass two-factor authentication."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.forms import IdentityEmailField
from portal.identity import email_canonical
from portal.mail import language_of
from portal.models import User


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account name axes counts failures for: the canonical form of the submitted email
    (``portal.identity``), so letter case, full-width forms and invisible characters do not
    make another counter."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = str((credentials or {}).get(field) or request.POST.get(field, ""))
    # Cut to axes' 255-character column: the login form refuses longer names first.
    return email_canonical(value[:1000])[:255]


def axes_failure_limit(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """The failure limit axes compares with its largest counter (account or IP address).

    Axes keeps one counter per account and one per IP address and locks when the larger one
    reaches the limit. Answering the account limit (5) once the account counter reached it, and
    the IP limit (20) otherwise, gives two independent limits within the 15-minute window.
    """
    from axes.models import AccessAttempt

    username = axes_username(request, credentials)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    account_failures = sum(
        AccessAttempt.objects.filter(username=username, attempt_time__gte=since).values_list(
            "failures_since_start", flat=True
        )
    )
    if username and account_failures >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
        return int(settings.AXES_ACCOUNT_FAILURE_LIMIT)
    return int(settings.AXES_IP_FAILURE_LIMIT)


def requires_two_factor(user: User) -> bool:
    """Advisors and admins always; applicants once they enrolled a confirmed device."""
    if not user.is_authenticated:
        return False
    if user.is_staff_member or user.is_staff or user.is_superuser:
        return True
    # One query: recovery codes are only ever issued together with an authenticator.
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def reset_mail_allowed(email: str) -> bool:
    """Count one reset mail for ``email``; False once 3 were sent within the current hour.

    A fixed one-hour window in the cache (Redis in production) keyed by a hash of the address's
    canonical form (``portal.identity``).
    """
    import hashlib

    digest = hashlib.sha256(email_canonical(email).encode()).hexdigest()
    key = f"pwreset:{digest}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= settings.PASSWORD_RESET_MAX_PER_HOUR


class RateLimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form (same answer whether or not the address exists; no mail to inactive
    or unknown accounts) that finds the account by canonical email (``portal.identity``),
    sends the mail to its stored address only, and at most 3 mails per account per hour."""

    # Typed forms of an address (full-width, invisible characters) read as the stored form;
    # look-alike addresses are not refused here: the answer is the same for every address.
    email = IdentityEmailField(
        label=_("Email"),
        max_length=254,
        check_lookalikes=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's mail, written in the account's saved language (``portal.mail``), whatever
        the language of the browser that asked for it."""
        with translation.override(language_of(context["user"])):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )

    def get_users(self, email: str) -> Iterator[User]:
        users = User.objects.filter(email_canonical=email_canonical(email), is_active=True)
        for user in users:
            if user.has_usable_password() and reset_mail_allowed(user.email):
                yield user
