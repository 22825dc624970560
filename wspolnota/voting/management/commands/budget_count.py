"""Count every pool of an edition with votecount under its fixed rule and options."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wspolnota.budget.models import Pool
from wspolnota.core.errors import DomainError
from wspolnota.voting import selectors, services


class Command(BaseCommand):
    help = "Count an edition's pools and store the results (rule, options, version, input hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--edition", required=True)
        parser.add_argument("--json", action="store_true", help="print {pools: [{name, selected}]}")
        parser.add_argument("--witnesses", default="", help="witnesses of a lot, if one is drawn")
        parser.add_argument(
            "--seed", type=int, default=None, help="seed of a lot (default: random)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rules = selectors.rules_by_slug(options["edition"])
        if rules is None:
            raise CommandError(f"no edition with the slug {options['edition']!r}")
        pools = list(
            Pool.objects.filter(edition=rules.edition)
            .select_related("district", "edition")
            .order_by("kind", "district__number")
        )
        out = []
        for pool in pools:
            try:
                result = services.pool_count(
                    actor=None,
                    pool=pool,
                    rules=rules,
                    at=timezone.now(),
                    witnesses=options["witnesses"] or "",
                    seed=options["seed"],
                )
            except DomainError as exc:
                raise CommandError(f"{pool.label}: {exc}") from exc
            out.append({"name": str(pool.label), "selected": list(result.selected)})
        if options["json"]:
            self.stdout.write(json.dumps({"pools": out}, ensure_ascii=False))
        else:
            for item in out:
                self.stdout.write(f"{item['name']}: {', '.join(item['selected'])}")
