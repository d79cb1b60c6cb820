"""What one upload request costs the database (issue 18: the request's fixed cost). The
numbers are exact on purpose: a new query in the upload path has to be argued for here.

Counted inside the test's transaction, so the upload's own transaction shows as SAVEPOINT and
RELEASE SAVEPOINT (BEGIN and COMMIT in production). The first request of a process also reads
two content types (django-auditlog; cached afterwards) and may mark the API token used (once
every 5 minutes), so each test counts a second request."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from portal.services import api_token_create
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

# The API upload of one file by a token: the token (1, once even when the body-limit
# middleware checked it first), the requirement with its case, visa type and advisor (1);
# then in one transaction (2): the case row's UPDATE that locks it (1), the requirement
# locked with its last version and the case's usage (1), the version (1) and its audit entry
# (1), the requirement's UPDATE (1) and its audit entry (1), the per-case document summary's
# UPDATE (1, issue 17: the row is already locked, so no second lock), the timeline event (1).
API_UPLOAD_QUERIES = 12

# The page upload by the applicant (session): the session, its user, the applicant's case
# and the requirement (4, as every page of the case pays them), the upload's 10 as above, and
# the advisor's notification (in-app and email ledger, notify_upload): the email rules, the
# advisor's preferences, the ledger row (its look-up, a savepoint, the insert and release),
# the advisor's pending email (batch window) and the in-app row.
PAGE_UPLOAD_QUERIES = 22


def _token_client(user) -> APIClient:  # type: ignore[no-untyped-def]
    _token, key = api_token_create(user=user, name="queries")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


CASES = [
    ("passport-bio-page", "pdf_bytes", "scan.pdf", "application/pdf"),
    ("digital-photo", "jpeg_bytes", "photo.jpg", "image/jpeg"),
]


@pytest.mark.parametrize(("code", "fixture", "name", "mime"), CASES)
def test_api_upload_costs_a_flat_twelve_queries(case, advisor, request, code, fixture, name, mime):
    client = _token_client(advisor)
    requirement = case.requirements.get(code=code)
    content = request.getfixturevalue(fixture)

    def upload() -> None:
        response = client.post(
            f"/api/v1/requirements/{requirement.pk}/upload/",
            {"file": SimpleUploadedFile(name, content, content_type=mime)},
            format="multipart",
        )
        assert response.status_code == 201, response.content

    def more_versions() -> None:
        for _ in range(5):
            services.document_upload(
                requirement=requirement, stream=io.BytesIO(content), filename=name, actor=advisor
            )

    upload()
    assert assert_flat_queries(upload, more_versions) == API_UPLOAD_QUERIES


def test_a_large_api_request_looks_its_token_up_once(case, advisor, jpeg_bytes, settings):
    """The body-limit middleware checks the token of a body over the anonymous limit; DRF
    then uses that answer instead of asking the database again."""
    settings.PORTAL_ANONYMOUS_MAX_BODY_BYTES = 1024
    assert len(jpeg_bytes) > 1024
    client = _token_client(advisor)
    requirement = case.requirements.get(code="digital-photo")
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                f"/api/v1/requirements/{requirement.pk}/upload/",
                {"file": SimpleUploadedFile("p.jpg", jpeg_bytes, content_type="image/jpeg")},
                format="multipart",
            )
        assert response.status_code == 201
    token_reads = [q for q in ctx.captured_queries if 'FROM "portal_apitoken"' in q["sql"]]
    assert len(token_reads) == 1


def test_page_upload_by_the_applicant_costs_a_flat_number_of_queries(
    case, applicant_user, client_for, pdf_bytes
):
    client = client_for(applicant_user)
    requirement = case.requirements.get(code="passport-bio-page")
    url = reverse("cases:upload", args=[case.pk, requirement.pk])

    def upload() -> None:
        response = client.post(
            url, {"file": SimpleUploadedFile("scan.pdf", pdf_bytes, "application/pdf")}
        )
        assert response.status_code == 302

    def more_versions() -> None:
        for _ in range(5):
            services.document_upload(
                requirement=requirement,
                stream=io.BytesIO(pdf_bytes),
                filename="scan.pdf",
                actor=applicant_user,
            )

    # The clock stands still: the session's once-a-minute refresh and device check stay out.
    with time_machine.travel(timezone.now(), tick=False):
        upload()
        assert assert_flat_queries(upload, more_versions) == PAGE_UPLOAD_QUERIES
