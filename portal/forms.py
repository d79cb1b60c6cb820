"""Form fields shared by the apps."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _


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
