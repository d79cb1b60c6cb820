"""Serializers of API v1, one module per sub-domain: ``cases`` (output of cases, requirements,
documents, messages, events), ``eligibility`` (qualifications and assessments), ``inputs``
(request bodies of case actions), ``reminders`` (tasks and notifications)."""
