"""The form an advisor ticks a case step with. Shape only; the rules (date not in the future,
note length) live in ``cases/services/steps.py``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from cases.models import MAX_STEP_NOTE_CHARS


class StepTickForm(forms.Form):
    done_on = forms.DateField(label=_("Date done"), widget=DateInput)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=MAX_STEP_NOTE_CHARS
    )
