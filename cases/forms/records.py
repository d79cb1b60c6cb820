"""Forms of the record edits: the applicant's details (staff edit; the applicant proposes a
correction), the case's details, and the decision on a correction. They check the shape; the
rules live in ``cases/services/records.py`` and ``corrections.py``."""

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.cases import ApplicantIdentityForm, DateInput
from cases.services.corrections import NOTE_MAX_CHARS, REASON_MAX_CHARS
from cases.services.records import APPLICANT_RECORD_FIELDS, CASE_RECORD_FIELDS
from portal.dates import validate_stored_date
from portal.models import Role, User


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone name, sorted (``zoneinfo.available_timezones``)."""
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


class _Versioned(forms.Form):
    # The record's version when the form was shown; a changed one means a stale form.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ApplicantRecordForm(_Versioned, ApplicantIdentityForm):
    """The applicant's identity and passport details, with intake's fields and rules."""

    @classmethod
    def for_applicant(
        cls, applicant: Any, data: Any = None, **kwargs: Any
    ) -> "ApplicantRecordForm":
        initial = {name: getattr(applicant, name) for name in APPLICANT_RECORD_FIELDS}
        initial["nationality"] = applicant.nationality.code or ""
        return cls(data, initial={**initial, "version": applicant.version}, **kwargs)

    def changes(self) -> dict[str, Any]:
        """The submitted values of ``APPLICANT_RECORD_FIELDS`` (the service keeps the
        changed ones)."""
        return self.identity_values(APPLICANT_RECORD_FIELDS)


class CorrectionForm(ApplicantRecordForm):
    """The applicant's proposal: the same fields, plus a note for the advisor."""

    note = forms.CharField(
        label=_("Anything your advisor should know (optional)"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = None  # type: ignore[assignment]  # a proposal changes nothing yet


class CaseRecordForm(_Versioned):
    """The case's planned dates and time zone; ``advisor`` only for those who may reassign."""

    intended_entry_date = forms.DateField(
        label=_("Intended entry date"),
        required=False,
        widget=DateInput,
        validators=[validate_stored_date],
    )
    target_submission_date = forms.DateField(
        label=_("Target submission date"),
        required=False,
        widget=DateInput,
        validators=[validate_stored_date],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the case"),
        choices=time_zone_choices,
        help_text=_("Due dates are days in this time zone."),
    )
    advisor = forms.ModelChoiceField(
        label=_("Advisor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (unassigned)"),
        help_text=_(
            "The previous advisor's open tasks on this case pass to the new advisor, and their "
            "reminders about it stop."
        ),
    )

    def __init__(self, *args: Any, case: Any, can_reassign: bool, **kwargs: Any) -> None:
        initial = {name: getattr(case, name) for name in CASE_RECORD_FIELDS}
        initial |= {"version": case.version, "advisor": case.advisor_id}
        super().__init__(*args, initial=initial, **kwargs)
        if can_reassign:
            self.fields["advisor"].queryset = User.objects.filter(
                role=Role.ADVISOR, is_active=True, firm_id=case.firm_id
            ).order_by("full_name", "email")
        else:
            del self.fields["advisor"]

    def changes(self) -> dict[str, Any]:
        names = [*CASE_RECORD_FIELDS, *(["advisor"] if "advisor" in self.fields else [])]
        return {k: self.cleaned_data[k] for k in names}


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirm", _("Confirm")), ("decline", _("Decline"))]
    )
    reason = forms.CharField(
        label=_("Reason (required to decline; the applicant reads it)"),
        required=False,
        max_length=REASON_MAX_CHARS,
    )
