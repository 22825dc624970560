from __future__ import annotations

from typing import Any

import pytest

from wspolnota.accounts.models import CityUnit
from wspolnota.budget.models import Edition
from wspolnota.implementation.tests.factories import results_edition


@pytest.fixture
def edition(krakow: Any) -> Edition:
    """An edition in its implementation phase; any official coordinates it."""
    return results_edition(krakow)


@pytest.fixture
def official_unit(official: Any) -> CityUnit:
    """The city unit of the ``official`` persona."""
    unit: CityUnit = official.role_assignments.get(role="official").city_unit
    return unit
