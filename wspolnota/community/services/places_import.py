"""The city's list of senior activity centres (CSV or XLSX) brought into the places registry.

Reading the file (columns by their headers, each row checked) is ``community.cas_import``; this
module saves the good rows and reports the bad ones with their lines (issue 21).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from wspolnota.community import errors, permissions
from wspolnota.community.cas_import import (
    COLUMN_LABELS,
    CentreRow,
    RowProblem,
    read_senior_centres,
    row_problem,
)
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import Place
from wspolnota.community.services._common import _deny
from wspolnota.community.services.places import parse_opening_hours, place_save

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

OPEN_DATA_SOURCE = "otwarte-dane-krakow-cas"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # rows left out, each with its line and the reason; and rows imported with a caveat
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"CAS import: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.missing)} no longer in the file, "
            f"{len(self.problems)} rows left out"
        )


def _centre_changed(place: Place, row: CentreRow) -> bool:
    if any(getattr(place, name) != value for name, value in row.values.items()):
        return True
    current = sorted((h.weekday, h.opens, h.closes) for h in place.opening_hours.all())
    return current != parse_opening_hours(row.hours_text)


def senior_centres_import(
    *, actor: User | None, content: bytes | str, source: str = OPEN_DATA_SOURCE
) -> ImportReport:
    """Bring the city's list of Senior Activity Centres (CSV or XLSX) into the places registry.

    Columns are found by their headers (``cas_import.COLUMNS``). Each bad row is left out and
    reported with its line and the reason; the good rows are saved. Places are matched by a
    stable key (the file's identifier, or else the centre's address), so importing the same
    file again changes nothing. Centres no longer in the file are listed, not deleted. The
    management command and the officials' import page both call this.
    """
    if actor is not None and not permissions.can_manage_places(actor):
        raise _deny()
    data = content.encode("utf-8") if isinstance(content, str) else content
    if len(data) > MAX_IMPORT_BYTES:
        raise CommunityError(
            errors.IMPORT_FILE_TOO_LARGE, params={"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    read = read_senior_centres(content=data, hours_reader=parse_opening_hours)
    report = ImportReport(problems=list(read.problems))
    with transaction.atomic():
        existing = {
            p.source_id: p
            for p in Place.objects.filter(source=source).prefetch_related("opening_hours")
        }
        for row in read.rows:
            report.warnings.extend(row.warnings)
            place = existing.get(row.key)
            if place is not None and not _centre_changed(place, row):
                report.unchanged.append(place.name)
                continue
            if (
                place is not None
                and actor is not None
                and not permissions.can_edit_place(actor, place)
            ):
                # A place another unit runs is not changed through the import either.
                report.problems.append(row_problem(row.line, errors.IMPORT_ROW_NOT_YOURS))
                continue
            try:
                with transaction.atomic():
                    saved = place_save(
                        actor=actor,
                        place=place,
                        fields={**row.values, "source": source, "source_id": row.key},
                        hours_text=row.hours_text,
                    )
            except CommunityError as exc:
                label = COLUMN_LABELS.get(exc.field or "", exc.field)
                reason = f"„{label}”: {exc}" if label else str(exc)
                report.problems.append(row_problem(row.line, reason))
                continue
            (report.created if place is None else report.updated).append(saved.name)
        report.missing = sorted(p.name for key, p in existing.items() if key not in read.keys)
    report.problems.sort(key=lambda problem: problem.line)
    return report
