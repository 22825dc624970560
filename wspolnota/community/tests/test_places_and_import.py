"""Places, opening hours and the import of the city's open-data list of senior activity centres."""

from __future__ import annotations

import json
from datetime import date, time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wspolnota.community.errors import CommunityError
from wspolnota.community.models import Place, PlaceKind
from wspolnota.community.selectors import senior_centre_count, senior_centre_count_by_year
from wspolnota.community.services import (
    format_opening_hours,
    parse_opening_hours,
    place_save,
    senior_centres_import,
)
from wspolnota.core.models import AuditLogEntry

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cas-krakow-przyklad.json"


def test_opening_hours_are_read_as_written_on_polish_notices():
    hours = parse_opening_hours("pn.–pt. 9:00–17:00; sob. 10–13")
    assert [(d, o.hour, c.hour) for d, o, c in hours] == [
        (0, 9, 17),
        (1, 9, 17),
        (2, 9, 17),
        (3, 9, 17),
        (4, 9, 17),
        (5, 10, 13),
    ]
    split = parse_opening_hours("pn., śr. 9:00–12:00, 14:00–18:30; nd. nieczynne")
    assert split == [
        (0, time(9), time(12)),
        (0, time(14), time(18, 30)),
        (2, time(9), time(12)),
        (2, time(14), time(18, 30)),
    ]
    assert parse_opening_hours(format_opening_hours(split)) == split


@pytest.mark.parametrize(
    "text", ["codziennie rano", "pn.–pt. 17:00–9:00", "xyz 9–17", "pn. 25:00–26:00"]
)
def test_unreadable_opening_hours_are_refused_with_the_text_quoted(text):
    with pytest.raises(CommunityError) as caught:
        parse_opening_hours(text)
    assert text.split(";")[0].strip() in str(caught.value)


@pytest.mark.django_db
def test_the_sample_file_imports_every_centre_with_district_hours_and_accessibility(krakow):
    report = senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    assert len(report.created) == 15 and report.updated == [] and report.missing == []
    centres = Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE)
    assert centres.count() == 15
    azory = Place.objects.get(source_id="CAS-004")
    assert azory.district == krakow[4]
    assert azory.operator.startswith("Stowarzyszenie Przykładowe")
    assert azory.phone == "+48 12 300 10 04"
    assert (azory.step_free, azory.induction_loop, azory.sign_language) == (True, True, True)
    assert azory.opening_hours.count() == 5
    olsza = Place.objects.get(source_id="CAS-003")
    assert sorted({h.weekday for h in olsza.opening_hours.all()}) == [0, 1, 2, 3, 4]
    assert olsza.opening_hours.get(weekday=1).opens == time(12)
    assert Place.objects.get(source_id="CAS-015").closed_on == date(2021, 6, 30)
    # each centre carries its own district, consistent with its coordinates
    assert all(p.district is not None for p in centres)
    assert AuditLogEntry.objects.filter(action="community.place_created").count() == 15


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_and_a_changed_record_is_updated(krakow):
    senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    again = senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 15
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["dane"][0]["telefon"] = "+48 12 399 99 99"
    data["dane"][0]["godziny_otwarcia"] = "pn.–czw. 9:00–15:00"
    del data["dane"][1]
    report = senior_centres_import(actor=None, content=json.dumps(data, ensure_ascii=False))
    assert report.updated == [data["dane"][0]["nazwa"]]
    assert report.missing == ["Centrum Aktywności Seniorów Grzegórzki (przykład)"]
    updated = Place.objects.get(source_id="CAS-001")
    assert updated.phone == "+48 12 399 99 99"
    assert updated.opening_hours.count() == 4
    assert AuditLogEntry.objects.filter(action="community.place_updated").count() == 1


@pytest.mark.django_db
def test_the_number_of_centres_is_counted_year_by_year_for_monitoring(krakow):
    senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    counts = senior_centre_count_by_year(years=range(2016, 2025), today=date(2025, 3, 1))
    assert counts == {
        2016: 2,
        2017: 4,
        2018: 6,
        2019: 8,
        2020: 9,
        2021: 9,  # one opened, one closed in June
        2022: 11,
        2023: 13,
        2024: 14,
    }
    assert senior_centre_count(on=date(2021, 6, 29)) == 10
    assert senior_centre_count_by_year(today=date(2025, 3, 1))[2025] == 14


def _with(record_changes: dict, *, drop: str | None = None) -> str:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["dane"][2].update(record_changes)
    if drop:
        del data["dane"][2][drop]
    return json.dumps(data, ensure_ascii=False, indent=2)


