"""Writes of the territory app: loading a city and its districts from GeoJSON."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from shapely.validation import explain_validity, make_valid

from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.errors import TerritoryError
from wspolnota.territory.models import AddressPoint, City, District

DATA_DIR = Path(__file__).resolve().parent / "data"
KRAKOW_GEOJSON = DATA_DIR / "krakow-dzielnice.geojson"
KRAKOW_ATTRIBUTES = DATA_DIR / "krakow-districts.csv"
KRAKOW_ADDRESS_SAMPLE = DATA_DIR / "krakow-address-points-sample.csv"


@dataclass(frozen=True)
class DistrictAttributes:
    number: int
    name: str
    area_km2: Decimal
    population: int
    population_date: date
    population_source: str


_CSV_COLUMNS = ("number", "name", "area_km2", "population", "population_date", "population_source")


def read_district_attributes(path: Path) -> dict[int, DistrictAttributes]:
    """Read the district table (CSV with a header); errors name the line and the column."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise TerritoryError(
            _("Nie można otworzyć pliku %(path)s: %(error)s"), params={"path": path, "error": exc}
        ) from exc
    rows: dict[int, DistrictAttributes] = {}
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TerritoryError(
                _("Plik %(path)s, wiersz 1: brak kolumn: %(columns)s"),
                params={"path": path.name, "columns": ", ".join(missing)},
            )
        for row in reader:
            line = reader.line_num
            column = ""
            try:
                column = "number"
                number = int(row["number"])
                column = "area_km2"
                area = Decimal(row["area_km2"])
                column = "population"
                population = int(row["population"])
                column = "population_date"
                population_date = date.fromisoformat(row["population_date"])
            except (ValueError, InvalidOperation, TypeError):
                raise TerritoryError(
                    _("Plik %(path)s, wiersz %(line)s: niepoprawna wartość w kolumnie %(column)s"),
                    params={"path": path.name, "line": line, "column": column},
                ) from None
            name = (row["name"] or "").strip()
            if not name:
                raise TerritoryError(
                    _("Plik %(path)s, wiersz %(line)s: niepoprawna wartość w kolumnie %(column)s"),
                    params={"path": path.name, "line": line, "column": "name"},
                )
            if number in rows:
                raise TerritoryError(
                    _("Plik %(path)s, wiersz %(line)s: dzielnica nr %(number)s występuje dwa razy"),
                    params={"path": path.name, "line": line, "number": number},
                )
            rows[number] = DistrictAttributes(
                number=number,
                name=name,
                area_km2=area,
                population=population,
                population_date=population_date,
                population_source=(row["population_source"] or "").strip(),
            )
    return rows


