"""Case steps on the advisor's case page (tick, untick, messages) and the applicant's page
("Book your visa centre appointment by ..."), in English and Chinese; outsiders get 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, EventKind, Stage
from cases.reminders.schedule import local_today
from cases.services import steps as step_services
from tests.factories import case_at
from tests.queries import assert_flat_queries


def _tick_url(case, code):  # type: ignore[no-untyped-def]
    step = case.steps.get(code=code)
    return step, reverse("cases:step_tick", args=[case.pk, step.pk])


@pytest.mark.django_db
def test_advisor_ticks_a_step_on_the_case_page(client_for, case, advisor):
    step, url = _tick_url(case, "online-form")
    day = local_today(timezone.now(), case.time_zone)
    response = client_for(advisor).post(
        url, {f"step{step.pk}-done_on": day.isoformat(), f"step{step.pk}-note": "Sent"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#step-{step.pk}")
    step.refresh_from_db()
    assert (step.done_on, step.done_note) == (day, "Sent")
    page = client_for(advisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'id="step-{step.pk}"' in page
    assert "Untick (not done after all)" in page
    assert "Note: Sent" in page
    response = client_for(advisor).post(reverse("cases:step_untick", args=[case.pk, step.pk]))
    step.refresh_from_db()
    assert step.done_on is None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STEP).count() == 2


@pytest.mark.django_db
def test_a_future_date_is_a_message_not_a_500(client_for, case, advisor):
    step, url = _tick_url(case, "online-form")
    future = local_today(timezone.now(), case.time_zone) + dt.timedelta(days=3)
    client = client_for(advisor)
    response = client.post(url, {f"step{step.pk}-done_on": future.isoformat()}, follow=True)
    assert response.status_code == 200
    assert "is in the future" in response.content.decode()
    response = client.post(url, {f"step{step.pk}-done_on": "31/02/2026"}, follow=True)
    assert "Date done" in response.content.decode()
    step.refresh_from_db()
    assert step.done_on is None


@pytest.mark.django_db
def test_outsiders_cannot_tick_or_untick(
    client_for, case, applicant_user, other_advisor, other_firm_advisor, other_firm_admin
):
    step, url = _tick_url(case, "online-form")
    today = local_today(timezone.now(), case.time_zone).isoformat()
    for user in (applicant_user, other_advisor, other_firm_advisor, other_firm_admin):
        client = client_for(user)
        assert client.post(url, {f"step{step.pk}-done_on": today}).status_code == 404
        untick = reverse("cases:step_untick", args=[case.pk, step.pk])
        assert client.post(untick).status_code == 404
    step.refresh_from_db()
    assert step.done_on is None


@pytest.mark.django_db
def test_a_step_of_another_case_is_404_under_this_case(client_for, case, advisor, other_firm_case):
    foreign = other_firm_case.steps.first()
    url = reverse("cases:step_tick", args=[case.pk, foreign.pk])
    assert client_for(advisor).post(url, {}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Book your visa centre appointment by March 4, 2026"),
        ("zh-hans", "预约签证中心递交时间：请在2026年3月4日前完成"),
    ],
)
def test_applicant_sees_their_visible_steps_in_their_language(
    client_for, case, advisor, applicant_user, language, expected
):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 2, 27, 12, tzinfo=dt.UTC), tick=False):
        case = case_at(Stage.READY, case=case)
    form = case.steps.get(code="online-form")
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        step_services.step_tick(step=form, done_on=dt.date(2026, 3, 1), actor=advisor)
        hidden = case.steps.get(code="biometrics")
        hidden.visible_to_applicant = False
        hidden.save(update_fields=["visible_to_applicant"])
        applicant_user.preferred_language = language
        applicant_user.save(update_fields=["preferred_language"])
        page = client_for(applicant_user).get(reverse("cases:my_detail", args=[case.pk]))
    html = page.content.decode()
    assert expected in html
    assert hidden.name_en not in html
    assert hidden.name_zh not in html
    assert "Tick as done" not in html


@pytest.mark.django_db
def test_case_page_queries_do_not_grow_with_steps(client_for, case, advisor):
    from cases.models import CaseStep

    url = reverse("cases:detail", args=[case.pk])
    client = client_for(advisor)

    def grow() -> None:
        CaseStep.objects.bulk_create(
            CaseStep(
                firm_id=case.firm_id,
                case=case,
                code=f"extra-{i}",
                position=100 + i,
                stage=Stage.INTAKE,
                name_en=f"Extra {i}",
                name_zh=f"额外 {i}",
            )
            for i in range(10)
        )

    assert_flat_queries(lambda: client.get(url), grow)
