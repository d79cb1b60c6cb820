"""Removing a degree, a job or a task asks first (a GET confirmation page, then a POST), and
bulk due dates refuse past dates with the open-case form's rule and message (issue 10)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.models import CaseEvent, CaseTask, Education, Employment
from cases.services import reminders as reminder_services
from portal.errors import InvalidInput, NotAllowed
from tests.factories import add_education, add_employment, open_case

UTC = dt.UTC


def _my_url(kind, obj):
    return reverse("cases:my_qualification_delete", args=[kind, obj.pk])


def _case_url(case, kind, obj):
    return reverse("cases:case_qualification_delete", args=[case.pk, kind, obj.pk])


# --- degrees and jobs ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_sees_remove_this_degree_and_nothing_is_removed_by_the_get(
    client_for, applicant, applicant_user
):
    degree = add_education(applicant=applicant)
    response = client_for(applicant_user).get(_my_url("education", degree))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove this degree?" in page
    assert "Master" in page
    assert "2020-06-30" in page
    assert 'method="post"' in page
    assert "Yes, remove it" in page
    assert reverse("cases:my_qualifications") + "#education" in page  # "No, keep it"
    assert Education.objects.filter(pk=degree.pk).exists()


@pytest.mark.django_db
def test_applicant_removes_a_degree_after_confirming(client_for, applicant, applicant_user):
    degree = add_education(applicant=applicant)
    response = client_for(applicant_user).post(_my_url("education", degree))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:my_qualifications") + "#education"
    assert not Education.objects.filter(pk=degree.pk).exists()


@pytest.mark.django_db
def test_applicant_confirms_removing_a_job(client_for, applicant, applicant_user):
    job = add_employment(applicant=applicant)
    client = client_for(applicant_user)
    page = client.get(_my_url("employment", job)).content.decode()
    assert "Remove this job?" in page
    assert "Research scientist" in page
    assert "2021-01-01" in page
    client.post(_my_url("employment", job))
    assert not Employment.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_the_list_links_to_the_confirmation_instead_of_removing_at_once(
    client_for, applicant, applicant_user
):
    degree = add_education(applicant=applicant)
    page = client_for(applicant_user).get(reverse("cases:my_qualifications")).content.decode()
    url = _my_url("education", degree)
    assert f'<a href="{url}">' in page
    assert f'action="{url}"' not in page


@pytest.mark.django_db
def test_another_applicant_gets_404_for_the_confirmation_and_the_removal(
    client_for, applicant, other_applicant_user, other_firm_applicant_user
):
    degree = add_education(applicant=applicant)
    for user in (other_applicant_user, other_firm_applicant_user):
        client = client_for(user)
        assert client.get(_my_url("education", degree)).status_code == 404
        assert client.post(_my_url("education", degree)).status_code == 404
    assert Education.objects.filter(pk=degree.pk).exists()


@pytest.mark.django_db
def test_case_staff_confirm_removing_a_degree_and_outsiders_get_404(
    client_for, case, advisor, other_advisor, other_firm_advisor, other_firm_admin
):
    degree = add_education(applicant=case.applicant)
    url = _case_url(case, "education", degree)
    for outsider in (other_advisor, other_firm_advisor, other_firm_admin, case.applicant.user):
        client = client_for(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert Education.objects.filter(pk=degree.pk).exists()
    client = client_for(advisor)
    assert "Remove this degree?" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"].endswith("#education")
    assert not Education.objects.filter(pk=degree.pk).exists()


@pytest.mark.django_db
def test_a_degree_of_another_applicant_under_this_case_is_404(
    client_for, case, advisor, other_applicant
):
    theirs = add_education(applicant=other_applicant)
    assert client_for(advisor).get(_case_url(case, "education", theirs)).status_code == 404


@pytest.mark.django_db
def test_unknown_kind_or_row_is_404(client_for, applicant, applicant_user):
    client = client_for(applicant_user)
    assert client.get("/my/qualifications/education/999999/delete/").status_code == 404
    assert client.get("/my/qualifications/passport/1/delete/").status_code == 404


@pytest.mark.django_db
def test_confirmation_page_is_all_chinese_for_a_chinese_speaking_applicant(
    client_for, applicant, applicant_user
):
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    job = add_employment(applicant=applicant, role="研究员")
    page = client_for(applicant_user).get(_my_url("employment", job)).content.decode()
    assert "删除这份工作？" in page
    assert "是的，删除" in page
    assert "不，保留" in page
    for english in ("Remove this", "Yes, remove", "keep it", "cannot be undone", "Period"):
        assert english not in page


# --- tasks --------------------------------------------------------------------------------------


@pytest.fixture
def task(case, advisor):
    return reminder_services.task_create(
        case=case, title="Call the consulate", due_date=None, assignee=None, actor=advisor
    )


def _task_url(case, task):
    return reverse("reminders:task_delete", args=[case.pk, task.pk])


@pytest.mark.django_db
def test_advisor_confirms_then_removes_a_task_with_a_timeline_entry(
    client_for, case, advisor, task
):
    client = client_for(advisor)
    page = client.get(_task_url(case, task)).content.decode()
    assert "Remove this task?" in page
    assert "Call the consulate" in page
    assert CaseTask.objects.filter(pk=task.pk).exists()
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _task_url(case, task) in detail
    response = client.post(_task_url(case, task))
    assert response["Location"] == reverse("cases:detail", args=[case.pk]) + "#tasks"
    assert not CaseTask.objects.filter(pk=task.pk).exists()
    event = CaseEvent.objects.get(data__what="task", data__change="removed")
    assert event.internal
    assert event.actor == advisor


@pytest.mark.django_db
def test_task_removal_is_404_for_the_applicant_other_advisors_and_other_firms(
    client_for, case, task, other_advisor, other_firm_advisor, other_firm_supervisor
):
    url = _task_url(case, task)
    for outsider in (case.applicant.user, other_advisor, other_firm_advisor, other_firm_supervisor):
        client = client_for(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert CaseTask.objects.filter(pk=task.pk).exists()


@pytest.mark.django_db
def test_a_task_of_another_case_is_404_under_this_case(client_for, case, advisor, task):
    mine = open_case(advisor=advisor)
    url = reverse("reminders:task_delete", args=[mine.pk, task.pk])
    assert client_for(advisor).get(url).status_code == 404
    assert client_for(advisor).post(url).status_code == 404
    assert CaseTask.objects.filter(pk=task.pk).exists()


@pytest.mark.django_db
def test_task_delete_service_refuses_non_staff_and_is_idempotent(task, advisor, other_advisor):
    with pytest.raises(NotAllowed):
        reminder_services.task_delete(task=task, actor=other_advisor)
    assert reminder_services.task_delete(task=task, actor=advisor) is True
    assert reminder_services.task_delete(task=task, actor=advisor) is False
    assert CaseEvent.objects.filter(data__what="task", data__change="removed").count() == 1


# --- bulk due dates refuse past dates -------------------------------------------------------


NOW = dt.datetime(2026, 3, 10, 20, tzinfo=UTC)  # already 11 March in Shanghai


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_bulk_due_date_in_the_past_is_refused_and_nothing_changes(frozen, advisor, case):
    before = case.requirements.get(code="digital-photo").due_date
    with pytest.raises(InvalidInput) as err:
        reminder_services.requirement_bulk_set_due_date(
            actor=advisor, case_ids=[case.pk], code="digital-photo", due_date=dt.date(2026, 3, 9)
        )
    assert err.value.details["field"] == "due_date"
    assert err.value.message == (
        "The due date is in the past (2026-03-09); enter today's date or a later one."
    )
    assert case.requirements.get(code="digital-photo").due_date == before


@pytest.mark.django_db
def test_bulk_due_date_today_is_past_only_where_the_case_day_has_moved_on(frozen, advisor):
    london, shanghai = open_case(advisor=advisor), open_case(advisor=advisor)
    shanghai.time_zone = "Asia/Shanghai"
    shanghai.save(update_fields=["time_zone"])
    today_utc = dt.date(2026, 3, 10)
    changed = reminder_services.requirement_bulk_set_due_date(
        actor=advisor, case_ids=[london.pk], code="digital-photo", due_date=today_utc
    )
    assert changed == 1
    with pytest.raises(InvalidInput, match="in the past"):
        reminder_services.requirement_bulk_set_due_date(
            actor=advisor,
            case_ids=[london.pk, shanghai.pk],
            code="cv",
            due_date=today_utc,
        )
    assert london.requirements.get(code="cv").due_date != today_utc  # all or nothing


@pytest.mark.django_db
def test_bulk_page_shows_the_past_date_message_beside_the_field(frozen, client_for, advisor, case):
    response = client_for(advisor).post(
        reverse("reminders:bulk_due_date"),
        {"code": "digital-photo", "due_date": "2026-03-01", "cases": [case.pk]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The due date is in the past (2026-03-01)" in page
    assert "Please correct the fields marked below." in page


@pytest.mark.django_db
def test_open_case_form_uses_the_same_rule_and_message(frozen, client_for, advisor):
    from cases.models import Case, VisaType

    data = {
        "visa_type": VisaType.objects.get(code="K").pk,
        "given_names": "A",
        "family_name": "B",
        "email": "ab@example.test",
        "preferred_language": "en",
        "target_submission_date": "2026-03-01",
    }
    page = client_for(advisor).post(reverse("cases:open"), data).content.decode()
    assert "The target submission date is in the past (2026-03-01); enter today" in page
    assert not Case.objects.filter(applicant__email="ab@example.test").exists()


@pytest.mark.django_db
def test_bulk_past_date_message_in_chinese(frozen, client_for, advisor, case):
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    page = (
        client_for(advisor)
        .post(
            reverse("reminders:bulk_due_date"),
            {"code": "digital-photo", "due_date": "2026-03-01", "cases": [case.pk]},
        )
        .content.decode()
    )
    assert "截止日期（2026-03-01）已过；请输入今天或以后的日期。" in page
