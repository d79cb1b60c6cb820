"""The case list's filters: the everyday ones (search, stage, visa type, advisor, overdue, due
soon) and those the reports page's figures link with (``CaseFilters``: UTC date ranges, a
decision, a stage left, files waiting for review)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.cases import DateInput
from cases.models import Decision, Stage, VisaType
from cases.permissions import can_see_firm_figures
from cases.selectors.cases import DUE_SOON_DAYS
from portal.dates import latest_allowed
from portal.models import User


class CaseFilterForm(forms.Form):
    """Filters of the advisor case list (all optional)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Reference, applicant name, email or passport number"),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    visa_type = forms.ChoiceField(label=_("Visa type"), required=False)
    advisor = forms.ChoiceField(label=_("Advisor"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_soon = forms.BooleanField(required=False)
    # The cases behind a figure of the reports page (``CaseFilters``): UTC date ranges.
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DateInput)
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=DateInput)
    closed_from = forms.DateField(
        label=_("Closed or withdrawn from"), required=False, widget=DateInput
    )
    closed_to = forms.DateField(label=_("Closed or withdrawn to"), required=False, widget=DateInput)
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=[("", _("Any decision")), *Decision.choices]
    )
    decided_from = forms.DateField(label=_("Decided from"), required=False, widget=DateInput)
    decided_to = forms.DateField(label=_("Decided to"), required=False, widget=DateInput)
    reviewed_from = forms.DateField(
        label=_("A file reviewed from"), required=False, widget=DateInput
    )
    reviewed_to = forms.DateField(label=_("A file reviewed to"), required=False, widget=DateInput)
    awaiting_review = forms.BooleanField(label=_("Files waiting for review"), required=False)
    left_stage = forms.ChoiceField(
        label=_("Left the stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    left_from = forms.DateField(label=_("Left the stage from"), required=False, widget=DateInput)
    left_to = forms.DateField(label=_("Left the stage to"), required=False, widget=DateInput)

    RANGES = (
        ("opened_from", "opened_to"),
        ("closed_from", "closed_to"),
        ("decided_from", "decided_to"),
        ("reviewed_from", "reviewed_to"),
        ("left_from", "left_to"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = VisaType.objects.visible_to(user).order_by("code").values_list("code", "name")
        self.fields["visa_type"].choices = [("", _("Any visa type"))] + [
            (code, f"{code} – {name}") for code, name in dict(codes).items()
        ]
        self.fields["due_soon"].label = _("Documents due in the next %(n)d days") % {
            "n": DUE_SOON_DAYS
        }
        if can_see_firm_figures(user):
            from cases.forms.reports import advisor_choices

            self.fields["advisor"].choices = advisor_choices(user)
        else:  # an advisor's list is their own cases: nothing to choose
            del self.fields["advisor"]

    FIGURE_FIELDS = (
        "opened_from",
        "opened_to",
        "closed_from",
        "closed_to",
        "decision",
        "decided_from",
        "decided_to",
        "reviewed_from",
        "reviewed_to",
        "awaiting_review",
        "left_stage",
        "left_from",
        "left_to",
    )

    def main_fields(self) -> list[forms.BoundField]:
        """The everyday filters, shown first."""
        return [f for f in self if f.name not in self.FIGURE_FIELDS]

    def figure_fields(self) -> list[forms.BoundField]:
        """The filters the report figures link with, shown folded unless one is given."""
        return [f for f in self if f.name in self.FIGURE_FIELDS]

    def figure_filters_given(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.FIGURE_FIELDS)

    def clean(self) -> dict[str, Any]:
        """Each date from ``EARLIEST_REPORT_DAY`` to ten years ahead (``latest_allowed``), and
        each range's start on or before its end; errors beside the field at fault."""
        from cases.forms.reports import EARLIEST_REPORT_DAY

        data = super().clean()
        latest = latest_allowed()
        for pair in self.RANGES:
            for name in pair:
                day = data.get(name)
                if day is not None and not EARLIEST_REPORT_DAY <= day <= latest:
                    self.add_error(
                        name,
                        _("Choose a date from %(earliest)s to %(latest)s.")
                        % {"earliest": EARLIEST_REPORT_DAY.isoformat(), "latest": latest},
                    )
            start, end = data.get(pair[0]), data.get(pair[1])
            if start is not None and end is not None and start > end and pair[1] in data:
                self.add_error(pair[1], _("The start date must be on or before the end date."))
        return data
