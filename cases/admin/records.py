"""Admin forms of the record edits: changing a case's dates, time zone and advisor, or an
applicant's identity and passport details, runs the same services as the web pages and the
API (``cases/services/records.py``), with the same stale-edit check."""

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from cases.admin.cases import ServiceForm
from cases.models import Applicant, Case
from cases.services.records import (
    APPLICANT_RECORD_FIELDS,
    CASE_RECORD_FIELDS,
    applicant_record_update,
    case_record_update,
)


class _VersionedServiceForm(ServiceForm):
    # The record's version when the page was shown: a concurrent change makes this stale.
    # (Not named ``version``: the admin would take it for the non-editable model field.)
    record_version = forms.IntegerField(
        label=_("record version"), widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["record_version"].initial = self.instance.version

    def _changes(self, data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        values = {k: data.get(k) for k in names if k in self.changed_data}
        for key in ("nationality", "passport_number"):
            if key in values:
                values[key] = values[key] or ""
        return values


class CaseRecordAdminForm(_VersionedServiceForm):
    """Saving runs ``case_record_update`` (a new advisor: ``case_assign_advisor``)."""

    class Meta:
        model = Case
        fields = ("advisor", *CASE_RECORD_FIELDS)

    def run_service(self, data: dict[str, Any]) -> Model:
        case_record_update(
            case=self.instance,
            actor=self.request.user,
            changes=self._changes(data, ("advisor", *CASE_RECORD_FIELDS)),
            version=data["record_version"],
        )
        return Case.objects.get(pk=self.instance.pk)


class ApplicantRecordAdminForm(_VersionedServiceForm):
    """Saving runs ``applicant_record_update``; other applicant fields are read-only here."""

    class Meta:
        model = Applicant
        fields = APPLICANT_RECORD_FIELDS

    def run_service(self, data: dict[str, Any]) -> Model:
        applicant_record_update(
            applicant=self.instance,
            actor=self.request.user,
            changes=self._changes(data, APPLICANT_RECORD_FIELDS),
            version=data["record_version"],
        )
        return Applicant.objects.get(pk=self.instance.pk)
