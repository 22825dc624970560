"""'Near me' (issue 21): distances are measured from the person's address point or a point they
give; a district alone gives an order (its own places first), never a made-up distance."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from wspolnota.community.models import Place
from wspolnota.community.services import senior_centres_import
from wspolnota.community.tests.factories import PlaceFactory
from wspolnota.tests_support.factories import UserFactory

DATA = Path(__file__).resolve().parents[1] / "data"
NOWA_HUTA_CENTRE = "Centrum Aktywności Seniorów Nowa Huta (przykład)"


def _sample() -> bytes:
    return (DATA / "cas-krakow-przyklad.csv").read_bytes()


@pytest.fixture
def centres(krakow):
    senior_centres_import(actor=None, content=_sample())
    call_command("load_address_points", stdout=io.StringIO())
    return Place.objects.all()


def _distances(response) -> list:
    return [row["distance_km"] for row in response.context["rows"]]


def _distance_cells(html: str) -> list[str]:
    return re.findall(r'<td class="num distance">(.*?)</td>', html, flags=re.S)


@pytest.mark.django_db
def test_a_district_alone_lists_its_own_centre_first_and_says_the_distance_is_unknown(
    centres, client, krakow
):
    """The finding: Nowa Huta's own centre was shown 6.6 km away from someone who picked
    Nowa Huta (measured from an arbitrary point inside the district)."""
    response = client.get(f"/pl/spolecznosc/miejsca/?near_district={krakow[18].pk}")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0]["place"].name == NOWA_HUTA_CENTRE
    assert {row["place"].district_id for row in rows[:1]} == {krakow[18].pk}
    assert set(_distances(response)) == {None}  # no number is made up
    html = response.content.decode()
    assert " km" not in "".join(_distance_cells(html))
    assert "odległość nieznana" in html
    assert "6,6 km" not in html


@pytest.mark.django_db
def test_a_typed_address_measures_from_its_point_in_the_address_register(centres, client):
    response = client.get("/pl/spolecznosc/miejsca/", {"address": "os. Centrum A 1"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0]["place"].name == NOWA_HUTA_CENTRE
    assert rows[0]["distance_km"] < 0.2  # across the square, not 6.6 km
    distances = _distances(response)
    located = [d for d in distances if d is not None]
    assert located == sorted(located) and len(located) == 15 - 1  # one of the 15 has closed
    assert "0,1 km" in response.content.decode() or "0,0 km" in response.content.decode()


@pytest.mark.django_db
def test_an_address_missing_from_the_register_is_said_so_and_no_distance_is_shown(centres, client):
    response = client.get("/pl/spolecznosc/miejsca/", {"address": "ul. Nieistniejąca 7"})
    assert response.status_code == 400
    assert "rejestrze punktów adresowych" in response.content.decode()
    assert set(_distances(response)) == {None}


@pytest.mark.django_db
def test_near_me_for_a_signed_in_resident_uses_their_address_point(centres, client, krakow):
    with_address = UserFactory(district=krakow[18], address_street="os. Centrum A 1")
    client.force_login(with_address)
    response = client.get("/pl/spolecznosc/miejsca/?near=1")
    rows = response.context["rows"]
    assert rows[0]["place"].name == NOWA_HUTA_CENTRE and rows[0]["distance_km"] < 0.2

    district_only = UserFactory(district=krakow[18])
    client.force_login(district_only)
    response = client.get("/pl/spolecznosc/miejsca/?near=1")
    rows = response.context["rows"]
    assert rows[0]["place"].name == NOWA_HUTA_CENTRE
    assert set(_distances(response)) == {None}
    assert "odległość nieznana" in response.content.decode()


@pytest.mark.django_db
def test_a_place_without_a_position_stays_in_the_list_with_its_distance_unknown(centres, client):
    PlaceFactory(name="Klub bez współrzędnych", latitude=None, longitude=None)
    response = client.get("/pl/spolecznosc/miejsca/?lat=50.0587&lon=19.9304")
    rows = response.context["rows"]
    assert rows[-1]["place"].name == "Klub bez współrzędnych"
    assert rows[-1]["distance_km"] is None
    assert rows[0]["distance_km"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "unknown"), [("en", "distance unknown"), ("uk", "відстань невідома")]
)
def test_the_unknown_distance_is_said_in_each_language(centres, client, krakow, language, unknown):
    response = client.get(f"/{language}/spolecznosc/miejsca/?near_district={krakow[18].pk}")
    assert unknown in response.content.decode()


@pytest.mark.django_db
def test_the_api_measures_from_a_point_or_an_address_and_never_from_a_district(centres, client):
    by_address = client.get("/api/places", {"address": "os. Centrum A 1"})
    assert by_address.status_code == 200
    data = by_address.json()
    assert data[0]["name"] == NOWA_HUTA_CENTRE and data[0]["distance_km"] < 0.2
    by_point = client.get("/api/places?lat=50.0587&lon=19.9304").json()
    assert by_point[0]["distance_km"] <= by_point[1]["distance_km"]
    plain = client.get("/api/places?district=18").json()
    assert plain and {p["distance_km"] for p in plain} == {None}
    unknown = client.get("/api/places", {"address": "ul. Nieistniejąca 7"})
    assert unknown.status_code == 422
    assert client.get("/api/places?lat=50.06").status_code == 422


@pytest.mark.django_db
def test_the_map_marks_the_point_measured_from_and_the_chosen_district(centres, client, krakow):
    by_address = client.get("/pl/spolecznosc/miejsca/", {"address": "os. Centrum A 1"})
    html = by_address.content.decode()
    assert html.count('<g class="near-origin">') == 1
    assert html.count("district-chosen") == 1  # the address's district, Nowa Huta
    by_district = client.get(f"/pl/spolecznosc/miejsca/?near_district={krakow[18].pk}")
    html = by_district.content.decode()
    assert '<g class="near-origin">' not in html  # no point, so none is drawn
    assert html.count("district-chosen") == 1
