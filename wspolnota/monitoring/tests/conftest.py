from __future__ import annotations

from typing import Any

import pytest

from wspolnota.accounts.models import CityUnit
from wspolnota.accounts.roles import Role
from wspolnota.monitoring.services import strategy_load
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.tests_support.scopes import official_of


@pytest.fixture
def strategy(krakow: Any) -> None:
    strategy_load()


@pytest.fixture
def second_official(krakow: Any) -> Any:
    """Approvals need an official other than the one who entered the value."""
    user = UserFactory(district=krakow[2])
    unit = CityUnit.objects.filter(code=STRATEGY_UNIT).first() or CityUnitFactory(
        code=STRATEGY_UNIT
    )
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return user


# The code of the strategy office in these tests (MONITORING_STRATEGY_UNIT): its officials keep
# monitoring; officials of other units do not (issue 15, see ``test_permissions_matrix.py``).
STRATEGY_UNIT = "WSR"


@pytest.fixture(autouse=True)
def _strategy_unit(settings: Any) -> None:
    settings.MONITORING_STRATEGY_UNIT = STRATEGY_UNIT


@pytest.fixture
def official(krakow: Any) -> Any:
    """Here the ``official`` persona works in the strategy office."""
    return official_of(CityUnitFactory(code=STRATEGY_UNIT), district=krakow[1])
