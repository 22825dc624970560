"""Reads of the monitoring app: the tree, each indicator's series, assessment and charts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from wspolnota.monitoring import conf
from wspolnota.monitoring.activity import ActivityItem, platform_activity
from wspolnota.monitoring.assessment import Assessment, assess
from wspolnota.monitoring.charts import BarChart, LineChart, bar_chart, line_chart
from wspolnota.monitoring.models import (
    ImplementationLink,
    Indicator,
    Measurement,
    NodeKind,
    PopulationCell,
    PopulationTable,
    ReportEdition,
    ReportStatus,
    Status,
    StrategyNode,
    Survey,
    TargetKind,
    Unit,
)
from wspolnota.monitoring.providers import provider_registry
from wspolnota.territory.models import District
from wspolnota.territory.selectors import default_city, district_list

SENIOR_AGE = 60
CENTRES_CODE = "centra-aktywnosci-seniora"


def demo_mark() -> str:
    """The short mark after a demo value where space is tight (chart labels, table cells)."""
    return gettext("(demo)")


def format_value(
    indicator: Indicator, value: Decimal | float | None, *, decimals: int | None = None
) -> str:
    """A value as people read it in the current language: "5,35%", "1 164"."""
    if value is None:
        return "—"
    places = indicator.decimals if decimals is None else decimals
    text = str(
        number_format(
            Decimal(str(value)).quantize(Decimal(1).scaleb(-places)),
            places,
            use_l10n=True,
            force_grouping=True,
        )
    )
    return f"{text}%" if indicator.unit == Unit.PERCENT else text


# --- The tree -------------------------------------------------------------------------------------


def strategy_goal() -> StrategyNode | None:
    """Goal V with its operational goals, their key actions (with link counts) and indicators."""
    actions = (
        StrategyNode.objects.filter(kind=NodeKind.ACTION)
        .annotate(link_count=Count("links"))
        .prefetch_related(
            Prefetch("children", queryset=StrategyNode.objects.order_by("position", "id"))
        )
    )
    operational = StrategyNode.objects.filter(kind=NodeKind.OPERATIONAL).prefetch_related(
        Prefetch("children", queryset=actions, to_attr="actions"),
        Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
    )
    return (
        StrategyNode.objects.filter(kind=NodeKind.GOAL)
        .prefetch_related(Prefetch("children", queryset=operational, to_attr="operational_goals"))
        .order_by("id")
        .first()
    )


def node_get(*, pk: int) -> StrategyNode | None:
    return (
        StrategyNode.objects.select_related("parent", "parent__parent")
        .prefetch_related(
            Prefetch("children", queryset=StrategyNode.objects.order_by("position", "id")),
            Prefetch("links", queryset=ImplementationLink.objects.order_by("-year", "title")),
        )
        .filter(pk=pk)
        .first()
    )


def operational_goals() -> QuerySet[StrategyNode]:
    return StrategyNode.objects.filter(kind=NodeKind.OPERATIONAL).order_by("position")


def links_for_year(*, year: int) -> dict[int, list[ImplementationLink]]:
    """Links of a year by the key action they belong to (a programme's links go to its action)."""
    links = (
        ImplementationLink.objects.filter(year=year)
        .select_related("node", "node__parent")
        .order_by("title")
    )
    grouped: dict[int, list[ImplementationLink]] = defaultdict(list)
    for link in links:
        node = link.node
        action = node if node.kind == NodeKind.ACTION else node.parent
        while action is not None and action.kind != NodeKind.ACTION:
            action = action.parent
        if action is not None:
            grouped[action.pk].append(link)
    return grouped


# --- Indicators -----------------------------------------------------------------------------------


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("node").order_by("position")


def indicator_get(*, code: str) -> Indicator | None:
    return Indicator.objects.select_related("node").filter(code=code).first()


def approved_measurements(
    *, indicators: Iterable[Indicator] | None = None
) -> QuerySet[Measurement]:
    rows = Measurement.objects.filter(status=Status.APPROVED).select_related(
        "district", "indicator"
    )
    if indicators is not None:
        rows = rows.filter(indicator__in=list(indicators))
    # city-wide first on every database (PostgreSQL sorts NULL last by default)
    return rows.order_by("indicator_id", "year", F("district__number").asc(nulls_first=True))


@dataclass
class DistrictRow:
    district: District
    value: Decimal
    label: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    demo: bool = False
    per_seniors: Decimal | None = None
    per_seniors_label: str = ""


@dataclass
class SeriesSegment:
    """A run of consecutive yearly values from one series (source and method)."""

    key: str
    label: str
    first_year: int
    last_year: int
    sources: list[str]
    coverage: str
    demo: bool = False


def series_segments(city: list[Measurement]) -> list[SeriesSegment]:
    segments: list[SeriesSegment] = []
    for m in city:
        if segments and segments[-1].key == m.line_key:
            segment = segments[-1]
            segment.last_year = m.year
        else:
            segment = SeriesSegment(m.line_key, m.series_label, m.year, m.year, [], "")
            segments.append(segment)
        if m.source not in segment.sources:
            segment.sources.append(m.source)
        if m.coverage:
            segment.coverage = m.coverage
        segment.demo = segment.demo or m.demo
    return segments


@dataclass
class IndicatorView:
    indicator: Indicator
    city: list[Measurement]
    assessment: Assessment
    latest: Measurement | None
    chart: LineChart
    segments: list[SeriesSegment] = field(default_factory=list)
    district_year: int | None = None
    districts: list[DistrictRow] = field(default_factory=list)
    district_chart: BarChart | None = None
    seniors_table: PopulationTable | None = None
    seniors_chart: BarChart | None = None
    commentary: str = ""  # the report's commentary on this indicator
    method_note: str = ""

    @property
    def has_demo(self) -> bool:
        """Whether any value shown (city-wide or by district) is demo data."""
        return any(m.demo for m in self.city) or any(r.demo for r in self.districts)


def _view(
    indicator: Indicator,
    rows: list[Measurement],
    seniors: dict[int, int] | None,
    table: PopulationTable | None,
) -> IndicatorView:
    city = [m for m in rows if m.district_id is None]
    assessment = assess(
        series=[(m.year, m.value, m.line_key) for m in city],
        target_kind=indicator.target_kind,
        target_value=indicator.target_value,
        target_year=indicator.target_year,
        window=conf.trend_window(),
        decimals=indicator.decimals,
        today_year=timezone.localdate().year,
        stale_after=conf.stale_after(),
    )
    projection = None
    if assessment.projection_from is not None and assessment.projected is not None:
        projection = (assessment.projection_from, (indicator.target_year, assessment.projected))
    target = None
    if indicator.target_kind == TargetKind.NUMERIC and indicator.target_value is not None:
        target = (indicator.target_year, float(indicator.target_value))

    def tick_label(value: float) -> str:
        return format_value(indicator, value, decimals=0 if value % 1 == 0 else 1)

    demo_years = {m.year for m in city if m.demo}

    def break_label(year: int) -> str:
        if year in demo_years:
            return gettext("dane demonstracyjne (%(year)s)") % {"year": year}
        return gettext("zmiana metody (%(year)s)") % {"year": year}

    chart = line_chart(
        series=[(m.year, float(m.value)) for m in city],
        label=lambda value: format_value(indicator, value),
        suffixes=[demo_mark() if m.demo else "" for m in city],
        tick_label=tick_label,
        target=target,
        projection=projection,
        last_year=indicator.target_year,
        keys=[m.line_key for m in city],
        break_label=break_label,
    )
    by_district = [m for m in rows if m.district_id is not None]
    view = IndicatorView(
        indicator, city, assessment, city[-1] if city else None, chart, series_segments(city)
    )
    if by_district:
        year = max(m.year for m in by_district)
        view.district_year = year
        for m in sorted(
            (m for m in by_district if m.year == year),
            key=lambda m: m.district.number if m.district else 0,
        ):
            assert m.district is not None
            label = format_value(indicator, m.value)
            row = DistrictRow(
                m.district,
                m.value,
                f"{label} {demo_mark()}" if m.demo else label,
                m.numerator,
                m.denominator,
                demo=m.demo,
            )
            if seniors and indicator.code == CENTRES_CODE and seniors.get(m.district.number):
                per = m.value / Decimal(seniors[m.district.number]) * 10_000
                row.per_seniors = per
                row.per_seniors_label = format_value(indicator, per, decimals=2)
            view.districts.append(row)
        view.district_chart = bar_chart(
            rows=[(str(r.district), float(r.value)) for r in view.districts],
            label=lambda v: format_value(indicator, v),
        )
        if any(r.per_seniors is not None for r in view.districts):
            view.seniors_table = table
            view.seniors_chart = bar_chart(
                rows=[(str(r.district), float(r.per_seniors or 0)) for r in view.districts],
                label=lambda v: format_value(indicator, v, decimals=2),
            )
    return view


def indicator_views(*, indicators: list[Indicator] | None = None) -> list[IndicatorView]:
    """Every indicator with its approved series, assessment and charts (three queries in all)."""
    indicators = indicators if indicators is not None else list(indicator_list())
    rows: dict[int, list[Measurement]] = defaultdict(list)
    for measurement in approved_measurements(indicators=indicators):
        rows[measurement.indicator_id].append(measurement)
    table = latest_population_table()
    seniors = seniors_by_district(table=table) if table else None
    return [_view(indicator, rows[indicator.pk], seniors, table) for indicator in indicators]


def measurement_history(*, indicator: Indicator, include_pending: bool) -> QuerySet[Measurement]:
    """Every value ever recorded for the indicator, newest first (pending ones for officials only)."""
    rows = Measurement.objects.filter(indicator=indicator).select_related(
        "district", "entered_by", "decided_by"
    )
    if not include_pending:
        rows = rows.exclude(status=Status.PENDING)
    return rows.order_by("-year", F("district__number").asc(nulls_first=True), "-created_at")


@dataclass
class PendingBatch:
    batch: uuid.UUID
    rows: list[Measurement]

    @property
    def first(self) -> Measurement:
        return self.rows[0]

    @property
    def city_row(self) -> Measurement | None:
        return next((r for r in self.rows if r.district_id is None), None)

    @property
    def method_change(self) -> bool:
        return any(r.pending.method_change for r in self.rows)  # type: ignore[attr-defined]

    @property
    def replaces_any(self) -> bool:
        return any(r.pending.replaces is not None for r in self.rows)  # type: ignore[attr-defined]


@dataclass
class PendingRow:
    """A value waiting for approval beside the approved value it would replace."""

    row: Measurement
    replaces: Measurement | None
    difference: Decimal | None
    difference_label: str
    method_change: bool


def pending_batches() -> list[PendingBatch]:
    """Batches waiting for approval; each row carries ``replaces`` (the approved value of the
    same indicator, year and place it would supersede), the difference and whether the source
    or method changes, so the official approving sees old against new."""
    rows = list(
        Measurement.objects.filter(status=Status.PENDING)
        .select_related("indicator", "district", "entered_by")
        .order_by(
            "created_at", "indicator__position", "year", F("district__number").asc(nulls_first=True)
        )
    )
    approved: dict[tuple[int, int, int | None], Measurement] = {}
    if rows:
        for current in Measurement.objects.filter(
            status=Status.APPROVED,
            indicator_id__in={r.indicator_id for r in rows},
            year__in={r.year for r in rows},
        ).select_related("district"):
            approved[(current.indicator_id, current.year, current.district_id)] = current
    grouped: dict[uuid.UUID, list[Measurement]] = {}
    for row in rows:
        old = approved.get((row.indicator_id, row.year, row.district_id))
        difference = row.value - old.value if old is not None else None
        label = ""
        if difference is not None:
            sign = "+" if difference > 0 else "−" if difference < 0 else "±"
            label = sign + format_value(row.indicator, abs(difference))
        row.pending = PendingRow(  # type: ignore[attr-defined]
            row, old, difference, label, old is not None and old.line_key != row.line_key
        )
        grouped.setdefault(row.batch, []).append(row)
    return [PendingBatch(batch, items) for batch, items in grouped.items()]


def provider_status() -> list[dict[str, Any]]:
    """For each indicator: is there a provider, is it importable (shown to officials)."""
    registry = provider_registry()
    result = []
    for indicator in indicator_list():
        info = registry.get(indicator.code)
        result.append({"indicator": indicator, "info": info})
    return result


# --- Population -----------------------------------------------------------------------------------


def latest_population_table(*, on: date | None = None) -> PopulationTable | None:
    tables = PopulationTable.objects.all()
    if on is not None:
        tables = tables.filter(reference_date__lte=on)
    return tables.order_by("-reference_date", "-id").first()


def population_tables() -> QuerySet[PopulationTable]:
    return PopulationTable.objects.annotate(cell_count=Count("cells")).order_by(
        "-reference_date", "-id"
    )


def seniors_by_district(*, table: PopulationTable, age: int = SENIOR_AGE) -> dict[int, int]:
    """Residents aged ``age`` and over in each district (by district number)."""
    result: dict[int, int] = defaultdict(int)
    for cell in PopulationCell.objects.filter(table=table, age_from__gte=age).select_related(
        "district"
    ):
        result[cell.district.number] += cell.count
    return dict(result)


@dataclass(frozen=True)
class Population:
    """Residents of the city or a district, with where the figure comes from."""

    count: int
    reference_date: date
    source: str
    by_district: dict[int, int]


def population_for(*, on: date) -> Population | None:
    """The residents a turnout is divided by, from the configured source.

    ``MONITORING_TURNOUT_POPULATION=territory`` (default): the districts' ``population`` as
    loaded by the territory app. ``table``: the newest population table not dated after ``on``.
    """
    if conf.turnout_population_source() == "table":
        table = latest_population_table(on=on)
        if table is None:
            return None
        counts: dict[int, int] = defaultdict(int)
        for cell in PopulationCell.objects.filter(table=table).select_related("district"):
            counts[cell.district.number] += cell.count
        return Population(sum(counts.values()), table.reference_date, table.source, dict(counts))
    districts = list(district_list(city=default_city()))
    if not districts:
        return None
    return Population(
        count=sum(d.population for d in districts),
        reference_date=max(d.population_date for d in districts),
        source=districts[0].population_source,
        by_district={d.number: d.population for d in districts},
    )


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.annotate(response_count=Count("responses")).order_by("-year", "-id")


def survey_get(*, pk: int) -> Survey | None:
    return Survey.objects.annotate(response_count=Count("responses")).filter(pk=pk).first()


# --- Annual report --------------------------------------------------------------------------------


@dataclass
class ReportAction:
    action: StrategyNode
    links: list[ImplementationLink]
    activity: list[ActivityItem] = field(default_factory=list)
    commentary: str = ""


@dataclass
class ReportGoal:
    goal: StrategyNode
    actions: list[ReportAction]
    indicators: list[IndicatorView]


@dataclass
class DistrictTable:
    """The latest district values of every indicator that has them, district by district."""

    columns: list[tuple[Indicator, int]]  # indicator, year of its district values
    rows: list[tuple[District, list[str]]]


@dataclass
class AnnualReport:
    year: int
    goal: StrategyNode | None
    goals: list[ReportGoal]
    link_count: int
    views: list[IndicatorView] = field(default_factory=list)
    districts: DistrictTable | None = None
    activity_count: int = 0

    @property
    def actions(self) -> list[ReportAction]:
        return [action for goal in self.goals for action in goal.actions]

    @property
    def has_demo(self) -> bool:
        return any(view.has_demo for view in self.views)

    @property
    def has_demo_links(self) -> bool:
        return any(link.demo for action in self.actions for link in action.links)


def district_table(views: list[IndicatorView]) -> DistrictTable | None:
    with_districts = [v for v in views if v.districts and v.district_year]
    if not with_districts:
        return None
    districts = list(district_list(city=default_city()))
    by_view = [{row.district.pk: row.label for row in v.districts} for v in with_districts]
    return DistrictTable(
        columns=[(v.indicator, v.district_year or 0) for v in with_districts],
        rows=[(d, [values.get(d.pk, "—") for values in by_view]) for d in districts],
    )


def annual_report(*, year: int) -> AnnualReport:
    """For each key action what was done in the year (the office's entries and the platform's
    own records), each goal's indicators with charts, and the district breakdown."""
    goal = strategy_goal()
    links = links_for_year(year=year)
    activity = platform_activity(year=year)
    all_views = indicator_views()
    views: dict[int, list[IndicatorView]] = {}
    for view in all_views:
        views.setdefault(view.indicator.node_id, []).append(view)
    goals = []
    for operational in getattr(goal, "operational_goals", []) if goal else []:
        actions = [
            ReportAction(action, links.get(action.pk, []), activity.get(action.number or 0, []))
            for action in getattr(operational, "actions", [])
        ]
        goals.append(ReportGoal(operational, actions, views.get(operational.pk, [])))
    return AnnualReport(
        year,
        goal,
        goals,
        sum(len(items) for items in links.values()),
        views=all_views,
        districts=district_table(all_views),
        activity_count=sum(len(items) for items in activity.values()),
    )


def report_years() -> list[int]:
    """Years with recorded work or values, and the last few years, newest first."""
    this_year = timezone.localdate().year
    years = set(ImplementationLink.objects.values_list("year", flat=True).distinct())
    years |= set(
        Measurement.objects.filter(status=Status.APPROVED).values_list("year", flat=True).distinct()
    )
    years |= set(range(max(2018, this_year - 3), this_year + 1))
    return sorted((y for y in years if 2016 <= y <= this_year), reverse=True)


def report_editions(*, year: int) -> list[ReportEdition]:
    """Every version of a year's report, newest first (without the stored PDF)."""
    return list(ReportEdition.objects.filter(year=year).defer("pdf").order_by("-version"))


def report_adopted(*, year: int) -> ReportEdition | None:
    """The year's adopted (current) report, if the city adopted one."""
    return ReportEdition.objects.filter(year=year, status=ReportStatus.ADOPTED).first()


def report_draft(*, year: int) -> ReportEdition | None:
    return ReportEdition.objects.filter(year=year, status=ReportStatus.DRAFT).first()


def report_version(*, year: int, version: int) -> ReportEdition | None:
    """An adopted or superseded version (drafts are not published as versions)."""
    return (
        ReportEdition.objects.filter(year=year, version=version)
        .exclude(status=ReportStatus.DRAFT)
        .first()
    )
