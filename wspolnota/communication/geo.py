"""Notice areas: a GeoJSON polygon or a circle around a point, and the districts they touch."""

from __future__ import annotations

import json
import math
from typing import Any

from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from wspolnota.communication import errors
from wspolnota.communication.errors import CommunicationError
from wspolnota.territory.models import District

EARTH_RADIUS_M = 6_371_000


def parse_geojson_polygon(raw: str) -> dict[str, Any]:
    """A Polygon or MultiPolygon from GeoJSON text (a geometry, Feature or FeatureCollection)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CommunicationError(
            errors.GEOJSON_INVALID,
            field="area_geojson",
            params={"line": exc.lineno, "problem": exc.msg},
        ) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        data = features[0] if features else {}
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry") or {}
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise CommunicationError(errors.GEOJSON_NOT_POLYGON, field="area_geojson")
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise CommunicationError(
            errors.GEOJSON_INVALID, field="area_geojson", params={"line": 1, "problem": str(exc)}
        ) from None
    if geometry.is_empty or not geometry.is_valid:
        raise CommunicationError(
            errors.GEOJSON_INVALID,
            field="area_geojson",
            params={"line": 1, "problem": "self-intersecting or empty polygon"},
        )
    result: dict[str, Any] = mapping(geometry)
    return json.loads(json.dumps(result))


def circle(*, lat: float, lon: float, radius_m: int, points: int = 64) -> dict[str, Any]:
    """A polygon approximating a circle of ``radius_m`` metres around a WGS84 point."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    ring = [
        (
            lon + dlon * math.cos(2 * math.pi * i / points),
            lat + dlat * math.sin(2 * math.pi * i / points),
        )
        for i in range(points)
    ]
    result: dict[str, Any] = mapping(Polygon(ring))
    return json.loads(json.dumps(result))


def districts_touching(area: dict[str, Any]) -> list[District]:
    geometry: BaseGeometry = shape(area)
    return [
        d for d in District.objects.order_by("number") if shape(d.geometry).intersects(geometry)
    ]
