"""Server time of the participatory-budget catalogue page with filters, on SQLite or PostgreSQL.

Builds a throw-away test database (SQLite in memory by default; with ``DATABASE_URL`` set to
PostgreSQL, a ``bench_catalogue_<pid>`` database on that server, dropped at the end), loads Kraków's 18
districts and an edition with 1,000 projects (names, costs and categories from the Pabulib
Kraków 2025 files shipped in ``data/pabulib``), then requests the catalogue
through Django's test client — the whole server side: URL routing, middleware, queries, template
rendering — with a rotating set of filters (pool, district, category, status, cost range,
diacritic-free search, sorting, pagination).

It also counts the queries of every filtered page with 100 and with 1,000 projects: the number
must not grow with the number of projects (the script fails if it does).

Run: ``.venv/bin/python benchmarks/catalogue.py`` (SQLite) or
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wspolnota .venv/bin/python benchmarks/catalogue.py``.
Options: ``--projects 1000 --requests 300``. The last line is
``RESULT p50_ms=… p95_ms=… queries=… db=… projects=…``; the target is p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("WSPOLNOTA_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wspolnota.test_settings")

FILTERS = [
    "",
    "?pool=citywide",
    "?pool=5&category=sport",
    "?q=park",
    "?q=zielen+drzewa&sort=title",
    "?cost_min=50000&cost_max=500000&sort=cost_desc",
    "?status=on_ballot&page=2",
    "?pool=12&q=boisko",
    "?category=environment&sort=supporters&page=3",
    "?q=%C5%BC%C5%82obek",  # "żłobek", typed with Polish letters
]


def _names() -> list[tuple[str, str, Decimal]]:
    """(name, category, cost) from Pabulib's Kraków 2025 district files, or synthetic ones."""
    from wspolnota.budget.demo import CATEGORIES, PabulibError, read_pb

    folder = REPO / "data" / "pabulib"
    rows: list[tuple[str, str, Decimal]] = []
    for path in sorted(folder.glob("Poland_Krakow_2025_*.pb")):
        try:
            _meta, projects = read_pb(path)
        except (PabulibError, OSError):
            continue
        rows += [(p.name, CATEGORIES.get(p.category, "society"), p.cost) for p in projects]
    if not rows:
        words = ["park", "boisko", "zieleń", "drzewa", "żłobek", "ławki", "plac zabaw", "rowery"]
        rows = [
            (f"Projekt {i}: {words[i % len(words)]}", "sport", Decimal(20000 + i * 700))
            for i in range(400)
        ]
    return rows


def _populate(edition, count: int, seed: int) -> None:
    from wspolnota.budget.demo import point_in
    from wspolnota.budget.models import Project, ProjectStatus
    from wspolnota.budget.search import normalise

    rng = random.Random(seed)
    names = _names()
    pools = list(edition.pools.select_related("district"))
    statuses = [ProjectStatus.ON_BALLOT] * 6 + [
        ProjectStatus.VERIFIED_POSITIVE,
        ProjectStatus.SUBMITTED,
        ProjectStatus.VERIFIED_NEGATIVE,
        ProjectStatus.WITHDRAWN,
    ]
    start = Project.objects.filter(edition=edition).count()
    batch = []
    for i in range(start, start + count):
        name, category, cost = names[i % len(names)]
        pool = pools[i % len(pools)]
        latitude, longitude = (
            point_in(pool.district, rng) if pool.district and i % 3 else (None, None)
        )
        number = f"BO.{pool.number_prefix}.{i + 1}/{edition.year % 100:02d}"
        title = name[:200]
        short = f"{title} — projekt w puli: {pool.label}. Opis krótki do katalogu, ponad sześćdziesiąt znaków."
        batch.append(
            Project(
                edition=edition,
                pool=pool,
                number=number,
                sequence=i + 1,
                title=title,
                short_description=short[:250],
                description="Opis projektu.",
                category=category,
                cost=cost.quantize(Decimal("0.01")),
                verified_cost=(cost * Decimal("1.1")).quantize(Decimal("0.01"))
                if i % 7 == 0
                else None,
                status=rng.choice(statuses),
                supporters_count=rng.randint(15, 60),
                latitude=latitude,
                longitude=longitude,
                search_text=normalise(f"{number} {title} {short}"),
            )
        )
    Project.objects.bulk_create(batch, batch_size=500)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _profile(client, base: str, count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(count):
        client.get(base + FILTERS[n % len(FILTERS)])
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N requests with cProfile and print the costliest functions",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from wspolnota.budget.models import Phase
    from wspolnota.budget.tests.factories import make_edition
    from wspolnota.territory.models import District
    from wspolnota.territory.services import krakow_load

    # No setup_test_environment(): it instruments every template render, which would be measured
    # too. The test client only needs its host allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if connection.vendor != "sqlite":
        # A database of its own, so that a test run on the same server is never clobbered.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_catalogue_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        krakow_load()
        districts = {d.number: d for d in District.objects.select_related("city")}
        edition = make_edition(districts=districts, phase=Phase.FINAL_LIST)
        base = f"/pl/budzet-obywatelski/{edition.year}/projekty/"
        client = Client()

        small = min(100, args.projects)
        _populate(edition, small, seed=1)
        queries_small = {f: _queries(client, base + f) for f in FILTERS}
        _populate(edition, args.projects - small, seed=2)
        queries_full = {f: _queries(client, base + f) for f in FILTERS}
        # (A page past the end costs one query more: "?…&page=3" with 100 projects counts them and
        # shows the last page; with 1,000 it is an ordinary page. Fewer is fine; more is not.)
        grown = {
            f: (queries_small[f], queries_full[f])
            for f in FILTERS
            if queries_full[f] > queries_small[f]
        }
        if grown:
            raise SystemExit(f"the number of queries grows with the number of projects: {grown}")

        for url in FILTERS * 2:  # warm caches and the template loader
            client.get(base + url)
        if args.profile:
            _profile(client, base, args.profile)
        timings = []
        cpu = []
        for n in range(args.requests):
            url = base + FILTERS[n % len(FILTERS)]
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, url
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        vendor = connection.vendor
        total = edition.projects.count()
        print(
            f"database: {vendor}; projects: {total}; requests: {len(timings)}; filters: {len(FILTERS)}"
        )
        for f in FILTERS:
            print(
                f"  queries {queries_full[f]:2d} (with {small} projects: {queries_small[f]:2d})  {base}{f}"
            )
        print(
            f"wall: min {timings[0]:.1f} ms, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
        )
        cpu.sort()
        print(
            f"this process's CPU per request: p50 {statistics.median(cpu):.1f} ms, "
            f"p95 {cpu[int(0.95 * len(cpu)) - 1]:.1f} ms (wall minus CPU: waiting for the database "
            f"server or for a busy machine; load average {os.getloadavg()[0]:.1f})"
        )
        print(
            f"RESULT p50_ms={p50:.1f} p95_ms={p95:.1f} queries={max(queries_full.values())} "
            f"db={vendor} projects={total}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
