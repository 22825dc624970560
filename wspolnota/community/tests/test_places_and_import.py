"""Places, opening hours and the import of the city's open-data list of senior activity centres."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

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

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cas-krakow-przyklad.csv"


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
    assert report.problems == []
    centres = Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE)
    assert centres.count() == 15
    azory = Place.objects.get(source_id="CAS-004")
    assert azory.district == krakow[4]
    assert azory.street_address == "ul. Pasteura 8" and azory.postal_code == "30-098"
    assert azory.operator.startswith("Stowarzyszenie Przykładowe")
    assert azory.phone == "+48 12 300 10 04"
    assert (azory.step_free, azory.induction_loop, azory.sign_language) == (True, True, True)
    assert azory.accessibility_note.startswith("Pętla indukcyjna w sali głównej")
    assert azory.opening_hours.count() == 5
    olsza = Place.objects.get(source_id="CAS-003")
    assert sorted({h.weekday for h in olsza.opening_hours.all()}) == [0, 1, 2, 3, 4]
    assert olsza.opening_hours.get(weekday=1).opens == time(12)
    assert Place.objects.get(source_id="CAS-015").closed_on == date(2021, 6, 30)
    # each centre carries its own district, consistent with its coordinates
    assert all(p.district is not None for p in centres)
    assert AuditLogEntry.objects.filter(action="community.place_created").count() == 15


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8")), delimiter=";"))


def _csv(rows: list[list[str]], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _set(row: list[str], header: str, value: str) -> None:
    row[_rows()[0].index(header)] = value


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_and_a_changed_row_is_updated(krakow):
    senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    again = senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 15
    rows = _rows()
    _set(rows[1], "telefon", "+48 12 399 99 99")
    _set(rows[1], "godziny otwarcia", "pn.–czw. 9:00–15:00")
    del rows[2]
    report = senior_centres_import(actor=None, content=_csv(rows, delimiter=","))
    assert report.updated == [rows[1][1]]
    assert report.missing == ["Centrum Aktywności Seniorów Grzegórzki (przykład)"]
    updated = Place.objects.get(source_id="CAS-001")
    assert updated.phone == "+48 12 399 99 99"
    assert updated.opening_hours.count() == 4
    assert AuditLogEntry.objects.filter(action="community.place_updated").count() == 1
    assert Place.objects.count() == 15  # nothing duplicated, nothing deleted


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_with_the_reason_and_the_good_rows_are_imported(krakow):
    rows = _rows()
    _set(rows[1], "nazwa", "")  # line 2
    _set(rows[2], "dzielnica", "XXX Atlantyda")  # line 3
    _set(rows[3], "data uruchomienia", "2017-13-45")  # line 4
    _set(rows[4], "szerokość geograficzna", "51.107900")  # line 5: Wrocław, not Kraków
    _set(rows[5], "kod pocztowy", "31-54")  # line 6
    _set(rows[6], "PJM", "może")  # line 7
    _set(rows[7], "e-mail", "nie-ma-maila")  # line 8
    _set(rows[9], "id", "CAS-001")  # line 10: the id of line 2 (whose row is bad)
    _set(rows[10], "id", "CAS-001")  # line 11: the id of line 10
    _set(rows[11], "ulica", "")  # line 12
    _set(rows[11], "numer", "")
    report = senior_centres_import(actor=None, content=_csv(rows))
    problems = {p.line: str(p) for p in report.problems}
    assert sorted(problems) == [2, 3, 4, 5, 6, 7, 8, 11, 12]
    assert problems[2] == "Wiersz 2: brak nazwy placówki"
    assert "nieznana dzielnica „XXX Atlantyda”" in problems[3]
    assert "„data uruchomienia”: „2017-13-45”" in problems[4]
    assert "poza granicami miasta" in problems[5]
    assert "„kod pocztowy”: „31-54”" in problems[6]
    assert "„PJM”: „może”" in problems[7]
    assert problems[8].startswith("Wiersz 8: „e-mail”")
    assert "jest już w wierszu 10" in problems[11]
    assert "brak ulicy i numeru" in problems[12]
    assert len(report.created) == 15 - 9
    assert Place.objects.count() == 6 and not Place.objects.filter(name="").exists()


@pytest.mark.django_db
def test_bad_rows_are_explained_in_the_language_of_whoever_imports(krakow):
    rows = _rows()
    _set(rows[2], "dzielnica", "XXX Atlantyda")
    with translation.override("en"):
        report = senior_centres_import(actor=None, content=_csv(rows))
        assert str(report.problems[0]) == "Row 3: unknown district “XXX Atlantyda”"
    with translation.override("uk"):
        report = senior_centres_import(actor=None, content=_csv(rows))
        assert str(report.problems[0]).startswith("Рядок 3:")


@pytest.mark.django_db
def test_a_row_without_coordinates_is_placed_by_the_address_register(krakow):
    call_command("load_address_points", stdout=StringIO())
    rows = [
        ["nazwa", "ulica", "numer", "godziny otwarcia"],
        ["CAS przy placu Centralnym", "os. Centrum A", "1", "pn.–pt. 9–15"],
        ["CAS nieznany adres", "ul. Nieistniejąca", "5", "pn.–pt. 9–15"],
    ]
    report = senior_centres_import(actor=None, content=_csv(rows))
    placed = Place.objects.get(name="CAS przy placu Centralnym")
    assert (placed.latitude, placed.longitude) == (Decimal("50.072600"), Decimal("20.038200"))
    assert placed.district == krakow[18]  # from the point, as the file names none
    assert [p.line for p in report.problems] == [3]  # no district, no address point
    assert "brak dzielnicy" in str(report.problems[0])


@pytest.mark.django_db
def test_without_an_id_column_a_centre_is_matched_by_its_address_on_reimport(krakow):
    rows = [
        ["Nazwa placówki", "Adres", "Dzielnica", "Godziny pracy"],
        ["CAS Kazimierz", "ul. Miodowa 10, 31-055 Kraków", "I Stare Miasto", "wt., czw. 10–14"],
    ]
    first = senior_centres_import(actor=None, content=_csv(rows))
    assert len(first.created) == 1
    place = Place.objects.get()
    assert place.street_address == "ul. Miodowa 10" and place.district == krakow[1]
    assert first.warnings and "rejestrze punktów adresowych" in str(first.warnings[0])
    rows[1][0] = "CAS Kazimierz „Pod Gwiazdą”"  # renamed: the same centre
    second = senior_centres_import(actor=None, content=_csv(rows))
    assert second.updated == ["CAS Kazimierz „Pod Gwiazdą”"] and Place.objects.count() == 1


@pytest.mark.django_db
def test_an_xlsx_sheet_with_a_title_row_and_the_citys_own_headers_is_imported(krakow):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Wykaz Centrów Aktywności Seniorów — stan na 31.01.2025"])
    sheet.append([])
    sheet.append(
        [
            "Lp.",
            "Nazwa placówki",
            "Ulica",
            "Nr budynku",
            "Kod pocztowy",
            "Dzielnica",
            "Telefon",
            "Adres e-mail",
            "Godziny otwarcia",
            "Podmiot prowadzący",
            "Uwagi o dostępności",
            "Data uruchomienia",
        ]
    )
    sheet.append(
        [
            1,
            "CAS Bronowice Małe",
            "ul. Jasnogórska",
            11,
            "31-358",
            "VI Bronowice",
            123001234,
            "cas@example.org",
            "pn.–pt. 8:00–16:00",
            "Fundacja Przykładowa",
            "Podjazd dla wózków od strony parkingu",
            datetime(2019, 5, 6),
        ]
    )
    sheet.append([2, "", "ul. Balicka", 2, "", "VII Zwierzyniec"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = senior_centres_import(actor=None, content=buffer.getvalue())
    assert [str(p) for p in report.problems] == ["Wiersz 5: brak nazwy placówki"]
    place = Place.objects.get()
    assert place.name == "CAS Bronowice Małe" and place.street_address == "ul. Jasnogórska 11"
    assert place.district == krakow[6] and place.opened_on == date(2019, 5, 6)
    assert place.phone == "123001234" and place.email == "cas@example.org"
    assert place.accessibility_note == "Podjazd dla wózków od strony parkingu"
    assert place.opening_hours.count() == 5


@pytest.mark.django_db
def test_unreadable_opening_hours_are_kept_as_a_note_and_said_so(krakow):
    rows = [
        ["nazwa", "ulica", "numer", "dzielnica", "godziny otwarcia"],
        ["CAS", "ul. Miodowa", "10", "1", "w dni powszednie przed południem"],
    ]
    report = senior_centres_import(actor=None, content=_csv(rows))
    place = Place.objects.get()
    assert place.hours_note == "w dni powszednie przed południem"
    assert place.opening_hours.count() == 0
    assert any("godzin otwarcia" in str(w) and w.line == 2 for w in report.warnings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"dane": [{"id": "CAS-1"}]}', "wiersza nagłówków"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "XLS"),
        (b"nazwa;telefon\nCAS;123\n", "kolumny z adresem"),
        (b"PK\x03\x04 not really a workbook", "Nie udało się odczytać pliku"),
    ],
)
def test_a_file_that_is_not_a_list_of_centres_is_refused_whole(krakow, content, expected):
    with pytest.raises(CommunityError) as caught:
        senior_centres_import(actor=None, content=content)
    assert expected in str(caught.value)
    assert Place.objects.count() == 0


@pytest.mark.django_db
def test_a_csv_saved_by_excel_in_windows_1250_is_read(krakow):
    rows = [
        ["nazwa", "ulica", "numer", "dzielnica"],
        ["CAS Łagiewniki", "ul. Żółkiewska", "2", "IX"],
    ]
    content = "\n".join(";".join(r) for r in rows).encode("cp1250")
    senior_centres_import(actor=None, content=content)
    assert Place.objects.get().name == "CAS Łagiewniki"


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


@pytest.mark.django_db
def test_the_command_imports_the_good_rows_and_lists_the_bad_ones_by_line(krakow, tmp_path):
    out = StringIO()
    call_command("import_senior_centres", str(SAMPLE), stdout=out)
    assert "15 created" in out.getvalue()
    rows = _rows()
    _set(rows[2], "dzielnica", "")
    _set(rows[2], "szerokość geograficzna", "")
    _set(rows[2], "długość geograficzna", "")
    _set(rows[3], "telefon", "+48 12 311 11 11")
    broken = tmp_path / "cas.csv"
    broken.write_bytes(_csv(rows))
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_senior_centres", str(broken), stdout=out, stderr=err)
    assert "cas.csv: 1 rows left out" in str(caught.value)
    assert "cas.csv: Wiersz 3: brak dzielnicy" in err.getvalue()
    assert "1 updated" in out.getvalue()
    assert Place.objects.get(source_id="CAS-003").phone == "+48 12 311 11 11"


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


@pytest.mark.django_db
def test_a_district_is_read_by_numeral_number_or_its_longest_matching_name(krakow):
    rows = [["nazwa", "ulica", "numer", "dzielnica", "nr dzielnicy"]]
    labels = [("Podgórze Duchackie", ""), ("Podgórze", ""), ("XIII", ""), ("", "11"), ("dz. 4", "")]
    for n, (label, number) in enumerate(labels):
        rows.append([f"CAS {n}", "ul. Testowa", str(n + 1), label, number])
    report = senior_centres_import(actor=None, content=_csv(rows))
    got = {p.name: p.district.number for p in Place.objects.all()}
    assert got == {"CAS 0": 11, "CAS 1": 13, "CAS 2": 13, "CAS 3": 11}
    assert [p.line for p in report.problems] == [6]  # "dz. 4" names no district
