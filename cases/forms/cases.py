"""HTML forms of the case pages. They validate input shape; rules live in services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from cases.models import Decision, ReviewStatus, Stage, VisaType
from cases.selectors.cases import visa_types_for_opening
from cases.services.applicants import applicant_check_birth_date
from portal.dates import validate_stored_date
from portal.errors import InvalidInput
from portal.firms import firm_advisors
from portal.forms import IdentityEmailField
from portal.models import Language, Role, User


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the active language, sorted by that name, after a blank
    choice. A callable, so each form reads them when it renders (a list built at import would
    keep the language of the first request, English on a Chinese page)."""
    return [("", "—"), *((code, str(name)) for code, name in countries)]


class DateInput(forms.DateInput):
    """``<input type="date">``, whose value must be ISO (YYYY-MM-DD) in every language: the
    localized format (2016/06/30 in Chinese) is refused by browsers, so an unchanged re-save
    failed (issue 11)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


APPLICANT_FIELDS = (
    "given_names",
    "family_name",
    "email",
    "preferred_language",
    "date_of_birth",
    "nationality",
    "passport_number",
    "passport_expiry",
)


class ApplicantIdentityForm(forms.Form):
    """The applicant's identity and passport fields, one definition for intake
    (``CaseOpenForm``) and the record edits (``cases/forms/records.py``): lengths, date limits
    and the date-of-birth rule (``applicant_check_birth_date``) live here once."""

    given_names = forms.CharField(label=_("Given names (as in passport)"), max_length=120)
    family_name = forms.CharField(label=_("Family name (as in passport)"), max_length=120)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput,
        validators=[validate_stored_date],
    )
    nationality = LazyTypedChoiceField(
        label=_("Nationality"), required=False, choices=country_choices
    )
    passport_number = forms.CharField(label=_("Passport number"), required=False, max_length=40)
    passport_expiry = forms.DateField(
        label=_("Passport expiry date"),
        required=False,
        widget=DateInput,
        validators=[validate_stored_date],
    )

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data.get("date_of_birth")
        try:
            applicant_check_birth_date(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc
        return value

    def identity_values(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The cleaned values of ``names``, with an unset nationality as ``""``."""
        data = {k: self.cleaned_data[k] for k in names}
        return data | {"nationality": data["nationality"] or ""}


