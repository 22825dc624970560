"""Addresses that people type are found in the city's address points (no internet geocoder)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from wspolnota.territory.errors import TerritoryError
from wspolnota.territory.models import AddressPoint
from wspolnota.territory.selectors import address_locate, address_split
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ul. Rajska 1", ("ul. Rajska", "1")),
        ("Rajska 1, 31-124 Kraków", ("Rajska", "1")),
        ("Kraków, os. Zgody 2/14", ("os. Zgody", "2")),
        ("ul. Floriańska 3 m. 5", ("ul. Floriańska", "3")),
        ("os. Dywizjonu 303 1", ("os. Dywizjonu 303", "1")),
        ("Grzegórzecka 20a", ("Grzegórzecka", "20a")),
        ("Kraków", None),
        ("", None),
    ],
)
def test_an_address_splits_into_street_and_house_number(text, expected):
    assert address_split(text, city_name="Kraków") == expected


def test_a_typed_address_is_found_with_its_position_and_district(krakow):
    call_command("load_address_points", stdout=io.StringIO())
    for text, district in (
        ("ul. Rajska 1, Kraków", 1),
        ("RAJSKA 1", 1),
        ("plac Wszystkich Swietych 3", 1),
        ("Osiedle Zgody 2/5", 18),
        ("os. Dywizjonu 303 1", 15),
    ):
        located = address_locate(text=text)
        assert located is not None, text
        assert located.district == krakow[district], text
    assert address_locate(text="ul. Rajska 999") is None
    assert address_locate(text="ul. Nieistniejąca 1") is None


def test_loading_twice_updates_instead_of_duplicating(krakow):
    city = krakow[1].city
    first = address_points_load(city=city, path=KRAKOW_ADDRESS_SAMPLE)
    second = address_points_load(city=city, path=KRAKOW_ADDRESS_SAMPLE)
    assert first.created == second.updated == AddressPoint.objects.count() > 10


def test_a_file_in_another_coordinate_system_is_refused_with_its_line(krakow, tmp_path: Path):
    """PUWG 1992 metres (or swapped columns) would put people in the wrong place: refused."""
    path = tmp_path / "punkty.csv"
    path.write_text(
        "ulica,numer,szerokosc,dlugosc\nRajska,1,50.064,19.9306\nRajska,2,244567.1,566338.2\n",
        encoding="utf-8",
    )
    with pytest.raises(TerritoryError, match="wiersz 3"):
        address_points_load(city=krakow[1].city, path=path)
    assert not AddressPoint.objects.exists()
