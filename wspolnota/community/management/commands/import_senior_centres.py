"""Import the city's open-data list of Senior Activity Centres (JSON) into the places registry."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.community.errors import CommunityError
from wspolnota.community.services import senior_centres_import


class Command(BaseCommand):
    help = (
        "Import the open-data JSON list of Senior Activity Centres (idempotent; matched by the "
        "list's own id). A malformed file changes nothing and the error names the record's line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the JSON file from the city's portal")

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
