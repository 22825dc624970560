"""Reads of the participatory budget: visibility applied, related rows fetched up front.

The catalogue runs a fixed number of queries whatever the number of projects: one for the page,
one to count it, and the lookups for the filter lists (see ``benchmarks/catalogue.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext
from shapely.geometry import shape

from wspolnota.accounts.permissions import district_ids, has_role
from wspolnota.accounts.roles import Role
from wspolnota.budget import permissions
from wspolnota.budget.models import (
    Attachment,
    Category,
    Edition,
    EditionPhase,
    MergeProposal,
    Pool,
    Project,
    ProjectStatus,
    ProjectVersion,
    Review,
    ReviewResult,
    Support,
)
from wspolnota.budget.search import normalise, search_terms
from wspolnota.budget.thread import LATER_STAGES, LaterStage, edition_stages, stage_of
from wspolnota.core.parsing import parse_int
from wspolnota.territory.models import District
from wspolnota.territory.selectors import SvgMap, district_svg_map, site_city_id

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

S = ProjectStatus
PUBLIC_STATUSES = [s for s in ProjectStatus.values if s != S.DRAFT]
# District boundaries are large (tens of kB each): lists never load them, only maps do.
NO_GEOMETRY = ("pool__district__geometry", "location_district__geometry")
SORTS = {
    "number": ("pool__kind", "pool__district__number", "sequence", "id"),
    "title": ("title", "id"),
    "cost_asc": ("effective", "id"),
    "cost_desc": ("-effective", "id"),
    "supporters": ("-supporters_count", "id"),
}


def _phases() -> Prefetch[Any]:
    return Prefetch("phases", queryset=EditionPhase.objects.order_by("starts_at", "id"))


def _visible_editions(editions: QuerySet[Edition], viewer: User | Any) -> QuerySet[Edition]:
    """Published editions for everybody; one still being set up only for its coordinators
    (``permissions.can_view_edition``), not for every official of every department."""
    if has_role(viewer, Role.ADMINISTRATOR):
        return editions
    units = permissions.official_unit_ids(viewer)
    if not units:
        return editions.filter(is_published=True)
    return editions.filter(Q(is_published=True) | Q(coordinating_unit_id__in=units))


def site_editions() -> QuerySet[Edition]:
    """The editions of the site's city: another city's edition of the same year (an imported
    file, a replay) never stands in for the city's own on its pages (issue 16)."""
    return Edition.objects.filter(city_id=site_city_id())


def edition_list(*, viewer: User | Any) -> QuerySet[Edition]:
    editions = site_editions().select_related("city").prefetch_related(_phases()).order_by("-year")
    return _visible_editions(editions, viewer)


def edition_current(*, viewer: User | Any) -> Edition | None:
    """The newest edition the viewer may see."""
    return edition_list(viewer=viewer).first()


def edition_get_for(*, viewer: User | Any, year: int, details: bool = True) -> Edition:
    """The edition of that year, or 404; with ``details``, its phases, pools and districts too."""
    editions = _visible_editions(
        site_editions().select_related("city", "coordinating_unit").filter(year=year), viewer
    )
    if details:
        pools = Pool.objects.select_related("district").defer("district__geometry")
        editions = editions.prefetch_related(
            _phases(), Prefetch("pools", queryset=pools.order_by("kind", "district__number"))
        )
    edition = editions.first()
    if edition is None:
        raise Http404
    return edition


@dataclass
class PoolSummary:
    pool: Pool
    projects: int
    on_ballot: int


def pool_summaries(*, edition: Edition) -> list[PoolSummary]:
    """Each pool with how many public projects it has and how many reached the ballot."""
    counts: dict[int, tuple[int, int]] = {
        row["pool_id"]: (row["total"], row["ballot"])
        for row in Project.objects.filter(edition=edition, status__in=PUBLIC_STATUSES)
        .values("pool_id")
        .annotate(total=Count("id"), ballot=Count("id", filter=Q(status=S.ON_BALLOT)))
        .order_by()
    }
    return [PoolSummary(pool, *counts.get(pool.pk, (0, 0))) for pool in edition.pools.all()]


def filter_districts(*, edition: Edition) -> list[District]:
    """The districts for the catalogue's filter list, without their boundaries."""
    return list(
        District.objects.filter(city_id=edition.city_id).defer("geometry").order_by("number")
    )


