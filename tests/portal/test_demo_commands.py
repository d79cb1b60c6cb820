"""Local demo helpers: demo data loads idempotently; demo_totp works only with DEBUG on."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Case, Document
from portal.models import User
from tests.factories import AdvisorFactory


@pytest.mark.django_db
def test_demo_totp_prints_a_code_the_device_accepts(settings):
    settings.DEBUG = True
    advisor = AdvisorFactory(email="demo.adv@example.test")
    out = io.StringIO()
    call_command("demo_totp", "demo.adv@example.test", stdout=out)
    code = out.getvalue().strip().splitlines()[-1]
    assert len(code) == 6
    assert TOTPDevice.objects.get(user=advisor).verify_token(code)


@pytest.mark.django_db
def test_demo_totp_refuses_without_debug(settings):
    settings.DEBUG = False
    AdvisorFactory(email="demo.adv@example.test")
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "demo.adv@example.test", stdout=io.StringIO())
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_stores_real_files(settings):
    settings.DEBUG = True  # the local run; without DEBUG it refuses (next test)
    call_command("load_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Case.objects.count(), Document.objects.count())
    assert counts[1] >= 5
    assert counts[2] > 0
    for doc in Document.objects.all()[:5]:
        head = doc.file.open("rb").read(4)
        doc.file.close()
        assert head in (b"%PDF", b"\xff\xd8\xff\xe0", b"\x89PNG") or head[:3] == b"\xff\xd8\xff"
    call_command("load_demo", stdout=io.StringIO())
    assert (User.objects.count(), Case.objects.count(), Document.objects.count()) == counts


@pytest.mark.django_db
def test_load_demo_refuses_without_debug_unless_forced(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.filter(email="admin@demo.test").exists()
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert User.objects.filter(email="admin@demo.test").exists()
