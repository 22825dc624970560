"""Reads of the implementation app: lists with filters, details, the map, open data.

Only implementations of published editions are public. Every list joins what its page shows in
one query (``select_related``) and is paginated or streamed, so a page costs the same number of
queries whatever the number of implementations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from wspolnota.accounts.models import CityUnit
from wspolnota.budget.models import Edition
from wspolnota.implementation.models import (
    Follow,
    Implementation,
    ImplementationStatus,
    Milestone,
    Photo,
    Update,
    UpdateKind,
)
from wspolnota.territory.models import District
from wspolnota.territory.selectors import SvgMap, district_list, district_svg_map

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

UPDATES_SHOWN = 100


def implementation_absolute_url(implementation: Implementation, language: str = "pl") -> str:
    with translation.override(language):
        path = reverse("implementation:detail", kwargs={"impl_id": implementation.pk})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _public() -> QuerySet[Implementation]:
    return Implementation.objects.filter(edition__is_published=True)


def edition_list() -> list[Edition]:
    """Published editions that have at least one implementation, newest first."""
    ids = _public().values_list("edition_id", flat=True).distinct()
    return list(Edition.objects.filter(pk__in=ids).order_by("-year"))


def unit_list() -> list[CityUnit]:
    ids = _public().values_list("responsible_unit_id", flat=True).distinct()
    return list(CityUnit.objects.filter(pk__in=ids).order_by("name"))


def implementation_list(
    *,
    edition: Edition | None = None,
    district: District | None = None,
    citywide: bool = False,
    status: str | None = None,
    unit: CityUnit | None = None,
    query: str = "",
) -> QuerySet[Implementation]:
    """Public implementations, filtered; with what a list row shows joined in."""
    qs = _public().select_related(
        "project",
        "project__pool",
        "project__pool__district",
        "district",
        "responsible_unit",
        "edition",
    )
    if edition is not None:
        qs = qs.filter(edition=edition)
    if citywide:
        qs = qs.filter(district__isnull=True)
    elif district is not None:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(responsible_unit=unit)
    query = query.strip()
    if query:
        qs = qs.filter(Q(project__title__icontains=query) | Q(project__number__icontains=query))
    return qs.order_by(
        "-edition__year", "project__pool__kind", "district__number", "project__sequence", "pk"
    )


def status_counts(qs: QuerySet[Implementation]) -> list[tuple[str, str, int]]:
    """(status, label, count) for the statuses present in ``qs``, in the order of the process."""
    counts = dict(
        qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [
        (value, str(label), counts[value])
        for value, label in ImplementationStatus.choices
        if value in counts
    ]


@dataclass(frozen=True)
class Totals:
    count: int
    estimated: Decimal
    actual: Decimal
    completed: int


def totals(qs: QuerySet[Implementation]) -> Totals:
    row = qs.order_by().aggregate(
        count=Count("pk"),
        estimated=Sum("estimated_cost"),
        actual=Sum("actual_cost"),
        completed=Count("pk", filter=Q(status=ImplementationStatus.COMPLETED)),
    )
    return Totals(
        row["count"] or 0,
        row["estimated"] or Decimal("0"),
        row["actual"] or Decimal("0"),
        row["completed"] or 0,
    )


def implementation_get(*, impl_id: int, viewer: User | Any = None) -> Implementation | None:
    """One implementation with its milestones, photos and recent updates; ``None`` if not public.

    Officials who may manage it see it before the edition is published, too.
    """
    from wspolnota.implementation.permissions import can_manage_implementation

    implementation = (
        Implementation.objects.select_related(
            "project",
            "project__pool",
            "project__pool__district",
            "project__location_district",
            "district",
            "responsible_unit",
            "edition",
            "merged_into",
            "merged_into__project",
        )
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date", "pk")),
            Prefetch("photos", queryset=Photo.objects.order_by("created_at", "pk")),
            Prefetch("merged_from", queryset=Implementation.objects.select_related("project")),
        )
        .filter(pk=impl_id)
        .first()
    )
    if implementation is None:
        return None
    if not implementation.edition.is_published and not can_manage_implementation(
        viewer, implementation
    ):
        return None
    return implementation


def update_list(implementation: Implementation) -> list[Update]:
    return list(
        implementation.updates.select_related("author").order_by("-created_at", "-pk")[
            :UPDATES_SHOWN
        ]
    )


def is_following(user: User | Any, implementation: Implementation) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(implementation=implementation, user=user).exists()


def followed_by(user: User) -> QuerySet[Implementation]:
    return (
        Implementation.objects.filter(follows__user=user)
        .select_related("project", "district", "responsible_unit", "edition")
        .order_by("-edition__year", "project__sequence", "pk")
    )


def merge_targets(implementation: Implementation) -> QuerySet[Implementation]:
    return (
        Implementation.objects.filter(edition=implementation.edition)
        .exclude(pk=implementation.pk)
        .exclude(status__in=[ImplementationStatus.CANCELLED, ImplementationStatus.MERGED])
        .select_related("project")
        .order_by("project__sequence", "pk")
    )


# --- Human-readable updates ------------------------------------------------------------------


def _money(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return gettext("%(amount)s zł") % {
        "amount": formats.number_format(Decimal(str(value)), 2, use_l10n=True, force_grouping=True)
    }


def _day(value: Any) -> str:
    if not value:
        return "—"
    return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")


def _status(value: Any) -> str:
    try:
        return str(ImplementationStatus(value).label)
    except ValueError:
        return str(value)


def _unit(value: Any, units: dict[int, str]) -> str:
    if value is None:
        return "—"
    return units.get(int(value), "—")


def update_lines(update: Update) -> list[str]:
    """What an update changed, one sentence per field, in the active language."""
    lines: list[str] = []
    changes: dict[str, Any] = update.changes or {}
    if update.kind == UpdateKind.OPENED:
        return [gettext("Rozpoczęto śledzenie realizacji projektu.")]
    units: dict[int, str] = {}
    if "responsible_unit_id" in changes:
        ids = [int(v) for v in changes["responsible_unit_id"] if v is not None]
        units = {u.pk: u.name for u in CityUnit.objects.filter(pk__in=ids)}
    for key, pair in changes.items():
        if not isinstance(pair, list) or len(pair) != 2:
            continue
        before, after = pair
        if key == "status":
            lines.append(
                gettext("Stan: %(before)s → %(after)s.")
                % {"before": _status(before), "after": _status(after)}
            )
        elif key == "progress":
            lines.append(
                gettext("Zaawansowanie: %(before)s%% → %(after)s%%.")
                % {"before": before, "after": after}
            )
        elif key == "actual_cost":
            lines.append(
                gettext("Koszt rzeczywisty: %(before)s → %(after)s.")
                % {"before": _money(before), "after": _money(after)}
            )
        elif key == "responsible_unit_id":
            lines.append(
                gettext("Jednostka realizująca: %(before)s → %(after)s.")
                % {"before": _unit(before, units), "after": _unit(after, units)}
            )
        elif key == "cancel_reason" and after:
            lines.append(gettext("Powód odstąpienia od realizacji: %(reason)s") % {"reason": after})
        elif key == "merged_into_id" and after:
            lines.append(gettext("Realizację połączono z innym zadaniem."))
        elif key == "completed_on" and after:
            lines.append(gettext("Zakończono: %(day)s.") % {"day": _day(after)})
        elif key == "milestone":
            if before is None:
                lines.append(
                    gettext("Nowy etap: %(description)s (planowo %(planned)s).")
                    % {
                        "description": after.get("description"),
                        "planned": _day(after.get("planned_date")),
                    }
                )
            elif after.get("actual_date") and not before.get("actual_date"):
                lines.append(
                    gettext("Etap wykonany: %(description)s (%(actual)s).")
                    % {
                        "description": after.get("description"),
                        "actual": _day(after.get("actual_date")),
                    }
                )
            else:
                lines.append(
                    gettext(
                        "Zmieniono etap: %(description)s (planowo %(planned)s, faktycznie %(actual)s)."
                    )
                    % {
                        "description": after.get("description"),
                        "planned": _day(after.get("planned_date")),
                        "actual": _day(after.get("actual_date")),
                    }
                )
        elif key == "photo":
            lines.append(gettext("Dodano zdjęcie."))
    return lines


# --- Map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    implementation: Implementation
    x: float
    y: float


@dataclass(frozen=True)
class ImplementationMap:
    svg: SvgMap
    points: list[MapPoint]
    unlocated: list[Implementation]


def implementation_map(
    *, implementations: list[Implementation], city: Any = None, width: int = 640
) -> ImplementationMap:
    """District outlines drawn by territory, with each located project as a point placed by
    the map's own projection (``SvgMap.place``); projects outside it are listed apart."""
    svg = district_svg_map(districts=list(district_list(city=city)), width=width)
    points: list[MapPoint] = []
    unlocated: list[Implementation] = []
    for implementation in implementations:
        project = implementation.project
        where = None
        if project.latitude is not None and project.longitude is not None:
            where = svg.place(float(project.longitude), float(project.latitude))
        if where is None:
            unlocated.append(implementation)
        else:
            points.append(MapPoint(implementation, *where))
    return ImplementationMap(svg, points, unlocated)


