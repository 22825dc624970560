"""Read API of implementation tracking: implementations of winning projects with status,
progress, costs (decimal strings in złoty, never floats), milestones and the public update log."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from wspolnota.accounts.models import CityUnit
from wspolnota.budget.models import Edition
from wspolnota.core.parsing import BoundedPagination, parse_int
from wspolnota.implementation import selectors
from wspolnota.implementation.models import (
    Implementation,
    ImplementationStatus,
    Milestone,
    Update,
)
from wspolnota.territory.models import District

API_PREFIX = "/implementations"
router = Router()


class ImplementationOut(Schema):
    id: int
    project_id: int
    project_number: str
    project_title: str
    edition_year: int
    district_number: int | None = Field(description="null for citywide projects")
    status: str = Field(description=", ".join(ImplementationStatus.values))
    status_label: str
    progress: int = Field(description="percent, 0–100")
    estimated_cost: Decimal = Field(description="the project's cost after verification, PLN")
    actual_cost: Decimal | None = Field(description="PLN; null while not known")
    responsible_unit: str | None
    completed_on: date | None
    latitude: Decimal | None
    longitude: Decimal | None
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_project_number(obj: Implementation) -> str:
        return obj.project.number

    @staticmethod
    def resolve_project_title(obj: Implementation) -> str:
        return obj.project.title

    @staticmethod
    def resolve_edition_year(obj: Implementation) -> int:
        return obj.edition.year

    @staticmethod
    def resolve_district_number(obj: Implementation) -> int | None:
        return obj.district.number if obj.district else None

    @staticmethod
    def resolve_status_label(obj: Implementation) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_responsible_unit(obj: Implementation) -> str | None:
        return obj.responsible_unit.name if obj.responsible_unit else None

    @staticmethod
    def resolve_latitude(obj: Implementation) -> Decimal | None:
        return obj.project.latitude

    @staticmethod
    def resolve_longitude(obj: Implementation) -> Decimal | None:
        return obj.project.longitude

    @staticmethod
    def resolve_url(obj: Implementation) -> str:
        return selectors.implementation_absolute_url(obj)


class MilestoneOut(Schema):
    description: str
    planned_date: date
    actual_date: date | None


class UpdateOut(Schema):
    created_at: datetime
    kind: str
    unit: str
    lines: list[str] = Field(description="what changed, in the request's language")
    note: str

    @staticmethod
    def resolve_unit(obj: Update) -> str:
        return obj.unit_label

    @staticmethod
    def resolve_lines(obj: Update) -> list[str]:
        return selectors.update_lines(obj)


class ImplementationDetailOut(ImplementationOut):
    cancel_reason: str
    merged_into_id: int | None
    milestones: list[MilestoneOut]
    updates: list[UpdateOut]
    photos: int = Field(description="number of published photos")

    @staticmethod
    def resolve_milestones(obj: Implementation) -> list[Milestone]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_updates(obj: Implementation) -> list[Update]:
        return selectors.update_list(obj)

    @staticmethod
    def resolve_photos(obj: Implementation) -> int:
        return len(obj.photos.all())


class Filters(Schema):
    edition: int | None = Field(None, description="the edition's year")
    district: str = Field("", description='"citywide" or a district number')
    status: str = Field("", description=", ".join(ImplementationStatus.values))
    unit: int | None = Field(None, description="id of the responsible city unit")
    q: str = Field("", max_length=100, description="part of the project's title or number")


@router.get("", response=list[ImplementationOut], summary="Implementations of winning projects")
@paginate(BoundedPagination)
def implementations(request: HttpRequest, filters: Query[Filters]) -> QuerySet[Implementation]:
    edition = Edition.objects.filter(year=filters.edition).first() if filters.edition else None
    if filters.edition and edition is None:
        return Implementation.objects.none()
    district = None
    citywide = filters.district == "citywide"
    if filters.district and not citywide:
        number = parse_int(filters.district, min_value=0, field="district")
        district = District.objects.filter(number=number).defer("geometry").first()
        if district is None:
            return Implementation.objects.none()
    unit = CityUnit.objects.filter(pk=filters.unit).first() if filters.unit else None
    if filters.unit and unit is None:
        return Implementation.objects.none()
    if filters.status and filters.status not in ImplementationStatus.values:
        return Implementation.objects.none()
    return selectors.implementation_list(
        edition=edition,
        district=district,
        citywide=citywide,
        status=filters.status or None,
        unit=unit,
        query=filters.q,
    )


@router.get(
    "/{implementation_id}",
    response=ImplementationDetailOut,
    summary="One implementation with milestones and its update log",
)
def implementation(request: HttpRequest, implementation_id: int) -> Implementation:
    found = selectors.implementation_get(impl_id=implementation_id, viewer=request.user)
    if found is None:
        raise Http404
    return found
