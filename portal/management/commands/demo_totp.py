"""Print the current two-step code of a local demo account (DEBUG only).

For trying the portal without an authenticator app: `python manage.py demo_totp EMAIL`.
Refuses to run with DJANGO_DEBUG off, so it never helps anyone on a production server.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.identity import email_canonical
from portal.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account's authenticator (local runs only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DJANGO_DEBUG on (local demo).")
        user = User.objects.filter(email_canonical=email_canonical(options["email"])).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Demo authenticator")
            self.stdout.write("Created a demo authenticator for this account.")
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        self.stdout.write(f"{code:0{device.digits}d}")
