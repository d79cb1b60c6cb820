"""Country lists are named in the viewer's language on every form page, whichever language
the process served first (a list built at import time kept the first request's language)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_country_names_follow_each_viewers_language(client_for, applicant_user, advisor):
    english = client_for(advisor).get(reverse("cases:open")).content.decode()
    assert ">Germany<" in english
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    page = client_for(applicant_user).get(reverse("cases:my_qualifications")).content.decode()
    assert ">德国<" in page
    assert ">Germany<" not in page
    assert ">France<" not in page


@pytest.mark.django_db
def test_the_applicant_edit_page_names_countries_in_chinese(client_for, advisor, case):
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    page = client_for(advisor).get(reverse("cases:applicant_edit", args=[case.pk]))
    body = page.content.decode()
    assert ">德国<" in body
    assert ">Germany<" not in body
