"""Where a supporter lives is decided by the address they give, found in the city's address
points, not by a pin they may drop anywhere on the map (issue 16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.models import Support
from wspolnota.budget.tests.factories import content, point_in, pool_for, submitted_project
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def addresses(krakow: Any) -> None:
    address_points_load(city=krakow[1].city, path=KRAKOW_ADDRESS_SAMPLE)


def _phoned(krakow: Any) -> Any:
    return UserFactory(district=krakow[1], phone="+48501000999", phone_confirmed_at=timezone.now())


def test_a_pin_in_the_district_does_not_move_an_address_in_another_district(
    edition, resident, krakow
):
    """The attack: type one's real address (Nowa Huta, XVIII) and drop the pin in Stare Miasto
    to support Stare Miasto's district project."""
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    lat, lon = point_in(krakow[1])
    with pytest.raises(BudgetError, match="Dzielnica XVIII"):
        services.project_support(
            user=_phoned(krakow),
            project=project,
            address="os. Zgody 2/14, Kraków",
            latitude=lat,
            longitude=lon,
        )
    assert not Support.objects.exists()


def test_an_address_the_city_knows_needs_no_point_on_the_map(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    made = services.project_support(
        user=_phoned(krakow), project=project, address="ul. Floriańska 3 m. 5"
    )
    assert made.district == krakow[1]


def test_an_unknown_address_without_a_map_point_is_asked_to_be_checked_or_pointed(
    edition, resident, krakow
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError, match="Nie znaleźliśmy tego adresu") as refused:
        services.project_support(user=_phoned(krakow), project=project, address="ul. Zmyślona 77")
    assert refused.value.field == "address"
    # a new building not yet in the register: the map point is taken
    lat, lon = point_in(krakow[1])
    made = services.project_support(
        user=_phoned(krakow),
        project=project,
        address="ul. Zmyślona 77",
        latitude=lat,
        longitude=lon,
    )
    assert made.district == krakow[1]


def test_a_project_at_a_known_address_is_placed_on_the_map_by_it(edition, resident):
    pool = pool_for(edition, 1)
    project = services.project_draft_create(
        author=resident,
        edition=edition,
        content=content(pool, address="ul. Rajska 1", latitude=None, longitude=None),
    )
    assert (project.latitude, project.longitude) == (Decimal("50.064000"), Decimal("19.930600"))
    assert project.location_district_id == pool.district_id
