"""The filters of the reports page: a date range (at most two years), a visa type and, for
supervisors and admins, an advisor of their firm (or the cases without one)."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from cases.models import VisaType
from cases.permissions import can_see_firm_figures
from portal.firms import firm_scope
from portal.models import Role, User

MAX_REPORT_DAYS = 731


def advisor_choices(user: User) -> list[tuple[str, str]]:
    """Choices of an advisor filter for a supervisor or admin: any, the advisors of their
    firm (by name; ids as values) and "no advisor" (value ``none``). One query."""
    advisors = firm_scope(User.objects.filter(role=Role.ADVISOR), user).only(
        "id", "full_name", "email"
    )
    people = sorted(advisors, key=lambda a: (str(a).casefold(), a.pk))
    return [
        ("", str(_("Any advisor"))),
        *((str(a.pk), str(a)) for a in people),
        ("none", str(_("No advisor"))),
    ]


DEFAULT_REPORT_DAYS = 84  # twelve weeks
EARLIEST_REPORT_DAY = dt.date(2000, 1, 1)


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)
    visa_type = forms.ChoiceField(label=_("Visa type"), required=False)
    advisor = forms.ChoiceField(label=_("Advisor"), required=False)

    def __init__(self, *args: Any, user: User, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        codes = VisaType.objects.visible_to(user).order_by("code").values_list("code", "name")
        self.fields["visa_type"].choices = [("", _("Any visa type"))] + [
            (code, f"{code} – {name}") for code, name in dict(codes).items()
        ]
        if can_see_firm_figures(user):
            self.fields["advisor"].choices = advisor_choices(user)
        else:  # an advisor's figures are their own: nothing to choose
            del self.fields["advisor"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        end = data.get("end") or self.today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1)
        if start < EARLIEST_REPORT_DAY or end > self.today + dt.timedelta(days=366):
            raise forms.ValidationError(
                _("Choose dates from %(earliest)s to a year from today.")
                % {"earliest": EARLIEST_REPORT_DAY.isoformat()}
            )
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        if (end - start).days >= MAX_REPORT_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most two years (%(n)d days).") % {"n": MAX_REPORT_DAYS}
            )
        data["start"], data["end"] = start, end
        return data
