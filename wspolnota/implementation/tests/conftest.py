from __future__ import annotations

from typing import Any

import pytest

from wspolnota.accounts.models import CityUnit
from wspolnota.budget.models import Edition
from wspolnota.implementation.tests.factories import results_edition


@pytest.fixture
def edition(krakow: Any, official: Any) -> Edition:
    """An edition in its implementation phase, coordinated by the ``official`` persona's unit
    (only its officials and administrators coordinate: ``coordinates_edition``)."""
    unit = official.role_assignments.get(role="official").city_unit
    return results_edition(krakow, coordinating_unit=unit)


@pytest.fixture
def official_unit(official: Any) -> CityUnit:
    """The city unit of the ``official`` persona."""
    unit: CityUnit = official.role_assignments.get(role="official").city_unit
    return unit