def map_districts(*, edition: Edition) -> list[District]:
    """The districts with their boundaries, for the catalogue's map."""
    return list(District.objects.filter(city_id=edition.city_id).order_by("number"))


def district_with_boundary(*, district_id: int) -> District | None:
    return District.objects.filter(pk=district_id).first()


@dataclass(frozen=True)
class CatalogueFilters:
    """What the catalogue's filter form asks for; empty values mean "any"."""

    pool: str = ""  # "citywide" or a district number
    category: str = ""
    status: str = ""
    cost_min: Decimal | None = None
    cost_max: Decimal | None = None
    query: str = ""
    sort: str = "number"


def project_catalogue(
    *,
    edition: Edition,
    filters: CatalogueFilters,
    stages: dict[str, set[int]] | None = None,
) -> QuerySet[Project]:
    """Public projects of an edition, filtered; search ignores case and Polish diacritics.

    The status filter also takes the stages after the ballot (selected, not selected, being
    built, done: ``thread.LATER_STAGES``), read from published results and implementations;
    ``stages`` passes them when the caller has them already.
    """
    projects = (
        Project.objects.filter(edition=edition, status__in=PUBLIC_STATUSES)
        .select_related("pool__district", "location_district")
        .defer(*NO_GEOMETRY)
        .annotate(
            effective=Coalesce(
                "verified_cost", "cost", output_field=DecimalField(max_digits=14, decimal_places=2)
            )
        )
    )
    if filters.pool == "citywide":
        projects = projects.filter(pool__kind="citywide")
    elif filters.pool:
        number = parse_int(filters.pool, min_value=0, field="pool")
        projects = projects.filter(pool__district__number=number)
    if filters.category:
        projects = projects.filter(category=filters.category)
    if filters.status in PUBLIC_STATUSES:
        projects = projects.filter(status=filters.status)
    elif filters.status in LATER_STAGES:
        if stages is None:
            stages = edition_stages(edition=edition, at=timezone.now())
        wanted = set(stages[filters.status])
        # A project being built or done was selected, too.
        if filters.status == LaterStage.SELECTED:
            wanted |= stages[LaterStage.IN_PROGRESS] | stages[LaterStage.COMPLETED]
        projects = projects.filter(pk__in=sorted(wanted))
    if filters.cost_min is not None:
        projects = projects.filter(effective__gte=filters.cost_min)
    if filters.cost_max is not None:
        projects = projects.filter(effective__lte=filters.cost_max)
    for term in search_terms(filters.query):
        projects = projects.filter(search_text__contains=term)
    return projects.order_by(*SORTS.get(filters.sort, SORTS["number"]))


# --- The catalogue's list page ----------------------------------------------------------------------
# The list is the busiest page of an edition (over a thousand projects, every filter a link), so it
# reads plain values instead of model instances and translates each label once per language.

PAGE_SIZES = (25, 50, 100)
_CATALOGUE_COLUMNS = (
    "pk",
    "number",
    "title",
    "short_description",
    "category",
    "status",
    "effective",
    "supporters_count",
    "pool__district_id",
)
_LABELS: dict[tuple[str, str], dict[str, str]] = {}


def _choice_labels(kind: str, choices: list[tuple[str, Any]]) -> dict[str, str]:
    """``{value: translated label}`` for the active language, computed once per process."""
    key = (kind, get_language() or "")
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in choices}
    return labels


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """One project as the catalogue's list shows it: plain values, labels already translated."""

    pk: int
    number: str
    title: str
    short_description: str
    pool_label: str
    category_label: str
    status: str
    status_label: str
    cost: Decimal
    supporters_count: int


@dataclass(frozen=True)
class CataloguePage:
    rows: list[CatalogueRow]
    count: int
    number: int
    num_pages: int
    per_page: int


