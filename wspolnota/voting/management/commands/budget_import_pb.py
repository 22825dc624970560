"""Replay a Pabulib .pb file: pool, projects and ballots as if cast, rule and options from META."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.core.errors import DomainError
from wspolnota.voting.pbfiles import pb_import


class Command(BaseCommand):
    help = "Import a .pb file into an edition (created if needed) as a pool with its ballots."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--edition", required=True, help="the edition's slug, e.g. krakow-2024")
        parser.add_argument(
            "--city",
            help="the loaded city to import into (name, slug or TERYT); default: the file's unit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from votecount import PbFormatError

        try:
            report = pb_import(
                path=options["file"], slug=options["edition"], city=options.get("city")
            )
        except (PbFormatError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report.pool.label}: {report.projects} projects, {report.ballots} ballots "
            f"(edition {options['edition']})"
        )
