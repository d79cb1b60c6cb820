"""Form fields shared by the apps."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.identity import email_canonical, email_normalize, validate_email_identity


class SafeJSONField(forms.JSONField):
    """Django's JSON form field, with a form error instead of a 500 when a value is nested so
    deeply that ``json.loads`` gives up with ``RecursionError``. Used for every JSON field in
    the admin (``formfield_overrides``)."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except RecursionError:
            raise forms.ValidationError(
                _("This JSON is nested too deeply; these settings need only a few levels.")
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        # Re-displaying the refused input parses it again; show it back as typed.
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return forms.fields.InvalidJSONInput(data)


# ``formfield_overrides`` for admin classes with JSON fields.
JSON_FORMFIELD_OVERRIDES: dict[Any, dict[str, Any]] = {
    models.JSONField: {"form_class": SafeJSONField}
}


class IdentityEmailField(forms.EmailField):
    """An email field that reads any typed form of an address as its stored form
    (``portal.identity.email_normalize``: full-width letters, at signs and full stops,
    invisible characters) and, with ``check_lookalikes`` (default), refuses addresses that mix
    alphabets or read as another address with ``email_check``'s message."""

    def __init__(self, *, check_lookalikes: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if check_lookalikes:  # first: its message says more than "enter a valid address"
            self.validators.insert(0, validate_email_identity)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return email_normalize(value) if value else value


# The longest email address (RFC 5321 path limit) a login may name, in characters.
LOGIN_EMAIL_MAX_CHARS = 254


class LoginLengthMixin:
    """Refuse an over-long email before authentication with the usual "enter a correct email
    and password" message. Django sets the login field's ``max_length`` after building its
    validators, so the length was never checked, and the failed login was written to
    django-axes' 255-character username column (a 500 on PostgreSQL)."""

    data: Any

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username") or ""
        if len(str(username)) > LOGIN_EMAIL_MAX_CHARS:
            raise self.get_invalid_login_error()  # type: ignore[attr-defined]
        return super().clean()  # type: ignore[misc]


class LoginForm(LoginLengthMixin, AuthenticationForm):
    """The portal's login form."""


class AdminLoginForm(LoginLengthMixin, AdminAuthenticationForm):
    """The Django admin's login form (``admin.site.login_form``)."""


class ResetSetPasswordForm(SetPasswordForm):
    """The new-password form of a reset link: saving also revokes the account's API tokens
    (``user_password_reset_done``)."""

    def save(self, commit: bool = True) -> Any:
        from portal.services import user_password_reset_done

        user = super().save(commit=commit)
        if commit:
            user_password_reset_done(user=user)
        return user


class UniqueEmailMixin:
    """An account's email must have a canonical form (``portal.identity``) no other account
    has: ``Amy@Example.test``, its full-width form or one with a zero-width space is
    refused as a form error when ``amy@example.test`` exists, instead of a second account
    whose login then failed with a 500. Look-alike addresses are refused by the field."""

    cleaned_data: dict[str, Any]
    instance: Any

    def clean_email(self) -> str:
        from portal.models import User

        email = (self.cleaned_data.get("email") or "").lower()
        others = User.objects.filter(email_canonical=email_canonical(email))
        if self.instance is not None and self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("An account with this email address already exists."), code="unique"
            )
        return email


class UserAddForm(UniqueEmailMixin, AdminUserCreationForm):
    """The admin's add-user form."""

    email = IdentityEmailField(label=_("Email address"))


class UserEditForm(UniqueEmailMixin, UserChangeForm):
    """The admin's change-user form."""

    email = IdentityEmailField(label=_("Email address"))
