from __future__ import annotations

from typing import Any

import pytest

from wspolnota.budget.models import Edition, Phase
from wspolnota.budget.tests.factories import make_edition


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded attachments go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def edition(krakow: Any, official: Any) -> Edition:
    """An edition open for submissions, coordinated by the ``official`` persona's unit (an
    edition naming no unit would be left to administrators)."""
    return make_edition(
        districts=krakow,
        phase=Phase.SUBMISSION,
        coordinating_unit=official.role_assignments.get().city_unit,
    )
