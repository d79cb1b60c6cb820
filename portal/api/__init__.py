"""The REST API (``/api/v1/``): plumbing shared by every app, plus the account endpoints.

- ``errors``: the error body of every failure and its OpenAPI description.
- ``auth``: personal API token authentication and its OpenAPI security scheme.
- ``pagination``: page numbers, filters and stable ordering for list endpoints.
- ``throttling``: request rate limits.
- ``serializers``: ``StrictSerializer`` (refuses unknown fields) and the account serializers.
- ``parsers``: the JSON parser.
- ``permissions``: ``IsStaffMember``.
- ``language``: answers in the requester's language.
- ``views``, ``urls``: the account endpoints and the routes of every app.

This package imports nothing here, and none of the modules the settings name (everything but
``views`` and ``urls``) imports DRF's views: the settings load them while ``rest_framework.views``
is being imported.
"""
