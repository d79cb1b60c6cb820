"""Case search: every word in any order, ignoring letter case and accents, on the normalised
``Case.search_text`` that ``case_open`` writes (the same on SQLite and PostgreSQL)."""

import pytest
from django.urls import reverse

from cases import selectors
from cases.models import Case
from cases.models.search import search_normalise
from tests.factories import ApplicantFactory, open_case


def test_normalise_folds_case_accents_and_letters_without_marks():
    assert search_normalise("  TOMÁS   Müller ") == "tomas muller"
    assert search_normalise("Groß Øster Łukasz Nguyễn") == "gross oster lukasz nguyen"
    assert search_normalise("王 芳") == "王 芳"


@pytest.fixture
def people(advisor):  # type: ignore[no-untyped-def]
    def case(given: str, family: str, **kw: str) -> Case:
        return open_case(
            applicant=ApplicantFactory(given_names=given, family_name=family, **kw),
            advisor=advisor,
        )

    return {
        "maria": case("María", "García"),
        "tomas": case("Tomás", "Müller", passport_number="E12345678"),
        "wang": case("Fang", "Wang"),
        "other_maria": case("María", "López"),
    }


def _found(advisor, term: str) -> set[int]:  # type: ignore[no-untyped-def]
    qs = selectors.case_list_for_user(user=advisor, filters=selectors.CaseFilters(search=term))
    return set(qs.values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("maria garcia", {"maria"}),
        ("García María", {"maria"}),
        ("GARCIA", {"maria"}),
        ("maría", {"maria", "other_maria"}),
        ("TOMÁS", {"tomas"}),
        ("MÜLLER", {"tomas"}),
        ("muller tomas", {"tomas"}),
        ("e1234", {"tomas"}),
        ("wang", {"wang"}),
        ("garcia lopez", set()),
    ],
)
def test_search_finds_every_word_in_any_order_whatever_the_case_and_accents(
    advisor, people, term, who
):
    assert _found(advisor, term) == {people[name].pk for name in who}


@pytest.mark.django_db
def test_search_by_reference_and_email(advisor, people):
    maria = people["maria"]
    assert _found(advisor, maria.reference.lower()) == {maria.pk}
    assert _found(advisor, maria.applicant.email.upper()) == {maria.pk}


@pytest.mark.django_db
def test_search_stays_within_the_cases_the_user_may_see(advisor, other_advisor, people):
    assert _found(other_advisor, "maria garcia") == set()


@pytest.mark.django_db
def test_case_list_page_searches_names_in_either_order(advisor, client_for, people):
    page = client_for(advisor).get(reverse("cases:list"), {"q": "Garcia Maria"}).content.decode()
    assert people["maria"].reference in page
    assert people["other_maria"].reference not in page
