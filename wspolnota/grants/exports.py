"""Officials' exports of applications, awards and settlements: CSV (UTF-8, for any tool) and
XLSX (for spreadsheets). A text cell that a spreadsheet would run as a formula is written with a
leading apostrophe in CSV and as a plain string in XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from wspolnota.grants.models import (
    ZERO,
    Agreement,
    AgreementStatus,
    Application,
    Award,
    ReportStatus,
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _application_row(a: Application) -> list[Any]:
    count = getattr(a, "assessment_count", 0) or 0
    points = getattr(a, "points", None)
    average = (points / count).quantize(Decimal("0.01")) if count and points is not None else None
    return [
        a.number,
        a.call.title,
        str(a.call.programme.get_kind_display()),
        a.applicant.name,
        a.title,
        str(a.get_status_display()),
        a.requested_amount,
        _when(a.submitted_at),
        count,
        average,
        a.district.name if a.district else "",
    ]


def _award_row(w: Award) -> list[Any]:
    agreement: Agreement | None = getattr(w.application, "agreement", None)
    return [
        w.application.number,
        w.call.title,
        str(w.call.programme.get_kind_display()),
        w.application.applicant.name,
        w.amount,
        str(w.get_status_display()),
        _("tak") if w.from_reserve else _("nie"),
        agreement.number if agreement else "",
        str(agreement.get_status_display()) if agreement else "",
        getattr(w, "paid", None) or ZERO,
    ]


def _settlement_row(g: Agreement) -> list[Any]:
    report = getattr(g, "final_report", None)
    return [
        g.number,
        g.application.number,
        g.application.applicant.name,
        g.amount,
        str(AgreementStatus(g.status).label),
        getattr(g, "paid", None) or ZERO,
        str(ReportStatus(report).label) if report else "",
        _when(g.settled_at),
        getattr(g, "to_return", None) or ZERO,
        getattr(g, "returned", None) or ZERO,
        _when(g.terminated_on),
    ]


@dataclass(frozen=True)
class Dataset:
    title: Any
    headers: Sequence[Any]
    row: Callable[[Any], list[Any]]


DATASETS: dict[str, Dataset] = {
    "wnioski": Dataset(
        gettext_lazy("Wnioski"),
        (
            gettext_lazy("Numer"),
            gettext_lazy("Nabór"),
            gettext_lazy("Rodzaj programu"),
            gettext_lazy("Wnioskodawca"),
            gettext_lazy("Tytuł zadania"),
            gettext_lazy("Stan"),
            gettext_lazy("Wnioskowana kwota (zł)"),
            gettext_lazy("Złożono"),
            gettext_lazy("Liczba ocen"),
            gettext_lazy("Średnia punktów"),
            gettext_lazy("Dzielnica"),
        ),
        _application_row,
    ),
    "dotacje": Dataset(
        gettext_lazy("Dotacje"),
        (
            gettext_lazy("Numer wniosku"),
            gettext_lazy("Nabór"),
            gettext_lazy("Rodzaj programu"),
            gettext_lazy("Wnioskodawca"),
            gettext_lazy("Przyznana kwota (zł)"),
            gettext_lazy("Stan"),
            gettext_lazy("Z listy rezerwowej"),
            gettext_lazy("Numer umowy"),
            gettext_lazy("Stan umowy"),
            gettext_lazy("Przekazano (zł)"),
        ),
        _award_row,
    ),
    "rozliczenia": Dataset(
        gettext_lazy("Rozliczenia"),
        (
            gettext_lazy("Numer umowy"),
            gettext_lazy("Numer wniosku"),
            gettext_lazy("Wnioskodawca"),
            gettext_lazy("Kwota wsparcia (zł)"),
            gettext_lazy("Stan umowy"),
            gettext_lazy("Przekazano (zł)"),
            gettext_lazy("Sprawozdanie końcowe"),
            gettext_lazy("Rozliczono"),
            gettext_lazy("Do zwrotu (zł)"),
            gettext_lazy("Zwrócono (zł)"),
            gettext_lazy("Rozwiązano"),
        ),
        _settlement_row,
    ),
}


def _rows(dataset: Dataset, records: Iterable[Any]) -> Iterable[list[Any]]:
    for record in records:
        yield dataset.row(record)


def to_csv(dataset: Dataset, records: Iterable[Any]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # byte-order mark: spreadsheet programs then read UTF-8 correctly
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(h) for h in dataset.headers])
    for row in _rows(dataset, records):
        writer.writerow(["" if v is None else _safe(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(dataset: Dataset, records: Iterable[Any]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(dataset.title)[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in dataset.headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in _rows(dataset, records):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
