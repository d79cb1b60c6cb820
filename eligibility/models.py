"""Eligibility: rule sets, criteria and assessments (see the eligibility issue)."""
