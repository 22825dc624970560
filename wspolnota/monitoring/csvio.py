"""Reading the CSV files officials upload: measurements, population tables, survey answers.

Each reader returns plain rows or raises :class:`MonitoringError` naming the line (as the file
numbers it, header = line 1) and the column. Comma or semicolon separators are accepted (Excel
in Polish saves with semicolons), and decimal commas as well as points.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from wspolnota.monitoring import errors
from wspolnota.monitoring.errors import MonitoringError

MAX_ROWS = 100_000

MEASUREMENT_COLUMNS = ["wskaznik", "rok", "dzielnica", "wartosc", "zrodlo", "stan_na"]
MEASUREMENT_OPTIONAL = ["adres_zrodla", "uwagi", "licznik", "mianownik"]
POPULATION_COLUMNS = ["dzielnica", "plec", "wiek_od", "wiek_do", "liczba"]
SURVEY_COLUMNS = ["dzielnica", "plec", "wiek", "zadowolony"]


def _text(upload: IO[bytes] | IO[str] | bytes | str) -> str:
    raw: Any = upload.read() if hasattr(upload, "read") else upload
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MonitoringError(errors.CSV_ENCODING, field="file", code="csv_encoding") from None
    return str(raw).lstrip("\ufeff")


def _rows(
    upload: IO[bytes] | IO[str] | bytes | str, required: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    text = _text(upload)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    count = 0
    for row in reader:
        line = reader.line_num
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [column for column in required if column not in header]
            if missing:
                raise MonitoringError(
                    errors.CSV_HEADER,
                    field="file",
                    code="csv_header",
                    params={"columns": ", ".join(missing), "expected": ", ".join(required)},
                )
            continue
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > MAX_ROWS:
            raise MonitoringError(
                errors.CSV_TOO_LARGE, field="file", code="csv_too_large", params={"limit": MAX_ROWS}
            )
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        yield line, values
    if count == 0:
        raise MonitoringError(errors.CSV_EMPTY, field="file", code="csv_empty")


def line_error(line: int, column: str, problem: Any) -> MonitoringError:
    return MonitoringError(
        errors.CSV_LINE,
        field="file",
        code="csv_line",
        params={"line": line, "column": column, "problem": str(problem)},
    )


def _required(values: dict[str, str], column: str, line: int) -> str:
    value = values.get(column, "")
    if not value:
        raise line_error(line, column, errors.EMPTY_VALUE)
    return value


def parse_decimal(raw: str) -> Decimal:
    cleaned = raw.replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _decimal(
    values: dict[str, str], column: str, line: int, *, optional: bool = False
) -> Decimal | None:
    raw = values.get(column, "")
    if not raw and optional:
        return None
    raw = _required(values, column, line)
    try:
        return parse_decimal(raw)
    except (InvalidOperation, ValueError):
        raise line_error(line, column, errors.BAD_NUMBER % {"value": raw[:40]}) from None


def _int(values: dict[str, str], column: str, line: int, *, optional: bool = False) -> int | None:
    raw = values.get(column, "")
    if not raw and optional:
        return None
    raw = _required(values, column, line)
    try:
        return int(raw)
    except ValueError:
        raise line_error(line, column, errors.BAD_WHOLE_NUMBER % {"value": raw[:40]}) from None


def _date(values: dict[str, str], column: str, line: int) -> date:
    raw = _required(values, column, line)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise line_error(line, column, errors.BAD_DATE % {"value": raw[:40]}) from None


def _sex(values: dict[str, str], column: str, line: int) -> str:
    raw = _required(values, column, line).upper()
    if raw not in ("K", "M"):
        raise line_error(line, column, errors.BAD_SEX % {"value": raw[:10]})
    return raw


def _district(
    values: dict[str, str], column: str, line: int, numbers: set[int], *, optional: bool = False
) -> int | None:
    raw = values.get(column, "")
    if not raw and optional:
        return None
    number = _int(values, column, line)
    if number not in numbers:
        raise line_error(line, column, errors.BAD_DISTRICT % {"value": raw[:10]})
    return number


@dataclass(frozen=True)
class MeasurementRow:
    line: int
    indicator_code: str
    year: int
    district_number: int | None
    value: Decimal
    source: str
    reference_date: date
    source_url: str
    note: str
    numerator: Decimal | None
    denominator: Decimal | None


def read_measurements(
    upload: IO[bytes] | IO[str] | bytes | str,
    *,
    indicator_codes: set[str],
    district_numbers: set[int],
) -> list[MeasurementRow]:
    rows: list[MeasurementRow] = []
    seen: set[tuple[str, int, int | None]] = set()
    for line, values in _rows(upload, MEASUREMENT_COLUMNS):
        code = _required(values, "wskaznik", line)
        if code not in indicator_codes:
            raise line_error(line, "wskaznik", errors.BAD_INDICATOR % {"value": code[:60]})
        year = _int(values, "rok", line)
        district = _district(values, "dzielnica", line, district_numbers, optional=True)
        value = _decimal(values, "wartosc", line)
        assert year is not None and value is not None
        key = (code, year, district)
        if key in seen:
            raise line_error(line, "wskaznik", errors.DUPLICATE_ROW)
        seen.add(key)
        rows.append(
            MeasurementRow(
                line=line,
                indicator_code=code,
                year=year,
                district_number=district,
                value=value,
                source=_required(values, "zrodlo", line)[:300],
                reference_date=_date(values, "stan_na", line),
                source_url=values.get("adres_zrodla", "")[:500],
                note=values.get("uwagi", ""),
                numerator=_decimal(values, "licznik", line, optional=True),
                denominator=_decimal(values, "mianownik", line, optional=True),
            )
        )
    return rows


@dataclass(frozen=True)
class PopulationRow:
    line: int
    district_number: int
    sex: str
    age_from: int
    age_to: int | None
    count: int


def read_population(
    upload: IO[bytes] | IO[str] | bytes | str, *, district_numbers: set[int]
) -> list[PopulationRow]:
    rows: list[PopulationRow] = []
    seen: set[tuple[int, str, int]] = set()
    for line, values in _rows(upload, POPULATION_COLUMNS):
        district = _district(values, "dzielnica", line, district_numbers)
        sex = _sex(values, "plec", line)
        age_from = _int(values, "wiek_od", line)
        age_to = _int(values, "wiek_do", line, optional=True)
        count = _int(values, "liczba", line)
        assert district is not None and age_from is not None and count is not None
        if age_from < 0:
            raise line_error(line, "wiek_od", errors.NEGATIVE_VALUE)
        if age_to is not None and age_to < age_from:
            raise line_error(line, "wiek_do", errors.AGE_ORDER)
        if count < 0:
            raise line_error(line, "liczba", errors.NEGATIVE_VALUE)
        key = (district, sex, age_from)
        if key in seen:
            raise line_error(line, "wiek_od", errors.DUPLICATE_CELL)
        seen.add(key)
        rows.append(PopulationRow(line, district, sex, age_from, age_to, count))
    return rows


@dataclass(frozen=True)
class SurveyRow:
    line: int
    district_number: int
    sex: str
    age: int
    satisfied: bool


def read_survey(
    upload: IO[bytes] | IO[str] | bytes | str, *, district_numbers: set[int]
) -> list[SurveyRow]:
    rows: list[SurveyRow] = []
    for line, values in _rows(upload, SURVEY_COLUMNS):
        district = _district(values, "dzielnica", line, district_numbers)
        sex = _sex(values, "plec", line)
        age = _int(values, "wiek", line)
        answer = _required(values, "zadowolony", line).lower()
        if answer not in ("1", "0", "tak", "nie"):
            raise line_error(line, "zadowolony", errors.BAD_ANSWER % {"value": answer[:10]})
        assert district is not None and age is not None
        if age < 0 or age > 120:
            raise line_error(line, "wiek", errors.BAD_WHOLE_NUMBER % {"value": age})
        rows.append(SurveyRow(line, district, sex, age, answer in ("1", "tak")))
    return rows
