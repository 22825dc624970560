"""Write one pool's anonymised ballots as a Pabulib .pb file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.voting import selectors, services


class Command(BaseCommand):
    help = "Export a pool's ballots (age and sex only in bands and only with consent) as .pb."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--edition", required=True)
        parser.add_argument("--pool", required=True, help="district name or number, or 'citywide'")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        from votecount import write_pb

        rules = selectors.rules_by_slug(options["edition"])
        if rules is None:
            raise CommandError(f"no edition with the slug {options['edition']!r}")
        pool = selectors.pool_by_name(edition=rules.edition, name=options["pool"])
        if pool is None:
            raise CommandError(f"no pool named {options['pool']!r} in {options['edition']}")
        instance = services.pool_instance(pool, rules=rules, with_voter_data=True)
        Path(options["out"]).write_text(write_pb(instance), encoding="utf-8")
        self.stdout.write(f"{pool.label}: {len(instance.ballots)} ballots → {options['out']}")
