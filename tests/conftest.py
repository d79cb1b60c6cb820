"""Shared fixtures: personas, a case between them, real sample files, test settings."""

import io
from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case
from cases.samples import sample_jpeg, sample_pdf, sample_png
from portal.models import Firm, User
from tests.factories import (
    AdminFactory,
    AdvisorFactory,
    ApplicantFactory,
    FirmAdminFactory,
    UserFactory,
    default_firm,
    make_firm,
    open_case,
)
from tests.otp import VerifiedClient, login_verified


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Fast hashing, in-memory email and cache, uploads in a per-test temporary folder."""
    # Each test starts in English, whatever language an earlier test's request activated.
    from django.utils import translation

    translation.activate("en")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every cache in memory (per test), keeping the aliases the settings define.
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in settings.CACHES
    }
    from django.core.cache import cache

    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Readiness would ping a Celery worker that unit tests do not run; tests of it turn it on.
    settings.PORTAL_READINESS_CELERY = False
    private = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private,
        "private": private,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.utils.functional import empty

    from cases.models import private_storage

    private_storage._wrapped = empty
    yield
    private_storage._wrapped = empty


def reseed_reference_data() -> None:
    """Re-run the forward code of every data migration of our apps.

    Transactional tests flush every table when they end, which removes what data migrations
    installed (visa types, checklists, classifications, schedules). pytest-django's
    serialized rollback does not survive Playwright's greenlets, so reference data is
    restored explicitly. The seed functions are idempotent (get_or_create).
    """
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    ours = ("portal", "cases", "eligibility")
    seen: set[tuple[str, str]] = set()
    for key in loader.graph.leaf_nodes():
        if key[0] not in ours:
            continue
        for app_label, name in loader.graph.forwards_plan(key):
            if app_label not in ours or (app_label, name) in seen:
                continue
            seen.add((app_label, name))
            migration = loader.graph.nodes[(app_label, name)]
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    with connection.schema_editor(atomic=True) as editor:
                        operation.code(global_apps, editor)


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):  # type: ignore[no-untyped-def]
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or (
        "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from cases.models import VisaType

        if not VisaType.objects.exists():
            from django.contrib.contenttypes.models import ContentType

            # The flush re-created content types with new ids; the audit log must not use
            # the cached old ones.
            ContentType.objects.clear_cache()
            reseed_reference_data()


@pytest.fixture
def advisor(db) -> User:  # type: ignore[no-untyped-def]
    return AdvisorFactory(email="advisor@example.test", full_name="Ada Advisor")


@pytest.fixture
def other_advisor(db) -> User:  # type: ignore[no-untyped-def]
    return AdvisorFactory(email="other.advisor@example.test", full_name="Otto Other")


@pytest.fixture
def supervisor(db) -> User:  # type: ignore[no-untyped-def]
    return AdvisorFactory(email="supervisor@example.test", is_supervisor=True)


@pytest.fixture
def admin_user(db) -> User:  # type: ignore[no-untyped-def]
    return AdminFactory(email="admin@example.test")


@pytest.fixture
def applicant(db):  # type: ignore[no-untyped-def]
    return ApplicantFactory(email="amy@example.test", given_names="Amy", family_name="Applicant")


@pytest.fixture
def applicant_user(applicant) -> User:  # type: ignore[no-untyped-def]
    return applicant.user


@pytest.fixture
def other_applicant(db):  # type: ignore[no-untyped-def]
    return ApplicantFactory(email="oscar@example.test", given_names="Oscar", family_name="Other")


@pytest.fixture
def other_applicant_user(other_applicant) -> User:  # type: ignore[no-untyped-def]
    return other_applicant.user


@pytest.fixture
def stranger(db) -> User:  # type: ignore[no-untyped-def]
    """An applicant login with no applicant profile and no cases."""
    return UserFactory(email="stranger@example.test")


@pytest.fixture
def firm(db) -> Firm:  # type: ignore[no-untyped-def]
    """The default firm: every persona above belongs to it."""
    return default_firm()


@pytest.fixture
def firm_admin(db) -> User:  # type: ignore[no-untyped-def]
    """An admin of the default firm only (staff, not a superuser, not a platform admin)."""
    return FirmAdminFactory(email="firm.admin@example.test")


# A second firm with every persona: none of them may read or change the first firm's data.
@pytest.fixture
def other_firm(db) -> Firm:  # type: ignore[no-untyped-def]
    return make_firm(slug="second", name="Second Advisory Ltd")


@pytest.fixture
def other_firm_advisor(other_firm) -> User:  # type: ignore[no-untyped-def]
    return AdvisorFactory(email="advisor@second.test", full_name="Sam Second", firm=other_firm)


@pytest.fixture
def other_firm_supervisor(other_firm) -> User:  # type: ignore[no-untyped-def]
    return AdvisorFactory(email="supervisor@second.test", is_supervisor=True, firm=other_firm)


@pytest.fixture
def other_firm_admin(other_firm) -> User:  # type: ignore[no-untyped-def]
    return FirmAdminFactory(email="admin@second.test", firm=other_firm)


@pytest.fixture
def other_firm_applicant(other_firm):  # type: ignore[no-untyped-def]
    return ApplicantFactory(
        email="sophie@second.test", given_names="Sophie", family_name="Second", firm=other_firm
    )


@pytest.fixture
def other_firm_applicant_user(other_firm_applicant) -> User:  # type: ignore[no-untyped-def]
    return other_firm_applicant.user


@pytest.fixture
def other_firm_case(other_firm_applicant, other_firm_advisor) -> Case:  # type: ignore[no-untyped-def]
    return open_case(applicant=other_firm_applicant, advisor=other_firm_advisor, visa_code="K")


@pytest.fixture
def case(applicant, advisor) -> Case:  # type: ignore[no-untyped-def]
    return open_case(applicant=applicant, advisor=advisor, visa_code="K")


@pytest.fixture
def r_case(applicant, advisor) -> Case:  # type: ignore[no-untyped-def]
    return open_case(applicant=applicant, advisor=advisor, visa_code="R")


@pytest.fixture
def client() -> Client:
    """pytest-django's ``client``, whose ``force_login`` also passes two-factor for staff
    (tests/otp.py); tests of two-factor itself use ``Client()``."""
    return VerifiedClient()


@pytest.fixture
def admin_client(admin_user) -> Client:  # type: ignore[no-untyped-def]
    return login_verified(VerifiedClient(), admin_user)


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A logged-in test client for a user (anonymous for None); staff sessions are already
    two-factor verified (tests/otp.py)."""

    def make(user: User | None) -> Client:
        client = VerifiedClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def pdf_bytes() -> bytes:
    return sample_pdf("Passport", ["Test passport scan"])


