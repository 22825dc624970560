"""The city's open-data list of senior activity centres brought into the places registry."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    Place,
    PlaceKind,
)
from wspolnota.community.services._common import _deny
from wspolnota.community.services.places import parse_opening_hours, place_save
from wspolnota.territory.models import District, to_roman
from wspolnota.territory.selectors import default_city

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

    def summary(self) -> str:
        return (
            f"CAS import: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.missing)} no longer in the file"
        )


@dataclass(frozen=True)
class _Located:
    index: int
    line: int
    record: Any


def _records_with_lines(text: str, data: Any) -> list[_Located]:
    """Each record of the list with the line it starts on, for messages that name the line."""
    if isinstance(data, list):
        start = text.index("[")
    elif isinstance(data, dict) and isinstance(data.get("dane"), list):
        match = re.search(r'"dane"\s*:\s*\[', text)
        if match is None:  # pragma: no cover - json.loads found the key, so the text has it
            raise CommunityError(errors.IMPORT_NO_RECORDS)
        start = match.end() - 1
    else:
        raise CommunityError(errors.IMPORT_NO_RECORDS)
    decoder = json.JSONDecoder()
    position = start + 1
    located: list[_Located] = []
    whitespace = re.compile(r"[\s,]*")
    while True:
        skipped = whitespace.match(text, position)
        position = skipped.end() if skipped else position
        if position >= len(text) or text[position] == "]":
            break
        record, end = decoder.raw_decode(text, position)
        located.append(_Located(len(located) + 1, text.count("\n", 0, position) + 1, record))
        position = end
    return located


def _district_from_label(label: Any, number: Any) -> District | None:
    city = default_city()
    districts = list(District.objects.filter(city=city)) if city else []
    if number not in (None, ""):
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            return None
        return next((d for d in districts if d.number == wanted), None)
    text = str(label or "").strip()
    if not text:
        return None
    head = text.split()[0].rstrip(".").upper()
    for district in districts:
        if head == to_roman(district.number) or head == str(district.number):
            return district
    lowered = text.lower()
    for district in districts:
        if district.name.lower() in lowered or lowered in district.name.lower():
            return district
    return None


def _read_record(item: _Located, seen: set[str]) -> tuple[str, dict[str, Any], str]:
    record = item.record
    where = {"index": item.index, "line": item.line}
    if not isinstance(record, dict):
        raise CommunityError(errors.IMPORT_RECORD_NOT_OBJECT, params=where)
    for required in ("id", "nazwa", "ulica", "dzielnica"):
        if record.get(required) in (None, ""):
            raise CommunityError(errors.IMPORT_MISSING_FIELD, params={**where, "field": required})

    def bad(name: str) -> CommunityError:
        return CommunityError(
            errors.IMPORT_BAD_VALUE,
            params={
                **where,
                "field": name,
                "value": json.dumps(record.get(name), ensure_ascii=False),
            },
        )

    source_id = str(record["id"]).strip()
    if source_id in seen:
        raise CommunityError(errors.IMPORT_DUPLICATE_ID, params={**where, "id": source_id})
    seen.add(source_id)
    district = _district_from_label(record.get("dzielnica"), record.get("nr_dzielnicy"))
    if district is None:
        raise CommunityError(
            errors.IMPORT_UNKNOWN_DISTRICT, params={**where, "value": record.get("dzielnica")}
        )
    dates: dict[str, date | None] = {}
    for key in ("data_uruchomienia", "data_zamkniecia"):
        raw = record.get(key)
        try:
            dates[key] = date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            raise bad(key) from None
    coordinates: dict[str, Decimal | None] = {}
    for key, limit in (("szerokosc_geograficzna", 90), ("dlugosc_geograficzna", 180)):
        raw = record.get(key)
        if raw in (None, ""):
            coordinates[key] = None
            continue
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            raise bad(key) from None
        if not value.is_finite() or abs(value) > limit:
            raise bad(key)
        coordinates[key] = value
    access = record.get("dostepnosc") or {}
    if not isinstance(access, dict):
        raise bad("dostepnosc")
    flags: dict[str, bool] = {}
    for key, model_field in (
        ("bez_barier", "step_free"),
        ("toaleta_dostepna", "accessible_toilet"),
        ("petla_indukcyjna", "induction_loop"),
        ("pjm", "sign_language"),
    ):
        value = access.get(key, False)
        if not isinstance(value, bool):
            raise bad("dostepnosc")
        flags[model_field] = value
    text_fields = {
        "name": "nazwa",
        "street_address": "ulica",
        "postal_code": "kod_pocztowy",
        "town": "miejscowosc",
        "operator": "prowadzacy",
        "phone": "telefon",
        "email": "email",
        "website": "www",
    }
    values: dict[str, Any] = {}
    for model_field, key in text_fields.items():
        raw = record.get(key, "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str | int):
            raise bad(key)
        values[model_field] = str(raw).strip()
    if values["postal_code"] and not re.fullmatch(r"\d{2}-\d{3}", values["postal_code"]):
        raise bad("kod_pocztowy")
    values["town"] = values["town"] or "Kraków"
    hours_text = record.get("godziny_otwarcia") or ""
    if not isinstance(hours_text, str):
        raise bad("godziny_otwarcia")
    try:
        parse_opening_hours(hours_text)
    except CommunityError:
        raise bad("godziny_otwarcia") from None
    values.update(flags)
    values.update(
        kind=PlaceKind.SENIOR_CENTRE,
        district=district,
        latitude=coordinates["szerokosc_geograficzna"],
        longitude=coordinates["dlugosc_geograficzna"],
        opened_on=dates["data_uruchomienia"],
        closed_on=dates["data_zamkniecia"],
    )
    return source_id, values, hours_text


def senior_centres_import(
    *, actor: User | None, content: bytes | str, source: str = OPEN_DATA_SOURCE
) -> ImportReport:
    """Bring the city's open-data list of Senior Activity Centres into the places registry.

    The file is checked as a whole first: any malformed record stops the import with a message
    that names its number and line, and nothing is saved. Places are matched by the list's own
    identifier, so importing the same file twice changes nothing.
    """
    if actor is not None and not permissions.can_manage_places(actor):
        raise _deny()
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            raise CommunityError(
                errors.IMPORT_FILE_TOO_LARGE, params={"size": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommunityError(errors.IMPORT_NOT_UTF8) from None
    else:
        text = content.lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommunityError(
            errors.IMPORT_NOT_JSON,
            params={"line": exc.lineno, "column": exc.colno, "error": exc.msg},
        ) from None
    located = _records_with_lines(text, data)
    seen: set[str] = set()
    parsed = [_read_record(item, seen) for item in located]
    report = ImportReport()
    with transaction.atomic():
        existing = {p.source_id: p for p in Place.objects.filter(source=source)}
        for (source_id, values, hours_text), item in zip(parsed, located, strict=True):
            place = existing.get(source_id)
            if place is not None:
                current_hours = sorted(
                    place.opening_hours.values_list("weekday", "opens", "closes")
                )
                changed = any(getattr(place, k) != v for k, v in values.items()) or (
                    current_hours != parse_opening_hours(hours_text)
                )
                if not changed:
                    report.unchanged.append(place.name)
                    continue
            if (
                place is not None
                and actor is not None
                and not permissions.can_edit_place(actor, place)
            ):
                # A place another unit runs is not changed through the import either.
                raise _deny()
            try:
                saved = place_save(
                    actor=actor,
                    place=place,
                    fields={**values, "source": source, "source_id": source_id},
                    hours_text=hours_text,
                )
            except CommunityError as exc:
                raise CommunityError(
                    errors.IMPORT_BAD_VALUE,
                    params={
                        "index": item.index,
                        "line": item.line,
                        "field": exc.field or "—",
                        "value": str(exc),
                    },
                ) from None
            (report.created if place is None else report.updated).append(saved.name)
        report.missing = sorted(p.name for sid, p in existing.items() if sid not in seen)
    return report
