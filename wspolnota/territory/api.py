from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from wspolnota.core.errors import NotFoundError
from wspolnota.territory import selectors
from wspolnota.territory.errors import OUTSIDE_CITY
from wspolnota.territory.models import District

API_PREFIX = "/districts"
router = Router()


class DistrictOut(Schema):
    number: int
    roman: str
    name: str
    full_name: str
    city: str
    area_km2: Decimal
    population: int
    population_date: date
    population_source: str
    geometry: dict[str, Any]

    @staticmethod
    def resolve_city(obj: District) -> str:
        return obj.city.name


class DistrictSummary(Schema):
    number: int
    roman: str
    name: str
    full_name: str
    city: str

    @staticmethod
    def resolve_city(obj: District) -> str:
        return obj.city.name


class PointQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, allow_inf_nan=False, description="latitude, WGS84")
    lon: float = Field(..., ge=-180, le=180, allow_inf_nan=False, description="longitude, WGS84")


class ErrorOut(Schema):
    detail: str


@router.get("", response=list[DistrictOut], summary="All districts with their boundaries")
def districts(request: HttpRequest) -> list[District]:
    return list(selectors.district_list(city=selectors.default_city()))


@router.get(
    "/lookup",
    response={200: DistrictSummary, 404: ErrorOut},
    summary="The district that contains a point",
)
def district_lookup(request: HttpRequest, point: Query[PointQuery]) -> District:
    district = selectors.district_for_point(lat=point.lat, lon=point.lon)
    if district is None:
        raise NotFoundError(OUTSIDE_CITY, params={"city": settings.CITY_NAME}, code="outside_city")
    return district
