"""Demo: Kraków's 2025 vote on the budget demo's 2025 edition.

Kraków's rules (3 citywide + 3 district projects ranked 3-2-1), fixed; six voting points with
coordinators; ballots "as if cast" — the first 150 real ballots of each 2025 district file in
Pabulib and the first 400 of the 2024 citywide file (its projects stand in for 2025's, as in the
budget demo) — then the count (any tie lot with a recorded seed and witnesses) and the published
results. The result is therefore a demo count of a sample, not Kraków's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from wspolnota.accounts.models import User
from wspolnota.budget.models import Edition, Pool, PoolKind, Project, ProjectStatus
from wspolnota.territory.models import District
from wspolnota.voting import pbfiles, services
from wspolnota.voting.models import BallotChoice, VotingPoint, VotingRules

SLUG = "krakow-2025"
POINTS = [
    (1, "Biblioteka Kraków — Filia nr 1", "ul. Rajska 1, 31-124 Kraków", "50.064120", "19.928010"),
    (
        1,
        "Urząd Miasta Krakowa — Wydział Obsługi Mieszkańców",
        "al. Powstania Warszawskiego 10",
        "50.060900",
        "19.953900",
    ),
    (5, "Dom Kultury Krowodrza", "ul. Łokietka 1", "50.080600", "19.925400"),
    (12, "Centrum Kultury Podgórza", "ul. Sokolska 13", "50.042800", "19.948000"),
    (18, "Nowohuckie Centrum Kultury", "al. Jana Pawła II 232", "50.075900", "20.027400"),
    (18, "Rada Dzielnicy XVIII — siedziba", "os. Górali 4", "50.088000", "20.036000"),
]


def load() -> list[str]:
    from votecount import PbFormatError, read_pb

    edition = (
        Edition.objects.filter(year=2025, voting_rules__isnull=True)
        .prefetch_related("phases")
        .first()
    )
    if VotingRules.objects.filter(slug=SLUG).exists():
        return ["Głosowanie 2025: już wczytane."]
    if edition is None:
        return ["Głosowanie 2025: brak edycji 2025 w demo budżetu; pomijam."]
    folder = Path(settings.DATA_DIR) / "pabulib"
    lines: list[str] = []
    with transaction.atomic():
        VotingRules.objects.create(
            edition=edition,
            slug=SLUG,
            ballot_kind="krakow",
            picks_per_pool=3,
            counting_rule="greedy",
            fixed_at=datetime(2025, 9, 1, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw")),
        )
        coordinator = User.objects.filter(email="urzednik@demo.wspolnota.pl").first()
        for number, name, address, lat, lon in POINTS:
            district = District.objects.filter(city=edition.city, number=number).first()
            if district is None:
                continue
            point = VotingPoint.objects.create(
                edition=edition,
                name=name,
                address=address,
                district=district,
                hours="19.09–3.10.2025, pon.–pt. 10:00–19:00, sob. 10:00–14:00",
                step_free=number != 12,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
            )
            if coordinator is not None:
                point.coordinators.add(coordinator)
        ballots = 0
        for pool in Pool.objects.filter(edition=edition).select_related("district"):
            ids = {
                p.number: p.pk
                for p in Project.objects.filter(pool=pool, status=ProjectStatus.ON_BALLOT)
            }
            if pool.kind == PoolKind.CITYWIDE:
                path = folder / "Poland_Krakow_2024.pb"
                ids = {number.rsplit("/", 1)[0] + "/24": pk for number, pk in ids.items()}
                limit = 400
            else:
                assert pool.district is not None
                matches = [
                    f
                    for f in folder.glob("Poland_Krakow_2025_*.pb")
                    if pbfiles._plain(f.stem.removeprefix("Poland_Krakow_2025_"))
                    == pbfiles._plain(pool.district.name)
                ]
                if not matches:
                    continue
                path, limit = matches[0], 150
            if not path.exists() or not ids:
                continue
            try:
                instance = read_pb(str(path))
            except PbFormatError as exc:
                lines.append(f"Głosowanie 2025: pomijam {path.name}: {exc}")
                continue
            ballots += pbfiles.ballots_insert(
                edition=edition,
                pool=pool,
                district=pool.district,
                instance=instance,
                ids=ids,
                slug=SLUG,
                limit=limit,
            )
        # A pool with projects but no demo ballots would fund zero-point projects: drop them.
        empty = [
            pool
            for pool in Pool.objects.filter(edition=edition)
            if not BallotChoice.objects.filter(pool=pool).exists()
        ]
        if empty:
            lines.append(f"Głosowanie 2025: {len(empty)} pul bez kart demonstracyjnych.")
        services.ballot_cache_clear()
        # The demo's points closed at the end of the vote (their protocols are not part of it).
        closed = datetime(2025, 10, 3, 20, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
        VotingPoint.objects.filter(edition=edition).update(closed_at=closed)
    counted = 0
    if not empty:
        at = datetime(2025, 10, 4, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
        services.ballot_box_close(actor=None, edition=edition, at=at, seed=2025)
        count = services.edition_count(
            actor=None,
            edition=edition,
            at=at,
            witnesses="Komisja ds. Budżetu Obywatelskiego (demo)",
        )
        counted = count.pool_results.count()
        services.results_publish(
            actor=None,
            edition=edition,
            at=datetime(2025, 10, 10, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw")),
        )
        lines.append("Głosowanie 2025: wyniki ogłoszone.")
    lines.append(
        f"Głosowanie 2025: {len(POINTS)} punktów, {ballots} kart (próbka z Pabulib), "
        f"{counted} pul policzonych; /pl/glosowanie/2025/"
    )
    return lines
