"""Read API of grants: programmes with their legal limits, announced calls with their pools,
published results and the grants awarded. Amounts are decimal strings in złoty (exact).

Individuals who applied are never named: their applications show as ``"individual"`` with no
name, as on the results page.
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from wspolnota.core.parsing import BoundedPagination
from wspolnota.grants import limits, permissions, selectors
from wspolnota.grants.models import (
    ZERO,
    Award,
    Call,
    CallStatus,
    Criterion,
    Programme,
    ProgrammeKind,
)
from wspolnota.grants.selectors import RankingRow
from wspolnota.organisations.models import OrganisationKind

API_PREFIX = "/grants"
router = Router()

KINDS = ", ".join(ProgrammeKind.values)
MAX_ID = 2**31 - 1  # larger numbers are no id: a clear 422, never a database overflow
NO_NUL = r"^[^\x00]*$"


class CriterionOut(Schema):
    position: int
    group: str
    name: str
    description: str
    max_points: Decimal


class ProgrammeOut(Schema):
    id: int
    kind: str = Field(description=KINDS)
    kind_label: str
    name: str
    description: str
    legal_basis: str
    min_amount: Decimal | None = Field(description="smallest support, PLN; null: no limit")
    max_amount: Decimal | None = Field(description="largest support, PLN; null: no limit")
    max_duration_days: int | None
    yearly_cap_per_applicant: Decimal | None = Field(
        description="support one applicant may get in a budget year, PLN"
    )
    min_lead_days: int | None = Field(description="filed at least this many days before the start")
    remarks_days: int | None = Field(description="days an offer is published for public remarks")
    min_announcement_days: int | None = Field(
        description="a call is announced at least this many days before its deadline"
    )
    allow_ngo: bool
    allow_informal_group: bool
    allow_individual: bool
    individual_min_age: int | None
    individual_max_age: int | None
    in_kind_only: bool = Field(description="the city gives goods or services, not money")
    requires_own_contribution: bool
    min_own_contribution_percent: Decimal | None
    pass_score: Decimal | None
    rolling: bool = Field(description="applications accepted until the money runs out")
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_kind_label(obj: Programme) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_criteria(obj: Programme) -> list[Criterion]:
        return list(obj.criteria.all())


class ProgrammeRef(Schema):
    id: int
    kind: str
    name: str


def _awarded(call: Call) -> Decimal:
    """The sum annotated by the selector, with grosze (SQLite drops trailing zeros)."""
    return limits.q2(getattr(call, "awarded", None) or ZERO)


class CallOut(Schema):
    id: int
    title: str
    programme: ProgrammeRef
    year: int = Field(description="budget year")
    status: str = Field(description=", ".join(v for v in CallStatus.values if v != "draft"))
    status_label: str
    accepting_applications: bool
    opens_at: datetime
    closes_at: datetime | None = Field(description="null: open until the money runs out")
    results_published_at: datetime | None
    pool_amount: Decimal
    awarded_amount: Decimal
    remaining_amount: Decimal
    url: str

    @staticmethod
    def resolve_status_label(obj: Call) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_accepting_applications(obj: Call) -> bool:
        return permissions.is_call_open(obj, at=timezone.now())

    @staticmethod
    def resolve_awarded_amount(obj: Call) -> Decimal:
        return _awarded(obj)

    @staticmethod
    def resolve_remaining_amount(obj: Call) -> Decimal:
        return limits.q2(obj.pool_amount - _awarded(obj))

    @staticmethod
    def resolve_url(obj: Call) -> str:
        return settings.SITE_URL + reverse("grants:call_detail", args=[obj.pk])


class CallDetailOut(CallOut):
    description: str
    city_unit: str | None
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_city_unit(obj: Call) -> str | None:
        return obj.city_unit.name if obj.city_unit else None

    @staticmethod
    def resolve_criteria(obj: Call) -> list[Criterion]:
        return list(obj.criteria.all())


class ResultOut(Schema):
    rank: int
    tied: bool = Field(description="another application has the same score")
    number: str
    title: str
    applicant: str | None = Field(description="null for individuals, who are not named")
    applicant_kind: str
    score: Decimal | None = Field(description="mean of the commission's totals")
    requested_amount: Decimal
    awarded_amount: Decimal | None
    status: str


class CallResultsOut(Schema):
    call_id: int
    published: bool
    results_published_at: datetime | None
    pool_amount: Decimal
    awarded_amount: Decimal
    results: list[ResultOut] = Field(description="empty until the results are published")
    url: str


class OrganisationRef(Schema):
    id: int | None = Field(description="the public registry entry; null for individuals")
    kind: str
    name: str | None = Field(description="null for individuals, who are not named")


class CallRef(Schema):
    id: int
    title: str
    year: int
    programme_kind: str


class AwardOut(Schema):
    application_number: str
    title: str
    organisation: OrganisationRef
    amount: Decimal
    call: CallRef
    decided_at: datetime
    url: str

    @staticmethod
    def resolve_application_number(obj: Award) -> str:
        return obj.application.number

    @staticmethod
    def resolve_title(obj: Award) -> str:
        return obj.application.title

    @staticmethod
    def resolve_organisation(obj: Award) -> dict[str, object]:
        applicant = obj.application.applicant
        if applicant.kind == OrganisationKind.INDIVIDUAL:
            return {"id": None, "kind": applicant.kind, "name": None}
        return {"id": applicant.pk, "kind": applicant.kind, "name": applicant.name}

    @staticmethod
    def resolve_call(obj: Award) -> dict[str, object]:
        call = obj.call
        return {
            "id": call.pk,
            "title": call.title,
            "year": call.year,
            "programme_kind": call.programme.kind,
        }

    @staticmethod
    def resolve_decided_at(obj: Award) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_url(obj: Award) -> str:
        return settings.SITE_URL + reverse("grants:call_results", args=[obj.call_id])


class CallFilters(Schema):
    kind: str = Field("", max_length=30, pattern=NO_NUL, description=KINDS)
    year: int | None = Field(None, ge=2000, le=2100)
    accepting: bool | None = Field(None, description="only calls open for applications now")


class AwardFilters(Schema):
    kind: str = Field("", max_length=30, pattern=NO_NUL, description=KINDS)
    year: int | None = Field(None, ge=2000, le=2100)
    call: int | None = Field(None, ge=1, le=MAX_ID, description="one call's id")


def _result(row: RankingRow) -> ResultOut:
    application = row.application
    individual = application.applicant_kind == OrganisationKind.INDIVIDUAL
    return ResultOut(
        rank=row.rank,
        tied=row.tied,
        number=application.number,
        title=application.title,
        applicant=None if individual else application.applicant_name,
        applicant_kind=application.applicant_kind,
        score=row.score,
        requested_amount=application.requested_amount,
        awarded_amount=row.award,
        status=application.status,
    )


@router.get(
    "/programmes", response=list[ProgrammeOut], summary="Grant programmes and their legal limits"
)
def programmes(request: HttpRequest) -> list[Programme]:
    return list(selectors.programme_public_list())


@router.get("/calls", response=list[CallOut], summary="Announced calls for applications")
def calls(request: HttpRequest, filters: Query[CallFilters]) -> list[Call]:
    found = list(selectors.call_public_queryset(kind=filters.kind, year=filters.year))
    if filters.accepting is not None:
        now = timezone.now()
        found = [c for c in found if permissions.is_call_open(c, at=now) == filters.accepting]
    return found


@router.get("/calls/{call_id}", response=CallDetailOut, summary="One call with its rubric")
def call(request: HttpRequest, call_id: int = Path(..., ge=1, le=MAX_ID)) -> Call:
    return selectors.call_public_get(call_id)


@router.get(
    "/calls/{call_id}/results",
    response=CallResultsOut,
    summary="Published results of a call: ranking, scores and amounts awarded",
)
def call_results(request: HttpRequest, call_id: int = Path(..., ge=1, le=MAX_ID)) -> CallResultsOut:
    found = selectors.call_public_get(call_id)
    published = found.results_published_at is not None
    rows = selectors.call_results(found) if published else []
    return CallResultsOut(
        call_id=found.pk,
        published=published,
        results_published_at=found.results_published_at,
        pool_amount=found.pool_amount,
        awarded_amount=_awarded(found),
        results=[_result(row) for row in rows],
        url=settings.SITE_URL + reverse("grants:call_results", args=[found.pk]),
    )


@router.get("/awards", response=list[AwardOut], summary="Grants awarded (published results)")
@paginate(BoundedPagination)
def awards(request: HttpRequest, filters: Query[AwardFilters]) -> QuerySet[Award]:
    return selectors.awards_published(year=filters.year, kind=filters.kind, call_id=filters.call)
