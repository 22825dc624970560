"""Editions in a chosen phase, pools and projects for the budget's tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from wspolnota.accounts.models import CityUnit, User
from wspolnota.budget import services
from wspolnota.budget.models import (
    PHASE_ORDER,
    Edition,
    EditionPhase,
    Phase,
    Pool,
    PoolKind,
    Project,
    ProjectStatus,
)
from wspolnota.budget.search import normalise
from wspolnota.territory.models import City, District
from wspolnota.tests_support.factories import UserFactory

PHASE_DAYS = 10
SHORT = "Nowe ławki, kosze i nasadzenia drzew wzdłuż alejki w parku osiedlowym dla mieszkańców."


def phase_windows(
    current: str, *, now: datetime | None = None
) -> dict[str, tuple[datetime, datetime]]:
    """Consecutive 10-day phases placed so that ``current`` is open at ``now``."""
    now = now or timezone.now()
    index = PHASE_ORDER.index(current)
    windows = {}
    for position, kind in enumerate(PHASE_ORDER):
        start = now + timedelta(days=(position - index) * PHASE_DAYS - PHASE_DAYS // 2)
        windows[kind] = (start, start + timedelta(days=PHASE_DAYS))
    return windows


def make_edition(
    *,
    districts: dict[int, District],
    phase: str = Phase.SUBMISSION,
    year: int | None = None,
    coordinating_unit: CityUnit | None = None,
    **rules: Any,
) -> Edition:
    """An edition of Kraków's shape: one citywide pool and one pool per district."""
    city: City = next(iter(districts.values())).city
    windows = phase_windows(phase)
    rules.setdefault("withdrawal_deadline", windows[Phase.FINAL_LIST][0])
    edition = services.edition_create(
        actor=None,
        city=city,
        year=year or timezone.now().year,
        name=f"Budżet Obywatelski Miasta Krakowa {year or timezone.now().year}",
        total_budget=Decimal("51000000.00"),
        phases=windows,
        coordinating_unit=coordinating_unit,
        **rules,
    )
    Pool.objects.create(
        edition=edition,
        kind=PoolKind.CITYWIDE,
        budget=Decimal("10200000.00"),
        min_project_cost=Decimal("25000.00"),
        max_project_cost=Decimal("2000000.00"),
    )
    Pool.objects.bulk_create(
        Pool(
            edition=edition,
            kind=PoolKind.DISTRICT,
            district=district,
            budget=Decimal("2266666.67"),
            min_project_cost=Decimal("10000.00"),
            max_project_cost=Decimal("1000000.00"),
        )
        for district in districts.values()
    )
    return Edition.objects.prefetch_related("phases").get(pk=edition.pk)


def move_to_phase(edition: Edition, phase: str) -> Edition:
    """Shift every phase so that ``phase`` is open now (what a calendar does over weeks)."""
    for kind, (start, end) in phase_windows(phase).items():
        EditionPhase.objects.filter(edition=edition, kind=kind).update(starts_at=start, ends_at=end)
    return Edition.objects.prefetch_related("phases").get(pk=edition.pk)


def pool_for(edition: Edition, district_number: int | None) -> Pool:
    if district_number is None:
        return edition.pools.select_related("edition").get(kind=PoolKind.CITYWIDE)
    return edition.pools.select_related("district", "edition").get(district__number=district_number)


def content(pool: Pool, **overrides: Any) -> services.ProjectContent:
    """A complete, valid project for the pool (a point in Stare Miasto when the pool is district I)."""
    values: dict[str, Any] = {
        "pool": pool,
        "title": "Zielona alejka na Plantach",
        "short_description": SHORT,
        "description": "Ławki, kosze na śmieci i dziesięć nowych drzew wzdłuż alejki.",
        "category": "environment",
        "address": "Planty, alejka przy ul. Basztowej",
        "cost_items": [
            services.CostLine("Ławki (10 szt.)", Decimal("40000.00")),
            services.CostLine("Nasadzenia drzew", Decimal("60000.00")),
        ],
        "data_protection_accepted": True,
    }
    if pool.district is not None and pool.district.number == 1:
        values.update(latitude=Decimal("50.061400"), longitude=Decimal("19.936600"))
    values.update(overrides)
    return services.ProjectContent(**values)


def submitted_project(
    *, author: User, pool: Pool, at: datetime | None = None, **overrides: Any
) -> Project:
    """A project submitted through the services, as its author would."""
    project = services.project_draft_create(
        author=author, edition=pool.edition, content=content(pool, **overrides), at=at
    )
    return services.project_submit(actor=author, project=project, at=at)


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    """A public project written straight to the database (for lists, the benchmark and the sweep)."""

    class Meta:
        model = Project

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Projekt numer {n}: siłownia pod chmurką")
    short_description = SHORT
    description = "Opis projektu."
    category = "sport"
    address = "ul. Długa 1"
    cost = Decimal("150000.00")
    status = ProjectStatus.SUBMITTED
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(
        lambda o: f"BO.{o.pool.number_prefix}.{o.sequence}/{o.edition.year % 100:02d}"
    )
    submitted_at = factory.LazyFunction(timezone.now)
    support_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    edition = factory.LazyAttribute(lambda o: o.pool.edition)
    search_text = factory.LazyAttribute(
        lambda o: normalise(f"{o.number} {o.title} {o.short_description}")
    )


def point_in(district: District) -> tuple[Decimal, Decimal]:
    """A point inside the district's boundary (latitude, longitude)."""
    from shapely.geometry import shape

    point = shape(district.geometry).representative_point()
    return Decimal(f"{point.y:.6f}"), Decimal(f"{point.x:.6f}")


def support(
    *,
    user: User,
    project: Project,
    at: datetime | None = None,
    district: District | None = None,
) -> Any:
    """Support online as a resident with a confirmed phone who gives an address in ``district``
    (by default the district of their profile)."""
    if not user.phone_confirmed:
        user.phone = f"+48500{user.pk:06d}"
        user.phone_confirmed_at = timezone.now()
        user.save(update_fields=["phone", "phone_confirmed_at"])
    where = district or user.district
    assert where is not None
    latitude, longitude = point_in(District.objects.get(pk=where.pk))
    return services.project_support(
        user=user,
        project=project,
        address="ul. Testowa 1",
        latitude=latitude,
        longitude=longitude,
        at=at,
    )
