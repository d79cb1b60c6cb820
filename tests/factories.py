"""factory_boy factories. Cases are opened through the real service (see ``open_case``)."""

import datetime as dt

import factory
from django.utils import timezone

from cases import services
from cases.models import Applicant, Case, VisaType
from portal.models import Role, User

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
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
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.test")
    date_of_birth = dt.date(1995, 5, 17)
    nationality = "DE"
    passport_number = factory.Sequence(lambda n: f"C{n:08d}")
    passport_expiry = dt.date(2032, 1, 1)
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


def open_case(
    *,
    applicant: Applicant | None = None,
    advisor: User | None = None,
    visa_code: str = "K",
    actor: User | None = None,
    opened_on: dt.date | None = None,
) -> Case:
    """Open a case through ``cases.services.case_open`` (requirements, reference, event)."""
    applicant = applicant or ApplicantFactory()
    advisor = advisor or AdvisorFactory()
    return services.case_open(
        applicant=applicant,
        visa_type=VisaType.objects.get(code=visa_code),
        advisor=advisor,
        actor=actor or advisor,
        opened_on=opened_on or timezone.localdate(),
        intended_entry_date=timezone.localdate() + dt.timedelta(days=90),
    )
