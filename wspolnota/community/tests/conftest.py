"""Each test starts in Polish: a request in another language must not leak into the next test.

Here the ``official`` persona works in the unit that runs the places the factories make
(``PLACES_UNIT``): permissions are scoped to the place's unit (issue 15), and
``test_permissions_matrix.py`` checks officials of other units separately.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from wspolnota.community.tests.factories import PLACES_UNIT
from wspolnota.tests_support.factories import CityUnitFactory
from wspolnota.tests_support.scopes import official_of


@pytest.fixture(autouse=True)
def _polish() -> Iterator[None]:
    with translation.override("pl"):
        yield


@pytest.fixture
def official(krakow):  # type: ignore[no-untyped-def]
    """An official of the unit that runs the factories' places."""
    return official_of(CityUnitFactory(code=PLACES_UNIT), district=krakow[1])
