"""Reading the city's list of Senior Activity Centres (CAS) from a CSV or XLSX file.

The columns are found by their headers, through the alias table below (Polish headers as the
city's spreadsheets name them; case, diacritics and punctuation do not matter), so a list the
city publishes or keeps in a spreadsheet imports as it is. ``data/README.md`` documents the
mapping for the city to adapt.

Reading never writes: it turns each data row into the values of a place, or into a problem that
names the row's line and says what is wrong. ``services.senior_centres_import`` saves the good
rows and reports the rest.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wspolnota.community import errors
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import PlaceKind
from wspolnota.territory.models import District, to_roman
from wspolnota.territory.selectors import (
    address_locate,
    address_split,
    default_city,
    district_for_point,
    number_key,
    street_key,
)

MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10  # a title row or two above the headers is common in city spreadsheets


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # as the README and messages name it
    aliases: tuple[str, ...]


# The first alias is the header the sample file and the README use.
COLUMNS: tuple[Column, ...] = (
    Column("id", _("identyfikator"), ("id", "identyfikator", "nr ewidencyjny", "kod placowki")),
    Column(
        "name",
        _("nazwa"),
        ("nazwa", "nazwa placowki", "nazwa centrum", "nazwa cas", "name"),
    ),
    Column("address", _("adres"), ("adres", "adres placowki", "lokalizacja", "address")),
    Column("street", _("ulica"), ("ulica", "ulica lub osiedle", "street")),
    Column(
        "number",
        _("numer"),
        ("numer", "nr", "numer budynku", "nr budynku", "numer domu", "nr domu", "number"),
    ),
    Column("postcode", _("kod pocztowy"), ("kod pocztowy", "kod", "postcode", "postal code")),
    Column("town", _("miejscowość"), ("miejscowosc", "miasto", "town", "city")),
    Column("district", _("dzielnica"), ("dzielnica", "nazwa dzielnicy", "district")),
    Column("district_number", _("nr dzielnicy"), ("nr dzielnicy", "numer dzielnicy")),
    Column("phone", _("telefon"), ("telefon", "tel", "nr telefonu", "numer telefonu", "phone")),
    Column("email", _("e-mail"), ("e mail", "email", "adres e mail", "adres email", "mail")),
    Column(
        "website",
        _("strona www"),
        ("strona www", "www", "strona internetowa", "strona", "website"),
    ),
    Column(
        "hours",
        _("godziny otwarcia"),
        ("godziny otwarcia", "godziny pracy", "godziny dzialania", "godziny", "opening hours"),
    ),
    Column(
        "operator",
        _("prowadzący"),
        (
            "prowadzacy",
            "podmiot prowadzacy",
            "organizacja prowadzaca",
            "realizator",
            "realizator zadania",
            "operator",
        ),
    ),
    Column(
        "accessibility_note",
        _("dostępność"),
        (
            "dostepnosc",
            "uwagi o dostepnosci",
            "informacje o dostepnosci",
            "dostepnosc uwagi",
            "dostepnosc architektoniczna",
            "accessibility",
        ),
    ),
    Column(
        "step_free",
        _("wejście bez barier"),
        ("wejscie bez barier", "bez barier", "wejscie bez schodow", "bez schodow"),
    ),
    Column(
        "accessible_toilet",
        _("toaleta dostępna"),
        ("toaleta dostepna", "toaleta dla osob z niepelnosprawnosciami", "dostepna toaleta"),
    ),
    Column("induction_loop", _("pętla indukcyjna"), ("petla indukcyjna", "petla")),
    Column("sign_language", _("PJM"), ("pjm", "polski jezyk migowy", "obsluga w pjm")),
    Column(
        "opened_on",
        _("data uruchomienia"),
        ("data uruchomienia", "data otwarcia", "data rozpoczecia dzialalnosci", "uruchomiono"),
    ),
    Column(
        "closed_on",
        _("data zamknięcia"),
        ("data zamkniecia", "data zakonczenia dzialalnosci", "zamknieto"),
    ),
    Column(
        "latitude",
        _("szerokość geograficzna"),
        ("szerokosc geograficzna", "szerokosc", "lat", "latitude"),
    ),
    Column(
        "longitude",
        _("długość geograficzna"),
        ("dlugosc geograficzna", "dlugosc", "lon", "lng", "longitude"),
    ),
)
COLUMN_LABELS = {column.key: column.label for column in COLUMNS}
FLAG_KEYS = ("step_free", "accessible_toilet", "induction_loop", "sign_language")
TRUE_WORDS = {"tak", "t", "1", "x", "true", "yes", "prawda"}
FALSE_WORDS = {"nie", "n", "0", "", "false", "no", "falsz", "brak"}


def header_key(text: Any) -> str:
    """A header as the alias table compares it: lower case, no diacritics, words only."""
    text = str(text or "").replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[0-9a-z]+", plain))


_ALIASES = {alias: column.key for column in COLUMNS for alias in column.aliases}


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: Any  # a translated (lazy) message, already formatted

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class CentreRow:
    """One good row: the place's values, its opening hours text and the key it is matched by."""

    line: int
    key: str
    values: dict[str, Any]
    hours_text: str
    warnings: list[RowProblem] = field(default_factory=list)


