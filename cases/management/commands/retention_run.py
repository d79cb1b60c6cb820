"""Apply the retention rules, or list what they would delete with --dry-run."""

from typing import Any

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from cases.services import privacy


class Command(BaseCommand):
    help = "Delete document files of cases closed longer ago than their visa type's retention."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files without deleting anything."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        items = privacy.retention_apply(dry_run=dry_run)
        for item in items:
            self.stdout.write(
                f"{item.case_reference}\t{item.filename}\t{filesizeformat(item.size_bytes)}\t"
                f"{item.sha256}\t{item.reason}"
            )
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {len(items)} file(s)")
