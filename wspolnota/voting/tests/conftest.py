from __future__ import annotations

from typing import Any

import pytest

from wspolnota.budget.models import Edition
from wspolnota.voting.tests.factories import make_voting_edition


@pytest.fixture
def voting_edition(krakow: Any, official: Any) -> Edition:
    """Kraków's rules (3 + 3 ranked 3-2-1), voting open now, coordinated by the ``official``
    persona's unit."""
    return make_voting_edition(districts=krakow, coordinator=official)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """The per-process caches of ballots and editions must not outlive a test's rollback."""
    from wspolnota.voting import services

    services.ballot_cache_clear()
