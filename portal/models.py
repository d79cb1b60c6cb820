"""Accounts: the firm (tenant), the User model with email login and a role."""

import zoneinfo
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.identity import (
    CanonicalEmailField,
    email_canonical,
    email_normalize,
    validate_email_identity,
)


def validate_time_zone(value: str) -> None:
    """Raise ValidationError unless ``value`` is an IANA time zone name such as Asia/Shanghai."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name; use an IANA name such as Asia/Shanghai."),
            params={"value": value},
        )


DEFAULT_FIRM_SLUG = "default"


class Firm(models.Model):
    """An advisory firm: the tenant. Its users, applicants, cases and visa types (with their
    checklists, quotas and retention) belong to it; every read and write is scoped by firm
    first. Platform admins (``User.is_platform_admin``) manage firms.

    The migration that introduced firms created the firm ``default`` (slug
    ``DEFAULT_FIRM_SLUG``) and moved every existing row into it.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("firm")
        verbose_name_plural = _("firms")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ADVISOR = "advisor", _("Advisor")
    ADMIN = "admin", _("Admin")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Simplified Chinese")


class UserManager(BaseUserManager["User"]):
    """Manager for email-login users."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        # Stored lower-cased (phones capitalise the first letter); compared by canonical form.
        user = self.model(email=email_normalize(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        """The account whose canonical email (``portal.identity.email_canonical``) equals that
        of ``username``: login ignores letter case, full-width forms and invisible
        characters. Raises ``User.DoesNotExist``."""
        return self.get(email_canonical=email_canonical(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        """A platform admin: every firm, all permissions; no firm unless ``firm`` is given."""
        extra.update(is_staff=True, is_superuser=True, is_platform_admin=True, role=Role.ADMIN)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who logs in: applicant, advisor or admin, of one firm.

    ``firm`` is required except for platform admins (``is_platform_admin``), who manage firms
    and see every firm; a database constraint holds this. ``is_supervisor`` only matters for
    advisors: a supervising advisor sees every case of their firm. ``time_zone`` is an IANA
    name; reminders fire at a local hour in it.
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True, validators=[validate_email_identity])
    # The comparison key of ``email`` (portal/identity.py), unique: one account per person.
    email_canonical = CanonicalEmailField(verbose_name=_("email (for comparison)"))
    firm = models.ForeignKey(
        Firm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("firm"),
        help_text=_("Every account belongs to one firm; only platform admins may have none."),
    )
    is_platform_admin = models.BooleanField(
        _("platform admin"),
        default=False,
        help_text=_("Platform admins manage firms and see the data of every firm."),
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.APPLICANT)
    is_supervisor = models.BooleanField(
        _("supervisor"),
        default=False,
        help_text=_("Supervising advisors see every case of their firm."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    if TYPE_CHECKING:
        # Set on ``request.user`` by django-otp's OTPMiddleware: True once the session passed
        # two-factor verification.
        def is_verified(self) -> bool: ...

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("email",)
        # The advisor choices of every case list, filter form and record edit read the few
        # staff rows of a firm among its applicants' logins (100,000 at issue 17's size).
        indexes = [models.Index(fields=["role", "firm"], name="user_role_firm")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(firm__isnull=False) | models.Q(is_platform_admin=True),
                name="user_firm_unless_platform_admin",
                violation_error_message=_("Choose the firm this account belongs to."),
            ),
            models.UniqueConstraint(
                fields=["email_canonical"],
                name="user_email_canonical_unique",
                violation_error_message=_("An account with this email address already exists."),
            ),
        ]

    def clean(self) -> None:
        """The stored form of the email (lower case) and its canonical key, as the account
        forms and ``create_user`` save them (``portal/identity.py``)."""
        super().clean()
        self.email = email_normalize(self.email or "").lower()
        self.email_canonical = email_canonical(self.email)

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_advisor(self) -> bool:
        return self.role == Role.ADVISOR

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def is_portal_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_staff_member(self) -> bool:
        """Advisors and admins: the people who run cases."""
        return self.is_advisor or self.is_portal_admin


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: "User") -> "ApiTokenQuerySet":
        """Tokens ``user`` may list or revoke: admins those of their firm (platform admins
        all), advisors their own, others none."""
        from portal.firms import firm_scope

        qs = firm_scope(self, user, path="user__firm")
        if not user.is_authenticated:
            return qs
        if user.is_portal_admin:
            return qs
        if user.is_advisor:
            return qs.filter(user=user)
        return self.none()

    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token of an advisor or admin, for integrations (CRM, reporting).

    Only the SHA-256 hex digest of the secret is stored; the full key
    (``vcp_<prefix>_<secret>``) is shown once, when created. ``prefix`` (8 characters) is public
    and identifies the token in lists. ``expires_at`` is UTC; null means no expiry.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, unique=True, verbose_name=_("token prefix"))
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """One invitation email with a set-password link to an applicant login.

    Each send is a row; only the newest row's link works ("Send again" makes earlier links
    stop working). ``sent_at``, ``opened_at`` (first visit of a working link) and
    ``accepted_at`` (password set) are UTC. It expires ``INVITATION_TIMEOUT_DAYS`` days after
    ``sent_at``. Written only by ``portal/invitations.py``.
    """

    firm = models.ForeignKey(
        Firm, on_delete=models.CASCADE, related_name="+", verbose_name=_("firm")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("invited user"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-sent_at", "-id")
        indexes = [models.Index(fields=["user", "-sent_at"], name="invitation_user_sent")]

    def __str__(self) -> str:
        return f"invitation {self.pk} of user {self.user_id}"
