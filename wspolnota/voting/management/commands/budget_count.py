"""Count every pool of an edition with votecount under its fixed rule and options."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wspolnota.core.errors import DomainError
from wspolnota.voting import selectors, services


class Command(BaseCommand):
    help = "Count an edition's pools and store the results (rule, options, version, input hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--edition", required=True)
        parser.add_argument("--json", action="store_true", help="print {pools: [{name, selected}]}")
        parser.add_argument("--witnesses", default="", help="witnesses of a lot, if one is drawn")
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="replays of past editions: the tie-lot seed committed when this command closes "
            "the ballot box (default: random); ignored once the box is closed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rules = selectors.rules_by_slug(options["edition"])
        if rules is None:
            raise CommandError(f"no edition with the slug {options['edition']!r}")
        edition = rules.edition
        now = timezone.now()
        try:
            if rules.box_closed_at is None:
                services.ballot_box_close(actor=None, edition=edition, at=now, seed=options["seed"])
            count = services.edition_count(
                actor=None, edition=edition, at=now, witnesses=options["witnesses"] or ""
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        results = sorted(
            count.pool_results.select_related("pool", "pool__district"),
            key=lambda r: (r.pool.kind, r.pool.district.number if r.pool.district else 0),
        )
        out = [{"name": str(r.pool.label), "selected": list(r.selected)} for r in results]
        if options["json"]:
            self.stdout.write(json.dumps({"pools": out}, ensure_ascii=False))
        else:
            for item in out:
                self.stdout.write(f"{item['name']}: {', '.join(item['selected'])}")
