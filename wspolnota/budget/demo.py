"""Demo content of the participatory budget.

1. The 2025 edition (51 mln PLN: 10.2 mln citywide, 40.8 mln across the 18 districts) with the
   projects that reached Kraków's 2025 ballot — numbers, names, costs, categories and districts
   from the Pabulib district files ``Poland_Krakow_2025_*.pb``. Pabulib has no citywide 2025 file,
   so the citywide pool shows the 2024 citywide projects (``Poland_Krakow_2024.pb``), renumbered
   and labelled as such. Pabulib has no locations: each project gets an approximate point inside
   its district, and the page says so. The phase dates other than voting (from Pabulib) are
   illustrative. Source: Pabulib — Faliszewski et al., "Participatory Budgeting: Data, Tools,
   and Analysis", IJCAI-2023.
2. A current edition open for submissions (dates around the day the demo is first loaded) with a
   few projects of the demo residents, so that submission, support and verification can be tried.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.prepared import prep

from wspolnota.accounts.models import CityUnit, User
from wspolnota.budget import services
from wspolnota.budget.models import (
    Category,
    CostItem,
    Edition,
    Phase,
    Pool,
    PoolKind,
    Project,
    ProjectStatus,
    ProjectVersion,
)
from wspolnota.budget.search import normalise
from wspolnota.core.services import audit_log_append
from wspolnota.territory.models import District
from wspolnota.territory.selectors import default_city

WARSAW = ZoneInfo("Europe/Warsaw")
CITATION = (
    "Pabulib: Faliszewski i in., „Participatory Budgeting: Data, Tools, and Analysis”, IJCAI-2023."
)
CATEGORIES = {
    "culture": Category.CULTURE,
    "education": Category.EDUCATION,
    "environmental protection": Category.ENVIRONMENT,
    "health": Category.HEALTH,
    "infrastructure": Category.INFRASTRUCTURE,
    "bicycle infrastructure": Category.BICYCLE,
    "security": Category.SECURITY,
    "society": Category.SOCIETY,
    "welfare": Category.SOCIETY,
    "sport": Category.SPORT,
}


class PabulibError(ValueError):
    """A .pb file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class PbProject:
    project_id: str
    cost: Decimal
    name: str
    category: str
    line: int


def read_pb(path: Path) -> tuple[dict[str, str], list[PbProject]]:
    """META and PROJECTS of a Pabulib file (';'-separated sections); VOTES are not read."""
    meta: dict[str, str] = {}
    projects: list[PbProject] = []
    section = ""
    header: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.reader(handle, delimiter=";"), start=1):
            if not row:
                continue
            if len(row) == 1 and row[0].strip() in ("META", "PROJECTS", "VOTES"):
                section = row[0].strip()
                header = []
                if section == "VOTES":
                    break
                continue
            if not header:
                header = [c.strip() for c in row]
                if section == "PROJECTS":
                    missing = {"project_id", "cost", "name"} - set(header)
                    if missing:
                        raise PabulibError(
                            f"{path.name}, line {line_no}: missing columns {', '.join(sorted(missing))}"
                        )
                continue
            if len(row) != len(header):
                raise PabulibError(
                    f"{path.name}, line {line_no}: {len(row)} fields, the header has {len(header)}"
                )
            record = dict(zip(header, row, strict=True))
            if section == "META":
                meta[record.get("key", "")] = record.get("value", "")
            elif section == "PROJECTS":
                try:
                    cost = Decimal(record["cost"])
                except InvalidOperation:
                    raise PabulibError(
                        f"{path.name}, line {line_no}: cost {record['cost']!r} is not a number"
                    ) from None
                projects.append(
                    PbProject(
                        project_id=record["project_id"],
                        cost=cost,
                        name=record["name"].strip(),
                        category=record.get("category", "").split(",")[0].strip(),
                        line=line_no,
                    )
                )
    if section == "" or not projects:
        raise PabulibError(f"{path.name}: no PROJECTS section")
    return meta, projects


def _local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


