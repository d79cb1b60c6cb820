"""Forms of the deadline and reminder pages. Shape only; rules live in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from cases.models import Case
from portal.models import Role, User


class TaskForm(forms.Form):
    """A task of ``case``: the assignee is chosen among the active advisors of the case's firm
    (the service then insists they may see the case)."""

    title = forms.CharField(label=_("Task"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty for the case's advisor."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            role=Role.ADVISOR, is_active=True, firm_id=case.firm_id
        )


class BulkDueDateForm(forms.Form):
    """Set one due date on the same checklist requirement across selected cases."""

    code = forms.ChoiceField(label=_("Requirement"))
    due_date = forms.DateField(label=_("New due date"), widget=DateInput)
    cases = forms.TypedMultipleChoiceField(
        label=_("Cases"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: object,
        codes: list[tuple[str, str]],
        cases: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].choices = codes
        self.fields["cases"].choices = cases


class PreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(
        label=_("Send me one daily digest email instead of one email per item"), required=False
    )
    skip_optional = forms.BooleanField(
        label=_("Turn off optional reminders"),
        required=False,
        help_text=_("Overdue notices to a case's advisor are always sent."),
    )
