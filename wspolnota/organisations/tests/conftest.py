from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wspolnota.tests_support.factories import CityUnitFactory
from wspolnota.tests_support.scopes import official_of

# The code of the city unit that keeps the registry in these tests (ORGANISATIONS_REGISTRY_UNIT).
REGISTRY_UNIT = "WRO"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploaded documents go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _registry_unit(settings: Any) -> None:
    settings.ORGANISATIONS_REGISTRY_UNIT = REGISTRY_UNIT


@pytest.fixture
def official(krakow: Any) -> Any:
    """Here the ``official`` persona works in the unit that keeps the registry (issue 15:
    officials of other units do not verify; see ``test_permissions_matrix.py``)."""
    return official_of(CityUnitFactory(code=REGISTRY_UNIT), district=krakow[1])