PHASES_2025 = {
    Phase.SUBMISSION: (_local(2025, 2, 3), _local(2025, 3, 10, 23, 59)),
    Phase.SUPPORT: (_local(2025, 2, 3), _local(2025, 3, 20, 23, 59)),
    Phase.VERIFICATION: (_local(2025, 3, 11), _local(2025, 6, 30, 23, 59)),
    Phase.APPEALS: (_local(2025, 7, 1), _local(2025, 7, 31, 23, 59)),
    Phase.FINAL_LIST: (_local(2025, 8, 1), _local(2025, 9, 18, 23, 59)),
    Phase.VOTING: (_local(2025, 9, 19), _local(2025, 10, 3, 23, 59)),  # Pabulib date_begin/end
    Phase.RESULTS: (_local(2025, 10, 4), _local(2025, 10, 31, 23, 59)),
    Phase.IMPLEMENTATION: (_local(2026, 1, 1), _local(2026, 12, 31, 23, 59)),
}


def point_in(district: District, rng: random.Random) -> tuple[Decimal, Decimal]:
    """A repeatable point inside the district's boundary (an approximate demo location)."""
    geometry = shape(district.geometry)
    prepared = prep(geometry)
    minx, miny, maxx, maxy = geometry.bounds
    for _ in range(200):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if prepared.contains(Point(x, y)):
            break
    else:
        anchor = geometry.representative_point()
        x, y = anchor.x, anchor.y
    return Decimal(f"{y:.6f}"), Decimal(f"{x:.6f}")


