from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_districts_endpoint_lists_all_districts_with_geometry(
    client, krakow, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get("/api/districts")
    data = response.json()
    assert response.status_code == 200
    assert [d["number"] for d in data] == list(range(1, 19))
    first = data[0]
    assert first["name"] == "Stare Miasto" and first["population"] == 30609
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")


@pytest.mark.django_db
def test_lookup_names_stare_miasto_for_the_main_square(client, krakow):
    response = client.get("/api/districts/lookup", {"lat": "50.0614", "lon": "19.9366"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "Dzielnica I Stare Miasto"


@pytest.mark.django_db
def test_lookup_outside_the_city_is_a_clear_404_in_the_asked_language(client, krakow):
    response = client.get(
        "/api/districts/lookup", {"lat": "52.23", "lon": "21.01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "This point lies outside the boundaries of Kraków."
    polish = client.get(
        "/api/districts/lookup", {"lat": "52.23", "lon": "21.01"}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert polish.json()["detail"] == "Ten punkt leży poza granicami miasta Kraków."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lon": "19.9"},
        {"lat": "50.06"},
        {"lat": "95", "lon": "19.9"},
        {"lat": "nan", "lon": "1"},
    ],
)
def test_malformed_coordinates_are_a_422_naming_the_field(client, krakow, params):
    response = client.get("/api/districts/lookup", params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert {e["field"] for e in body["errors"]} <= {"lat", "lon"}


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/districts" in schema["paths"] and "/api/districts/lookup" in schema["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
