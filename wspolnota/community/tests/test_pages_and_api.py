"""Community pages and the read API: lists with bounded queries, forms that keep what was typed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wspolnota.community.models import EventRegistration, Place, RoomBooking
from wspolnota.community.services import senior_centres_import
from wspolnota.community.tests.factories import (
    EventFactory,
    PlaceFactory,
    RoomFactory,
    VolunteerOfferFactory,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cas-krakow-przyklad.csv"


@pytest.fixture
def centres(krakow):
    senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    return Place.objects.all()


@pytest.mark.django_db
def test_the_places_list_keeps_a_bounded_number_of_queries(
    centres, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get("/pl/spolecznosc/miejsca/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 14  # one of the 15 has closed
    for place in PlaceFactory.create_batch(10):
        assert place.pk
    with django_assert_max_num_queries(12):
        assert client.get("/pl/spolecznosc/miejsca/?page=1").status_code == 200


@pytest.mark.django_db
def test_places_are_filtered_and_sorted_near_a_chosen_district(centres, client, krakow):
    response = client.get("/pl/spolecznosc/miejsca/?kind=senior-centre&access=sign_language")
    names = [row["place"].name for row in response.context["rows"]]
    assert names == [
        "Centrum Aktywności Seniorów Azory (przykład)",
        "Centrum Aktywności Seniorów Czyżyny (przykład)",
    ]
    nowa_huta = krakow[18]
    near = client.get(f"/pl/spolecznosc/miejsca/?near_district={nowa_huta.pk}")
    rows = near.context["rows"]
    assert rows[0]["place"].source_id == "CAS-014"  # the Nowa Huta centre comes first
    assert rows[0]["distance_km"] is None  # a district alone gives no distance (issue 21)
    assert "odległość nieznana" in near.content.decode()
    by_point = client.get("/pl/spolecznosc/miejsca/?lat=50.0587&lon=19.9304")
    assert by_point.context["rows"][0]["place"].source_id == "CAS-001"
    assert "km" in by_point.content.decode()
    bad = client.get("/pl/spolecznosc/miejsca/?lat=50.06")
    assert bad.status_code == 400 and "obie współrzędne" in bad.content.decode()


@pytest.mark.django_db
def test_the_map_draws_a_numbered_marker_for_each_place_without_javascript(centres, client):
    html = client.get("/pl/spolecznosc/miejsca/?kind=senior-centre").content.decode()
    assert html.count('class="place-marker"') == 14
    assert 'aria-label="1. ' in html
    assert "," not in html.split('<circle cx="')[1].split('"')[0]  # coordinates are not localised


@pytest.mark.django_db
def test_the_api_lists_places_by_kind_with_address_location_hours_and_accessibility(
    centres, client
):
    PlaceFactory(kind="library", name="Biblioteka testowa")
    response = client.get("/api/places?kind=senior-centre")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 14 and {p["kind"] for p in data} == {"senior-centre"}
    azory = next(p for p in data if p["name"].startswith("Centrum Aktywności Seniorów Azory"))
    assert azory["district"] == {"number": 4, "name": "Prądnik Biały"}
    assert azory["location"] == {"lat": "50.087000", "lon": "19.904000"}
    assert azory["hours"][0] == {"weekday": 0, "opens": "08:00:00", "closes": "16:00:00"}
    assert azory["accessibility"]["sign_language"] is True
    libraries = client.get("/api/places?kind=library").json()
    assert [p["name"] for p in libraries] == ["Biblioteka testowa"]
    assert client.get("/api/places?kind=zoo").status_code == 422
    assert len(client.get("/api/places?district=4").json()) == 1


@pytest.mark.django_db
def test_events_are_served_as_json_and_icalendar(krakow, client):
    EventFactory(title="Warsztaty", district=krakow[2], audience="families")
    EventFactory(title="Spotkanie", district=krakow[3], audience="seniors")
    data = client.get("/api/events?audience=families").json()
    assert [e["title"] for e in data] == ["Warsztaty"]
    assert data[0]["places_taken"] == 0 and data[0]["district"]["number"] == 2
    feed = client.get("/api/events.ics?district=3")
    assert feed["Content-Type"].startswith("text/calendar")
    assert b"SUMMARY:Spotkanie" in feed.content and b"Warsztaty" not in feed.content
    page_feed = client.get("/pl/spolecznosc/wydarzenia.ics?audience=families")
    assert b"SUMMARY:Warsztaty" in page_feed.content


@pytest.mark.django_db
def test_the_event_list_keeps_a_bounded_number_of_queries(
    krakow, client, django_assert_max_num_queries
):
    EventFactory.create_batch(15)
    with django_assert_max_num_queries(10):
        response = client.get("/pl/spolecznosc/wydarzenia/")
    assert response.status_code == 200 and len(response.context["page"]) == 15


@pytest.mark.django_db
def test_volunteering_and_room_lists_keep_a_bounded_number_of_queries(
    krakow, client_for, django_assert_max_num_queries
):
    VolunteerOfferFactory.create_batch(12)
    RoomFactory.create_batch(12)
    client = client_for("resident")
    with django_assert_max_num_queries(14):
        assert client.get("/pl/spolecznosc/wolontariat/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/pl/spolecznosc/sale/").status_code == 200


@pytest.mark.django_db
def test_a_resident_registers_from_the_event_page_and_sees_the_waiting_list(krakow, client_for):
    event = EventFactory(capacity=1)
    first = client_for("resident")
    response = first.post(f"/pl/spolecznosc/wydarzenia/{event.pk}/zapis/", follow=True)
    assert "Do zobaczenia" in response.content.decode()
    second = client_for("resident_other_district")
    response = second.post(f"/pl/spolecznosc/wydarzenia/{event.pk}/zapis/", follow=True)
    assert "liście rezerwowej (miejsce 1)" in response.content.decode()
    assert EventRegistration.objects.filter(event=event).count() == 2


@pytest.mark.django_db
def test_a_booking_form_with_errors_keeps_what_was_typed(krakow, client_for):
    room = RoomFactory(capacity=10)
    client = client_for("resident")
    start = (timezone.localtime() + timedelta(days=5)).replace(hour=18, minute=0)
    data = {
        "applicant_kind": "informal_group",
        "applicant_name": "",
        "purpose": "Próba chóru osiedlowego",
        "attendees": "12",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(f"/pl/spolecznosc/sale/{room.pk}/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in html and "Próba chóru osiedlowego" in html
    assert "najwyżej 10 osób" in html or "Podaj nazwę" in html
    data.update(attendees="8", applicant_name="Chór Pod Lipami")
    response = client.post(f"/pl/spolecznosc/sale/{room.pk}/", data)
    assert response.status_code == 302
    booking = RoomBooking.objects.get()
    assert booking.applicant_name == "Chór Pod Lipami"
    assert timezone.localtime(booking.starts_at).hour == 18


@pytest.mark.django_db
def test_the_import_page_is_for_officials_imports_good_rows_and_lists_bad_ones_by_line(
    krakow, client_for
):
    assert client_for("resident").get("/pl/spolecznosc/miejsca/import/").status_code == 403
    official = client_for("official")
    bad = SAMPLE.read_text(encoding="utf-8").replace(";II Grzegórzki;", ";XXX Atlantyda;")
    response = official.post(
        "/pl/spolecznosc/miejsca/import/",
        {"file": SimpleUploadedFile("cas.csv", bad.encode(), content_type="text/csv")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wiersz 3: nieznana dzielnica „XXX Atlantyda”" in html
    assert "Dodane placówki: 14" in html and "Pominięte wiersze: 1" in html
    response = official.post(
        "/pl/spolecznosc/miejsca/import/",
        {"file": SimpleUploadedFile("cas.csv", SAMPLE.read_bytes())},
    )
    assert response.status_code == 200 and "Dodane placówki: 1" in response.content.decode()
    assert '<th scope="row">2016</th>' in response.content.decode()
    not_a_table = official.post(
        "/pl/spolecznosc/miejsca/import/",
        {"file": SimpleUploadedFile("cas.xls", b"\xd0\xcf\x11\xe0 old excel")},
    )
    assert not_a_table.status_code == 400 and "XLSX" in not_a_table.content.decode()


@pytest.mark.django_db
def test_pages_are_translated(krakow, client):
    EventFactory()
    assert "Events" in client.get("/en/spolecznosc/wydarzenia/").content.decode()
    assert "Події" in client.get("/uk/spolecznosc/wydarzenia/").content.decode()