def _load_2025(lines: list[str], unit: CityUnit | None) -> None:
    city = default_city()
    if city is None:
        lines.append("Budżet obywatelski: brak miasta — najpierw wczytaj dzielnice.")
        return
    if Edition.objects.filter(city=city, year=2025).exists():
        lines.append("Budżet obywatelski 2025: już wczytany.")
        return
    folder = Path(settings.DATA_DIR) / "pabulib"
    district_files = sorted(folder.glob("Poland_Krakow_2025_*.pb"))
    citywide_file = folder / "Poland_Krakow_2024.pb"
    if not district_files:
        lines.append(f"Budżet obywatelski 2025: brak plików Pabulib w {folder}; pomijam projekty.")
        return
    districts = {d.name: d for d in District.objects.filter(city=city)}
    edition = services.edition_create(
        actor=None,
        city=city,
        year=2025,
        number=12,
        name="Budżet Obywatelski Miasta Krakowa 2025",
        total_budget=Decimal("51000000.00"),
        phases=PHASES_2025,
        coordinating_unit=unit,
        withdrawal_deadline=_local(2025, 7, 31, 23, 59),
    )
    published = _local(2025, 8, 29, 12, 0)
    rng = random.Random(2025)  # noqa: S311 - repeatable demo locations, not security
    citywide = Pool.objects.create(
        edition=edition,
        kind=PoolKind.CITYWIDE,
        budget=Decimal("10200000.00"),
        min_project_cost=Decimal("25000.00"),
        max_project_cost=Decimal("2000000.00"),
    )
    all_districts = list(districts.values())
    batches: list[tuple[Pool, list[PbProject], str]] = []
    for path in district_files:
        try:
            meta, rows = read_pb(path)
        except (PabulibError, OSError) as exc:
            lines.append(f"Budżet obywatelski 2025: pomijam {path.name}: {exc}")
            continue
        district = districts.get(meta.get("district", ""))
        if district is None:
            lines.append(
                f"Budżet obywatelski 2025: {path.name}: nieznana dzielnica {meta.get('district')!r}"
            )
            continue
        pool = Pool.objects.create(
            edition=edition,
            kind=PoolKind.DISTRICT,
            district=district,
            budget=Decimal(meta["budget"]).quantize(Decimal("0.01")),
            min_project_cost=Decimal("10000.00"),
            max_project_cost=Decimal(meta["budget"]).quantize(Decimal("0.01")),
        )
        batches.append((pool, rows, path.name))
    if citywide_file.exists():
        try:
            _meta, rows = read_pb(citywide_file)
            batches.append((citywide, rows, citywide_file.name))
        except PabulibError as exc:
            lines.append(f"Budżet obywatelski 2025: pomijam {citywide_file.name}: {exc}")
    else:
        lines.append(
            f"Budżet obywatelski 2025: brak {citywide_file.name}; pula ogólnomiejska bez projektów."
        )

    projects: list[Project] = []
    for pool, rows, source in batches:
        for row in rows:
            number = row.project_id
            if pool.district is None:
                number = number.rsplit("/", 1)[0] + "/25"
            try:
                sequence = int(number.split(".")[-1].split("/")[0])
            except ValueError:
                sequence = None
            district = pool.district or rng.choice(all_districts)
            latitude, longitude = point_in(district, rng)
            category = CATEGORIES.get(row.category, "")
            label = Category(category).label if category else ""
            short = f"{row.name} — projekt {'ogólnomiejski' if pool.district is None else 'dzielnicowy'}"
            short += f" z kategorii „{label}”." if label else "."
            if len(short) < 60:
                short += " Dane demonstracyjne z katalogu budżetu obywatelskiego Krakowa."
            origin = (
                "Projekt ogólnomiejski z edycji 2024, pokazany w puli 2025, bo Pabulib nie ma pliku ogólnomiejskiego 2025."
                if pool.district is None
                else "Projekt dzielnicowy z listy do głosowania w edycji 2025."
            )
            submitted = _local(2025, 2, 3) + timedelta(hours=rng.randrange(0, 24 * 35))
            project = Project(
                edition=edition,
                pool=pool,
                number=number,
                sequence=sequence,
                title=row.name[:200],
                short_description=short[:250],
                description=(
                    f"{origin}\n\nŹródło: plik {source}, wiersz {row.line}. {CITATION}\n\n"
                    "Pabulib nie podaje lokalizacji: punkt na mapie jest przybliżony (losowe miejsce w dzielnicy)."
                ),
                category=category,
                address="lokalizacja przybliżona (dane demonstracyjne)",
                latitude=latitude,
                longitude=longitude,
                location_district=district,
                cost=row.cost.quantize(Decimal("0.01")),
                status=ProjectStatus.ON_BALLOT,
                status_changed_at=published,
                submitted_at=submitted,
                support_deadline=submitted + timedelta(days=10),
                supporters_count=15,
                supporters_complete_at=submitted + timedelta(days=3),
                data_protection_accepted_at=submitted,
                verification_unit=unit,
                verification_reasons="Projekt spełnia wymogi formalne i merytoryczne.",
                verified_at=_local(2025, 6, 20, 12, 0),
                version=1,
            )
            project.search_text = normalise(
                " ".join(
                    [project.number, project.title, project.short_description, project.description]
                )
            )
            projects.append(project)
    Project.objects.bulk_create(projects, batch_size=500)
    saved = list(Project.objects.filter(edition=edition).order_by("id"))
    CostItem.objects.bulk_create(
        (
            CostItem(
                project=p,
                position=1,
                name="Realizacja projektu (koszt według Pabulib)",
                amount=p.cost,
            )
            for p in saved
        ),
        batch_size=500,
    )
    ProjectVersion.objects.bulk_create(
        (
            ProjectVersion(
                project=p,
                number=1,
                is_draft=False,
                note="dane demonstracyjne (Pabulib)",
                title=p.title,
                short_description=p.short_description,
                description=p.description,
                category=p.category,
                address=p.address,
                latitude=p.latitude,
                longitude=p.longitude,
                cost=p.cost,
                cost_items=[
                    {"name": "Realizacja projektu (koszt według Pabulib)", "amount": str(p.cost)}
                ],
            )
            for p in saved
        ),
        batch_size=500,
    )
    edition.final_list_published_at = published
    edition.save(update_fields=["final_list_published_at", "updated_at"])
    audit_log_append(
        actor=None,
        action="budget.demo_loaded",
        obj=edition,
        after={"projects": len(saved), "source": "Pabulib"},
        reason=CITATION,
    )
    lines.append(
        f"Budżet obywatelski 2025: {len(saved)} projektów na liście do głosowania "
        f"({len(batches)} plików Pabulib). {CITATION}"
    )


