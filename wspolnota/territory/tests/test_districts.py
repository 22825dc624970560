from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from wspolnota.core.models import AuditLogEntry
from wspolnota.territory.errors import TerritoryError
from wspolnota.territory.models import City, District
from wspolnota.territory.selectors import district_for_point
from wspolnota.territory.services import KRAKOW_ATTRIBUTES, KRAKOW_GEOJSON, city_load, krakow_load

OFFICIAL_NAMES = {
    1: "Stare Miasto",
    2: "Grzegórzki",
    3: "Prądnik Czerwony",
    4: "Prądnik Biały",
    5: "Krowodrza",
    6: "Bronowice",
    7: "Zwierzyniec",
    8: "Dębniki",
    9: "Łagiewniki-Borek Fałęcki",
    10: "Swoszowice",
    11: "Podgórze Duchackie",
    12: "Bieżanów-Prokocim",
    13: "Podgórze",
    14: "Czyżyny",
    15: "Mistrzejowice",
    16: "Bieńczyce",
    17: "Wzgórza Krzesławickie",
    18: "Nowa Huta",
}


@pytest.mark.django_db
def test_krakow_has_its_18_districts_with_official_names_and_figures(krakow):
    city = City.objects.get()
    assert (city.name, city.teryt) == ("Kraków", "1261011")
    assert {n: d.name for n, d in krakow.items()} == OFFICIAL_NAMES
    assert krakow[4].population == 71752 and str(krakow[18].area_km2) == "65.41"
    assert sum(d.population for d in krakow.values()) == 709_400
    assert krakow[17].full_name == "Dzielnica XVII Wzgórza Krzesławickie"


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_every_creation_is_audit_logged(krakow):
    report = krakow_load()
    assert report.created == [] and report.updated == []
    assert District.objects.count() == 18
    assert AuditLogEntry.objects.filter(action="territory.district_created").count() == 18


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lat", "lon", "number"),
    [
        (50.0614, 19.9366, 1),  # Rynek Główny
        (50.0540, 19.9354, 1),  # Wawel
        (50.0549, 19.8933, 7),  # Kopiec Kościuszki
        (50.0445, 19.9508, 13),  # Rynek Podgórski
        (50.0719, 20.0374, 18),  # Plac Centralny
        (50.0196, 19.8189, 8),  # Tyniec
    ],
)
def test_points_are_placed_in_their_district(krakow, lat, lon, number):
    assert district_for_point(lat=lat, lon=lon).number == number


@pytest.mark.django_db
def test_every_districts_own_interior_point_is_found_in_it(krakow):
    for district in krakow.values():
        point = shape(district.geometry).representative_point()
        assert district_for_point(lat=point.y, lon=point.x) == district


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lat", "lon"), [(52.2297, 21.0122), (50.0, 19.7), (float("nan"), 19.9), (91, 0)]
)
def test_points_outside_the_city_have_no_district(krakow, lat, lon):
    assert district_for_point(lat=lat, lon=lon) is None


@pytest.mark.django_db
def test_another_city_is_loaded_by_command_from_geojson_and_csv(tmp_path):
    geojson = tmp_path / "city.geojson"
    geojson.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"nr": 1}, "geometry": {"type": "Polygon", "coordinates": [[[18.0, 53.0], [18.1, 53.0], [18.1, 53.1], [18.0, 53.0]]]}},'
        '{"type": "Feature", "properties": {"nr": 2}, "geometry": {"type": "Polygon", "coordinates": [[[18.1, 53.0], [18.2, 53.0], [18.2, 53.1], [18.1, 53.0]]]}}'
        "]}",
        encoding="utf-8",
    )
    table = tmp_path / "districts.csv"
    table.write_text(
        "number,name,area_km2,population,population_date,population_source\n"
        "1,Śródmieście,3.10,20000,2024-12-31,GUS\n2,Fordon,20.50,70000,2024-12-31,GUS\n",
        encoding="utf-8",
    )
    call_command(
        "load_city",
        name="Bydgoszcz",
        teryt="0461011",
        geojson=geojson,
        attributes=table,
        number_property="nr",
    )
    city = City.objects.get(teryt="0461011")
    assert [d.name for d in city.districts.order_by("number")] == ["Śródmieście", "Fordon"]


@pytest.mark.django_db
def test_a_malformed_table_names_the_line_and_the_column(tmp_path):
    table = tmp_path / "districts.csv"
    table.write_text(
        "number,name,area_km2,population,population_date,population_source\n"
        "1,Stare Miasto,5.57,30609,2019-12-31,UMK\n2,Grzegórzki,5.85,dużo,2019-12-31,UMK\n",
        encoding="utf-8",
    )
    with pytest.raises(TerritoryError) as error:
        city_load(name="X", teryt="1261011", geojson_path=KRAKOW_GEOJSON, attributes_path=table)
    assert "wiersz 3" in str(error.value) and "population" in str(error.value)


@pytest.mark.django_db
def test_malformed_geojson_names_the_line(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text(
        '{"type": "FeatureCollection",\n "features": [\n  {"type": ]}', encoding="utf-8"
    )
    with pytest.raises(CommandError, match="wiersz 3"):
        call_command(
            "load_city", name="X", teryt="1261011", geojson=broken, attributes=KRAKOW_ATTRIBUTES
        )


@pytest.mark.django_db
def test_numbers_must_match_between_geometry_and_table(tmp_path):
    table = tmp_path / "districts.csv"
    table.write_text(
        "number,name,area_km2,population,population_date,population_source\n1,A,1,1,2020-01-01,x\n",
        encoding="utf-8",
    )
    with pytest.raises(TerritoryError, match="nie zgadzają"):
        city_load(name="X", teryt="1261011", geojson_path=KRAKOW_GEOJSON, attributes_path=table)
    assert not City.objects.exists()


def test_the_shipped_geojson_is_the_documented_file():
    import hashlib

    digest = hashlib.sha256(Path(KRAKOW_GEOJSON).read_bytes()).hexdigest()
    assert digest == "afbebc12cf1d9f904ca569fb42e71f4e9e7542373cfc0d132443dfea18cfc4f5"


@pytest.mark.django_db
def test_the_district_list_shows_all_18_with_a_map_that_needs_no_javascript(
    client, krakow, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get("/pl/dzielnice/")
    body = response.content.decode()
    for name in OFFICIAL_NAMES.values():
        assert name in body
    assert body.count('class="district-shape"') == 18
    assert 'href="/pl/dzielnice/12/"' in body
    # SVG coordinates must not follow the Polish decimal comma
    assert re.search(r'<text x="\d+\.\d" y="\d+\.\d"', body)
    assert not re.search(r'<text x="\d+,\d', body)


@pytest.mark.django_db
def test_a_district_page_shows_its_facts_and_boundary(client, krakow):
    body = client.get("/pl/dzielnice/9/").content.decode()
    assert "Dzielnica IX Łagiewniki-Borek Fałęcki" in body
    assert "15" in body and "235" in body
    assert body.count('class="district-shape"') == 1
    assert client.get("/pl/dzielnice/19/").status_code == 404