class CaseOpenForm(ApplicantIdentityForm):
    """Open a case for a new applicant, who is invited by email to set a password; or, with
    ``applicant`` (an existing applicant the actor chose deliberately and may see), another
    case for them, without the applicant fields. Visa types and advisors are the actor's
    firm's (``actor``)."""

    field_order = [
        "visa_type",
        "advisor",
        "given_names",
        "family_name",
        "email",
        "preferred_language",
        "date_of_birth",
        "nationality",
        "passport_number",
        "passport_expiry",
        "intended_entry_date",
        "target_submission_date",
    ]

    visa_type = forms.ModelChoiceField(
        label=_("Visa type"), queryset=VisaType.objects.filter(active=True), empty_label=None
    )
    advisor = forms.ModelChoiceField(
        label=_("Assigned advisor"),
        queryset=User.objects.filter(role=Role.ADVISOR, is_active=True),
        required=False,
        help_text=_("Leave empty to assign the case to yourself."),
    )
    email = IdentityEmailField(
        label=_("Applicant's email"),
        help_text=_("The applicant receives a link to set a password."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Applicant's language"), choices=Language.choices
    )
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

    def __init__(self, *args: Any, actor: User, applicant: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visa_type"].queryset = visa_types_for_opening(
            user=actor, applicant_id=applicant.pk if applicant is not None else None
        )
        advisors = firm_advisors(actor)
        if applicant is not None:
            advisors = advisors.filter(firm_id=applicant.firm_id)
            for name in APPLICANT_FIELDS:
                del self.fields[name]
        if actor.is_advisor and not actor.is_supervisor:
            # Advisors open cases for themselves; supervisors and admins may assign anyone.
            advisors = advisors.filter(pk=actor.pk)
        self.fields["advisor"].queryset = advisors

    def applicant_fields(self) -> dict[str, Any]:
        """The new applicant's details for ``case_open_for_applicant``."""
        return self.identity_values(APPLICANT_FIELDS)

    def clean(self) -> dict[str, Any]:
        from cases.services.opening import planned_date_errors

        data = super().clean()
        errors = planned_date_errors(
            intended_entry_date=data.get("intended_entry_date"),
            target_submission_date=data.get("target_submission_date"),
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return data


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=[("", "—"), *Decision.choices]
    )
    override = forms.BooleanField(label=_("Override the ready check"), required=False)


class UploadForm(forms.Form):
    # Empty files are let through so the upload service can say what is wrong with them.
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ReviewStatus.ACCEPTED, _("Accept")), (ReviewStatus.REJECTED, _("Reject"))],
    )
    reason = forms.CharField(
        label=_("Reason (required to reject)"), required=False, max_length=2000
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for waiving"), max_length=2000)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal = forms.BooleanField(label=_("Internal note (advisors only)"), required=False)


# --- qualifications and assessments ----------------------------------------------------------


class _FieldChoice(forms.ModelChoiceField):
    """Fields of study by name in the reader's language (issue 11: no ISCED-F codes shown);
    the options stay in code order, which keeps related fields together."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _detailed_fields() -> Any:
    from eligibility.models import FieldLevel, FieldOfStudy

    return FieldOfStudy.objects.filter(level=FieldLevel.DETAILED).order_by("code")


def _institutions() -> Any:
    from eligibility.models import Institution

    return Institution.objects.order_by("name")


class EducationForm(forms.Form):
    """A degree; the dates rules are checked by the service."""

    level = forms.TypedChoiceField(label=_("Degree level"), coerce=int, choices=())
    field = _FieldChoice(
        label=_("Field of study"),
        queryset=None,
        help_text=_("Pick the field closest to what you studied."),
    )
    institution = forms.ModelChoiceField(
        label=_("University or research institution"), queryset=None, required=False
    )
    institution_name = forms.CharField(
        label=_("Institution name (if not in the list)"), required=False, max_length=255
    )
    country = LazyTypedChoiceField(label=_("Country"), required=False, choices=country_choices)
    graduation_date = forms.DateField(label=_("Graduation date"), required=False, widget=DateInput)
    expected = forms.BooleanField(
        label=_("Not awarded yet (the date is the expected graduation date)"), required=False
    )
    degree_document_on_file = forms.BooleanField(
        label=_("I have the degree certificate"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from cases.models import DegreeLevel

        super().__init__(*args, **kwargs)
        self.fields["level"].choices = DegreeLevel.choices
        self.fields["field"].queryset = _detailed_fields()
        self.fields["institution"].queryset = _institutions()


class EmploymentForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=255)
    role = forms.CharField(label=_("Role"), max_length=255)
    field = _FieldChoice(label=_("Field"), queryset=None, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=DateInput, help_text=_("Empty if current.")
    )
    teaching_or_research = forms.BooleanField(
        label=_("This is a teaching or research position"), required=False
    )
    institution = forms.ModelChoiceField(
        label=_("Institution (if a university or research institution)"),
        queryset=None,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = _detailed_fields()
        self.fields["institution"].queryset = _institutions()


class AssessForm(forms.Form):
    advisor_flag = forms.BooleanField(
        label=_("Flag for review whatever the rules say"), required=False
    )


class AdvisorAssignForm(forms.Form):
    """Supervisors and admins: give the case to another advisor of its firm (or nobody)."""

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

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = User.objects.filter(
            role=Role.ADVISOR, is_active=True, firm_id=case.firm_id
        )
        self.fields["advisor"].initial = case.advisor_id
