"""The coordinating unit sets up its edition from its own pages: attacks and behaviour."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError, BudgetPermissionError
from wspolnota.budget.models import Edition, Phase, Pool, Project, ProjectStatus
from wspolnota.budget.tests.factories import (
    content,
    make_edition,
    move_to_phase,
    pool_for,
    submitted_project,
)
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _unit_of(user: Any) -> Any:
    return user.role_assignments.get(role=Role.OFFICIAL).city_unit


@pytest.fixture
def unit(official: Any) -> Any:
    return _unit_of(official)


@pytest.fixture
def other_official(krakow: Any) -> Any:
    user = UserFactory(district=krakow[2])
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _setup_edition(krakow: Any, unit: Any, phase: str = Phase.SUBMISSION, **rules: Any) -> Edition:
    edition = make_edition(districts=krakow, phase=phase, coordinating_unit=unit, **rules)
    # A calendar where nothing has started yet, unless a test moves it.
    return edition


def _future_edition(krakow: Any, unit: Any, year: int = 2040) -> Edition:
    """An edition whose phases all lie ahead (nothing locked yet)."""
    later = timezone.now() + timezone.timedelta(days=200)
    phases = {}
    for position, kind in enumerate(Phase.values):
        start = later + timezone.timedelta(days=10 * position)
        phases[kind] = (start, start + timezone.timedelta(days=10))
    return services.edition_create(
        actor=None,
        city=next(iter(krakow.values())).city,
        year=year,
        name=f"BO {year}",
        total_budget=Decimal("1000000"),
        phases=phases,
        coordinating_unit=unit,
        is_published=False,
    )


# --- A new edition ---------------------------------------------------------------------------


def test_an_official_opens_a_new_edition_from_last_years_with_its_rules_dates_and_pools(
    krakow, official, unit
):
    last = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=unit, supporters_required=20
    )
    response = _client(official).post(
        reverse("budget:edition_new"),
        {
            "year": last.year + 1,
            "name": "BO następny rok",
            "total_budget": "52 000 000",
            "coordinating_unit": unit.pk,
            "copy_from": last.pk,
        },
    )
    assert response.status_code == 302
    new = Edition.objects.get(year=last.year + 1)
    assert new.coordinating_unit == unit
    assert new.supporters_required == 20
    assert not new.is_published
    assert new.pools.count() == last.pools.count() == 19
    old_start = timezone.localtime(last.phase_window(Phase.VOTING)[0])
    new_start = timezone.localtime(new.phase_window(Phase.VOTING)[0])
    assert (new_start.year, new_start.month, new_start.day, new_start.hour) == (
        old_start.year + 1,
        old_start.month,
        old_start.day,
        old_start.hour,
    )
    assert AuditLogEntry.objects.filter(action="budget.edition_created", actor=official).exists()
    assert AuditLogEntry.objects.filter(action="budget.pool_created", actor=official).count() == 19


def test_an_official_cannot_open_an_edition_for_another_units_coordination(
    krakow, official, other_official
):
    foreign_unit = _unit_of(other_official)
    response = _client(official).post(
        reverse("budget:edition_new"),
        {"year": 2041, "name": "BO", "total_budget": "1000", "coordinating_unit": foreign_unit.pk},
    )
    assert response.status_code == 400
    assert not Edition.objects.filter(year=2041).exists()
    with pytest.raises(BudgetPermissionError):
        services.edition_open(
            actor=official,
            city=next(iter(krakow.values())).city,
            coordinating_unit=foreign_unit,
            year=2041,
            name="BO",
            total_budget=Decimal(1000),
        )


def test_a_second_edition_for_the_same_year_is_refused_with_a_clear_message(krakow, official, unit):
    edition = _future_edition(krakow, unit)
    response = _client(official).post(
        reverse("budget:edition_new"),
        {"year": edition.year, "name": "BO", "total_budget": "1000", "coordinating_unit": unit.pk},
    )
    assert response.status_code == 400
    assert f"Edycja na rok {edition.year} już istnieje" in response.content.decode()


def test_residents_and_moderators_cannot_open_an_edition(client_for):
    for persona in ("resident", "moderator", "district_councillor", "auditor"):
        response = client_for(persona).get(reverse("budget:edition_new"))
        assert response.status_code == 403, persona


# --- The edition's rules ---------------------------------------------------------------------


def test_an_official_of_another_unit_cannot_change_the_editions_rules(krakow, unit, other_official):
    edition = _future_edition(krakow, unit)
    client = _client(other_official)
    url = reverse("budget:edition_setup", args=[edition.year])
    # An edition still being set up is not even visible outside its coordinating unit.
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Przejęta", "supporters_required": 1}).status_code == 404
    edition.refresh_from_db()
    assert edition.name != "Przejęta"
    with pytest.raises(BudgetPermissionError):
        services.edition_settings_update(actor=other_official, edition=edition, name="Przejęta")


def _settings_post(edition: Edition, **changes: Any) -> dict[str, Any]:
    data = {
        "name": edition.name,
        "total_budget": str(edition.total_budget),
        "supporters_required": edition.supporters_required,
        "support_days": edition.support_days,
        "supporters_from_district": "on" if edition.supporters_from_district else "",
        "short_description_min": edition.short_description_min,
        "short_description_max": edition.short_description_max,
        "appeal_days": edition.appeal_days,
        "withdrawal_deadline": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_coordinator_changes_the_rules_before_submission_and_it_is_logged(
    krakow, official, unit
):
    edition = _future_edition(krakow, unit)
    response = _client(official).post(
        reverse("budget:edition_setup", args=[edition.year]),
        _settings_post(
            edition, supporters_required=25, is_published="on", categories=["sport", "culture"]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    edition.refresh_from_db()
    assert edition.supporters_required == 25
    assert edition.is_published
    assert sorted(edition.categories) == ["culture", "sport"]
    entry = AuditLogEntry.objects.get(action="budget.edition_changed")
    assert entry.before["supporters_required"] == 15
    assert entry.after["supporters_required"] == 25


def test_supporters_required_cannot_change_once_submission_has_begun_and_the_page_says_why(
    krakow, official, unit
):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    client = _client(official)
    url = reverse("budget:edition_setup", args=[edition.year])
    page = client.get(url).content.decode()
    assert "Zgłaszanie projektów już się rozpoczęło" in page
    client.post(url, _settings_post(edition, supporters_required=1))
    edition.refresh_from_db()
    assert edition.supporters_required == 15
    with pytest.raises(BudgetError) as caught:
        services.edition_settings_update(actor=official, edition=edition, supporters_required=1)
    assert caught.value.field == "supporters_required"


def test_the_total_and_withdrawal_deadline_are_locked_once_voting_has_begun(krakow, official, unit):
    edition = _setup_edition(krakow, unit, phase=Phase.VOTING)
    with pytest.raises(BudgetError):
        services.edition_settings_update(actor=official, edition=edition, total_budget=Decimal("1"))
    edition = services.edition_settings_update(actor=official, edition=edition, name="Nowa nazwa")
    assert edition.name == "Nowa nazwa"


def test_a_project_in_a_category_the_edition_does_not_offer_is_refused(krakow, resident, unit):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    Edition.objects.filter(pk=edition.pk).update(categories=["sport"])
    edition.refresh_from_db()
    with pytest.raises(BudgetError) as caught:
        services.project_draft_create(
            author=resident, edition=edition, content=content(pool_for(edition, 1))
        )
    assert caught.value.field == "category"


# --- Pools -------------------------------------------------------------------------------------


def test_the_coordinator_adds_the_citywide_and_district_pools_with_amounts_and_limits(
    krakow, official, unit
):
    edition = _future_edition(krakow, unit)
    client = _client(official)
    url = reverse("budget:setup_pools", args=[edition.year])
    ok = client.post(
        url,
        {
            "budget": "10 200 000",
            "min_project_cost": "25 000",
            "max_project_cost": "2 000 000",
        },
    )
    assert ok.status_code == 302
    ok = client.post(
        url,
        {
            "district": krakow[5].pk,
            "budget": "2 000 000",
            "min_project_cost": "10000",
            "max_project_cost": "1000000",
        },
    )
    assert ok.status_code == 302
    assert edition.pools.count() == 2
    twice = client.post(url, {"budget": "1", "min_project_cost": "0", "max_project_cost": "1"})
    assert twice.status_code == 400
    assert "Ta edycja ma już pulę" in twice.content.decode()
    too_big = client.post(
        url,
        {
            "district": krakow[6].pk,
            "budget": "100",
            "min_project_cost": "10",
            "max_project_cost": "1000",
        },
    )
    assert too_big.status_code == 400
    assert "nie może przekraczać kwoty puli" in too_big.content.decode()
    assert AuditLogEntry.objects.filter(action="budget.pool_created").count() == 2


def test_pools_cannot_be_added_once_submission_has_begun(krakow, official, unit):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    Pool.objects.filter(edition=edition, district=krakow[3]).delete()
    with pytest.raises(BudgetError):
        services.pool_add(
            actor=official,
            edition=edition,
            district=krakow[3],
            budget=Decimal(100),
            min_project_cost=Decimal(1),
            max_project_cost=Decimal(10),
        )


def test_a_pools_cost_limits_lock_at_submission_and_its_amount_at_voting(krakow, official, unit):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    pool = pool_for(edition, 1)
    with pytest.raises(BudgetError):
        services.pool_update(
            actor=official,
            pool=pool,
            budget=pool.budget,
            min_project_cost=Decimal(1),
            max_project_cost=pool.max_project_cost,
        )
    changed = services.pool_update(
        actor=official,
        pool=pool,
        budget=Decimal("3000000"),
        min_project_cost=pool.min_project_cost,
        max_project_cost=pool.max_project_cost,
    )
    assert changed.budget == Decimal("3000000")
    edition = move_to_phase(edition, Phase.VOTING)
    with pytest.raises(BudgetError):
        services.pool_update(
            actor=official,
            pool=pool_for(edition, 1),
            budget=Decimal("1"),
            min_project_cost=pool.min_project_cost,
            max_project_cost=pool.max_project_cost,
        )
    page = _client(official).get(reverse("budget:setup_pool", args=[edition.year, pool.pk]))
    assert "Głosowanie już się rozpoczęło" in page.content.decode()


def test_another_units_official_cannot_touch_the_pools(krakow, unit, other_official):
    edition = _future_edition(krakow, unit)
    client = _client(other_official)
    url = reverse("budget:setup_pools", args=[edition.year])
    # An edition still being set up is not even visible outside its coordinating unit.
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"budget": "1", "min_project_cost": "0", "max_project_cost": "1"}
        ).status_code
        == 404
    )
    assert edition.pools.count() == 0


# --- Verifying units, in bulk ------------------------------------------------------------------


def test_the_coordinator_assigns_verifying_units_and_officials_to_many_projects(
    krakow, official, unit, resident
):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    pool = pool_for(edition, 1)
    first = submitted_project(author=resident, pool=pool)
    second = submitted_project(author=resident, pool=pool, title="Drugi projekt")
    Project.objects.filter(pk__in=[first.pk, second.pk]).update(
        supporters_complete_at=timezone.now()
    )
    edition = move_to_phase(edition, Phase.VERIFICATION)
    engineers = CityUnitFactory()
    engineer = UserFactory(district=krakow[3])
    RoleAssignmentFactory(user=engineer, role=Role.OFFICIAL, city_unit=engineers)
    response = _client(official).post(
        reverse("budget:setup_verification", args=[edition.year]),
        {"projects": [first.pk, second.pk], "unit": engineers.pk, "official": engineer.pk},
    )
    assert response.status_code == 302
    for project in (first, second):
        project.refresh_from_db()
        assert project.status == ProjectStatus.IN_VERIFICATION
        assert project.verification_unit == engineers
        assert project.verification_official == engineer


def test_an_official_of_another_unit_is_not_assigned_as_the_verifying_official(
    krakow, official, unit, resident, other_official
):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    edition = move_to_phase(edition, Phase.VERIFICATION)
    response = _client(official).post(
        reverse("budget:setup_verification", args=[edition.year]),
        {"projects": [project.pk], "unit": unit.pk, "official": other_official.pk},
    )
    assert response.status_code == 400
    assert "nie jest urzędnikiem tej jednostki" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_another_units_official_cannot_assign_verification(krakow, unit, resident, other_official):
    edition = _setup_edition(krakow, unit, phase=Phase.SUBMISSION)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    move_to_phase(edition, Phase.VERIFICATION)
    response = _client(other_official).post(
        reverse("budget:setup_verification", args=[edition.year]),
        {"projects": [project.pk], "unit": _unit_of(other_official).pk},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.verification_unit is None


def test_the_phases_page_shows_the_voting_dates_locked_once_voting_has_begun(
    krakow, official, unit
):
    edition = _setup_edition(krakow, unit, phase=Phase.VOTING)
    client = _client(official)
    url = reverse("budget:edition_phases", args=[edition.year])
    page = client.get(url).content.decode()
    assert "jego daty się nie zmieniają" in page
    assert 'name="voting__starts_at"' in page and "disabled" in page
    window = edition.phase_window(Phase.VOTING)
    later = timezone.localtime(window[1] + timezone.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {}
    for kind in Phase.values:
        start, end = edition.phase_window(kind)
        data[f"{kind}__starts_at"] = timezone.localtime(start).strftime("%Y-%m-%dT%H:%M")
        data[f"{kind}__ends_at"] = timezone.localtime(end).strftime("%Y-%m-%dT%H:%M")
    data["voting__ends_at"] = later  # a forged field: ignored, the vote's dates stay
    client.post(url, data)
    edition = Edition.objects.prefetch_related("phases").get(pk=edition.pk)
    assert edition.phase_window(Phase.VOTING)[1] == window[1]
