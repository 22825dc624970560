"""Compute the opinion map of a Polis open-data folder (comments.csv, votes.csv, …).

    manage.py opinionmap FOLDER --json

prints ``{"groups": {"<participant id>": <group>, …}, "consensus": […], "firmness": {…},
"fingerprint": "…", …}``: the same computation the platform runs, so on a consultation's
published download it prints exactly the groups its page shows. With participants-votes.csv
present, ``--compare`` also prints the adjusted Rand index against the group-id column (for a
Polis conversation: the groups Polis published).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.consultations.opinionmap import pipeline, polis_io


class Command(BaseCommand):
    help = "Group the participants of a Polis-format folder as the opinion map does; print JSON or a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--compare",
            action="store_true",
            help="also report the adjusted Rand index against the group-id column",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            conversation = polis_io.read_folder(folder)
            votes = conversation.latest_votes()
        except (polis_io.PolisFormatError, pipeline.VotesError) as exc:
            raise CommandError(str(exc)) from None
        result = pipeline.compute(votes)
        data = result.to_json()
        data["fingerprint"] = pipeline.fingerprint(votes)
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
        firmness = result.firmness
        self.stdout.write(
            f"{conversation.name}: {len(result.groups)} participants in {result.n_groups} groups "
            f"{dict(sorted(result.group_sizes.items()))}, firmness {firmness.verdict} "
            f"({firmness.same} of {firmness.folds}), consensus "
            f"{[c['statement'] for c in result.consensus]}, votes {data['fingerprint'][:12]}"
            + (f", ARI {data['ari']}" if "ari" in data else "")
        )
