"""Demo content of implementation tracking, on the budget demo's 2025 edition.

The winners are those Pabulib marks ``selected`` in the Stare Miasto and Nowa Huta 2025 files
(the districts of two demo residents). Their implementation is opened (the voting app may have
done so already: opening is idempotent), and a few get a realistic course: milestones, status,
progress, actual cost and a note, each entered through the services as the demo official, so the
audit log and the public update log are filled exactly as in real use. The demo residents follow
one project each. Runs after the budget's demo (apps load in INSTALLED_APPS order).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from wspolnota.accounts.models import User
from wspolnota.budget.models import Edition, Project
from wspolnota.implementation import services
from wspolnota.implementation.models import Implementation, ImplementationStatus, UpdateKind

FILES = ["Poland_Krakow_2025_Stare_Miasto.pb", "Poland_Krakow_2025_Nowa_Huta.pb"]
OFFICIAL = "urzednik@demo.wspolnota.pl"
# demo resident → the district whose first implementation they follow
FOLLOWERS = {"mieszkanka@demo.wspolnota.pl": 1, "mieszkaniec.nowahuta@demo.wspolnota.pl": 18}


def selected_numbers(path: Path) -> list[str]:
    """Project numbers marked as selected (winners) in a Pabulib file's PROJECTS section."""
    numbers: list[str] = []
    section = ""
    header: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            if len(row) == 1 and row[0].strip() in ("META", "PROJECTS", "VOTES"):
                section, header = row[0].strip(), []
                if section == "VOTES":
                    break
                continue
            if section != "PROJECTS" or not row:
                continue
            if not header:
                header = [c.strip() for c in row]
                continue
            record = dict(zip(header, row, strict=False))
            if record.get("selected", "0").strip() == "1":
                numbers.append(record["project_id"].strip())
    return numbers


def _course(implementation: Implementation, official: User, step: int) -> None:
    """Give one implementation a plausible course of work (three shapes, by ``step``)."""
    unit = implementation.responsible_unit
    if step == 0:
        services.milestone_add(
            actor=official,
            implementation=implementation,
            description="Dokumentacja projektowa",
            planned_date=date(2026, 3, 31),
            actual_date=date(2026, 4, 14),
        )
        services.milestone_add(
            actor=official,
            implementation=implementation,
            description="Wybór wykonawcy (przetarg)",
            planned_date=date(2026, 6, 30),
            actual_date=date(2026, 7, 8),
        )
        services.milestone_add(
            actor=official,
            implementation=implementation,
            description="Zakończenie robót i odbiór",
            planned_date=date(2026, 12, 15),
        )
        services.implementation_change(
            actor=official,
            implementation=implementation,
            status=ImplementationStatus.IN_PROGRESS,
            progress=60,
            actual_cost=None,
            responsible_unit=unit,
            note=(
                "Wykonawca rozpoczął prace we wrześniu. Przetarg rozstrzygnięto z tygodniowym "
                "opóźnieniem; termin zakończenia się nie zmienia."
            ),
        )
    elif step == 1:
        services.milestone_add(
            actor=official,
            implementation=implementation,
            description="Zakup i dostawa",
            planned_date=date(2026, 5, 31),
            actual_date=date(2026, 5, 20),
        )
        services.implementation_change(
            actor=official,
            implementation=implementation,
            status=ImplementationStatus.IN_PROGRESS,
            progress=80,
            actual_cost=None,
            responsible_unit=unit,
        )
        services.implementation_change(
            actor=official,
            implementation=implementation,
            status=ImplementationStatus.COMPLETED,
            progress=100,
            actual_cost=(implementation.estimated_cost * Decimal("0.94")).quantize(Decimal("0.01")),
            responsible_unit=unit,
            completed_on=date(2026, 6, 12),
            note="Projekt zrealizowano taniej, niż szacowano; oszczędność wraca do budżetu dzielnicy.",
        )
    else:
        services.milestone_add(
            actor=official,
            implementation=implementation,
            description="Uzgodnienia z zarządcą terenu",
            planned_date=date(2026, 10, 31),
        )
        services.implementation_change(
            actor=official,
            implementation=implementation,
            status=ImplementationStatus.DESIGN,
            progress=15,
            actual_cost=None,
            responsible_unit=unit,
            note="Trwa przygotowanie dokumentacji.",
        )


def load() -> list[str]:
    edition = Edition.objects.filter(year=2025).order_by("pk").first()
    if edition is None:
        return ["Realizacja projektów: brak edycji 2025 budżetu obywatelskiego; pomijam."]
    folder = Path(settings.DATA_DIR) / "pabulib"
    numbers: list[str] = []
    for name in FILES:
        path = folder / name
        if path.exists():
            numbers += selected_numbers(path)
    projects = {p.number: p for p in Project.objects.filter(edition=edition, number__in=numbers)}
    ordered = [projects[n] for n in numbers if n in projects]
    if not ordered:
        return ["Realizacja projektów: brak zwycięskich projektów 2025 w danych Pabulib; pomijam."]
    official = User.objects.filter(email=OFFICIAL).first()
    implementations = services.implementations_open(
        edition=edition, project_ids=[p.pk for p in ordered], actor=official
    )
    by_district: dict[int, list[Implementation]] = {}
    for implementation in implementations:
        number = implementation.district.number if implementation.district else 0
        by_district.setdefault(number, []).append(implementation)
    shaped = 0
    if official is not None:
        for group in by_district.values():
            for step, implementation in enumerate(group[:3]):
                if implementation.updates.exclude(kind=UpdateKind.OPENED).exists():
                    continue  # given a course by an earlier run
                _course(implementation, official, step)
                shaped += 1
    for email, district_number in FOLLOWERS.items():
        user = User.objects.filter(email=email).first()
        group = by_district.get(district_number, [])
        if user is not None and group:
            services.implementation_follow(user=user, implementation=group[0])
    return [
        f"Realizacja projektów 2025: {len(implementations)} zwycięskich projektów "
        f"(Stare Miasto, Nowa Huta), {shaped} z etapami i wpisami w dzienniku."
    ]
