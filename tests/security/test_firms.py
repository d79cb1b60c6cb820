"""Firms (tenants): every read and write is scoped by firm first (issue 14).

The second firm's personas come from tests/conftest.py (``other_firm_*``). The route-by-route
cross-firm walk is tests/test_authz_matrix.py; these tests pin the rules behind it.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import selectors, services
from cases.models import Applicant, Case, CaseTask, Notification, VisaType
from cases.services.applicants import NOT_AVAILABLE
from cases.services.firms import firm_create
from portal.errors import InvalidInput, NotAllowed
from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User
from tests.factories import AdvisorFactory, ApplicantFactory, FirmAdminFactory, open_case

NEW_APPLICANT = {
    "given_names": "Nina",
    "family_name": "Newcomer",
    "preferred_language": "en",
}


# --- the model and its migration --------------------------------------------------------------


@pytest.mark.django_db
def test_migrations_install_the_default_firm_with_k_and_r():
    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    assert set(VisaType.objects.filter(firm=firm).values_list("code", flat=True)) == {"K", "R"}


@pytest.mark.django_db
def test_a_new_firm_gets_its_own_k_and_r_with_checklists(admin_user):
    firm = firm_create(name="Third Partners", slug="Third", actor=admin_user)
    assert firm.slug == "third"
    k = VisaType.objects.get(firm=firm, code="K")
    default_k = VisaType.objects.get(firm__slug=DEFAULT_FIRM_SLUG, code="K")
    assert k.pk != default_k.pk
    assert list(k.checklist.values_list("code", flat=True)) == list(
        default_k.checklist.values_list("code", flat=True)
    )


@pytest.mark.django_db
def test_only_platform_admins_create_firms_and_slugs_are_unique(firm_admin, admin_user):
    with pytest.raises(NotAllowed):
        firm_create(name="Mine", slug="mine", actor=firm_admin)
    with pytest.raises(InvalidInput):
        firm_create(name="Again", slug=DEFAULT_FIRM_SLUG, actor=admin_user)
    assert not Firm.objects.filter(slug="mine").exists()


@pytest.mark.django_db
def test_an_account_needs_a_firm_unless_platform_admin(firm):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Choose the firm"):
        User.objects.create_user(email="nofirm@example.test", role=Role.ADVISOR)
    platform = User.objects.create_superuser(email="root2@example.test", password="x" * 20)
    assert platform.firm is None
    assert platform.is_platform_admin


# --- reads: firm first ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_supervisor_sees_every_case_of_their_firm_only(
    case, supervisor, other_firm_case, other_firm_supervisor
):
    assert list(Case.objects.visible_to(supervisor)) == [case]
    assert list(Case.objects.visible_to(other_firm_supervisor)) == [other_firm_case]
    assert list(selectors.applicant_list_for_user(user=supervisor)) == [case.applicant]


@pytest.mark.django_db
def test_a_firm_admin_sees_their_firm_and_a_platform_admin_all(
    case, firm_admin, other_firm_admin, other_firm_case, admin_user
):
    assert list(Case.objects.visible_to(firm_admin)) == [case]
    assert list(Case.objects.visible_to(other_firm_admin)) == [other_firm_case]
    assert set(Case.objects.visible_to(admin_user)) == {case, other_firm_case}


@pytest.mark.django_db
def test_visa_types_listed_are_the_firms_own(api_for, advisor, other_firm_advisor, other_firm):
    ours = api_for(advisor).get("/api/v1/visa-types/").json()["results"]
    theirs = api_for(other_firm_advisor).get("/api/v1/visa-types/").json()["results"]
    assert [v["code"] for v in ours] == ["K", "R"] == [v["code"] for v in theirs]
    VisaType.objects.filter(firm=other_firm, code="R").update(name="Renamed by firm B")
    assert "Renamed by firm B" not in str(api_for(advisor).get("/api/v1/visa-types/R/").json())


@pytest.mark.django_db
def test_other_firm_staff_get_404_for_a_case_web_and_api(
    case, client_for, api_for, other_firm_supervisor, other_firm_admin
):
    for user in (other_firm_supervisor, other_firm_admin):
        assert client_for(user).get(reverse("cases:detail", args=[case.pk])).status_code == 404
        assert api_for(user).get(f"/api/v1/cases/{case.pk}/").status_code == 404


@pytest.mark.django_db
def test_audit_export_holds_only_the_firms_entries(
    client_for, firm_admin, other_firm_admin, admin_user
):
    from portal.audit import audit_update

    audit_update(other_firm_admin, actor=other_firm_admin, changes={"x": ["1", "2"]})
    audit_update(firm_admin, actor=firm_admin, changes={"y": ["1", "2"]})
    from django.utils import timezone

    today = timezone.now().date().isoformat()
    url = reverse("audit_export") + f"?start={today}&end={today}"
    ours = b"".join(client_for(firm_admin).get(url).streaming_content).decode("utf-8-sig")
    everyone = b"".join(client_for(admin_user).get(url).streaming_content).decode("utf-8-sig")
    assert firm_admin.email in ours
    assert other_firm_admin.email not in ours
    assert other_firm_admin.email in everyone


@pytest.mark.django_db
def test_each_firm_numbers_its_own_cases(case, other_firm_case):
    """A shared counter would tell each firm how many cases the others opened."""
    year = case.opened_on.year
    assert case.reference == other_firm_case.reference == f"K-{year}-00001"
    assert open_case(advisor=case.advisor).reference == f"K-{year}-00002"


# --- opening a case: applicants are found, never claimed --------------------------------------


def _open_payload(email: str, **extra: object) -> dict[str, object]:
    return {"visa_type": "K", "email": email, **NEW_APPLICANT, **extra}


@pytest.mark.django_db
def test_api_open_with_another_firms_applicant_email_does_not_link_them(
    api_for, advisor, other_firm_applicant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(advisor).post(
            "/api/v1/cases/", _open_payload(other_firm_applicant.email), format="json"
        )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    # A new applicant of the advisor's own firm, with none of firm B's recorded data...
    assert case.applicant != other_firm_applicant
    assert case.applicant.firm == advisor.firm
    assert case.applicant.passport_number == ""
    assert case.applicant.user is None  # the login belongs to firm B: never linked
    other_firm_applicant.refresh_from_db()
    assert other_firm_applicant.user.firm == other_firm_applicant.firm
    # ...and the address's owner is told, not the advisor.
    assert [m.to for m in mailoutbox] == [[other_firm_applicant.email]]
    assert "cannot see" in mailoutbox[0].body


@pytest.mark.django_db
def test_answer_for_another_firms_email_equals_the_answer_for_a_new_one(
    client_for, advisor, other_firm_applicant
):
    client = client_for(advisor)
    k = VisaType.objects.get(firm=advisor.firm, code="K")
    for email in (other_firm_applicant.email, "brand.new@example.test"):
        data = {**NEW_APPLICANT, "email": email, "visa_type": k.pk}
        response = client.post(reverse("cases:open"), data, follow=True)
        assert response.status_code == 200
        assert f"an invitation was sent to {email}" in response.content.decode()
    assert Case.objects.filter(firm=advisor.firm).count() == 2


@pytest.mark.django_db
def test_an_advisor_cannot_claim_a_colleagues_applicant_by_email(
    client_for, api_for, advisor, other_advisor, mailoutbox
):
    theirs = open_case(advisor=other_advisor).applicant
    before = Case.objects.count()
    response = api_for(advisor).post("/api/v1/cases/", _open_payload(theirs.email), format="json")
    assert response.status_code == 400
    assert str(NOT_AVAILABLE) in str(response.json())
    k = VisaType.objects.get(firm=advisor.firm, code="K")
    page = client_for(advisor).post(
        reverse("cases:open"), {**NEW_APPLICANT, "email": theirs.email.upper(), "visa_type": k.pk}
    )
    assert page.status_code == 200
    assert str(NOT_AVAILABLE).split(";")[0] in page.content.decode()
    assert theirs.passport_number not in page.content.decode()
    assert Case.objects.count() == before
    assert not selectors.applicant_list_for_user(user=advisor).filter(pk=theirs.pk).exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_second_case_for_a_visible_applicant_is_a_deliberate_choice(
    client_for, api_for, advisor, case
):
    applicant = case.applicant
    by_email = api_for(advisor).post("/api/v1/cases/", _open_payload(applicant.email))
    assert by_email.status_code == 400
    assert "Open another case" in str(by_email.json())
    r = VisaType.objects.get(firm=advisor.firm, code="R")
    url = reverse("cases:open") + f"?applicant={applicant.pk}"
    form = client_for(advisor).get(url).content.decode()
    assert applicant.full_name in form
    assert 'name="email"' not in form
    response = client_for(advisor).post(url, {"visa_type": r.pk}, follow=True)
    assert response.status_code == 200
    assert Case.objects.filter(applicant=applicant, visa_type=r).exists()
    api = api_for(advisor).post(
        "/api/v1/cases/", {"visa_type": "K", "applicant": applicant.pk}, format="json"
    )
    assert api.status_code == 201, api.json()
    assert Case.objects.filter(applicant=applicant).count() == 3


@pytest.mark.django_db
def test_choosing_an_applicant_one_may_not_see_is_404_or_400(
    client_for, api_for, advisor, other_advisor, other_firm_case
):
    colleague_applicant = open_case(advisor=other_advisor).applicant
    for applicant in (colleague_applicant, other_firm_case.applicant):
        url = reverse("cases:open") + f"?applicant={applicant.pk}"
        assert client_for(advisor).get(url).status_code == 404
        response = api_for(advisor).post(
            "/api/v1/cases/", {"visa_type": "K", "applicant": applicant.pk}, format="json"
        )
        assert response.status_code == 400
        assert "applicant" in response.json()["fields"]
    assert Case.objects.filter(advisor=advisor).count() == 0


@pytest.mark.django_db
def test_applicant_details_and_an_existing_applicant_together_are_refused(api_for, advisor, case):
    payload = {"visa_type": "K", "applicant": case.applicant_id, "email": "x@example.test"}
    response = api_for(advisor).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


@pytest.mark.django_db
def test_case_open_refuses_another_firms_visa_type_advisor_or_applicant(
    advisor, supervisor, other_firm, other_firm_advisor, other_firm_applicant
):
    theirs_k = VisaType.objects.get(firm=other_firm, code="K")
    ours_k = VisaType.objects.get(firm=advisor.firm, code="K")
    mine = ApplicantFactory()
    with pytest.raises(InvalidInput):
        services.case_open(applicant=mine, visa_type=theirs_k, advisor=advisor, actor=advisor)
    with pytest.raises(InvalidInput):
        services.case_open(
            applicant=mine, visa_type=ours_k, advisor=other_firm_advisor, actor=supervisor
        )
    with pytest.raises(NotAllowed):
        services.case_open(
            applicant=other_firm_applicant, visa_type=theirs_k, advisor=None, actor=supervisor
        )
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_open_form_offers_only_the_firms_visa_types_and_advisors(
    client_for, supervisor, advisor, other_firm_advisor
):
    page = client_for(supervisor).get(reverse("cases:open")).content.decode()
    ours = VisaType.objects.filter(firm=supervisor.firm)
    theirs = VisaType.objects.exclude(firm=supervisor.firm)
    assert all(f'value="{v.pk}"' in page for v in ours)
    assert not any(f'value="{v.pk}"' in page for v in theirs)
    assert str(advisor) in page
    assert str(other_firm_advisor) not in page


# --- tasks and reassignment: access does not outlive assignment -------------------------------


@pytest.mark.django_db
def test_a_task_cannot_be_assigned_to_someone_who_cannot_see_the_case(
    case, advisor, other_advisor, supervisor, other_firm_supervisor
):
    for assignee in (other_advisor, other_firm_supervisor):
        with pytest.raises(InvalidInput, match="works on this case"):
            services_reminders().task_create(
                case=case, title="Call", due_date=None, assignee=assignee, actor=advisor
            )
    task = services_reminders().task_create(
        case=case, title="Call", due_date=None, assignee=supervisor, actor=advisor
    )
    assert task.assignee == supervisor
    assert CaseTask.objects.count() == 1


def services_reminders():  # type: ignore[no-untyped-def]
    from cases.services import reminders

    return reminders


@pytest.mark.django_db
def test_reassigning_a_case_hands_over_tasks_reminders_and_calendar(
    case, advisor, other_advisor, supervisor, client_for
):
    from cases.models import DeliveryStatus, ReminderDelivery, ReminderRule
    from cases.selectors.deadlines import calendar_deadlines_for_user

    due = dt.date.today() + dt.timedelta(days=5)
    task = services_reminders().task_create(
        case=case, title="Book the appointment", due_date=due, assignee=advisor, actor=advisor
    )
    rule = ReminderRule.objects.filter(kind="task_due").first() or ReminderRule.objects.first()
    delivery = ReminderDelivery.objects.create(
        rule=rule,
        target_type="task",
        target_id=task.pk,
        case=case,
        recipient=advisor,
        due_date=due,
        offset_days=2,
        channel=rule.channel,
        send_after=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    Notification.objects.create(user=advisor, case=case, title="Task due soon")
    assert any(d.title == task.title for d in calendar_deadlines_for_user(user=advisor))

    response = client_for(supervisor).post(
        reverse("cases:assign_advisor", args=[case.pk]), {"advisor": other_advisor.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    task.refresh_from_db()
    delivery.refresh_from_db()
    assert case.advisor == other_advisor
    assert task.assignee is None  # falls to the case's (new) advisor
    assert delivery.status == DeliveryStatus.SUPPRESSED
    # The old advisor's notices about the case are gone; what is left is the one saying the
    # case moved on, and the new advisor is told it is theirs (issue 10's reassignment notice).
    left = list(Notification.objects.filter(user=advisor, case=case))
    assert [n.title for n in left if n.title == "Task due soon"] == []
    assert len(left) == 1
    assert Notification.objects.filter(user=other_advisor, case=case).count() == 1
    assert calendar_deadlines_for_user(user=advisor) == []
    assert any(d.title == task.title for d in calendar_deadlines_for_user(user=other_advisor))
    assert client_for(advisor).get(reverse("cases:detail", args=[case.pk])).status_code == 404


@pytest.mark.django_db
def test_only_supervisors_and_admins_of_the_firm_reassign(
    case, advisor, other_advisor, client_for, other_firm_supervisor, other_firm_advisor
):
    with pytest.raises(NotAllowed):
        services.case_assign_advisor(case=case, advisor=other_advisor, actor=advisor)
    url = reverse("cases:assign_advisor", args=[case.pk])
    assert client_for(other_firm_supervisor).post(url, {"advisor": ""}).status_code == 404
    supervisor = AdvisorFactory(is_supervisor=True)
    with pytest.raises(InvalidInput):
        services.case_assign_advisor(case=case, advisor=other_firm_advisor, actor=supervisor)
    case.refresh_from_db()
    assert case.advisor == advisor


@pytest.mark.django_db
def test_the_calendar_feed_of_a_removed_advisor_loses_the_case(case, advisor, other_advisor):
    from cases.services.reminders import calendar_feed_rotate

    token = calendar_feed_rotate(user=advisor)
    from django.test import Client

    before = Client().get(reverse("reminders:calendar_feed", args=[token])).content.decode()
    assert case.reference in before
    supervisor = AdvisorFactory(is_supervisor=True)
    services.case_assign_advisor(case=case, advisor=other_advisor, actor=supervisor)
    after = Client().get(reverse("reminders:calendar_feed", args=[token])).content.decode()
    assert case.reference not in after


# --- the Django admin -------------------------------------------------------------------------


def _admin_client(client_for, user):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.all())
    return client_for(user)


@pytest.mark.django_db
def test_every_registered_model_admin_is_firm_scoped_or_shared():
    from django.contrib import admin

    from portal.admin_firms import FIRM_PATHS, PLATFORM_MODELS, PLATFORM_PRIVATE_MODELS

    known = set(FIRM_PATHS) | PLATFORM_MODELS | PLATFORM_PRIVATE_MODELS
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered - known == set(), "classify these in portal/admin_firms.py"
    assert all(getattr(a, "_firm_scoped", False) for a in admin.site._registry.values())
    for label, path in FIRM_PATHS.items():  # every path is a real lookup to a firm
        if label in registered and path:
            model = next(m for m in admin.site._registry if m._meta.label_lower == label)
            model.objects.filter(**{f"{path}_id": 0}).exists()


@pytest.mark.django_db
def test_a_firm_admin_sees_and_reaches_only_their_firms_rows_in_the_admin(
    client_for, case, other_firm_case, other_firm_admin
):
    client = _admin_client(client_for, other_firm_admin)
    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert reverse("admin:cases_case_change", args=[other_firm_case.pk]) in listing
    assert reverse("admin:cases_case_change", args=[case.pk]) not in listing
    assert case.advisor.email not in listing
    assert str(case.advisor) not in listing
    users = client.get(reverse("admin:portal_user_changelist")).content.decode()
    assert case.applicant.email not in users
    change = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert change.status_code == 302  # "does not exist": back to the admin index
    applicant = client.get(reverse("admin:cases_applicant_change", args=[case.applicant_id]))
    assert applicant.status_code == 302
    documents = client.get(reverse("admin:cases_visatype_changelist")).content.decode()
    ours = VisaType.objects.get(firm=other_firm_admin.firm, code="K")
    theirs = VisaType.objects.get(firm=case.firm, code="K")
    assert reverse("admin:cases_visatype_change", args=[ours.pk]) in documents
    assert reverse("admin:cases_visatype_change", args=[theirs.pk]) not in documents


@pytest.mark.django_db
def test_a_firm_admin_cannot_move_a_user_into_or_out_of_firms(
    client_for, other_firm_admin, advisor, firm
):
    client = _admin_client(client_for, other_firm_admin)
    page = client.get(reverse("admin:portal_user_add")).content.decode()
    assert f'<option value="{other_firm_admin.firm_id}"' in page
    assert f'<option value="{firm.pk}"' not in page


@pytest.mark.django_db
def test_a_firm_admin_cannot_make_a_platform_admin(client_for, other_firm_admin, other_firm):
    client = _admin_client(client_for, other_firm_admin)
    colleague = AdvisorFactory(firm=other_firm)
    url = reverse("admin:portal_user_change", args=[colleague.pk])
    page = client.get(url).content.decode()
    assert 'name="is_platform_admin"' not in page
    assert 'name="is_superuser"' not in page


@pytest.mark.django_db
def test_shared_catalogues_are_read_only_for_firm_admins(client_for, other_firm_admin):
    from eligibility.models import RuleSet

    client = _admin_client(client_for, other_firm_admin)
    rule_set = RuleSet.objects.first()
    assert client.get(reverse("admin:eligibility_ruleset_changelist")).status_code == 200
    assert client.get(reverse("admin:eligibility_ruleset_add")).status_code == 403
    page = client.get(reverse("admin:eligibility_ruleset_change", args=[rule_set.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # the view-only page
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code in (
        302,
        403,
    )


@pytest.mark.django_db
def test_reminder_retry_by_a_firm_admin_leaves_other_firms_alone(other_firm_admin, case):
    from cases.models import DeliveryStatus, ReminderDelivery, ReminderRule
    from cases.services.reminders import reminder_deliveries_retry

    rule = ReminderRule.objects.first()
    failed = ReminderDelivery.objects.create(
        rule=rule,
        target_type="case",
        target_id=case.pk,
        case=case,
        recipient=case.advisor,
        due_date=dt.date(2030, 1, 1),
        offset_days=0,
        channel=rule.channel,
        status=DeliveryStatus.FAILED,
        send_after=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    assert reminder_deliveries_retry(actor=other_firm_admin, delivery_ids=[failed.pk]) == 0
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_load_demo_puts_everyone_into_the_default_firm(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    firm = Firm.objects.get(slug=DEFAULT_FIRM_SLUG)
    assert not User.objects.filter(firm__isnull=True, is_platform_admin=False).exists()
    assert Applicant.objects.exclude(firm=firm).count() == 0
    assert Case.objects.exclude(firm=firm).count() == 0


def test_firm_admin_factory_is_not_a_superuser(db):  # type: ignore[no-untyped-def]
    user = FirmAdminFactory()
    assert user.is_staff
    assert not user.is_superuser
    assert not user.is_platform_admin
