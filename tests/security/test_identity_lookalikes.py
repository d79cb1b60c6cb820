"""Identity look-alikes (issue 14): every look-up by email compares canonical forms
(portal/identity.py), addresses that mix alphabets or imitate another are refused with a
message, and mail goes only to the stored address. Forms that fold: letter case, full-width
letters, full-width @ and dots, zero-width characters. Forms that look alike: Cyrillic letters
in a Latin address."""

# ruff: noqa: RUF003  (the examples are look-alike characters on purpose)

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Applicant, Case, VisaType
from cases.services.applicants import NOT_AVAILABLE
from portal.models import User
from tests.factories import TEST_PASSWORD, ApplicantFactory, open_case

NEW_APPLICANT = {"given_names": "Nina", "family_name": "Newcomer", "preferred_language": "en"}

# amy@example.test typed as a phone, a Chinese keyboard or a copy from a PDF would.
FOLDED_AMY = [
    "Amy@Example.TEST",
    "ａｍｙ@example.test",
    "amy＠example．test",
    "a\u200bmy@exam\u200dple.test",
]
LOOKALIKE_AMY = ["amy@exаmple.test", "аmy@example.test"]  # Cyrillic а


def _login(typed: str) -> int:
    response = Client().post(reverse("login"), {"username": typed, "password": TEST_PASSWORD})
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("typed", FOLDED_AMY)
def test_login_accepts_any_folded_form_of_the_address(applicant_user, typed):
    assert _login(typed) == 302


@pytest.mark.django_db
@pytest.mark.parametrize("typed", LOOKALIKE_AMY)
def test_login_with_a_lookalike_address_is_the_usual_refusal(applicant_user, typed):
    assert _login(typed) == 200  # "enter a correct email and password", no 500


@pytest.mark.django_db
@pytest.mark.parametrize("typed", FOLDED_AMY)
def test_password_reset_finds_the_account_and_mails_only_its_stored_address(
    applicant_user, mailoutbox, typed
):
    response = Client().post(reverse("password_reset"), {"email": typed})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["amy@example.test"]]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", LOOKALIKE_AMY)
def test_password_reset_for_a_lookalike_answers_the_same_and_sends_nothing(
    applicant_user, mailoutbox, typed
):
    response = Client().post(reverse("password_reset"), {"email": typed})
    # "Sent" for a domain look-alike; "enter a valid email address" for a local part Django
    # does not accept in any account: either way the answer depends on the address only.
    assert response.status_code in (200, 302)
    assert mailoutbox == []


