"""Rule set admin form: bad criteria JSON gets a message, never a 500."""

import pytest
from django import forms

from eligibility.admin import PrettyJSONField


def test_rule_set_form_refuses_absurdly_nested_json_with_a_message():
    field = PrettyJSONField()
    with pytest.raises(forms.ValidationError, match="nested too deeply"):
        field.clean("[" * 5000 + "]" * 5000)