def read_district_geometries(
    path: Path, *, number_property: str, repaired: list[int] | None = None
) -> dict[int, dict[str, Any]]:
    """Read a GeoJSON FeatureCollection: district number -> (Multi)Polygon geometry.

    Numbers of features whose geometry had to be repaired are appended to ``repaired``.
    """
    if repaired is None:
        repaired = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TerritoryError(
            _("Nie można otworzyć pliku %(path)s: %(error)s"), params={"path": path, "error": exc}
        ) from exc
    except json.JSONDecodeError as exc:
        raise TerritoryError(
            _("Plik %(path)s, wiersz %(line)s: to nie jest poprawny JSON (%(error)s)"),
            params={"path": path.name, "line": exc.lineno, "error": exc.msg},
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise TerritoryError(
            _("Plik %(path)s nie jest kolekcją obiektów GeoJSON (FeatureCollection)."),
            params={"path": path.name},
        )
    geometries: dict[int, dict[str, Any]] = {}
    for index, feature in enumerate(data.get("features") or [], start=1):
        properties = feature.get("properties") or {}
        raw_number: Any = properties.get(number_property)
        try:
            number = int(raw_number)
        except (TypeError, ValueError):
            raise TerritoryError(
                _("Obiekt nr %(index)s: właściwość %(property)s nie jest numerem dzielnicy"),
                params={"index": index, "property": number_property},
            ) from None
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise TerritoryError(
                _("Obiekt nr %(index)s: granica musi być wielokątem (Polygon lub MultiPolygon)"),
                params={"index": index},
            )
        try:
            polygon = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            raise TerritoryError(
                _("Obiekt nr %(index)s: niepoprawna geometria (%(error)s)"),
                params={"index": index, "error": exc},
            ) from None
        if not polygon.is_valid:
            # Real boundary files often carry tiny self-intersections; repair them, but only
            # when the repair is still an area (a polygon), and say so in the load report.
            fixed = make_valid(polygon)
            polygons = [
                g
                for g in getattr(fixed, "geoms", [fixed])
                if g.geom_type in ("Polygon", "MultiPolygon")
            ]
            if not polygons:
                raise TerritoryError(
                    _("Obiekt nr %(index)s: niepoprawna geometria (%(error)s)"),
                    params={"index": index, "error": explain_validity(polygon)},
                )
            fixed = unary_union(polygons)
            if abs(fixed.area - polygon.buffer(0).area) > 0.01 * max(polygon.buffer(0).area, 1e-12):
                raise TerritoryError(
                    _("Obiekt nr %(index)s: niepoprawna geometria (%(error)s)"),
                    params={"index": index, "error": explain_validity(polygon)},
                )
            geometry = mapping(fixed)
            geometry = json.loads(json.dumps(geometry))  # tuples -> lists, plain JSON
            repaired.append(number)
        if number in geometries:
            raise TerritoryError(
                _("Obiekt nr %(index)s: dzielnica nr %(number)s występuje dwa razy"),
                params={"index": index, "number": number},
            )
        geometries[number] = geometry
    if not geometries:
        raise TerritoryError(
            _("Plik %(path)s nie zawiera żadnej dzielnicy."), params={"path": path.name}
        )
    return geometries


@dataclass(frozen=True)
class CityLoadReport:
    city: City
    created: list[int]
    updated: list[int]
    repaired: list[int]

    def summary(self) -> str:
        return (
            f"{self.city.name}: {self.city.districts.count()} districts "
            f"(created {len(self.created)}, updated {len(self.updated)}, "
            f"geometry repaired for {self.repaired or 'none'})"
        )


@transaction.atomic
def city_load(
    *,
    name: str,
    teryt: str,
    geojson_path: Path,
    attributes_path: Path,
    number_property: str = "cartodb_id",
) -> CityLoadReport:
    """Create or update a city and its districts, joining geometry and attributes on the number.

    Idempotent: loading the same files again changes nothing but ``updated_at``. Every change
    is audit-logged as made by the system.
    """
    if not (teryt.isascii() and teryt.isdigit() and len(teryt) == 7):
        raise TerritoryError(_("Kod TERYT musi mieć 7 cyfr."), field="teryt")
    repaired: list[int] = []
    created_numbers: list[int] = []
    updated_numbers: list[int] = []
    geometries = read_district_geometries(
        geojson_path, number_property=number_property, repaired=repaired
    )
    attributes = read_district_attributes(attributes_path)
    if set(geometries) != set(attributes):
        only_geo = sorted(set(geometries) - set(attributes))
        only_csv = sorted(set(attributes) - set(geometries))
        raise TerritoryError(
            _("Numery dzielnic się nie zgadzają: tylko w GeoJSON %(geo)s, tylko w CSV %(csv)s"),
            params={"geo": only_geo or "-", "csv": only_csv or "-"},
        )
    city, created = City.objects.update_or_create(
        teryt=teryt, defaults={"name": name, "slug": slugify(name) or teryt}
    )
    if created:
        audit_log_append(
            actor=None, action="territory.city_created", obj=city, after=snapshot(city)
        )
    for number in sorted(geometries):
        attrs = attributes[number]
        values = {
            "name": attrs.name,
            "area_km2": attrs.area_km2,
            "population": attrs.population,
            "population_date": attrs.population_date,
            "population_source": attrs.population_source,
            "geometry": geometries[number],
        }
        district = District.objects.filter(city=city, number=number).first()
        if district is None:
            district = District(city=city, number=number, **values)
            district.full_clean()
            district.save()
            created_numbers.append(number)
            audit_log_append(
                actor=None,
                action="territory.district_created",
                obj=district,
                after=snapshot(
                    district, fields=["number", "name", "area_km2", "population", "population_date"]
                ),
            )
            continue
        fields = [
            "number",
            "name",
            "area_km2",
            "population",
            "population_date",
            "population_source",
        ]
        before = snapshot(district, fields=fields)
        changed = any(getattr(district, key) != value for key, value in values.items())
        if changed:
            for key, value in values.items():
                setattr(district, key, value)
            district.full_clean()
            district.save()
            updated_numbers.append(number)
            audit_log_append(
                actor=None,
                action="territory.district_updated",
                obj=district,
                before=before,
                after=snapshot(district, fields=fields),
            )
    return CityLoadReport(city, created_numbers, updated_numbers, sorted(repaired))


def krakow_load() -> CityLoadReport:
    """Kraków (TERYT 1261011) with its 18 districts, from the files shipped with the app."""
    return city_load(
        name="Kraków",
        teryt="1261011",
        geojson_path=KRAKOW_GEOJSON,
        attributes_path=KRAKOW_ATTRIBUTES,
        number_property="cartodb_id",
    )


# --- Address points ---------------------------------------------------------------------------------

# Each column under its English name or the Polish one of the city's open data.
_ADDRESS_COLUMNS = {
    "street": ("street", "ulica"),
    "number": ("number", "numer", "numer_porzadkowy"),
    "postcode": ("postcode", "kod_pocztowy"),
    "latitude": ("latitude", "lat", "szerokosc"),
    "longitude": ("longitude", "lon", "dlugosc"),
}


@dataclass
class AddressLoadReport:
    city: City
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return (
            f"{self.city.name}: {self.city.address_points.count()} address points "
            f"(created {self.created}, updated {self.updated})"
        )


@transaction.atomic
def address_points_load(*, city: City, path: Path) -> AddressLoadReport:
    """Load (or refresh) the city's address points from a CSV with a header: street, number,
    postcode (optional), latitude and longitude in WGS84. A point outside every district of the
    city is refused with its line: a wrong column order or another coordinate system shows at
    once instead of placing people in the wrong district."""
    from wspolnota.territory.selectors import district_for_point, number_key, street_key

    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise TerritoryError(
            _("Nie można otworzyć pliku %(path)s: %(error)s"), params={"path": path, "error": exc}
        ) from exc
    report = AddressLoadReport(city=city)
    with handle:
        reader = csv.DictReader(handle)
        header = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        columns: dict[str, str] = {}
        for key, names in _ADDRESS_COLUMNS.items():
            found = next((header[n] for n in names if n in header), None)
            if found is not None:
                columns[key] = found
        missing = [k for k in ("street", "number", "latitude", "longitude") if k not in columns]
        if missing:
            raise TerritoryError(
                _("Plik %(path)s, wiersz 1: brak kolumn: %(columns)s"),
                params={"path": path.name, "columns": ", ".join(missing)},
            )
        for row in reader:
            line = reader.line_num
            street = (row[columns["street"]] or "").strip()
            number = (row[columns["number"]] or "").strip()
            try:
                latitude = Decimal(row[columns["latitude"]].replace(",", ".")).quantize(
                    Decimal("0.000001")
                )
                longitude = Decimal(row[columns["longitude"]].replace(",", ".")).quantize(
                    Decimal("0.000001")
                )
            except (InvalidOperation, AttributeError):
                raise TerritoryError(
                    _("Plik %(path)s, wiersz %(line)s: niepoprawna wartość w kolumnie %(column)s"),
                    params={"path": path.name, "line": line, "column": "latitude/longitude"},
                ) from None
            if not street or not number_key(number):
                raise TerritoryError(
                    _("Plik %(path)s, wiersz %(line)s: niepoprawna wartość w kolumnie %(column)s"),
                    params={"path": path.name, "line": line, "column": "street/number"},
                )
            district = district_for_point(lat=float(latitude), lon=float(longitude))
            if district is None or district.city_id != city.pk:
                raise TerritoryError(
                    _(
                        "Plik %(path)s, wiersz %(line)s: punkt %(lat)s, %(lon)s leży poza "
                        "dzielnicami miasta %(city)s (szerokość i długość w WGS84?)"
                    ),
                    params={
                        "path": path.name,
                        "line": line,
                        "lat": latitude,
                        "lon": longitude,
                        "city": city.name,
                    },
                )
            postcode = (row.get(columns.get("postcode", ""), "") or "").strip()[:6]
            _point, created = AddressPoint.objects.update_or_create(
                city=city,
                street_key=street_key(street),
                number_key=number_key(number),
                defaults={
                    "street": street[:150],
                    "number": number[:20],
                    "postcode": postcode,
                    "latitude": latitude,
                    "longitude": longitude,
                },
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
    audit_log_append(
        actor=None,
        action="territory.address_points_loaded",
        obj=city,
        after={"file": path.name, "created": report.created, "updated": report.updated},
    )
    return report
