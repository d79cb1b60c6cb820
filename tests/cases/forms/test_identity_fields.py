"""Intake and the record edit share one definition of the applicant's identity fields."""

import datetime as dt

import pytest

from cases.forms.cases import CaseOpenForm
from cases.forms.records import ApplicantRecordForm


@pytest.mark.django_db
def test_intake_keeps_its_field_order(advisor):
    names = list(CaseOpenForm(actor=advisor).fields)
    assert names[:6] == [
        "visa_type",
        "advisor",
        "given_names",
        "family_name",
        "email",
        "preferred_language",
    ]
    assert names[-2:] == ["intended_entry_date", "target_submission_date"]


@pytest.mark.django_db
def test_both_forms_refuse_the_same_bad_identity_values(advisor):
    bad = {
        "given_names": "x" * 121,
        "family_name": "B",
        "date_of_birth": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
        "passport_number": "P" * 41,
        "version": 1,
    }
    intake = CaseOpenForm(bad, actor=advisor)
    edit = ApplicantRecordForm(bad)
    assert not intake.is_valid()
    assert not edit.is_valid()
    for name in ("given_names", "date_of_birth", "passport_number"):
        assert intake.errors[name] == edit.errors[name], name