def _load_current(lines: list[str], unit: CityUnit | None) -> None:
    """An edition open now, with a few projects by the demo residents at different stages."""
    city = default_city()
    now = timezone.now()
    year = now.year + 1
    if city is None or Edition.objects.filter(city=city, year=year).exists():
        return
    day = timedelta(days=1)
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) - 14 * day
    phases = {
        Phase.SUBMISSION: (start, start + 45 * day),
        Phase.SUPPORT: (start, start + 55 * day),
        Phase.VERIFICATION: (start + 30 * day, start + 120 * day),
        Phase.APPEALS: (start + 120 * day, start + 140 * day),
        Phase.FINAL_LIST: (start + 141 * day, start + 180 * day),
        Phase.VOTING: (start + 181 * day, start + 195 * day),
        Phase.RESULTS: (start + 196 * day, start + 210 * day),
        Phase.IMPLEMENTATION: (start + 365 * day, start + 730 * day),
    }
    edition = services.edition_create(
        actor=None,
        city=city,
        year=year,
        number=14,
        name=f"Budżet Obywatelski Miasta Krakowa {year}",
        total_budget=Decimal("51000000.00"),
        phases=phases,
        coordinating_unit=unit,
        withdrawal_deadline=start + 140 * day,
    )
    services.pool_create(
        actor=None,
        edition=edition,
        district=None,
        budget=Decimal("10200000.00"),
        min_project_cost=Decimal("25000.00"),
        max_project_cost=Decimal("2000000.00"),
    )
    for district in District.objects.filter(city=city).order_by("number"):
        services.pool_create(
            actor=None,
            edition=edition,
            district=district,
            budget=Decimal("2266666.67"),
            min_project_cost=Decimal("10000.00"),
            max_project_cost=Decimal("1000000.00"),
        )
    edition = Edition.objects.prefetch_related("phases").get(pk=edition.pk)
    anna = User.objects.filter(email="mieszkanka@demo.wspolnota.pl").first()
    olena = User.objects.filter(email="mieszkaniec.nowahuta@demo.wspolnota.pl").first()
    if anna is None or olena is None:
        lines.append(f"Budżet obywatelski {year}: edycja otwarta (bez przykładowych projektów).")
        return
    pools = {
        p.district.number if p.district else 0: p
        for p in edition.pools.select_related("district", "edition")
    }
    at = now - 2 * day
    submitted = services.project_draft_create(
        author=anna,
        edition=edition,
        content=services.ProjectContent(
            pool=pools[1],
            title="Poidełka z wodą pitną na Plantach",
            short_description="Trzy poidełka z wodą pitną przy głównych alejkach Plant: dla mieszkańców, turystów i psów, czynne od kwietnia do października.",
            description="Poidełka staną przy wejściach na Planty od strony Barbakanu, Poczty Głównej i Wawelu. Koszt obejmuje przyłącza i pięć lat serwisu.",
            category=Category.HEALTH,
            address="Planty: przy Barbakanie, Poczcie Głównej i Wawelu",
            latitude=Decimal("50.065500"),
            longitude=Decimal("19.941800"),
            cost_items=[
                services.CostLine("Poidełka (3 szt.)", Decimal("54000.00")),
                services.CostLine("Przyłącza wodociągowe", Decimal("36000.00")),
            ],
            data_protection_accepted=True,
            author_name_public=True,
        ),
        at=at,
    )
    services.project_submit(actor=anna, project=submitted, at=at)
    services.project_draft_create(
        author=anna,
        edition=edition,
        content=services.ProjectContent(
            pool=pools[1],
            title="Stojaki rowerowe przy bibliotekach",
            short_description="Szkic: stojaki rowerowe przy filiach biblioteki w Starym Mieście.",
            category=Category.BICYCLE,
        ),
        at=at,
    )
    services.project_submit(
        actor=olena,
        project=services.project_draft_create(
            author=olena,
            edition=edition,
            content=services.ProjectContent(
                pool=pools[18],
                title="Zajęcia językowe dla seniorów w Nowej Hucie",
                short_description="Bezpłatne zajęcia z języka polskiego i ukraińskiego dla seniorów w klubach osiedlowych Nowej Huty przez cały rok szkolny.",
                description="Dwie grupy po 12 osób, spotkania dwa razy w tygodniu w klubach osiedlowych; materiały i lektor w cenie.",
                category=Category.EDUCATION,
                address="Kluby osiedlowe, os. Centrum A i os. Szklane Domy",
                cost_items=[services.CostLine("Lektorzy i materiały", Decimal("48000.00"))],
                data_protection_accepted=True,
            ),
            at=at,
        ),
        at=at,
    )
    lines.append(
        f"Budżet obywatelski {year}: nabór otwarty do {timezone.localtime(phases[Phase.SUBMISSION][1]):%Y-%m-%d}; "
        "przykładowe projekty mieszkańców demonstracyjnych."
    )


def load() -> list[str]:
    lines: list[str] = []
    unit = CityUnit.objects.filter(code="KBO").first()
    _load_2025(lines, unit)
    _load_current(lines, unit)
    return lines
