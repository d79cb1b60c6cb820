"""factory_boy factories and builders. Cases, uploads, degrees and jobs go through the real
services (``open_case``, ``case_at``, ``upload_document``, ``add_education``,
``add_employment``), so every state a test starts from is one the portal can reach."""

import datetime as dt
import io

import factory
from django.utils import timezone

from cases import services
from cases.models import (
    Applicant,
    Case,
    Decision,
    DegreeLevel,
    Document,
    Education,
    Employment,
    Notification,
    Stage,
    VisaType,
)
from cases.samples import sample_pdf
from cases.services.qualifications import education_save, employment_save
from eligibility.models import FieldOfStudy, Institution, InstitutionKind
from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

TEST_PASSWORD = "correct-horse-battery-9"


def default_firm() -> Firm:
    """The firm every factory object belongs to unless told otherwise: the default firm the
    migrations install (re-created after a transactional test's flush)."""
    firm, _ = Firm.objects.get_or_create(slug=DEFAULT_FIRM_SLUG, defaults={"name": "Default firm"})
    return firm


def make_firm(slug: str = "second", name: str = "Second Advisory Ltd") -> Firm:
    """A further firm made through ``firm_create`` (with its own K and R visa types)."""
    from cases.services.firms import firm_create

    existing = Firm.objects.filter(slug=slug).first()
    return existing or firm_create(name=name, slug=slug, actor=None)


def visa_type(code: str = "K", *, firm: Firm | None = None) -> VisaType:
    """The visa type ``code`` of ``firm`` (default: the default firm)."""
    return VisaType.objects.get(code=code, firm=firm or default_firm())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    firm = factory.LazyFunction(default_firm)
    full_name = factory.Faker("name")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class AdvisorFactory(UserFactory):
    role = Role.ADVISOR


class AdminFactory(UserFactory):
    """A platform admin (superuser): every firm."""

    role = Role.ADMIN
    is_staff = True
    is_superuser = True
    is_platform_admin = True


class FirmAdminFactory(UserFactory):
    """An admin of one firm (staff, not a superuser, not a platform admin)."""

    role = Role.ADMIN
    is_staff = True


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    firm = factory.LazyFunction(default_firm)
    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.test")
    date_of_birth = dt.date(1995, 5, 17)
    nationality = "DE"
    passport_number = factory.Sequence(lambda n: f"C{n:08d}")
    passport_expiry = dt.date(2032, 1, 1)
    user = factory.SubFactory(
        UserFactory, email=factory.SelfAttribute("..email"), firm=factory.SelfAttribute("..firm")
    )


def open_case(
    *,
    applicant: Applicant | None = None,
    advisor: User | None = None,
    visa_code: str = "K",
    actor: User | None = None,
    opened_on: dt.date | None = None,
) -> Case:
    """Open a case through ``cases.services.case_open`` (requirements, reference, event), in
    the firm of ``advisor`` or ``applicant`` (default: the default firm)."""
    firm = (advisor.firm if advisor else None) or (applicant.firm if applicant else None)
    firm = firm or default_firm()
    applicant = applicant or ApplicantFactory(firm=firm)
    advisor = advisor or AdvisorFactory(firm=firm)
    return services.case_open(
        applicant=applicant,
        visa_type=visa_type(visa_code, firm=applicant.firm),
        advisor=advisor,
        actor=actor or advisor,
        opened_on=opened_on or timezone.localdate(),
        intended_entry_date=timezone.localdate() + dt.timedelta(days=90),
    )


class InstitutionFactory(factory.django.DjangoModelFactory):
    """A recognized university (the "well-known" list); ``recognized=False`` for others."""

    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Test University {n}")
    country = "DE"
    kind = InstitutionKind.UNIVERSITY
    recognized = True
    recognition_source = "test fixture"


def _stem_field() -> FieldOfStudy:
    # 0613 Software and applications development and analysis (ISCED-F 2013, broad field 06).
    return FieldOfStudy.objects.get(code="0613")