@dataclass
class ReadFile:
    rows: list[CentreRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # keys of every row that names a centre, good or bad: a bad row is not "gone from the list"
    keys: set[str] = field(default_factory=set)


# --- Reading the table ------------------------------------------------------------------------


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Polish saves "CSV" in Windows-1250 unless told to use UTF-8.
        try:
            text = content.decode("cp1250")
        except UnicodeDecodeError:
            raise CommunityError(errors.IMPORT_NOT_UTF8) from None
    if "\x00" in text:
        raise CommunityError(errors.IMPORT_NOT_TABLE)
    sample = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS + 1])
    counts = {sep: sample.count(sep) for sep in (";", ",", "\t")}
    delimiter = max(counts, key=lambda sep: counts[sep])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_end = 0
    try:
        for values in reader:
            yield previous_end + 1, values
            previous_end = reader.line_num
    except csv.Error as exc:
        raise CommunityError(
            errors.IMPORT_ROW_UNREADABLE, params={"line": previous_end + 1, "error": str(exc)}
        ) from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise CommunityError(errors.IMPORT_NOT_TABLE) from None
    try:
        sheet = book.worksheets[0]
        for cells in sheet.iter_rows():
            # read-only sheets skip empty rows: the row number comes from the cells themselves
            number = next((c.row for c in cells if getattr(c, "row", None)), None)
            if number is not None:
                yield number, [getattr(c, "value", None) for c in cells]
    finally:
        book.close()


