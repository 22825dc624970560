"""Who may change an implementation: role × scope (coordinating, responsible or another unit)
× action. The responsible unit reports on its own work; only the edition's coordinating unit
hands the work to another unit; an official of any other department does nothing (issue 15)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.implementation.errors import ImplementationError
from wspolnota.implementation.models import Implementation, ImplementationStatus
from wspolnota.implementation.services import implementation_change, milestone_add
from wspolnota.implementation.tests.factories import opened, results_edition
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of, with_role


def _change(actor: Any, implementation: Implementation, **values: Any) -> None:
    arguments: dict[str, Any] = {
        "status": implementation.status,
        "progress": implementation.progress,
        "actual_cost": implementation.actual_cost,
        "responsible_unit": implementation.responsible_unit,
    }
    arguments.update(values)
    implementation_change(actor=actor, implementation=implementation, **arguments)


ACTIONS = {
    "report_progress": lambda a, i: _change(a, i, status=ImplementationStatus.DESIGN),
    "add_milestone": lambda a, i: milestone_add(
        actor=a, implementation=i, description="Przetarg", planned_date=date(2026, 5, 1)
    ),
    "hand_to_another_unit": lambda a, i: _change(a, i, responsible_unit=CityUnitFactory()),
}

ALLOWED = {
    "official_of_coordinating_unit": set(ACTIONS),
    "official_of_responsible_unit": {"report_progress", "add_milestone"},
    "official_of_other_unit": set(),
    "administrator": set(ACTIONS),
    "district_councillor": set(),
    "moderator": set(),
    "resident": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_permission_matrix(krakow: Any, persona: str, action: str) -> None:
    coordinating, responsible = CityUnitFactory(), CityUnitFactory()
    implementation = opened(
        results_edition(krakow, coordinating_unit=coordinating), unit=responsible
    )
    actor = {
        "official_of_coordinating_unit": lambda: official_of(coordinating),
        "official_of_responsible_unit": lambda: official_of(responsible),
        "official_of_other_unit": lambda: official_of(CityUnitFactory()),
        "administrator": lambda: with_role(Role.ADMINISTRATOR),
        "district_councillor": lambda: councillor_of(krakow[1]),
        "moderator": lambda: with_role(Role.MODERATOR),
        "resident": lambda: UserFactory(district=krakow[1]),
    }[persona]()
    if action in ALLOWED[persona]:
        ACTIONS[action](actor, implementation)
    else:
        with pytest.raises(ImplementationError):
            ACTIONS[action](actor, implementation)