def catalogue_page(
    *,
    edition: Edition,
    filters: CatalogueFilters,
    page: int | str | None = 1,
    per_page: int = PAGE_SIZES[0],
    districts: list[District] | None = None,
) -> CataloguePage:
    """One page of ``project_catalogue`` as plain rows: two queries whatever the number of projects.

    A page number that is not a number means the first page, one past the end the last (as
    Django's ``Paginator.get_page``); ``districts`` (the filter list's, without boundaries) names
    the pools without another query.
    """
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    stages = edition_stages(edition=edition, at=timezone.now())
    projects = project_catalogue(edition=edition, filters=filters, stages=stages)
    # COUNT(*) OVER () would save the count query, but it makes the database read and sort every
    # matching row: on SQLite with 1,000 projects 3–6 ms, against about 2 ms for the count (on the
    # (edition, status) index) and the LIMITed page together.
    count = projects.count()
    number = min(number, max(1, math.ceil(count / per_page)))
    found = (
        list(projects.values(*_CATALOGUE_COLUMNS)[(number - 1) * per_page : number * per_page])
        if count
        else []
    )
    num_pages = max(1, math.ceil(count / per_page))
    if districts is None:
        districts = filter_districts(edition=edition)
    district_names = {d.pk: d.full_name for d in districts}
    citywide = gettext("Pula ogólnomiejska")  # as Pool.label says it
    categories = _choice_labels("category", Category.choices)
    statuses = _choice_labels("status", ProjectStatus.choices + LaterStage.choices)
    rows = [
        CatalogueRow(
            pk=row["pk"],
            number=row["number"],
            title=row["title"],
            short_description=row["short_description"],
            pool_label=district_names.get(row["pool__district_id"], "")
            if row["pool__district_id"]
            else citywide,
            category_label=categories.get(row["category"], ""),
            status=stage_of(row["pk"], stages) or row["status"],
            status_label=statuses.get(stage_of(row["pk"], stages) or row["status"], row["status"]),
            cost=row["effective"],
            supporters_count=row["supporters_count"],
        )
        for row in found
    ]
    return CataloguePage(rows, count, number, num_pages, per_page)


def project_get_for(*, viewer: User | Any, project_id: int) -> Project:
    """A project the viewer may see (drafts only by their author), or 404."""
    project = (
        Project.objects.select_related(
            "edition__city",
            "edition__coordinating_unit",
            "pool__district",
            "author",
            "location_district",
            "verification_unit",
            "verification_official",
            "merged_into",
        )
        .defer(*NO_GEOMETRY)
        .prefetch_related(
            Prefetch("edition__phases", queryset=EditionPhase.objects.order_by("starts_at"))
        )
        .filter(pk=project_id)
        .first()
    )
    if project is None or not permissions.can_view_project(viewer, project):
        raise Http404
    return project


def project_versions(*, project: Project, viewer: User | Any) -> QuerySet[ProjectVersion]:
    """Every version for the author and officials; the public sees those since submission."""
    versions = project.versions.select_related("created_by").order_by("-number")
    if not (
        permissions.is_author(viewer, project)
        or permissions.can_view_verification(viewer, project)
        or permissions.is_coordinator(viewer, project.edition)
    ):
        versions = versions.filter(is_draft=False)
    return versions


def project_version_get(*, project: Project, viewer: User | Any, number: int) -> ProjectVersion:
    version = project_versions(project=project, viewer=viewer).filter(number=number).first()
    if version is None:
        raise Http404
    return version


def attachment_get_for(*, viewer: User | Any, project_id: int, attachment_id: int) -> Attachment:
    project = project_get_for(viewer=viewer, project_id=project_id)
    attachment = project.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


def project_reviews(*, project: Project) -> QuerySet[Review]:
    return project.reviews.select_related("city_unit", "official", "completed_by").order_by(
        "stage", "id"
    )


def merge_proposals_for(*, project: Project) -> QuerySet[MergeProposal]:
    return (
        MergeProposal.objects.filter(Q(source=project) | Q(target=project))
        .select_related("source__author", "target__author", "source__pool", "target__pool")
        .order_by("-created_at", "-id")
    )