def table_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """The rows of the file with their line (CSV) or row (XLSX) numbers."""
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_rows(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise CommunityError(errors.IMPORT_OLD_XLS)
    return _csv_rows(content)


def _headers(values: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        key = _ALIASES.get(header_key(value))
        if key is not None and key not in found:
            found[key] = index
    return found


# --- Reading one row --------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


class _Bad(Exception):
    def __init__(self, message: Promise | str) -> None:
        self.message = message


def _bad_value(column: str, value: Any) -> _Bad:
    return _Bad(
        _("niepoprawna wartość w kolumnie „%(column)s”: „%(value)s”")
        % {"column": COLUMN_LABELS[column], "value": _text(value)[:80]}
    )


def _date(column: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _bad_value(column, value)


def _coordinate(column: str, value: Any, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(_text(value).replace(",", ".")).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise _bad_value(column, value) from None
    if not number.is_finite() or abs(number) > limit:
        raise _bad_value(column, value)
    return number


def _flag(column: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = header_key(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _bad_value(column, value)


def _district(label: str, number: str, districts: list[District]) -> District | None:
    if number:
        try:
            wanted = int(Decimal(number.replace(",", ".")))
        except (InvalidOperation, ValueError):
            return None
        return next((d for d in districts if d.number == wanted), None)
    head = label.split()[0].rstrip(".").upper() if label else ""
    for district in districts:
        if head in (to_roman(district.number), str(district.number)):
            return district
    wanted_key = header_key(label)
    named = [d for d in districts if header_key(d.name) and header_key(d.name) in wanted_key]
    # "Podgórze Duchackie" names district XI, not XIII Podgórze: the longest name wins
    return max(named, key=lambda d: len(d.name), default=None)


def _read_row(
    cells: dict[str, Any], line: int, districts: list[District], hours_reader: Any
) -> tuple[str, dict[str, Any], str, list[RowProblem]]:
    name = _text(cells.get("name"))
    if not name:
        raise _Bad(_("brak nazwy placówki"))
    street, number = _text(cells.get("street")), _text(cells.get("number"))
    postcode = _text(cells.get("postcode"))
    if not street and cells.get("address"):
        address = _text(cells.get("address"))
        split = address_split(address, city_name="Kraków")
        if split is None:
            raise _bad_value("address", address)
        street, number = split
        in_address = re.search(r"\b\d{2}-\d{3}\b", address)
        postcode = postcode or (in_address.group(0) if in_address else "")
    elif street and not number:
        split = address_split(street)
        if split is not None:
            street, number = split
    if not street or not number:
        raise _Bad(_("brak ulicy i numeru budynku"))
    if postcode and re.fullmatch(r"\d{5}", postcode):
        postcode = f"{postcode[:2]}-{postcode[2:]}"
    if postcode and not re.fullmatch(r"\d{2}-\d{3}", postcode):
        raise _bad_value("postcode", postcode)
    latitude = _coordinate("latitude", cells.get("latitude"), 90)
    longitude = _coordinate("longitude", cells.get("longitude"), 180)
    if (latitude is None) != (longitude is None):
        raise _Bad(_("podano tylko jedną współrzędną"))
    warnings: list[RowProblem] = []
    point_district: District | None = None
    if latitude is not None and longitude is not None:
        point_district = district_for_point(lat=float(latitude), lon=float(longitude))
        if point_district is None:
            raise _Bad(
                _(
                    "współrzędne %(lat)s, %(lon)s leżą poza granicami miasta (zamienione "
                    "kolumny albo inny układ współrzędnych?)"
                )
                % {"lat": latitude, "lon": longitude}
            )
    else:
        located = address_locate(text=f"{street} {number}")
        if located is not None:
            latitude, longitude = located.latitude, located.longitude
            point_district = located.district
        else:
            warnings.append(
                RowProblem(
                    line,
                    _(
                        "adresu „%(address)s” nie ma w rejestrze punktów adresowych, a plik nie "
                        "podaje współrzędnych: placówka nie pojawi się na mapie ani w wynikach "
                        "„blisko mnie” z odległością"
                    )
                    % {"address": f"{street} {number}"},
                )
            )
    district_label = _text(cells.get("district"))
    district_number = _text(cells.get("district_number"))
    if district_label or district_number:
        district = _district(district_label, district_number, districts)
        if district is None:
            raise _Bad(
                _("nieznana dzielnica „%(value)s”") % {"value": district_label or district_number}
            )
    elif point_district is not None:
        district = point_district
    else:
        raise _Bad(_("brak dzielnicy, a adresu nie znaleziono w rejestrze punktów adresowych"))
    values: dict[str, Any] = {
        "kind": PlaceKind.SENIOR_CENTRE,
        "name": name[:200],
        "street_address": f"{street} {number}"[:200],
        "postal_code": postcode,
        "town": _text(cells.get("town")) or "Kraków",
        "district": district,
        "latitude": latitude,
        "longitude": longitude,
        "operator": _text(cells.get("operator"))[:200],
        "phone": _text(cells.get("phone"))[:30],
        "email": _text(cells.get("email")),
        "website": _text(cells.get("website")),
        "accessibility_note": _text(cells.get("accessibility_note"))[:500],
        "opened_on": _date("opened_on", cells.get("opened_on")),
        "closed_on": _date("closed_on", cells.get("closed_on")),
        "hours_note": "",
    }
    if values["website"] and not re.match(r"https?://", values["website"], flags=re.I):
        values["website"] = f"https://{values['website']}"
    for flag in FLAG_KEYS:
        values[flag] = _flag(flag, cells.get(flag))
    hours_text = _text(cells.get("hours"))
    try:
        hours_reader(hours_text)
    except CommunityError:
        # Hours written in a way we cannot read are kept as a note, not lost, and said so.
        warnings.append(
            RowProblem(
                line,
                _(
                    "nie rozumiemy godzin otwarcia „%(value)s”: zapisano je jako uwagę, "
                    "bez godzin w tabeli"
                )
                % {"value": hours_text[:80]},
            )
        )
        values["hours_note"] = hours_text[:300]
        hours_text = ""
    key = _text(cells.get("id"))[:64] or f"adres:{street_key(street)} {number_key(number)}"[:64]
    return key, values, hours_text, warnings


def row_problem(line: int, reason: Any) -> RowProblem:
    return RowProblem(line, errors.IMPORT_ROW_PROBLEM % {"line": line, "reason": reason})


def read_senior_centres(*, content: bytes, hours_reader: Any) -> ReadFile:
    """Every data row of the file, read into a place's values or into a problem with its line.

    The file as a whole is refused (``CommunityError``) only when it cannot be read as a table
    or lacks the columns every row needs (a name and an address); otherwise each bad row is
    reported on its own and the good rows are returned.
    """
    rows = table_rows(content)
    header: dict[str, int] | None = None
    for header_line, values in rows:
        found = _headers(values)
        if "name" in found:
            header = found
            break
        if header_line >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise CommunityError(errors.IMPORT_NO_HEADER)
    if "address" not in header and "street" not in header:
        raise CommunityError(errors.IMPORT_NO_ADDRESS_COLUMN)
    city = default_city()
    districts = list(District.objects.filter(city=city)) if city else []
    result = ReadFile()
    first_line: dict[str, int] = {}
    count = 0
    for line, values in rows:
        if not any(_text(value) for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise CommunityError(errors.IMPORT_TOO_MANY_ROWS, params={"limit": MAX_ROWS})
        cells = {
            key: values[index] if index < len(values) else None for key, index in header.items()
        }
        given_id = _text(cells.get("id"))[:64]
        if given_id:
            result.keys.add(given_id)
        try:
            key, place_values, hours_text, warnings = _read_row(
                cells, line, districts, hours_reader
            )
        except _Bad as bad:
            result.problems.append(row_problem(line, bad.message))
            continue
        result.keys.add(key)
        if key in first_line:
            result.problems.append(
                row_problem(
                    line,
                    _("ta sama placówka („%(key)s”) jest już w wierszu %(first)s")
                    % {"key": key, "first": first_line[key]},
                )
            )
            continue
        first_line[key] = line
        result.rows.append(CentreRow(line, key, place_values, hours_text, warnings))
    return result
