"""Editions ready to vote: pools with projects on the ballot, voting rules, voting points."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.budget.models import Edition, Phase, Pool, Project, ProjectStatus
from wspolnota.budget.tests.factories import make_edition, move_to_phase, pool_for
from wspolnota.territory.models import District
from wspolnota.voting import services
from wspolnota.voting.models import VotingPoint, VotingRules


def make_pesel(index: int, *, year: int = 1990, female: bool = True) -> str:
    """A valid PESEL, different for each index (born in ``year``, a day from the index)."""
    month = 1 + index % 12
    day = 1 + (index // 12) % 28
    month_code = month + (20 if year >= 2000 else 0)
    serial = (index // 336) % 1000
    sex_digit = (index % 5) * 2 + (0 if female else 1)
    digits = f"{year % 100:02d}{month_code:02d}{day:02d}{serial:03d}{sex_digit}"
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def ballot_projects(pool: Pool, count: int = 4, *, costs: list[int] | None = None) -> list[Project]:
    costs = costs or [100_000, 200_000, 300_000, 400_000, 500_000, 600_000][:count]
    projects = []
    for index, cost in enumerate(costs, start=1):
        projects.append(
            Project.objects.create(
                edition=pool.edition,
                pool=pool,
                number=f"BO.{pool.number_prefix}.{index}/25",
                sequence=index,
                title=f"Projekt {pool.number_prefix} {index}",
                cost=Decimal(cost),
                status=ProjectStatus.ON_BALLOT,
            )
        )
    return projects


def make_voting_edition(
    *,
    districts: dict[int, District],
    phase: str = Phase.VOTING,
    fixed: bool = True,
    year: int | None = None,
    coordinator: User | None = None,
    **rules: Any,
) -> Edition:
    """An edition in ``phase`` with 4 citywide projects and 4 in each of districts I and XVIII,
    coordinated by the unit of ``coordinator`` (an official) when given."""
    unit = None
    if coordinator is not None:
        unit = coordinator.role_assignments.filter(city_unit__isnull=False).first().city_unit
    edition = make_edition(
        districts=districts, phase=Phase.FINAL_LIST, year=year, coordinating_unit=unit
    )
    ballot_projects(pool_for(edition, None))
    ballot_projects(pool_for(edition, 1))
    ballot_projects(pool_for(edition, 18))
    rules.setdefault("slug", f"krakow-{edition.year}")
    VotingRules.objects.create(edition=edition, fixed_at=timezone.now() if fixed else None, **rules)
    services.ballot_cache_clear()
    return move_to_phase(edition, phase)


def on_ballot(edition: Edition, district_number: int | None) -> list[Project]:
    return list(
        Project.objects.filter(
            pool=pool_for(edition, district_number), status=ProjectStatus.ON_BALLOT
        ).order_by("sequence")
    )


def krakow_selection(edition: Edition, district_number: int = 1, picks: int = 3) -> dict[int, list]:
    city = on_ballot(edition, None)
    local = on_ballot(edition, district_number)
    return {
        pool_for(edition, None).pk: [(p.pk, 0) for p in city[:picks]],
        pool_for(edition, district_number).pk: [(p.pk, 0) for p in local[:picks]],
    }


def make_point(
    edition: Edition, district: District, coordinators: list[User] | None = None
) -> VotingPoint:
    point = VotingPoint.objects.create(
        edition=edition,
        name=f"Biblioteka Kraków — filia {district.number}",
        address="ul. Rajska 1, 31-124 Kraków",
        district=district,
        hours="pon.–pt. 10:00–19:00",
        step_free=True,
        latitude=Decimal("50.064000"),
        longitude=Decimal("19.930000"),
    )
    if coordinators:
        point.coordinators.set(coordinators)
    return point


_phones = iter(range(100_000, 999_999))


def confirmed(user: User, phone: str | None = None) -> User:
    """The user's own confirmed mobile number (a different one for each user by default)."""
    user.phone = phone or f"+48600{next(_phones):06d}"
    user.phone_confirmed_at = timezone.now()
    user.save(update_fields=["phone", "phone_confirmed_at"])
    return user


def pesel_facts(pesel: str) -> tuple[date, str]:
    from stdnum.pl import pesel as stdnum_pesel

    return stdnum_pesel.get_birth_date(pesel), stdnum_pesel.get_gender(pesel)


def identity_of(
    edition: Edition, index: int, *, name: str | None = None, **extra: Any
) -> services.Identity:
    """The identity of the index-th test person, with a PESEL and its date of birth and sex
    (test PESELs repeat birth dates, so the name carries the index too)."""
    name = name or f"Jan Kowalski {index}"
    pesel = make_pesel(index)
    birth, sex = pesel_facts(pesel)
    return services.identity_for(
        rules=edition.voting_rules,
        full_name=name,
        pesel=pesel,
        birth_date=birth,
        sex=sex,
        at=timezone.now(),
        **extra,
    )


def cast_online(
    edition: Edition,
    user: User,
    identity: services.Identity,
    district: District,
    selection: dict[int, list] | None = None,
) -> str:
    """Cast through the service with a fresh one-time code, as the pages do."""
    cast_code, code = services.cast_code_issue(
        user=user, edition=edition, identity=identity, at=timezone.now()
    )
    return services.ballot_cast_online(
        user=user,
        edition=edition,
        rules=edition.voting_rules,
        identity=identity,
        district=district,
        selection=selection or krakow_selection(edition, district.number),
        cast_code_id=cast_code.pk,
        code=code,
        at=timezone.now(),
    )


def close_vote(edition: Edition, *, at: Any = None) -> Edition:
    """Move to the results phase, close every point and the ballot box (as the commission would
    after the end of voting)."""
    from wspolnota.budget.tests.factories import move_to_phase

    edition = move_to_phase(edition, Phase.RESULTS)
    VotingPoint.objects.filter(edition=edition, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    services.ballot_box_close(actor=None, edition=edition, at=at or timezone.now(), seed=2025)
    return (
        Edition.objects.select_related("voting_rules").prefetch_related("phases").get(pk=edition.pk)
    )
