"""Invitations (issue 10): status on the advisor's case page (sent, opened, accepted,
expired, in the viewer's time zone), "Send again" (earlier links stop working and say that a
newer email was sent), at most 3 sends an hour, and the advisor told of the acceptance."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from cases.models import CaseEvent, EventKind, Notification, ReminderKind
from cases.selectors.invitations import invitation_status_for_case
from cases.services.applicants import case_invitation_resend
from portal.errors import InvalidInput, NotAllowed, RateLimited
from portal.invitations import invitation_send
from portal.models import Invitation
from tests.factories import open_case, title_of

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NEW_PASSWORD = "a-long-new-password-2026"


@pytest.fixture
def invitee_case(applicant, advisor):
    """A case whose applicant login has no password yet (as after intake)."""
    login = applicant.user
    login.set_unusable_password()
    login.save()
    return open_case(applicant=applicant, advisor=advisor)


def _link_path(message) -> str:
    (url,) = re.findall(r"https?://\S+/accounts/invitation/\S+/", message.body)
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """``send(case, actor, at)``: "Send again" at instant ``at``, its email sent on commit."""

    def run(case, actor, at):
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return case_invitation_resend(case=case, actor=actor)

    return run


# --- sending again ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_again_invalidates_the_earlier_link_which_says_a_newer_email_was_sent(
    invitee_case, advisor, send
):
    send(invitee_case, advisor, T0)
    old = _link_path(mail.outbox[-1])
    send(invitee_case, advisor, T0 + dt.timedelta(minutes=5))
    new = _link_path(mail.outbox[-1])
    assert old != new
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        page = Client().get(old, follow=True).content.decode()
        assert "a newer invitation email was sent to you on 2026-03-10" in page
        assert 'name="new_password1"' not in page
        form = Client().get(new, follow=True).content.decode()
        assert 'name="new_password1"' in form
    event = CaseEvent.objects.filter(case=invitee_case, kind=EventKind.INVITE).last()
    assert "Invitation sent again" in event.summary_text


@pytest.mark.django_db
def test_fourth_send_within_an_hour_is_refused_saying_when_in_the_senders_zone(
    invitee_case, advisor, send
):
    advisor.time_zone = "Asia/Shanghai"
    advisor.save(update_fields=["time_zone"])
    for minutes in (0, 10, 20):
        send(invitee_case, advisor, T0 + dt.timedelta(minutes=minutes))
    with pytest.raises(RateLimited) as err:
        send(invitee_case, advisor, T0 + dt.timedelta(minutes=30))
    # The oldest of the three was at 10:00 Shanghai time: free again at 11:00 there.
    assert "You can send it again at 11:00 on 2026-03-10" in err.value.message
    assert err.value.status == 429
    assert Invitation.objects.count() == 3
    send(invitee_case, advisor, T0 + dt.timedelta(minutes=61))
    assert Invitation.objects.count() == 4


@pytest.mark.django_db
def test_the_first_invitation_at_intake_counts_towards_the_limit(
    advisor, django_capture_on_commit_callbacks, settings, send
):
    settings.INVITATION_MAX_SENDS_PER_HOUR = 1
    from cases.services.opening import case_open_for_applicant

    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        from cases.models import VisaType

        case, _created = case_open_for_applicant(
            actor=advisor,
            visa_type=VisaType.objects.get(code="K"),
            advisor=advisor,
            applicant_fields={
                "given_names": "Ivy",
                "family_name": "Invitee",
                "email": "ivy@example.test",
                "preferred_language": "en",
            },
        )
    assert Invitation.objects.filter(user__email="ivy@example.test").count() == 1
    with pytest.raises(RateLimited):
        send(case, advisor, T0 + dt.timedelta(minutes=1))


@pytest.mark.django_db
def test_no_invitation_once_the_applicant_has_a_password(case, advisor):
    with pytest.raises(InvalidInput, match="already set a password"):
        case_invitation_resend(case=case, actor=advisor)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_only_case_staff_may_send_again(invitee_case, other_advisor, other_firm_advisor):
    for outsider in (other_advisor, other_firm_advisor, invitee_case.applicant.user):
        with pytest.raises(NotAllowed):
            case_invitation_resend(case=invitee_case, actor=outsider)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_staff_logins_are_never_invited(advisor, other_advisor):
    with pytest.raises(InvalidInput):
        invitation_send(user=other_advisor, sent_by=advisor)


# --- status -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_status_goes_sent_opened_accepted_and_the_advisor_is_told(invitee_case, advisor, send):
    send(invitee_case, advisor, T0)
    link = _link_path(mail.outbox[-1])
    assert invitation_status_for_case(case=invitee_case, now=T0).state == "sent"
    client = Client()
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        form = client.get(link, follow=True)
        client.get(link, follow=True)  # a second visit keeps the first time
    status = invitation_status_for_case(case=invitee_case, now=T0 + dt.timedelta(hours=1))
    assert status.state == "opened"
    assert status.opened_at == T0 + dt.timedelta(hours=1)
    with time_machine.travel(T0 + dt.timedelta(hours=1, minutes=3), tick=False):
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert done.status_code == 302
    invitee_case.applicant.user.refresh_from_db()
    status = invitation_status_for_case(case=invitee_case)
    assert status.state == "accepted"
    assert status.accepted_at == T0 + dt.timedelta(hours=1, minutes=3)
    assert not status.can_send
    note = Notification.objects.get(user=advisor)
    assert note.delivery.rule.kind == ReminderKind.INVITATION_ACCEPTED
    assert "accepted the invitation" in title_of(note)


@pytest.mark.django_db
def test_status_is_expired_after_seven_days_and_the_old_link_says_so(invitee_case, advisor, send):
    send(invitee_case, advisor, T0)
    link = _link_path(mail.outbox[-1])
    later = T0 + dt.timedelta(days=7, minutes=1)
    status = invitation_status_for_case(case=invitee_case, now=later)
    assert status.state == "expired"
    assert status.can_send
    with time_machine.travel(later, tick=False):
        page = Client().get(link, follow=True).content.decode()
    assert "This invitation link has expired: it was sent on 2026-03-10" in page


@pytest.mark.django_db
def test_case_page_shows_the_status_in_the_viewers_time_zone(
    client_for, invitee_case, advisor, send
):
    advisor.time_zone = "Asia/Shanghai"
    advisor.save(update_fields=["time_zone"])
    send(invitee_case, advisor, T0)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        page = client_for(advisor).get(reverse("cases:detail", args=[invitee_case.pk]))
    text = page.content.decode()
    assert "Applicant&#x27;s invitation" in text or "Applicant's invitation" in text
    # 02:00 UTC is 10:00 in Shanghai, shown with the zone's abbreviation
    assert "on 2026-03-10 10:00 CST; not opened yet" in text
    assert "until 2026-03-17 10:00 CST" in text
    assert reverse("cases:invitation_resend", args=[invitee_case.pk]) in text


@pytest.mark.django_db
def test_case_page_in_chinese_shows_the_status_in_chinese(client_for, invitee_case, advisor, send):
    advisor.preferred_language = "zh-hans"
    advisor.save(update_fields=["preferred_language"])
    send(invitee_case, advisor, T0)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        text = client_for(advisor).get(reverse("cases:detail", args=[invitee_case.pk])).content
    text = text.decode()
    assert "申请人的邀请" in text
    assert "再次发送" in text
    for english in ("Send again", "not opened yet", "earlier link", "Applicant's invitation"):
        assert english not in text


@pytest.mark.django_db
def test_old_link_page_in_chinese(invitee_case, advisor, send):
    send(invitee_case, advisor, T0)
    old = _link_path(mail.outbox[-1])
    send(invitee_case, advisor, T0 + dt.timedelta(minutes=1))
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(old, follow=True).content.decode()
    assert "更新的邀请邮件" in page
    assert "newer invitation" not in page


# --- the route ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_again_route_refuses_everyone_but_case_staff_with_404(
    client_for,
    invitee_case,
    other_applicant_user,
    other_advisor,
    other_firm_advisor,
    other_firm_admin,
    other_firm_supervisor,
):
    url = reverse("cases:invitation_resend", args=[invitee_case.pk])
    outsiders = (
        invitee_case.applicant.user,
        other_applicant_user,
        other_advisor,
        other_firm_advisor,
        other_firm_supervisor,
        other_firm_admin,
    )
    for outsider in outsiders:
        assert client_for(outsider).post(url).status_code == 404
    assert client_for(other_advisor).get(url).status_code == 405
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_send_again_route_sends_for_the_advisor_and_explains_the_limit(
    client_for, invitee_case, advisor, supervisor, django_capture_on_commit_callbacks
):
    url = reverse("cases:invitation_resend", args=[invitee_case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(advisor).post(url, follow=True)
    assert "A new invitation was sent to" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [invitee_case.applicant.user.email]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client_for(supervisor).post(url)
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(advisor).post(url, follow=True).content.decode()
    assert "already sent 3 times in the last hour" in page
    assert "You can send it again at" in page
    assert Invitation.objects.count() == 3


@pytest.mark.django_db
def test_case_page_queries_do_not_grow_with_invitations(
    client_for,
    invitee_case,
    advisor,
    send,
    django_assert_max_num_queries,
):
    client = client_for(advisor)
    url = reverse("cases:detail", args=[invitee_case.pk])

    def count() -> int:
        with django_assert_max_num_queries(80) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    send(invitee_case, advisor, T0)
    one = count()
    for minutes in (61, 122, 183):
        send(invitee_case, advisor, T0 + dt.timedelta(minutes=minutes))
    assert count() == one
