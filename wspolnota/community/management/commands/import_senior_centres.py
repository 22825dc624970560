"""Import the city's list of Senior Activity Centres (CSV or XLSX) into the places registry."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.community.errors import CommunityError
from wspolnota.community.services import senior_centres_import


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX list of Senior Activity Centres (columns by their Polish headers, "
        "see community/data/README.md). Idempotent: centres are matched by the file's id column, "
        "or else by their address. Bad rows are left out and listed with their line; the good "
        "rows are imported. Exits with status 1 when a row was left out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV or XLSX file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        try:
            report = senior_centres_import(actor=None, content=content)
        except CommunityError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        self.stdout.write(report.summary())
        for name in report.missing:
            self.stdout.write(f"  not in the file any more: {name}")
        for warning in report.warnings:
            self.stdout.write(f"  {path.name}:{warning.line}: {warning}")
        for problem in report.problems:
            self.stderr.write(f"  {path.name}: {problem}")
        if report.problems:
            raise CommandError(
                f"{path.name}: {len(report.problems)} rows left out (listed above); "
                "the other rows were imported"
            )
