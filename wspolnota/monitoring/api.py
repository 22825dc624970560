"""Open data API of strategy monitoring: the indicators with their measurements, the catalogue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from wspolnota.core.errors import NotFoundError
from wspolnota.monitoring import opendata
from wspolnota.monitoring.errors import INDICATOR_NOT_FOUND

API_PREFIX = "/monitoring"
router = Router()


class FigureOut(Schema):
    text: str
    value: float | None
    year: int


class TargetOut(Schema):
    text: str
    kind: str
    value: float | None
    year: int


class AssessmentOut(Schema):
    status: str
    explanation: str
    projected_target_year_value: float | None


class MeasurementOut(Schema):
    year: int
    district: int | None
    district_name: str | None
    value: float
    numerator: float | None
    denominator: float | None
    ci_low: float | None
    ci_high: float | None
    source: str
    source_url: str
    reference_date: str
    method: str
    series: str
    coverage: str
    demo: bool
    approved_at: str | None


class IndicatorOut(Schema):
    code: str
    name: str
    measures: str
    footnote: str
    operational_goal: str
    unit: str
    value_2016: FigureOut
    value_2022: FigureOut
    target: TargetOut
    assessment: AssessmentOut
    measurements: list[MeasurementOut]


class ErrorOut(Schema):
    detail: str


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    summary="Strategy Goal V indicators with their 2016, 2022 and 2030 target values and measurements",
)
def indicators(request: HttpRequest) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = opendata.indicators_payload()["indicators"]
    return result


@router.get(
    "/indicators/{indicator_code}",
    response={200: IndicatorOut, 404: ErrorOut},
    summary="One indicator with its measurements",
)
def indicator(request: HttpRequest, indicator_code: str) -> dict[str, Any]:
    for item in opendata.indicators_payload()["indicators"]:
        if item["code"] == indicator_code:
            found: dict[str, Any] = item
            return found
    raise NotFoundError(INDICATOR_NOT_FOUND, params={"code": indicator_code[:60]})


@router.get("/catalog", summary="DCAT-AP catalogue (JSON-LD) of the platform's open datasets")
def catalog(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        opendata.dcat_catalogue(request), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json"
    return response