def _line_of_third_record(text: str) -> int:
    """The line of the third record's opening brace (records are indented by four spaces)."""
    openings = [n for n, line in enumerate(text.splitlines(), start=1) if line == "    {"]
    return openings[2]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "drop", "expected"),
    [
        ({}, "nazwa", "brak pola „nazwa”"),
        ({"dzielnica": "XXX Atlantyda"}, None, "nieznana dzielnica"),
        ({"godziny_otwarcia": "zawsze"}, None, "godziny_otwarcia"),
        ({"data_uruchomienia": "2017-13-45"}, None, "data_uruchomienia"),
        ({"szerokosc_geograficzna": "pięćdziesiąt"}, None, "szerokosc_geograficzna"),
        ({"kod_pocztowy": "31549"}, None, "kod_pocztowy"),
        ({"dostepnosc": {"bez_barier": "tak"}}, None, "dostepnosc"),
        ({"id": "CAS-001"}, None, "CAS-001 powtarza się"),
    ],
)
def test_a_malformed_record_names_its_number_and_line_and_nothing_is_saved(
    krakow, changes, drop, expected
):
    text = _with(changes, drop=drop)
    with pytest.raises(CommunityError) as caught:
        senior_centres_import(actor=None, content=text.encode())
    message = str(caught.value)
    assert f"Rekord nr 3 (wiersz {_line_of_third_record(text)})" in message
    assert expected in message
    assert Place.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_json_names_the_line_and_column(krakow):
    broken = '{\n  "dane": [\n    {"id": "CAS-1",}\n  ]\n}'
    with pytest.raises(CommunityError) as caught:
        senior_centres_import(actor=None, content=broken.encode())
    assert "wiersz 3" in str(caught.value)
    with pytest.raises(CommunityError):
        senior_centres_import(actor=None, content=b"\xff\xfe not utf-8")
    with pytest.raises(CommunityError) as caught:
        senior_centres_import(actor=None, content=b'{"records": []}')
    assert "dane" in str(caught.value)


@pytest.mark.django_db
def test_the_command_imports_the_file_and_reports_errors_with_the_line(krakow, tmp_path):
    out = StringIO()
    call_command("import_senior_centres", str(SAMPLE), stdout=out)
    assert "15 created" in out.getvalue()
    broken = tmp_path / "cas.json"
    broken.write_text(_with({"dzielnica": ""}), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_senior_centres", str(broken))
    assert "cas.json" in str(caught.value) and "Rekord nr 3" in str(caught.value)


@pytest.mark.django_db
def test_a_place_gets_its_district_from_its_coordinates(krakow, official):
    place = place_save(
        actor=official,
        place=None,
        fields={
            "kind": PlaceKind.LIBRARY,
            "name": "Biblioteka na Podgórzu",
            "street_address": "Rynek Podgórski 1",
            "latitude": "50.044500",
            "longitude": "19.950800",
        },
        hours_text="pn.–pt. 10–18",
    )
    assert place.district == krakow[13]
    assert place.slug == "biblioteka-na-podgorzu"
    assert AuditLogEntry.objects.get(action="community.place_created").actor == official


@pytest.mark.django_db
def test_only_officials_and_the_places_managers_edit_a_place(krakow, resident, official):
    place = place_save(
        actor=official,
        place=None,
        fields={"kind": PlaceKind.YOUTH_CLUB, "name": "Klub", "street_address": "ul. Mogilska 1"},
    )
    with pytest.raises(CommunityError):
        place_save(actor=resident, place=place, fields={"name": "Przejęty klub"})
    place.managers.add(resident)
    place_save(actor=resident, place=place, fields={"name": "Klub Młodzieżowy"})
    assert Place.objects.get(pk=place.pk).name == "Klub Młodzieżowy"


@pytest.mark.django_db
def test_the_monitoring_indicator_counts_centres_per_year_and_district(krakow):
    from wspolnota.community.indicators import senior_centres

    assert senior_centres(year=2020, today=date(2025, 3, 1)) is None  # nothing imported yet
    senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    result = senior_centres(year=2022, today=date(2025, 3, 1))
    assert result.value == 11 and result.reference_date == date(2022, 12, 31)
    per_district = {d.district_number: d.value for d in result.by_district}
    # every district is listed, 0 where it has no centre (issue 21): Swoszowice closed in 2021
    assert per_district[1] == 1 and per_district[10] == 0
    assert sum(per_district.values()) == 11
    assert senior_centres(year=2026, today=date(2025, 3, 1)) is None
