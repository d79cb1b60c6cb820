"""Re-assess the open cases against the published rule sets, as publishing does.

Usage: ``manage.py reassess_published [CODE ...]`` (visa type codes; default every published
rule set). Run it after ``migrate`` when a migration published a rule set (``eligibility/0006``
publishes K v2 and R v2 but, being a migration, does not re-assess). It calls
``settings.ELIGIBILITY_ON_PUBLISH`` for each, which queues the Celery re-assessment; cases
already re-assessed for that rule set are skipped, so running it twice is harmless.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from eligibility.services import rule_sets_reassess_published


class Command(BaseCommand):
    help = "Re-assess open cases against the published rule sets (as publishing does)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("codes", nargs="*", help="visa type codes, e.g. K R (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        names = rule_sets_reassess_published(codes=options["codes"])
        if not names:
            raise CommandError("No published rule set matches.")
        for name in names:
            self.stdout.write(f"Re-assessment queued for {name}.")