@pytest.fixture
def jpeg_bytes() -> bytes:
    return sample_jpeg("Photo")


@pytest.fixture
def png_bytes() -> bytes:
    return sample_png("Scan")


@pytest.fixture
def upload_file() -> Callable[..., SimpleUploadedFile]:
    def make(content: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return make


@pytest.fixture
def stream() -> Callable[[bytes], io.BytesIO]:
    return io.BytesIO


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Run the browser tests last, skip tests marked ``deep`` unless ``-m`` names them, and
    skip tests marked ``postgres`` unless the configured database is PostgreSQL.

    Playwright's session-wide sync API keeps an asyncio loop running in the main thread from the
    first browser test to the end of the run; Django's async views (``/healthz/ready``) refuse to
    run under the test client while a loop runs, so no other test may come after the browser's.
    """
    from django.conf import settings

    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)  # stable sort
    if "deep" not in (config.option.markexpr or ""):
        skip_deep = pytest.mark.skip(reason="a long run: select it with -m deep")
        for item in items:
            if "deep" in item.keywords:
                item.add_marker(skip_deep)
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# API clients (DRF) per persona, and throttle counters that start at zero in every test.
@pytest.fixture(autouse=True)
def _fresh_throttle_counters(settings):  # type: ignore[no-untyped-def]
    settings.API_THROTTLE_CACHE = "api_test_throttle"
    settings.CACHES = {
        **settings.CACHES,
        "api_test_throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "api-test-throttle",
        },
    }
    caches["api_test_throttle"].clear()
    yield
    caches["api_test_throttle"].clear()


@pytest.fixture
def api_for() -> Callable[[User | None], APIClient]:
    """A DRF test client logged in (session) as ``user``; anonymous for None."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            login_verified(client, user)  # staff sessions must have passed two-factor
        return client

    return make


@pytest.fixture
def no_session_refresh(settings):  # type: ignore[no-untyped-def]
    """Keep the once-a-minute session refresh (and two-step re-check) out of a query count:
    a count taken before and after a slow set-up (45 cases opened on a loaded machine can
    take over a minute) would otherwise differ by the refresh's queries, not by rows."""
    settings.SESSION_REFRESH_SECONDS = 24 * 3600
