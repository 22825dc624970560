"""Compute the opinion map of a Polis open-data folder (comments.csv, votes.csv, …).

    manage.py opinionmap FOLDER --json

prints ``{"groups": {"<participant id>": <group>, …}, "consensus": [statement ids], …}``. With
participants-votes.csv present, ``--compare`` also prints the adjusted Rand index against the
group-id that Polis published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.consultations.opinionmap import pipeline, polis_io


class Command(BaseCommand):
    help = "Group the participants of a Polis export folder as Polis does; print JSON or a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--compare",
            action="store_true",
            help="also report the adjusted Rand index against the published group-id",
        )
        parser.add_argument(
            "--batch-seconds",
            type=int,
            default=pipeline.DEFAULT_BATCH_MS // 1000,
            help="replay: recompute after each batch of votes this long (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            conversation = polis_io.read_folder(folder)
        except polis_io.PolisFormatError as exc:
            raise CommandError(str(exc)) from None
        state, result, _log = pipeline.replay(
            conversation.vote_tuples(),
            mod_out=conversation.moderated_out,
            batch_ms=options["batch_seconds"] * 1000,
        )
        data = result.to_json()
        data["updates"] = state.updates
        if options["compare"] and conversation.published_groups:
            published = conversation.published_groups
            data["ari"] = round(
                pipeline.adjusted_rand_index(
                    list(published.values()), [result.groups.get(p, -1) for p in published]
                ),
                4,
            )
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(
            f"{conversation.name}: {len(result.groups)} participants in {result.n_groups} groups "
            f"{dict(sorted(result.group_sizes.items()))}, consensus {result.consensus}"
            + (f", ARI {data['ari']}" if "ari" in data else "")
        )