def add_education(*, applicant: Applicant, actor: User | None = None, **data: object) -> Education:
    """A degree added through ``education_save`` (the service's checks apply): a master's in
    0613 from a recognized institution, graduated 2020-06-30, unless ``data`` says otherwise."""
    institution = data.pop("institution", None) or InstitutionFactory()
    values = {
        "level": DegreeLevel.MASTER,
        "field": _stem_field(),
        "institution": institution,
        "institution_name": "",
        "country": institution.country,
        "graduation_date": dt.date(2020, 6, 30),
        "expected": False,
        "degree_document_on_file": False,
        **data,
    }
    return education_save(
        applicant=applicant, actor=actor or applicant.user or AdminFactory(), data=values
    )


def add_employment(
    *, applicant: Applicant, actor: User | None = None, **data: object
) -> Employment:
    """A job added through ``employment_save``: a research role since 2021-01-01 at a
    recognized institution, unless ``data`` says otherwise."""
    institution = data.pop("institution", None) or InstitutionFactory()
    values = {
        "organisation": institution.name,
        "role": "Research scientist",
        "field": _stem_field(),
        "start_date": dt.date(2021, 1, 1),
        "end_date": None,
        "teaching_or_research": True,
        "institution": institution,
        **data,
    }
    return employment_save(
        applicant=applicant, actor=actor or applicant.user or AdminFactory(), data=values
    )


class NotificationFactory(factory.django.DjangoModelFactory):
    """An in-app notification of ``user`` (unread unless ``read_at`` is given)."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")
    url = "/"


def upload_document(
    case: Case, *, code: str = "passport-bio-page", actor: User | None = None
) -> Document:
    """Upload a real one-page PDF into the requirement ``code`` of ``case`` through
    ``document_upload`` (content checks, versioning and the timeline apply)."""
    requirement = case.requirements.get(code=code)
    actor = actor or case.applicant.user or case.advisor
    return services.document_upload(
        requirement=requirement,
        stream=io.BytesIO(sample_pdf("Test scan")),
        filename="scan.pdf",
        actor=actor,
    )


# The main line after intake, as the moves an advisor makes.
_MAIN_MOVES = (
    Stage.ASSESSMENT,
    Stage.DOCUMENTS,
    Stage.REVIEW,
    Stage.READY,
    Stage.SUBMITTED,
    Stage.DECIDED,
    Stage.CLOSED,
)


def tick_required_steps(case: Case, *, stage: str | None = None) -> None:
    """Tick, through ``step_tick`` as the case's advisor, every open required case step of
    ``stage`` (default: every stage), done today in the case's time zone."""
    from cases.reminders.schedule import local_today
    from cases.services.steps import step_tick

    steps = case.steps.filter(required=True, done_on__isnull=True).select_related("case")
    if stage is not None:
        steps = steps.filter(stage=stage)
    for step in steps:
        step_tick(
            step=step,
            done_on=local_today(timezone.now(), case.time_zone),
            note="Test",
            actor=case.advisor,  # type: ignore[arg-type]
        )


def case_at(stage: str, *, case: Case | None = None, **open_kwargs: object) -> Case:
    """A case moved to ``stage`` through the real services: opened (``open_case`` with
    ``open_kwargs``), then moved along the main line by its advisor, who ticks the required
    case steps of each stage before leaving it; the ready guard is overridden with a recorded
    reason, ``decided`` records an approval, and ``on_hold`` and ``withdrawn`` branch off
    intake. Raises ``ValueError`` for an unknown stage."""
    case = case or open_case(**open_kwargs)  # type: ignore[arg-type]
    actor = case.advisor
    assert actor is not None
    if stage == Stage.INTAKE:
        return case
    if stage in (Stage.ON_HOLD, Stage.WITHDRAWN):
        return services.case_transition(case=case, to=stage, actor=actor, reason="Test")
    if stage not in _MAIN_MOVES:
        raise ValueError(f"unknown stage {stage!r}")
    for to in _MAIN_MOVES[: _MAIN_MOVES.index(stage) + 1]:
        extra: dict[str, object] = {}
        if to == Stage.READY:
            extra = {"override": True, "reason": "Test: guard overridden"}
        elif to == Stage.DECIDED:
            extra = {"decision": Decision.APPROVED}
        tick_required_steps(case, stage=case.stage)
        case = services.case_transition(case=case, to=to, actor=actor, **extra)  # type: ignore[arg-type]
    return case


def title_of(note: Notification) -> str:
    """A notification's title as its recipient reads it: worded when shown, in their
    language (issue 11)."""
    from django.utils import translation

    from cases.reminders.emails import language_of

    with translation.override(language_of(note.user)):
        return note.text
