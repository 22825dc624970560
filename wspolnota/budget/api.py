"""Read API of the participatory budget: editions with phases and pools, projects with location
and status. Amounts are decimal strings in złoty (exact, never floats)."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from wspolnota.budget import selectors
from wspolnota.budget.models import Category, Edition, EditionPhase, Pool, Project
from wspolnota.core.parsing import BoundedPagination

API_PREFIX = "/budget"
router = Router()


class PhaseOut(Schema):
    kind: str
    label: str
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def resolve_label(obj: EditionPhase) -> str:
        return str(obj.get_kind_display())


class PoolOut(Schema):
    id: int
    kind: str
    name: str
    district_number: int | None
    budget: Decimal
    min_project_cost: Decimal
    max_project_cost: Decimal

    @staticmethod
    def resolve_name(obj: Pool) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_district_number(obj: Pool) -> int | None:
        return obj.district.number if obj.district else None


class EditionOut(Schema):
    year: int
    number: int | None
    name: str
    city: str
    total_budget: Decimal
    final_list_published_at: datetime | None
    phases: list[PhaseOut]

    @staticmethod
    def resolve_city(obj: Edition) -> str:
        return obj.city.name

    @staticmethod
    def resolve_phases(obj: Edition) -> list[EditionPhase]:
        return list(obj.phases.all())


class RulesOut(Schema):
    supporters_required: int
    support_days: int
    supporters_from_district: bool
    short_description_min: int
    short_description_max: int
    appeal_days: int
    upkeep_years: int
    withdrawal_deadline: datetime | None


class EditionDetailOut(EditionOut):
    rules: RulesOut
    pools: list[PoolOut]

    @staticmethod
    def resolve_rules(obj: Edition) -> Edition:
        return obj

    @staticmethod
    def resolve_pools(obj: Edition) -> list[Pool]:
        return list(obj.pools.all())


class ProjectOut(Schema):
    id: int
    number: str
    title: str
    short_description: str
    edition_year: int
    pool_id: int
    district_number: int | None = Field(
        description="the pool's district; null for the citywide pool"
    )
    category: str
    status: str
    status_label: str
    cost: Decimal = Field(description="the author's estimate, PLN")
    verified_cost: Decimal | None = Field(description="after verification, PLN")
    supporters_count: int
    latitude: Decimal | None
    longitude: Decimal | None
    address: str
    submitted_at: datetime | None
    url: str

    @staticmethod
    def resolve_edition_year(obj: Project) -> int:
        return obj.edition.year

    @staticmethod
    def resolve_district_number(obj: Project) -> int | None:
        return obj.pool.district.number if obj.pool.district else None

    @staticmethod
    def resolve_status_label(obj: Project) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_url(obj: Project) -> str:
        return settings.SITE_URL + reverse("budget:project_detail", args=[obj.pk])


class CostItemOut(Schema):
    position: int
    name: str
    amount: Decimal


class ProjectDetailOut(ProjectOut):
    description: str
    verification_reasons: str
    cost_items: list[CostItemOut]

    @staticmethod
    def resolve_cost_items(obj: Project) -> list[object]:
        return list(obj.cost_items.order_by("position"))


class ProjectFilters(Schema):
    pool: str = Field("", description='"citywide" or a district number')
    category: str = Field("", description=", ".join(Category.values))
    status: str = ""
    q: str = Field("", max_length=200, description="words to find; diacritics are optional")
    cost_min: Decimal | None = Field(None, ge=0)
    cost_max: Decimal | None = Field(None, ge=0)


@router.get("/editions", response=list[EditionOut], summary="Editions of the participatory budget")
def editions(request: HttpRequest) -> list[Edition]:
    return list(selectors.edition_list(viewer=request.user))


@router.get(
    "/editions/{year}", response=EditionDetailOut, summary="One edition: phases, rules, pools"
)
def edition(request: HttpRequest, year: int) -> Edition:
    return selectors.edition_get_for(viewer=request.user, year=year)


@router.get(
    "/editions/{year}/projects", response=list[ProjectOut], summary="Public projects of an edition"
)
@paginate(BoundedPagination)
def projects(request: HttpRequest, year: int, filters: Query[ProjectFilters]) -> QuerySet[Project]:
    found = selectors.edition_get_for(viewer=request.user, year=year)
    return selectors.project_catalogue(
        edition=found,
        filters=selectors.CatalogueFilters(
            pool=filters.pool,
            category=filters.category,
            status=filters.status,
            query=filters.q,
            cost_min=filters.cost_min,
            cost_max=filters.cost_max,
        ),
    ).select_related("edition")


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="One project")
def project(request: HttpRequest, project_id: int) -> Project:
    return selectors.project_get_for(viewer=request.user, project_id=project_id)
