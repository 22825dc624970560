"""The site is one city's: an edition of another city with the same year (an imported file, a
replay) never stands in for the city's own edition on its pages (issue 16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.budget import selectors, services
from wspolnota.budget.models import Edition
from wspolnota.territory.models import City
from wspolnota.voting.selectors import edition_for_year

pytestmark = pytest.mark.django_db


def _gdansk_edition(year: int) -> Edition:
    gdansk = City.objects.create(name="Gdańsk", teryt="2261011", slug="gdansk")
    return services.edition_create(
        actor=None,
        city=gdansk,
        year=year,
        name=f"Budżet Obywatelski Gdańska {year}",
        total_budget=Decimal("20000000"),
        phases={},
        is_published=True,
    )


def _krakow_edition(krakow: Any, year: int) -> Edition:
    return services.edition_create(
        actor=None,
        city=krakow[1].city,
        year=year,
        name=f"Budżet Obywatelski Krakowa {year}",
        total_budget=Decimal("50000000"),
        phases={},
        is_published=True,
    )


@pytest.mark.parametrize("order", ["other_city_first", "other_city_last"])
def test_the_edition_of_a_year_is_the_citys_own_not_another_citys_of_the_same_year(
    client, krakow, order
):
    year = timezone.now().year
    if order == "other_city_first":
        _gdansk_edition(year)
        own = _krakow_edition(krakow, year)
    else:
        own = _krakow_edition(krakow, year)
        _gdansk_edition(year)

    assert selectors.edition_get_for(viewer=None, year=year) == own
    assert edition_for_year(year) == own
    assert selectors.edition_current(viewer=None) == own
    assert list(selectors.edition_list(viewer=None)) == [own]
    page = client.get(f"/pl/budzet-obywatelski/{year}/")
    assert page.status_code == 200
    assert "Krakowa" in page.content.decode() and "Gdańska" not in page.content.decode()


def test_another_citys_edition_alone_is_not_found_on_the_citys_pages(client, krakow):
    year = timezone.now().year
    _gdansk_edition(year)
    assert client.get(f"/pl/budzet-obywatelski/{year}/").status_code == 404
    assert edition_for_year(year) is None
