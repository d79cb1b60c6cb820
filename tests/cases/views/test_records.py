"""Pages of the record edits: staff edit the applicant's and the case's details, confirm or
decline corrections; the applicant sees their details and proposes a correction."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Applicant, Case, CaseEvent, CorrectionProposal, CorrectionStatus
from cases.services.corrections import correction_propose
from tests.factories import AdvisorFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _applicant_form(applicant, **changes):
    applicant.refresh_from_db()
    data = {
        "version": applicant.version,
        "given_names": applicant.given_names,
        "family_name": applicant.family_name,
        "date_of_birth": applicant.date_of_birth.isoformat() if applicant.date_of_birth else "",
        "nationality": applicant.nationality.code or "",
        "passport_number": applicant.passport_number,
        "passport_expiry": applicant.passport_expiry.isoformat()
        if applicant.passport_expiry
        else "",
    }
    return data | changes


def _case_form(case, **changes):
    case.refresh_from_db()
    data = {
        "version": case.version,
        "intended_entry_date": case.intended_entry_date.isoformat()
        if case.intended_entry_date
        else "",
        "target_submission_date": "",
        "time_zone": case.time_zone,
    }
    return data | changes


def test_case_page_links_to_both_edit_pages(client_for, case, advisor):
    page = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:applicant_edit", args=[case.pk]) in page
    assert reverse("cases:case_edit", args=[case.pk]) in page


def test_advisor_edits_the_applicant_and_the_timeline_shows_a_masked_passport(
    client_for, case, advisor
):
    client = client_for(advisor)
    url = reverse("cases:applicant_edit", args=[case.pk])
    response = client.post(
        url, _applicant_form(case.applicant, family_name="Lee", passport_number="X12345678")
    )
    assert response.status_code == 302
    applicant = Applicant.objects.get(pk=case.applicant_id)
    assert (applicant.family_name, applicant.passport_number) == ("Lee", "X12345678")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "******678" in page
    assert "X12345678" not in page.split('id="timeline-h"')[1]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"family_name": "Le\x00e"}, "family_name"),
        ({"family_name": "L" * 121}, "family_name"),
        ({"date_of_birth": (TODAY + dt.timedelta(days=2)).isoformat()}, "date_of_birth"),
        ({"passport_expiry": "9999-01-01"}, "passport_expiry"),
    ],
)
def test_bad_applicant_input_is_a_form_error_and_nothing_changes(
    client_for, case, advisor, changes, field
):
    before = Applicant.objects.values().get(pk=case.applicant_id)
    url = reverse("cases:applicant_edit", args=[case.pk])
    response = client_for(advisor).post(url, _applicant_form(case.applicant, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Applicant.objects.values().get(pk=case.applicant_id) == before


def test_a_stale_applicant_form_is_refused_with_a_message(client_for, case, advisor, supervisor):
    stale = _applicant_form(case.applicant, family_name="Mine")
    client_for(supervisor).post(
        reverse("cases:applicant_edit", args=[case.pk]),
        _applicant_form(case.applicant, family_name="Theirs"),
    )
    response = client_for(advisor).post(reverse("cases:applicant_edit", args=[case.pk]), stale)
    assert response.status_code == 200
    assert "Someone else changed these details" in response.content.decode()
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Theirs"


def test_advisor_edits_case_dates_and_zone(client_for, case, advisor):
    url = reverse("cases:case_edit", args=[case.pk])
    entry = TODAY + dt.timedelta(days=120)
    response = client_for(advisor).post(
        url,
        _case_form(
            case,
            intended_entry_date=entry.isoformat(),
            target_submission_date=(TODAY + dt.timedelta(days=30)).isoformat(),
            time_zone="Asia/Shanghai",
        ),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.intended_entry_date, case.time_zone) == (entry, "Asia/Shanghai")
    assert CaseEvent.objects.filter(case=case, data__record="case").count() == 3


def test_the_advisor_field_is_only_for_supervisors(client_for, case, advisor, supervisor):
    url = reverse("cases:case_edit", args=[case.pk])
    assert "advisor" not in client_for(advisor).get(url).context["form"].fields
    assert "advisor" in client_for(supervisor).get(url).context["form"].fields
    # A forged advisor field from an advisor is ignored: the form does not have it.
    other = AdvisorFactory()
    client_for(advisor).post(url, _case_form(case, advisor=other.pk))
    assert Case.objects.get(pk=case.pk).advisor == advisor


def test_supervisor_reassigns_and_the_ex_advisor_gets_404_on_every_new_page(
    client_for, case, advisor, supervisor, applicant_user
):
    new = AdvisorFactory()
    response = client_for(supervisor).post(
        reverse("cases:case_edit", args=[case.pk]), _case_form(case, advisor=new.pk)
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).advisor == new
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    ex = client_for(advisor)
    for url in (
        reverse("cases:case_edit", args=[case.pk]),
        reverse("cases:applicant_edit", args=[case.pk]),
    ):
        assert ex.get(url).status_code == 404
        assert ex.post(url, {}).status_code == 404
    decide = reverse("cases:correction_decision", args=[case.pk, proposal.pk])
    assert ex.post(decide, {"decision": "confirm"}).status_code == 404
    assert CorrectionProposal.objects.get(pk=proposal.pk).status == CorrectionStatus.PENDING


@pytest.mark.parametrize(
    "who", ["other_advisor", "other_firm_advisor", "other_firm_admin", "applicant_user"]
)
def test_outsiders_get_404_on_the_edit_pages(request, client_for, case, who):
    client = client_for(request.getfixturevalue(who))
    for name in ("cases:case_edit", "cases:applicant_edit"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
        assert client.post(reverse(name, args=[case.pk]), {}).status_code == 404


def test_applicant_proposes_sees_the_status_and_the_advisor_confirms(
    client_for, case, advisor, applicant_user
):
    me = client_for(applicant_user)
    page = me.get(reverse("cases:my_details")).content.decode()
    assert reverse("cases:my_correction") in page
    form = _applicant_form(case.applicant, family_name="Li") | {"note": "Typo at intake"}
    form.pop("version")
    assert me.post(reverse("cases:my_correction"), form).status_code == 302
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Applicant"
    assert "Waiting for your advisor" in me.get(reverse("cases:my_details")).content.decode()

    staff = client_for(advisor)
    page = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Correction proposed by the applicant" in page
    assert "Typo at intake" in page
    proposal = CorrectionProposal.objects.get()
    response = staff.post(
        reverse("cases:correction_decision", args=[case.pk, proposal.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 302
    assert Applicant.objects.get(pk=case.applicant_id).family_name == "Li"
    assert "Confirmed" in me.get(reverse("cases:my_details")).content.decode()


def test_a_declined_correction_shows_the_reason_to_the_applicant(
    client_for, case, advisor, applicant_user
):
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Li"}
    )
    url = reverse("cases:correction_decision", args=[case.pk, proposal.pk])
    client_for(advisor).post(url, {"decision": "decline", "reason": ""})
    assert CorrectionProposal.objects.get().status == CorrectionStatus.PENDING
    client_for(advisor).post(url, {"decision": "decline", "reason": "The passport says Lee."})
    page = client_for(applicant_user).get(reverse("cases:my_details")).content.decode()
    assert "The passport says Lee." in page
    assert "Declined" in page


def test_an_applicant_proposal_with_a_future_birth_date_is_a_form_error(
    client_for, case, applicant_user
):
    form = _applicant_form(case.applicant, date_of_birth=(TODAY + dt.timedelta(days=1)).isoformat())
    form.pop("version")
    response = client_for(applicant_user).post(reverse("cases:my_correction"), form)
    assert response.status_code == 200
    assert "must be in the past" in response.content.decode()
    assert not CorrectionProposal.objects.exists()


def test_another_applicant_and_other_firms_cannot_decide_or_see_a_correction(
    client_for, case, applicant_user, other_applicant_user, other_firm_advisor, other_advisor
):
    proposal = correction_propose(
        applicant=case.applicant, actor=applicant_user, changes={"family_name": "Zhangwei"}
    )
    url = reverse("cases:correction_decision", args=[case.pk, proposal.pk])
    for user in (applicant_user, other_applicant_user, other_firm_advisor, other_advisor):
        assert client_for(user).post(url, {"decision": "confirm"}).status_code == 404
    page = client_for(other_applicant_user).get(reverse("cases:my_details")).content.decode()
    assert "Zhangwei" not in page
    assert CorrectionProposal.objects.get().status == CorrectionStatus.PENDING


def test_a_correction_of_another_applicant_is_404_under_this_case(
    client_for, case, advisor, supervisor, applicant_user, other_applicant
):
    from tests.factories import open_case

    other_case = open_case(applicant=other_applicant, advisor=advisor)
    proposal = correction_propose(
        applicant=other_applicant, actor=other_applicant.user, changes={"family_name": "X"}
    )
    url = reverse("cases:correction_decision", args=[case.pk, proposal.pk])
    assert client_for(supervisor).post(url, {"decision": "confirm"}).status_code == 404
    assert other_case.pk != case.pk


def test_staff_have_no_my_details_page(client_for, advisor):
    assert client_for(advisor).get(reverse("cases:my_details")).status_code == 404
    assert client_for(advisor).get(reverse("cases:my_correction")).status_code == 404


@pytest.mark.parametrize("name", ["cases:applicant_edit", "cases:case_edit"])
def test_edit_pages_cost_a_fixed_number_of_queries(
    client_for, case, supervisor, django_assert_max_num_queries, name
):
    client = client_for(supervisor)
    url = reverse(name, args=[case.pk])
    client.get(url)  # warm the session and the caches
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_case_page_with_a_pending_correction_costs_two_more_queries_at_most(
    client_for, case, advisor, applicant_user
):
    from tests.queries import count_queries

    client = client_for(advisor)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)
    before = count_queries(lambda: client.get(url))
    correction_propose(
        applicant=case.applicant,
        actor=applicant_user,
        changes={"family_name": "Li", "passport_number": "E1", "nationality": "FR"},
    )
    assert count_queries(lambda: client.get(url)) <= before + 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_are_in_the_viewers_language(client_for, case, advisor, applicant_user, language):
    from django.utils import translation

    staff = client_for(advisor)
    me = client_for(applicant_user)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    for user_client, url in (
        (staff, reverse("cases:applicant_edit", args=[case.pk])),
        (staff, reverse("cases:case_edit", args=[case.pk])),
        (me, reverse("cases:my_details")),
        (me, reverse("cases:my_correction")),
    ):
        for user in (advisor, applicant_user):
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
        page = user_client.get(url, **headers).content.decode()
        with translation.override(language):
            expected = translation.gettext("Propose a correction")
        if language == "zh-hans":
            assert "Edit applicant details" not in page
            assert "Propose a correction" not in page
            assert "Save changes" not in page
        assert (expected in page) == (url.startswith("/my/"))