# --- Open data -------------------------------------------------------------------------------

CSV_COLUMNS = [
    "id",
    "edition_year",
    "project_number",
    "project_title",
    "pool",
    "district_number",
    "status",
    "progress_percent",
    "estimated_cost_pln",
    "actual_cost_pln",
    "responsible_unit",
    "completed_on",
    "latitude",
    "longitude",
    "milestones_done",
    "milestones_planned",
    "updated_at",
    "url",
]


def csv_rows(qs: QuerySet[Implementation]) -> Iterator[list[str]]:
    """Rows of the open-data CSV; values are plain (dot decimals, ISO dates, status codes)."""
    qs = qs.annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count(
            "milestones", filter=Q(milestones__actual_date__isnull=False), distinct=True
        ),
    )
    for item in qs.iterator(chunk_size=500):
        project = item.project
        yield [
            str(item.pk),
            str(item.edition.year),
            project.number,
            project.title,
            "citywide" if item.district_id is None else "district",
            str(item.district.number) if item.district else "",
            item.status,
            str(item.progress),
            str(item.estimated_cost),
            "" if item.actual_cost is None else str(item.actual_cost),
            item.responsible_unit.name if item.responsible_unit else "",
            item.completed_on.isoformat() if item.completed_on else "",
            "" if project.latitude is None else str(project.latitude),
            "" if project.longitude is None else str(project.longitude),
            str(item.milestones_done),
            str(item.milestones_total),
            item.updated_at.isoformat(),
            implementation_absolute_url(item, "pl"),
        ]