def merge_proposal_get_for(*, viewer: User | Any, proposal_id: int) -> MergeProposal:
    proposal = (
        MergeProposal.objects.select_related(
            "source__edition", "source__pool__district", "target__edition", "target__pool__district"
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not (
        permissions.is_author(viewer, proposal.source)
        or permissions.is_author(viewer, proposal.target)
        or permissions.is_coordinator(viewer, proposal.source.edition)
    ):
        raise Http404
    return proposal


def my_projects(*, user: User) -> QuerySet[Project]:
    return (
        Project.objects.filter(author=user)
        .select_related("edition", "pool__district")
        .defer("pool__district__geometry")
        .order_by("-edition__year", "-created_at")
    )


def my_pending_merges(*, user: User) -> QuerySet[MergeProposal]:
    return (
        MergeProposal.objects.filter(completed_at__isnull=True)
        .filter(
            Q(source__author=user, source_consent__isnull=True)
            | Q(target__author=user, target_consent__isnull=True)
        )
        .exclude(source_consent=False)
        .exclude(target_consent=False)
        .select_related("source", "target")
    )


def office_projects(
    *,
    viewer: User | Any,
    edition: Edition,
    status: str = "",
    unit_id: int | None = None,
    query: str = "",
) -> QuerySet[Project]:
    """The officials' work list: officials see every submitted project, a councillor their district's."""
    projects = (
        Project.objects.filter(edition=edition, status__in=PUBLIC_STATUSES)
        .select_related("pool__district", "verification_unit", "verification_official")
        .defer("pool__district__geometry")
        .annotate(
            pending_reviews=Count("reviews", filter=Q(reviews__result=ReviewResult.PENDING)),
            failed_reviews=Count("reviews", filter=Q(reviews__result=ReviewResult.FAILED)),
        )
    )
    if not permissions.is_coordinator(viewer, edition):
        # Other officials see the projects their unit verifies or gives an opinion on; a
        # councillor, their district's (issue 15: never every project for every official).
        units = permissions.official_unit_ids(viewer)
        mine = Project.objects.filter(
            Q(pool__district_id__in=district_ids(viewer))
            | Q(verification_unit_id__in=units)
            | Q(reviews__city_unit_id__in=units)
        ).values("pk")
        projects = projects.filter(pk__in=mine)
    if status in PUBLIC_STATUSES:
        projects = projects.filter(status=status)
    if unit_id is not None:
        projects = projects.filter(
            Q(verification_unit_id=unit_id) | Q(reviews__city_unit_id=unit_id)
        ).distinct()
    for term in search_terms(query):
        projects = projects.filter(search_text__contains=term)
    return projects.order_by("pool__kind", "pool__district__number", "sequence", "id")


def final_list(*, edition: Edition) -> QuerySet[Project]:
    return (
        Project.objects.filter(edition=edition, status=S.ON_BALLOT)
        .select_related("pool__district")
        .defer("pool__district__geometry")
        .order_by("pool__kind", "pool__district__number", "sequence", "id")
    )


def status_counts(*, edition: Edition) -> dict[str, int]:
    rows = (
        Project.objects.filter(edition=edition, status__in=PUBLIC_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


# --- Map ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    project: Project
    x: float
    y: float


@dataclass(frozen=True)
class ProjectMap:
    svg: SvgMap
    points: list[MapPoint]


def project_map(
    *, districts: list[District], projects: list[Project], width: int = 640
) -> ProjectMap:
    """District outlines (drawn by territory) with the projects' locations as points.

    Points use the same equirectangular projection as ``district_svg_map``: bounds of the
    districts, the cosine of the mid latitude, a 10-pixel margin.
    """
    svg = district_svg_map(districts=districts, width=width)
    if not districts:
        return ProjectMap(svg, [])
    shapes = [shape(d.geometry) for d in districts]
    minx = min(s.bounds[0] for s in shapes)
    miny = min(s.bounds[1] for s in shapes)
    maxx = max(s.bounds[2] for s in shapes)
    maxy = max(s.bounds[3] for s in shapes)
    kx = math.cos(math.radians((miny + maxy) / 2))
    scale = (width - 20) / max((maxx - minx) * kx, 1e-9)
    points = []
    for project in projects:
        if project.latitude is None or project.longitude is None:
            continue
        lon, lat = float(project.longitude), float(project.latitude)
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            continue
        points.append(
            MapPoint(
                project,
                round(10 + (lon - minx) * kx * scale, 1),
                round(10 + (maxy - lat) * scale, 1),
            )
        )
    return ProjectMap(svg, points)


def supports_to_check(*, project: Project) -> list[Support]:
    """The project's supports given with a name and date of birth (a city that requires a
    verified identity), in order, each marked ``same_person`` when an earlier support of the
    project names the same person (one person, two accounts: it counts once)."""
    supports = list(
        Support.objects.filter(project=project)
        .exclude(identity_check="")
        .select_related("district")
        .defer("district__geometry")
        .order_by("created_at", "id")
    )
    seen: set[tuple[str, Any]] = set()
    for item in supports:
        key = (normalise(item.full_name), item.birth_date)
        item.same_person = key in seen  # type: ignore[attr-defined]
        seen.add(key)
    return supports
