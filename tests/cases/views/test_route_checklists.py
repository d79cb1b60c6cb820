"""The applicant's and the advisor's case pages say plainly which documents the route does not
need, in English and Chinese (issue 13); others do not reach the pages."""

from html import unescape

import pytest
from django.urls import reverse

from cases.services import eligibility as services_eligibility
from tests.factories import add_employment, upload_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def teaching_case(case):
    upload_document(case, code="degree-certificate")
    add_employment(applicant=case.applicant)
    services_eligibility.case_assess(case=case, actor=case.advisor)
    return case


def test_applicant_sees_not_needed_for_your_route_and_keeps_the_upload(
    client_for, teaching_case, applicant_user
):
    html = client_for(applicant_user).get(reverse("cases:my_detail", args=[teaching_case.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    assert "(not needed for your route)" in text
    assert "Not needed for your route: your assessment shows you qualify another way." in text
    assert "scan.pdf" in text  # the degree certificate's upload is still listed
    assert "k-degree" not in text  # criterion ids are for staff


def test_applicant_reads_it_in_chinese(client_for, teaching_case, applicant_user):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    client = client_for(applicant_user)
    text = client.get(
        reverse("cases:my_detail", args=[teaching_case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "您的途径无需提供" in text
    assert "本途径不需要：学位证书" in text  # the timeline's entry


def test_advisor_sees_the_condition_and_what_is_not_needed(client_for, teaching_case):
    text = (
        client_for(teaching_case.advisor)
        .get(reverse("cases:detail", args=[teaching_case.pk]))
        .content.decode()
    )
    assert "(not needed for this route)" in text
    assert "Not needed for this case's route: it does not hold the case up." in unescape(text)
    assert "Asked on these routes (and while the route is not known):" in text
    assert '<span translate="no" lang="en">k-teaching-research</span>' in text


@pytest.mark.parametrize("who", ["other_applicant", "other_advisor", "other_firm_advisor"])
def test_others_do_not_reach_the_case_pages(request, client_for, teaching_case, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client = client_for(user)
    assert client.get(reverse("cases:detail", args=[teaching_case.pk])).status_code == 404
    assert client.get(reverse("cases:my_detail", args=[teaching_case.pk])).status_code == 404
