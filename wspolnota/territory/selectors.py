"""Reads of the territory app: districts and the point → district lookup."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet, Subquery
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from wspolnota.territory.models import AddressPoint, City, District


def default_city() -> City | None:
    return (
        City.objects.filter(teryt=settings.CITY_TERYT).first()
        or City.objects.order_by("id").first()
    )


def site_city_id() -> Expression:
    """``default_city()``'s id as a subquery, to filter a query by the site's city without a
    query of its own: the city of ``CITY_TERYT``, else the first city loaded."""
    return Coalesce(
        Subquery(City.objects.filter(teryt=settings.CITY_TERYT).values("pk")[:1]),
        Subquery(City.objects.order_by("id").values("pk")[:1]),
    )


def district_list(*, city: City | None = None) -> QuerySet[District]:
    districts = District.objects.select_related("city").order_by("city_id", "number")
    if city is not None:
        districts = districts.filter(city=city)
    return districts


def district_get(*, number: int, city: City | None = None) -> District | None:
    city = city or default_city()
    if city is None:
        return None
    return District.objects.select_related("city").filter(city=city, number=number).first()


@dataclass
class _Index:
    version: tuple[Any, ...]
    tree: STRtree
    shapes: list[BaseGeometry]
    prepared: list[Any]
    district_ids: list[int]


_index_lock = threading.Lock()
_index: _Index | None = None


def _current_version() -> tuple[Any, ...]:
    stats = District.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (stats["n"], stats["last"], stats["top"])


def _get_index() -> _Index:
    """A per-process spatial index, rebuilt when any district changes (one cheap query a call)."""
    global _index
    version = _current_version()
    with _index_lock:
        if _index is None or _index.version != version:
            rows = list(District.objects.order_by("id").values_list("id", "geometry"))
            shapes = [shape(geometry) for _, geometry in rows]
            _index = _Index(
                version=version,
                tree=STRtree(shapes),
                shapes=shapes,
                prepared=[prep(s) for s in shapes],
                district_ids=[pk for pk, _ in rows],
            )
        return _index


def district_for_point(*, lat: float, lon: float) -> District | None:
    """The district whose boundary contains the point (WGS84), or None outside every district."""
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (
        -90 <= lat <= 90 and -180 <= lon <= 180
    ):
        return None
    index = _get_index()
    point = Point(lon, lat)
    for position in index.tree.query(point):
        if index.prepared[int(position)].covers(point):
            return District.objects.select_related("city").get(pk=index.district_ids[int(position)])
    return None


@dataclass(frozen=True)
class SvgDistrict:
    district: District
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class SvgMap:
    width: int
    height: int
    districts: list[SvgDistrict]
    # the projection: west and north edges, the cosine of the mid latitude, pixels per degree
    frame: tuple[float, float, float, float, float, float] | None = None

    def place(self, longitude: float, latitude: float) -> tuple[float, float] | None:
        """Where a point falls on this map, or None outside the districts' bounding box."""
        if self.frame is None:
            return None
        minx, miny, maxx, maxy, kx, scale = self.frame
        if not (minx <= longitude <= maxx and miny <= latitude <= maxy):
            return None
        return (
            round(10 + (longitude - minx) * kx * scale, 1),
            round(10 + (maxy - latitude) * scale, 1),
        )


def district_svg_map(
    *, districts: list[District], width: int = 640, tolerance: float = 0.0004
) -> SvgMap:
    """Project boundaries to an SVG for the page without JavaScript (equirectangular, simplified)."""
    shapes = [shape(d.geometry).simplify(tolerance, preserve_topology=True) for d in districts]
    if not shapes:
        return SvgMap(width, width // 2, [])
    minx = min(s.bounds[0] for s in shapes)
    miny = min(s.bounds[1] for s in shapes)
    maxx = max(s.bounds[2] for s in shapes)
    maxy = max(s.bounds[3] for s in shapes)
    kx = math.cos(math.radians((miny + maxy) / 2))
    span_x = max((maxx - minx) * kx, 1e-9)
    span_y = max(maxy - miny, 1e-9)
    scale = (width - 20) / span_x
    height = int(span_y * scale) + 20

    def project(x: float, y: float) -> tuple[float, float]:
        return (10 + (x - minx) * kx * scale, 10 + (maxy - y) * scale)

    result = []
    for district, geometry in zip(districts, shapes, strict=True):
        polygons = list(getattr(geometry, "geoms", [geometry]))
        parts = []
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = [project(x, y) for x, y in ring.coords]
                parts.append("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in coords) + " Z")
        anchor = geometry.representative_point()
        lx, ly = project(anchor.x, anchor.y)
        result.append(SvgDistrict(district, " ".join(parts), round(lx, 1), round(ly, 1)))
    return SvgMap(width, height, result, (minx, miny, maxx, maxy, kx, scale))


# --- Addresses: the city's address points, never a geocoder on the internet ------------------------

# Street-kind words that people write or leave out ("ul. Rajska", "Rajska"): not part of the key.
_STREET_KINDS = {
    "ul", "ulica", "al", "aleja", "aleje", "os", "osiedle", "pl", "plac", "rondo", "skwer",
    "bulwar", "bulw", "park", "wybrzeze", "ulice",
}  # fmt: skip
_POSTCODE = re.compile(r"\b\d{2}-\d{3}\b")
# "Rajska 1", "Rajska 12a", "os. Zgody 2/14", "Floriańska 3 m. 5", "Długa 1 lok. 2"
_STREET_AND_NUMBER = re.compile(
    r"^(?P<street>.*?\D)\s*(?P<number>\d+\s?[a-zA-Z]?)(?:\s*(?:/|m\.?|lok\.?|m\s).*)?$"
)


def _plain(text: str) -> str:
    """Lower case, no diacritics (ł → l too), words of letters and digits."""
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[0-9a-z]+", plain))


def street_key(street: str) -> str:
    """The street as the lookup compares it: plain, without "ul.", "al.", "os.", …"""
    words = _plain(street).split()
    while len(words) > 1 and words[0] in _STREET_KINDS:
        words = words[1:]
    return " ".join(words)


def number_key(number: str) -> str:
    return "".join(_plain(number).split())


def address_split(text: str, *, city_name: str = "") -> tuple[str, str] | None:
    """The street and the house number of an address as people write it ("ul. Rajska 1,
    31-124 Kraków", "Kraków, os. Zgody 2/14"), or None when no part has both."""
    city = _plain(city_name)
    for part in text.split(","):
        part = _POSTCODE.sub(" ", part).strip()
        if not part or (city and _plain(part) == city):
            continue
        match = _STREET_AND_NUMBER.match(part)
        if match and street_key(match["street"]):
            return match["street"].strip(), match["number"].strip()
    return None


@dataclass(frozen=True)
class LocatedAddress:
    point: AddressPoint
    district: District | None

    @property
    def latitude(self) -> Any:
        return self.point.latitude

    @property
    def longitude(self) -> Any:
        return self.point.longitude


def address_locate(*, text: str, city: City | None = None) -> LocatedAddress | None:
    """Find an address that a person typed in the city's address points: its position and the
    district whose boundary contains it. None when the city has no such address (or no address
    points were loaded): the caller then asks for a point on the map."""
    city = city or default_city()
    if city is None or not text:
        return None
    split = address_split(text, city_name=city.name)
    if split is None:
        return None
    street, number = split
    point = AddressPoint.objects.filter(
        city=city, street_key=street_key(street), number_key=number_key(number)
    ).first()
    if point is None:
        return None
    return LocatedAddress(
        point, district_for_point(lat=float(point.latitude), lon=float(point.longitude))
    )
