"""Access log: every download recorded (who, when, which version); advisors see it per
document, applicants see who opened their files."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases import services
from cases.models import DocumentAccess
from tests.factories import open_case


@pytest.fixture
def document(case, applicant_user, pdf_bytes, stream):  # type: ignore[no-untyped-def]
    requirement = case.requirements.get(code="passport-bio-page")
    return services.document_upload(
        requirement=requirement,
        stream=stream(pdf_bytes),
        filename="passport.pdf",
        actor=applicant_user,
    )


@pytest.mark.django_db
def test_every_download_is_recorded(document, advisor, client_for):
    client = client_for(advisor)
    for _ in range(2):
        response = client.get(
            reverse("cases:download", args=[document.pk]), REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 200
    accesses = list(DocumentAccess.objects.filter(document=document))
    assert len(accesses) == 2
    assert {a.user for a in accesses} == {advisor}
    assert {a.version for a in accesses} == {1}
    assert {a.ip_address for a in accesses} == {"198.51.100.7"}
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=advisor).count() == 2


@pytest.mark.django_db
def test_refused_download_records_nothing(document, other_advisor, client_for):
    response = client_for(other_advisor).get(reverse("cases:download", args=[document.pk]))
    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


@pytest.mark.django_db
def test_advisor_sees_the_access_history_of_a_document(
    document, case, advisor, applicant_user, client_for
):
    client_for(applicant_user).get(reverse("cases:download", args=[document.pk]))
    client_for(advisor).get(reverse("cases:download", args=[document.pk]))
    page = client_for(advisor).get(reverse("cases:document_access", args=[case.pk, document.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(applicant_user) in html
    assert str(advisor) in html
    assert html.count('data-label="Version">v1</td>') == 2


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_advisor", "applicant_user", "other_applicant_user"])
def test_access_history_page_is_404_for_others(persona, request, document, case, client_for):
    user = request.getfixturevalue(persona)
    url = reverse("cases:document_access", args=[case.pk, document.pk])
    assert client_for(user).get(url).status_code == 404


@pytest.mark.django_db
def test_applicant_sees_who_opened_their_files(document, advisor, applicant_user, client_for):
    client_for(advisor).get(reverse("cases:download", args=[document.pk]))
    page = client_for(applicant_user).get(reverse("cases:my_access"))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(advisor) in html
    assert "passport.pdf" in html


@pytest.mark.django_db
def test_applicant_does_not_see_accesses_to_other_peoples_files(
    document, advisor, other_applicant_user, client_for
):
    client_for(advisor).get(reverse("cases:download", args=[document.pk]))
    page = client_for(other_applicant_user).get(reverse("cases:my_access"))
    assert "passport.pdf" not in page.content.decode()


@pytest.mark.django_db
def test_my_access_page_is_404_for_staff(advisor, client_for):
    assert client_for(advisor).get(reverse("cases:my_access")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("downloads", [2, 12])
def test_access_pages_query_count_does_not_grow(
    downloads,
    advisor,
    applicant,
    applicant_user,
    client_for,
    pdf_bytes,
    stream,
    django_assert_max_num_queries,
):
    case = open_case(applicant=applicant, advisor=advisor)
    requirement = case.requirements.get(code="passport-bio-page")
    doc = services.document_upload(
        requirement=requirement, stream=stream(pdf_bytes), filename="p.pdf", actor=applicant_user
    )
    for _ in range(downloads):
        services.document_open_for_download(document=doc, actor=advisor, ip_address=None).close()
    staff = client_for(advisor)
    mine = client_for(applicant_user)
    with django_assert_max_num_queries(14):
        assert (
            staff.get(reverse("cases:document_access", args=[case.pk, doc.pk])).status_code == 200
        )
    with django_assert_max_num_queries(10):
        assert mine.get(reverse("cases:my_access")).status_code == 200
