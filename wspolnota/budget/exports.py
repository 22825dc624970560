"""Officials' exports of the project list: CSV (UTF-8, for any tool) and XLSX (for spreadsheets)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from wspolnota.budget.models import Project

# Text cells that a spreadsheet would run as a formula are written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


# Column index → number format: money with thousands, coordinates with six decimals.
_NUMBER_FORMATS = {5: "#,##0.00", 6: "#,##0.00", 10: "0.000000", 11: "0.000000"}


def headers() -> list[str]:
    return [
        _("Numer"),
        _("Tytuł"),
        _("Pula"),
        _("Kategoria"),
        _("Stan"),
        _("Koszt według autora (zł)"),
        _("Koszt po weryfikacji (zł)"),
        _("Liczba poparć"),
        _("Zgłoszono"),
        _("Lokalizacja"),
        _("Szerokość geograficzna"),
        _("Długość geograficzna"),
    ]


def rows(projects: Iterable[Project]) -> Iterable[list[Any]]:
    for p in projects:
        yield [
            p.number,
            _safe(p.title),
            str(p.pool.label),
            str(p.get_category_display()) if p.category else "",
            str(p.get_status_display()),
            p.cost,
            p.verified_cost,
            p.supporters_count,
            timezone.localtime(p.submitted_at).strftime("%Y-%m-%d %H:%M") if p.submitted_at else "",
            _safe(p.address),
            p.latitude,
            p.longitude,
        ]


def to_csv(projects: Iterable[Project]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # byte-order mark: spreadsheet programs then read UTF-8 correctly
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows(projects):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(projects: Iterable[Project], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows(projects):
        cells = []
        for column, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, Decimal):
                cell.number_format = _NUMBER_FORMATS.get(column, "0.00")
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
