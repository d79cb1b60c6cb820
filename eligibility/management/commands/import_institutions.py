"""Import institutions from a CSV file (the same service as the admin import).

Usage: ``manage.py import_institutions PATH``; ``eligibility/data/institutions_sample.csv`` is a
labelled SAMPLE, not an official list of recognized institutions.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from eligibility.services import institutions_import_csv
from portal.errors import PortalError


class Command(BaseCommand):
    help = "Import universities and research institutions from a UTF-8 CSV file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="CSV with name,country,ror_id,kind,recognized,...")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["path"], "rb") as stream:
                report = institutions_import_csv(stream=stream, actor=None)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc}") from None
        except PortalError as exc:
            raise CommandError(exc.message) from None
        for line, reason in report.rejected:
            self.stderr.write(f"line {line}: rejected: {reason}")
        self.stdout.write(report.summary())
