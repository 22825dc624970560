from __future__ import annotations

from typing import Any

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.monitoring.services import strategy_load
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory


@pytest.fixture
def strategy(krakow: Any) -> None:
    strategy_load()


@pytest.fixture
def second_official(krakow: Any) -> Any:
    """Approvals need an official other than the one who entered the value."""
    user = UserFactory(district=krakow[2])
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user