def _add_user(admin_client, email: str, firm_id: int):  # type: ignore[no-untyped-def]
    return admin_client.post(
        reverse("admin:portal_user_add"),
        {
            "email": email,
            "full_name": "Twin",
            "role": "applicant",
            "firm": firm_id,
            "password1": TEST_PASSWORD + "x",
            "password2": TEST_PASSWORD + "x",
            "usable_password": "true",
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed", FOLDED_AMY)
def test_admin_add_user_refuses_every_folded_form_of_an_existing_address(
    admin_client, applicant_user, typed
):
    before = User.objects.count()
    response = _add_user(admin_client, typed, applicant_user.firm_id)
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert User.objects.count() == before
    assert _login("amy@example.test") == 302  # the first account still logs in


@pytest.mark.django_db
@pytest.mark.parametrize("typed", LOOKALIKE_AMY)
def test_admin_add_user_refuses_a_lookalike_address_with_a_message(
    admin_client, applicant_user, typed
):
    before = User.objects.count()
    response = _add_user(admin_client, typed, applicant_user.firm_id)
    assert response.status_code == 200
    assert "different alphabets" in response.content.decode()
    assert User.objects.count() == before


@pytest.mark.django_db
def test_admin_add_user_stores_the_normalised_address(admin_client, firm):
    response = _add_user(admin_client, "Ｎｅｗ.Ｐｅｒｓｏｎ＠Example．test", firm.pk)
    assert response.status_code == 302
    user = User.objects.get(email_canonical="new.person@example.test")
    assert user.email == "new.person@example.test"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", FOLDED_AMY)
def test_admin_add_applicant_refuses_a_folded_form_of_an_existing_applicant(
    admin_client, applicant, typed
):
    response = admin_client.post(
        reverse("admin:cases_applicant_add"),
        {"given_names": "Amy", "family_name": "Twin", "email": typed},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Applicant.objects.filter(firm=applicant.firm).count() == 1


# --- opening a case (web and API) -------------------------------------------------------------


def _open_web(client, advisor, email: str):  # type: ignore[no-untyped-def]
    k = VisaType.objects.get(firm=advisor.firm, code="K")
    return client.post(
        reverse("cases:open"), {**NEW_APPLICANT, "email": email, "visa_type": k.pk}, follow=True
    )


def _open_api(api, email: str):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/cases/", {"visa_type": "K", "email": email, **NEW_APPLICANT})


@pytest.mark.django_db
@pytest.mark.parametrize("typed", FOLDED_AMY)
def test_opening_with_a_folded_form_of_a_colleagues_applicant_claims_nobody(
    client_for, api_for, advisor, other_advisor, typed, mailoutbox
):
    open_case(applicant=ApplicantFactory(email="amy@example.test"), advisor=other_advisor)
    before = Case.objects.count()
    page = _open_web(client_for(advisor), advisor, typed)
    assert page.status_code == 200
    assert str(NOT_AVAILABLE).split(";")[0] in page.content.decode()
    api = _open_api(api_for(advisor), typed)
    assert api.status_code == 400
    assert api.json()["detail"] == str(NOT_AVAILABLE)
    assert api.json()["details"] == {"field": "email"}
    assert Case.objects.count() == before
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("typed", LOOKALIKE_AMY)
def test_opening_with_a_lookalike_answers_alike_whether_or_not_the_address_exists(
    client_for, api_for, advisor, other_advisor, typed
):
    """The refusal depends on the address only, so it cannot tell whether Amy is registered."""
    answers = []
    for exists in (False, True):
        if exists:
            amy = ApplicantFactory(email="amy@example.test")
            open_case(applicant=amy, advisor=other_advisor)
        page = _open_web(client_for(advisor), advisor, typed)
        api = _open_api(api_for(advisor), typed)
        assert page.status_code == 200
        assert api.status_code == 400
        answers.append((page.content.decode().count("different alphabets"), api.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] >= 1
    assert "different alphabets" in answers[0][1]["fields"]["email"][0]
    assert not Case.objects.filter(advisor=advisor).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["amy@раураӏ.com", "amy@\u0301example.test"])
def test_opening_with_an_imitating_or_broken_domain_is_a_field_error_not_a_500(
    client_for, api_for, advisor, typed
):
    page = _open_web(client_for(advisor), advisor, typed)
    assert page.status_code == 200
    assert "errorlist" in page.content.decode() or "error" in page.content.decode()
    api = _open_api(api_for(advisor), typed)
    assert api.status_code in (201, 400)  # never 500
    if api.status_code == 400:
        assert "email" in api.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["SOPHIE@second.test", "ｓｏｐｈｉｅ＠second．test"])
def test_a_folded_form_of_another_firms_login_answers_as_a_new_address_and_mails_the_stored_one(
    api_for, advisor, other_firm_applicant, typed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _open_api(api_for(advisor), typed)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert case.applicant.user is None  # firm B's login is never linked
    assert case.applicant.email_canonical == "sophie@second.test"
    # Firm B's account owner is told at the address stored for them, not at the typed one.
    assert [m.to for m in mailoutbox] == [["sophie@second.test"]]


@pytest.mark.django_db
def test_a_new_applicant_is_stored_and_invited_at_the_normalised_address(
    api_for, advisor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _open_api(api_for(advisor), "Ｎｉｎａ.Ｎｅｗ\u200b＠Example．test")
    assert response.status_code == 201, response.json()
    applicant = Case.objects.get(pk=response.json()["id"]).applicant
    assert applicant.email == "Nina.New@example.test"
    assert applicant.email_canonical == "nina.new@example.test"
    assert applicant.user.email == "nina.new@example.test"
    assert [m.to for m in mailoutbox] == [["nina.new@example.test"]]
