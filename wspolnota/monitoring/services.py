"""Writes of the monitoring app: the preloaded strategy, measurements and their approval, links.

Every change an official makes is audit-logged. Measurements are never edited: a new value for
the same indicator, year and district is entered, checked by a second official, and on approval
supersedes the old one, which stays in the history.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext

from wspolnota.accounts.models import User
from wspolnota.core.errors import PermissionDeniedError
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.monitoring import csvio, errors, raking
from wspolnota.monitoring.errors import MonitoringError
from wspolnota.monitoring.models import (
    ImplementationLink,
    Indicator,
    LinkKind,
    Measurement,
    Method,
    NodeKind,
    PopulationCell,
    PopulationTable,
    ReportEdition,
    ReportStatus,
    Series,
    Status,
    StrategyNode,
    Survey,
    SurveyResponse,
    Unit,
)
from wspolnota.monitoring.permissions import can_decide_measurement, can_manage_monitoring
from wspolnota.monitoring.providers import ProviderResult, provider_for
from wspolnota.monitoring.strategy import STRATEGY_SOURCE, load_strategy_text
from wspolnota.territory.models import District
from wspolnota.territory.selectors import default_city, district_list

FIRST_YEAR = 2010


def _require_manager(actor: User | None) -> None:
    if not can_manage_monitoring(actor):
        raise PermissionDeniedError(errors.NOT_ALLOWED, code="not_allowed")


# --- The strategy ---------------------------------------------------------------------------------


@dataclass
class StrategyLoadReport:
    created_nodes: int = 0
    created_indicators: int = 0
    created_measurements: int = 0

    def summary(self) -> str:
        return (
            f"Strategia (cel V): {self.created_nodes} nowych elementów drzewa, "
            f"{self.created_indicators} nowych wskaźników, {self.created_measurements} wartości z tekstu strategii."
        )


def strategy_load() -> StrategyLoadReport:
    """Preload Goal V, its operational goals, key actions and indicators from the strategy text.

    Idempotent: what exists (matched by code or action number) is left as it is, so titles an
    official corrected and key actions moved to another goal are kept. The strategy's 2016 and
    2022 values become approved measurements with the strategy as their source.
    """
    text = load_strategy_text()
    report = StrategyLoadReport()
    with transaction.atomic():
        goal, created = StrategyNode.objects.get_or_create(
            kind=NodeKind.GOAL,
            code=text.goal.code,
            defaults={"title": text.goal.title, "description": text.aim, "from_strategy": True},
        )
        report.created_nodes += _log_created(goal, created)
        goals = {}
        for position, operational in enumerate(text.operational_goals, start=1):
            node, created = StrategyNode.objects.get_or_create(
                kind=NodeKind.OPERATIONAL,
                code=operational.code,
                defaults={
                    "title": operational.title,
                    "parent": goal,
                    "position": position,
                    "from_strategy": True,
                },
            )
            goals[operational.code] = node
            report.created_nodes += _log_created(node, created)
        for action in text.key_actions:
            node, created = StrategyNode.objects.get_or_create(
                kind=NodeKind.ACTION,
                number=action.number,
                defaults={
                    "title": action.title,
                    "parent": goals[action.goal],
                    "position": action.number,
                    "from_strategy": True,
                },
            )
            report.created_nodes += _log_created(node, created)
        for position, row in enumerate(text.indicators, start=1):
            baseline_year = row.value_2016.year or 2016
            indicator, created = Indicator.objects.get_or_create(
                code=row.spec.code,
                defaults={
                    "name": row.name,
                    "measures": row.measures,
                    "footnote": row.footnote,
                    "node": goals[row.spec.goal],
                    "position": position,
                    "unit": row.spec.unit,
                    "decimals": row.spec.decimals,
                    "baseline_text": row.value_2016.text,
                    "baseline_value": row.value_2016.value,
                    "baseline_year": baseline_year,
                    "value_2022_text": row.value_2022.text,
                    "value_2022": row.value_2022.value,
                    "target_text": row.target_2030.text,
                    "target_kind": row.target_2030.kind,
                    "target_value": row.target_2030.value,
                    "target_year": 2030,
                },
            )
            report.created_indicators += _log_created(indicator, created)
            for year, value in (
                (baseline_year, row.value_2016.value),
                (2022, row.value_2022.value),
            ):
                exists = Measurement.objects.filter(
                    indicator=indicator, year=year, district__isnull=True, method=Method.STRATEGY
                ).exists()
                if exists:
                    continue
                approved = Measurement.objects.filter(
                    indicator=indicator, year=year, district__isnull=True, status=Status.APPROVED
                ).exists()
                measurement = Measurement.objects.create(
                    indicator=indicator,
                    year=year,
                    value=value,
                    source=STRATEGY_SOURCE,
                    reference_date=text.published,
                    method=Method.STRATEGY,
                    status=Status.SUPERSEDED if approved else Status.APPROVED,
                    decided_at=timezone.now(),
                )
                report.created_measurements += _log_created(measurement, True)
    return report


def _log_created(obj: Any, created: bool) -> int:
    if created:
        audit_log_append(
            actor=None, action="monitoring.strategy_loaded", obj=obj, after=snapshot(obj)
        )
    return int(created)


def node_add(
    *,
    actor: User,
    parent: StrategyNode,
    kind: str,
    title: str,
    description: str = "",
    responsible_unit: str = "",
    start_year: int | None = None,
    end_year: int | None = None,
) -> StrategyNode:
    """Add a programme or project under a key action (or a project under a programme)."""
    _require_manager(actor)
    if kind not in (NodeKind.PROGRAMME, NodeKind.PROJECT) or parent.kind not in (
        NodeKind.ACTION,
        NodeKind.PROGRAMME,
    ):
        raise MonitoringError(errors.ACTION_ONLY, field="kind", code="action_only")
    if start_year and end_year and end_year < start_year:
        raise MonitoringError(errors.END_BEFORE_START, field="end_year", code="end_before_start")
    node = StrategyNode(
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        parent=parent,
        position=parent.children.count() + 1,
        responsible_unit=responsible_unit.strip(),
        start_year=start_year,
        end_year=end_year,
    )
    node.full_clean()
    node.save()
    audit_log_append(actor=actor, action="monitoring.node_added", obj=node, after=snapshot(node))
    return node


def node_move(
    *, actor: User, node: StrategyNode, parent: StrategyNode, reason: str
) -> StrategyNode:
    """File a key action under another operational goal (the strategy text does not say which)."""
    _require_manager(actor)
    if node.kind != NodeKind.ACTION or parent.kind != NodeKind.OPERATIONAL:
        raise MonitoringError(errors.ACTION_ONLY, field="parent", code="action_only")
    before = snapshot(node)
    node.parent = parent
    node.save(update_fields=["parent", "updated_at"])
    audit_log_append(
        actor=actor,
        action="monitoring.node_moved",
        obj=node,
        before=before,
        after=snapshot(node),
        reason=reason,
    )
    return node


_NAMESPACE_KINDS = {
    "budget": LinkKind.BUDGET,
    "consultations": LinkKind.CONSULTATION,
    "grants": LinkKind.GRANTS,
    "organisations": LinkKind.ORGANISATION,
    "community": LinkKind.PLACE,
    "councils": LinkKind.COUNCIL,
    "communication": LinkKind.NOTICE,
    "territory": LinkKind.DISTRICT,
}


def platform_path_resolve(address: str) -> tuple[str, str]:
    """A platform address (with or without host and language) → (path without language, kind).

    Raises MonitoringError when no page of the platform answers to it.
    """
    parts = urlsplit(address.strip())
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    languages = [code for code, _name in settings.LANGUAGES]
    segments = path.split("/")
    if len(segments) > 1 and segments[1] in languages:
        path = "/" + "/".join(segments[2:])
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(f"/{settings.LANGUAGE_CODE}{path}")
        except Resolver404:
            raise MonitoringError(
                errors.PATH_NOT_FOUND,
                field="address",
                code="path_not_found",
                params={"path": address[:200]},
            ) from None
    kind = _NAMESPACE_KINDS.get(match.namespace.split(":")[0], LinkKind.OTHER)
    return path, kind


def link_add(
    *,
    actor: User,
    node: StrategyNode,
    year: int,
    title: str,
    description: str = "",
    address: str = "",
    external_url: str = "",
    demo: bool = False,
) -> ImplementationLink:
    """Record what was done under a key action or programme, linked to the platform's object.

    ``demo`` marks a sample entry of the demonstration platform (shown as demo data)."""
    _require_manager(actor)
    _check_year(year, field="year")
    if bool(address.strip()) == bool(external_url.strip()):
        raise MonitoringError(errors.LINK_TARGET, field="address", code="link_target")
    path, kind = platform_path_resolve(address) if address.strip() else ("", LinkKind.OTHER)
    link = ImplementationLink(
        node=node,
        year=year,
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        platform_path=path,
        external_url=external_url.strip(),
        demo=demo,
        created_by=actor,
    )
    link.full_clean()
    link.save()
    audit_log_append(actor=actor, action="monitoring.link_added", obj=link, after=snapshot(link))
    return link


def link_remove(*, actor: User, link: ImplementationLink, reason: str = "") -> None:
    _require_manager(actor)
    before = snapshot(link)
    audit_log_append(
        actor=actor, action="monitoring.link_removed", obj=link, before=before, reason=reason
    )
    link.delete()


# --- Measurements ---------------------------------------------------------------------------------


def _check_year(year: int, *, field: str) -> None:
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise MonitoringError(
            errors.YEAR_RANGE,
            field=field,
            code="year_range",
            params={"first": FIRST_YEAR, "last": last},
        )


def _check_value(indicator: Indicator, value: Decimal, *, field: str) -> None:
    if value < 0:
        raise MonitoringError(errors.NEGATIVE_VALUE, field=field, code="negative")
    if indicator.unit == Unit.PERCENT and value > 100:
        raise MonitoringError(errors.PERCENT_RANGE, field=field, code="percent_range")


def _check_date(day: date, *, field: str) -> None:
    if day > timezone.localdate():
        raise MonitoringError(errors.FUTURE_DATE, field=field, code="future_date")


def _record_entered(rows: list[Measurement], actor: User | None, action: str) -> None:
    for row in rows:
        audit_log_append(actor=actor, action=action, obj=row, after=snapshot(row))


def measurement_enter(
    *,
    actor: User,
    indicator: Indicator,
    year: int,
    value: Decimal,
    source: str,
    reference_date: date,
    district: District | None = None,
    source_url: str = "",
    note: str = "",
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    series: str = "",
    coverage: str = "",
) -> Measurement:
    """Enter a value by hand (the survey result, the social-assistance share…); it waits for approval.

    ``series`` says whether it continues the strategy's own series (same source and method) or
    starts another; ``coverage`` what it covers and leaves out."""
    _require_manager(actor)
    _check_year(year, field="year")
    _check_value(indicator, value, field="value")
    _check_date(reference_date, field="reference_date")
    measurement = Measurement(
        indicator=indicator,
        year=year,
        district=district,
        value=value,
        numerator=numerator,
        denominator=denominator,
        source=source.strip(),
        source_url=source_url.strip(),
        reference_date=reference_date,
        method=Method.MANUAL,
        series=series if series in Series.values else "",
        coverage=coverage.strip(),
        note=note.strip(),
        entered_by=actor,
    )
    measurement.full_clean()
    with transaction.atomic():
        measurement.save()
        _record_entered([measurement], actor, "monitoring.measurement_entered")
    return measurement


def measurement_compute(
    *, actor: User | None, indicator: Indicator, year: int, demo: bool = False
) -> list[Measurement]:
    """Ask the indicator's provider for a year's value; the result waits for an official's approval.

    ``actor`` is None when the yearly command runs it; the approving official is then the first
    person to look at the numbers.
    """
    if actor is not None:
        _require_manager(actor)
    _check_year(year, field="year")
    info = provider_for(indicator.code)
    name = indicator.display_name
    if info is None:
        raise MonitoringError(errors.NO_PROVIDER, code="no_provider", params={"indicator": name})
    if info.function is None:
        raise MonitoringError(
            errors.PROVIDER_UNAVAILABLE,
            code="provider_unavailable",
            params={"indicator": name, "reason": info.problem},
        )
    try:
        # texts the provider writes (coverage, notes) are stored in the source language
        with translation.override(settings.LANGUAGE_CODE):
            result = info.function(year=year)
    except (ImportError, AttributeError) as exc:
        # the source app changed under the provider: say so instead of failing the page
        raise MonitoringError(
            errors.PROVIDER_UNAVAILABLE,
            code="provider_unavailable",
            params={"indicator": name, "reason": f"{type(exc).__name__}: {exc}"},
        ) from None
    if result is None:
        raise MonitoringError(
            errors.PROVIDER_NO_DATA, code="no_data", params={"indicator": name, "year": year}
        )
    return _store_provider_result(
        actor=actor, indicator=indicator, year=year, result=result, path=info.path, demo=demo
    )


def _store_provider_result(
    *,
    actor: User | None,
    indicator: Indicator,
    year: int,
    result: ProviderResult,
    path: str,
    demo: bool = False,
) -> list[Measurement]:
    batch = uuid.uuid4()
    districts = {d.number: d for d in district_list(city=default_city())}
    common = {
        "batch": batch,
        "indicator": indicator,
        "year": year,
        "source": result.source[:300],
        "source_url": result.source_url,
        "reference_date": result.reference_date,
        "method": Method.COMPUTED,
        "series": result.series if result.series in Series.values else Series.PLATFORM,
        "entered_by": actor,
        "note": result.note,
        "demo": demo,
    }
    rows = [
        Measurement(
            value=result.value,
            numerator=result.numerator,
            denominator=result.denominator,
            details={**result.details, "provider": path},
            coverage=result.coverage,
            **common,
        )
    ]
    for item in result.by_district:
        district = districts.get(item.district_number)
        if district is None:
            continue
        rows.append(
            Measurement(
                district=district,
                value=item.value,
                numerator=item.numerator,
                denominator=item.denominator,
                details={"provider": path},
                **common,
            )
        )
    with transaction.atomic():
        for row in rows:
            row.full_clean()
            row.save()
        _record_entered(rows, actor, "monitoring.measurement_computed")
    return rows


def measurements_import_csv(*, actor: User, upload: IO[bytes] | bytes | str) -> list[Measurement]:
    """Import values from a CSV file as one batch waiting for approval; nothing is kept on error."""
    _require_manager(actor)
    indicators = {i.code: i for i in Indicator.objects.all()}
    districts = {d.number: d for d in district_list(city=default_city())}
    rows = csvio.read_measurements(
        upload, indicator_codes=set(indicators), district_numbers=set(districts)
    )
    batch = uuid.uuid4()
    created: list[Measurement] = []
    last = timezone.localdate().year
    for row in rows:
        indicator = indicators[row.indicator_code]
        if not FIRST_YEAR <= row.year <= last:
            raise csvio.line_error(
                row.line, "rok", errors.YEAR_RANGE % {"first": FIRST_YEAR, "last": last}
            )
        try:
            _check_value(indicator, row.value, field="value")
            _check_date(row.reference_date, field="reference_date")
        except MonitoringError as exc:
            column = "wartosc" if exc.field == "value" else "stan_na"
            raise csvio.line_error(row.line, column, exc) from None
        created.append(
            Measurement(
                batch=batch,
                indicator=indicator,
                year=row.year,
                district=districts.get(row.district_number) if row.district_number else None,
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                source=row.source,
                source_url=row.source_url,
                reference_date=row.reference_date,
                method=Method.CSV,
                note=row.note,
                entered_by=actor,
                details={"line": row.line},
            )
        )
    with transaction.atomic():
        for measurement in created:
            measurement.full_clean()
            measurement.save()
        _record_entered(created, actor, "monitoring.measurement_imported")
    return created


def batch_approve(
    *, actor: User, batch: uuid.UUID, at: datetime | None = None
) -> list[Measurement]:
    """Approve a pending batch; each value supersedes the approved one it replaces."""
    at = at or timezone.now()
    with transaction.atomic():
        rows = list(
            Measurement.objects.select_for_update(of=("self",))
            .filter(batch=batch)
            .select_related("indicator")
            .order_by("pk")
        )
        _check_decidable(actor, rows)
        for row in rows:
            previous = (
                Measurement.objects.select_for_update(of=("self",))
                .filter(indicator_id=row.indicator_id, year=row.year, status=Status.APPROVED)
                .filter(
                    **(
                        {"district__isnull": True}
                        if row.district_id is None
                        else {"district_id": row.district_id}
                    )
                )
                .exclude(pk=row.pk)
            )
            for old in previous:
                before = snapshot(old)
                old.status = Status.SUPERSEDED
                old.save(update_fields=["status", "updated_at"])
                audit_log_append(
                    actor=actor,
                    action="monitoring.measurement_superseded",
                    obj=old,
                    before=before,
                    after=snapshot(old),
                    reason=f"batch {batch}",
                )
            before = snapshot(row)
            row.status = Status.APPROVED
            row.decided_by = actor
            row.decided_at = at
            row.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
            audit_log_append(
                actor=actor,
                action="monitoring.measurement_approved",
                obj=row,
                before=before,
                after=snapshot(row),
            )
    return rows


def batch_reject(
    *, actor: User, batch: uuid.UUID, reason: str, at: datetime | None = None
) -> list[Measurement]:
    """Reject a pending batch with a reason; the values stay in the history as rejected."""
    if not reason.strip():
        raise MonitoringError(errors.REASON_REQUIRED, field="reason", code="reason_required")
    at = at or timezone.now()
    with transaction.atomic():
        rows = list(
            Measurement.objects.select_for_update(of=("self",)).filter(batch=batch).order_by("pk")
        )
        _check_decidable(actor, rows)
        for row in rows:
            before = snapshot(row)
            row.status = Status.REJECTED
            row.decided_by = actor
            row.decided_at = at
            row.decision_reason = reason.strip()
            row.save(
                update_fields=[
                    "status",
                    "decided_by",
                    "decided_at",
                    "decision_reason",
                    "updated_at",
                ]
            )
            audit_log_append(
                actor=actor,
                action="monitoring.measurement_rejected",
                obj=row,
                before=before,
                after=snapshot(row),
                reason=reason.strip(),
            )
    return rows


def _check_decidable(actor: User, rows: list[Measurement]) -> None:
    if not rows or any(row.status != Status.PENDING for row in rows):
        raise MonitoringError(errors.NOT_PENDING, code="not_pending")
    _require_manager(actor)
    if not all(can_decide_measurement(actor, row) for row in rows):
        raise PermissionDeniedError(errors.SELF_APPROVAL, code="self_approval")


# --- Population tables and surveys ----------------------------------------------------------------


def population_table_import(
    *, actor: User, title: str, reference_date: date, source: str, upload: IO[bytes] | bytes | str
) -> PopulationTable:
    """Import residents by district × sex × age band (the margins for survey weighting)."""
    _require_manager(actor)
    _check_date(reference_date, field="reference_date")
    districts = {d.number: d for d in district_list(city=default_city())}
    rows = csvio.read_population(upload, district_numbers=set(districts))
    with transaction.atomic():
        table = PopulationTable(
            title=title.strip(),
            reference_date=reference_date,
            source=source.strip(),
            imported_by=actor,
        )
        table.full_clean()
        table.save()
        PopulationCell.objects.bulk_create(
            PopulationCell(
                table=table,
                district=districts[row.district_number],
                sex=row.sex,
                age_from=row.age_from,
                age_to=row.age_to,
                count=row.count,
            )
            for row in rows
        )
        audit_log_append(
            actor=actor,
            action="monitoring.population_imported",
            obj=table,
            after={**snapshot(table), "cells": len(rows), "residents": sum(r.count for r in rows)},
        )
    return table


def survey_import(
    *,
    actor: User,
    title: str,
    year: int,
    fieldwork_end: date,
    source: str,
    question: str,
    upload: IO[bytes] | bytes | str,
) -> Survey:
    """Import a survey's answers (district, sex, age, satisfied yes/no), one row per respondent."""
    _require_manager(actor)
    _check_year(year, field="year")
    _check_date(fieldwork_end, field="fieldwork_end")
    districts = {d.number: d for d in district_list(city=default_city())}
    rows = csvio.read_survey(upload, district_numbers=set(districts))
    with transaction.atomic():
        survey = Survey(
            title=title.strip(),
            year=year,
            fieldwork_end=fieldwork_end,
            source=source.strip(),
            question=question.strip(),
            imported_by=actor,
        )
        survey.full_clean()
        survey.save()
        SurveyResponse.objects.bulk_create(
            SurveyResponse(
                survey=survey,
                district=districts[row.district_number],
                sex=row.sex,
                age=row.age,
                satisfied=row.satisfied,
            )
            for row in rows
        )
        audit_log_append(
            actor=actor,
            action="monitoring.survey_imported",
            obj=survey,
            after={**snapshot(survey), "responses": len(rows)},
        )
    return survey


@dataclass
class SurveyWeighting:
    method: str  # "poststratification" or "raking"
    share: raking.WeightedShare
    unweighted_share: float
    iterations: int
    dropped_bands: list[str] = field(default_factory=list)
    margins: dict[str, dict[Hashable, float]] = field(default_factory=dict)
    weighted_margins: dict[str, dict[str, float]] = field(default_factory=dict)


def survey_weighting(*, survey: Survey, table: PopulationTable) -> SurveyWeighting:
    """Weight a survey to a population table: post-stratify by age × sex × district when every
    population cell has respondents, otherwise rake to the three margins.

    Age bands with no respondent at all (children, when only adults were asked) are left out of
    the margins and named in the result.
    """
    responses = list(survey.responses.select_related("district"))
    if not responses:
        raise MonitoringError(errors.EMPTY_SURVEY, code="empty_survey")
    cells = list(table.cells.select_related("district"))
    bands = sorted({(c.age_from, c.age_to) for c in cells})

    def band_of(age: int) -> str | None:
        for low, high in bands:
            if age >= low and (high is None or age <= high):
                return f"{low}+" if high is None else f"{low}-{high}"
        return None

    levels: list[tuple[str, str, str]] = []
    for response in responses:
        band = band_of(response.age)
        if band is None:
            raise MonitoringError(
                errors.MARGIN_MISSING, code="margin_missing", params={"group": f"{response.age}"}
            )
        levels.append((band, response.sex, response.district.roman))
    present_bands = {level[0] for level in levels}
    dropped = sorted({c.age_band() for c in cells} - present_bands)
    used = [c for c in cells if c.age_band() in present_bands]
    age_margin: dict[Hashable, float] = {}
    sex_margin: dict[Hashable, float] = {}
    district_margin: dict[Hashable, float] = {}
    joint: dict[tuple[str, str, str], float] = {}
    for cell in used:
        key = (cell.age_band(), cell.sex, cell.district.roman)
        age_margin[key[0]] = age_margin.get(key[0], 0) + cell.count
        sex_margin[key[1]] = sex_margin.get(key[1], 0) + cell.count
        district_margin[key[2]] = district_margin.get(key[2], 0) + cell.count
        joint[key] = joint.get(key, 0) + cell.count
    for index, margin in enumerate((age_margin, sex_margin, district_margin)):
        missing = {level[index] for level in levels} - set(margin)
        if missing:
            raise MonitoringError(
                errors.MARGIN_MISSING, code="margin_missing", params={"group": sorted(missing)[0]}
            )
    joint = {key: total for key, total in joint.items() if total > 0}
    full_cells = set(joint) <= set(levels)
    try:
        if full_cells:
            result = raking.rake([(level,) for level in levels], [dict(joint.items())])
            method = "poststratification"
        else:
            for margin in (age_margin, sex_margin, district_margin):
                for empty in [k for k, v in margin.items() if v == 0]:
                    del margin[empty]
            result = raking.rake(levels, [age_margin, sex_margin, district_margin])
            method = "raking"
    except raking.RakingError as exc:
        raise MonitoringError(
            errors.MARGIN_MISSING, code="margin_missing", params={"group": str(exc)}
        ) from None
    if not result.converged:
        raise MonitoringError(
            errors.NOT_CONVERGED, code="not_converged", params={"iterations": result.iterations}
        )
    answers = [r.satisfied for r in responses]
    share = raking.weighted_share(answers, result.weights)
    weighted: dict[str, dict[str, float]] = {"age": {}, "sex": {}, "district": {}}
    for (band, sex, district), weight in zip(levels, result.weights, strict=True):
        weighted["age"][band] = weighted["age"].get(band, 0) + weight
        weighted["sex"][sex] = weighted["sex"].get(sex, 0) + weight
        weighted["district"][district] = weighted["district"].get(district, 0) + weight
    return SurveyWeighting(
        method=method,
        share=share,
        unweighted_share=sum(answers) / len(answers),
        iterations=result.iterations,
        dropped_bands=dropped,
        margins={"age": age_margin, "sex": sex_margin, "district": district_margin},
        weighted_margins=weighted,
    )


def _survey_coverage(weighting: SurveyWeighting) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "Badanie ankietowe platformy (%(respondents)s osób), ważone do struktury ludności "
            "według wieku, płci i dzielnicy; to inne badanie niż Barometr Krakowski, z którego "
            "pochodzą wartości strategii."
        ) % {"respondents": weighting.share.respondents}
        if weighting.dropped_bands:
            text += " " + gettext("Poza badaniem: grupy wieku %(bands)s.") % {
                "bands": ", ".join(weighting.dropped_bands)
            }
    return text


def survey_measurement_propose(
    *,
    actor: User,
    survey: Survey,
    table: PopulationTable,
    indicator: Indicator,
    demo: bool = False,
) -> Measurement:
    """Turn a weighted survey into a pending measurement of the satisfaction indicator, with its
    95% confidence interval and how it was weighted."""
    _require_manager(actor)
    weighting = survey_weighting(survey=survey, table=table)
    share = weighting.share
    percent = Decimal(str(round(share.share * 100, 4)))
    measurement = Measurement(
        indicator=indicator,
        year=survey.year,
        value=percent,
        ci_low=Decimal(str(round(share.ci_low * 100, 4))),
        ci_high=Decimal(str(round(share.ci_high * 100, 4))),
        numerator=None,
        denominator=Decimal(share.respondents),
        source=f"{survey.source}: {survey.title}"[:300],
        reference_date=survey.fieldwork_end,
        method=Method.SURVEY,
        series=Series.SURVEY,
        coverage=_survey_coverage(weighting),
        demo=demo,
        entered_by=actor,
        details={
            "survey": survey.pk,
            "population_table": table.pk,
            "weighting": weighting.method,
            "iterations": weighting.iterations,
            "respondents": share.respondents,
            "effective_size": round(share.effective_size, 1),
            "design_effect": round(share.design_effect, 3),
            "unweighted_percent": round(weighting.unweighted_share * 100, 2),
            "dropped_age_bands": weighting.dropped_bands,
        },
    )
    _check_value(indicator, percent, field="value")
    measurement.full_clean()
    with transaction.atomic():
        measurement.save()
        _record_entered([measurement], actor, "monitoring.measurement_weighted")
    return measurement


# --- The annual report ----------------------------------------------------------------------------


def _default_report_unit() -> str:
    from wspolnota.accounts.models import CityUnit

    code = getattr(settings, "MONITORING_STRATEGY_UNIT", "")
    unit = CityUnit.objects.filter(code=code).first() if code else None
    return unit.name if unit is not None else ""


def report_draft_open(*, actor: User, year: int) -> ReportEdition:
    """The year's draft report, opened if there is none: version 1, or the next version after
    an adopted one (a correction is always a new, explicit version)."""
    _require_manager(actor)
    if not 2016 <= year < timezone.localdate().year:
        raise MonitoringError(errors.REPORT_YEAR, field="year", code="report_year")
    with transaction.atomic():
        existing = list(ReportEdition.objects.select_for_update().filter(year=year))
        draft = next((e for e in existing if e.status == ReportStatus.DRAFT), None)
        if draft is not None:
            return draft
        previous = max(existing, key=lambda e: e.version, default=None)
        draft = ReportEdition(
            year=year,
            version=(previous.version + 1) if previous else 1,
            summary=previous.summary if previous else "",
            commentary=dict(previous.commentary) if previous else {},
            responsible_unit=previous.responsible_unit if previous else _default_report_unit(),
        )
        draft.save()
        audit_log_append(
            actor=actor,
            action="monitoring.report_draft_opened",
            obj=draft,
            after=snapshot(draft, fields=["year", "version", "status", "responsible_unit"]),
        )
    return draft


def report_draft_update(
    *,
    actor: User,
    edition: ReportEdition,
    summary: str,
    commentary: dict[str, str],
    responsible_unit: str,
    adoption_reference: str = "",
    version_note: str = "",
) -> ReportEdition:
    """The strategy office edits the draft: a summary, commentary per indicator and key action."""
    _require_manager(actor)
    if edition.status != ReportStatus.DRAFT:
        raise MonitoringError(errors.REPORT_NOT_DRAFT, code="report_not_draft")
    fields = ["summary", "commentary", "responsible_unit", "adoption_reference", "version_note"]
    before = snapshot(edition, fields=fields)
    edition.summary = summary.strip()
    edition.commentary = {k: v.strip() for k, v in commentary.items() if v and v.strip()}
    edition.responsible_unit = responsible_unit.strip()
    edition.adoption_reference = adoption_reference.strip()
    edition.version_note = version_note.strip()
    edition.full_clean(exclude=["pdf"])
    edition.save(update_fields=[*fields, "updated_at"])
    audit_log_append(
        actor=actor,
        action="monitoring.report_draft_updated",
        obj=edition,
        before=before,
        after=snapshot(edition, fields=fields),
    )
    return edition


def report_adopt(*, actor: User, edition: ReportEdition, adopted_on: date) -> ReportEdition:
    """Adopt the draft: freeze it as a tagged PDF/UA-1 document with the data it was drawn from.

    The stored PDF, body and data snapshot are never regenerated; the previously adopted version
    of the year, if any, becomes superseded and stays published.
    """
    from wspolnota.monitoring import report

    _require_manager(actor)
    _check_date(adopted_on, field="adopted_on")
    with transaction.atomic():
        edition = ReportEdition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != ReportStatus.DRAFT:
            raise MonitoringError(errors.REPORT_NOT_DRAFT, code="report_not_draft")
        if not edition.responsible_unit.strip():
            raise MonitoringError(
                errors.REPORT_UNIT_REQUIRED, field="responsible_unit", code="unit_required"
            )
        if edition.version > 1 and not edition.version_note.strip():
            raise MonitoringError(
                errors.REPORT_VERSION_NOTE, field="version_note", code="version_note"
            )
        for old in ReportEdition.objects.select_for_update().filter(
            year=edition.year, status=ReportStatus.ADOPTED
        ):
            old.status = ReportStatus.SUPERSEDED
            old.save(update_fields=["status", "updated_at"])
            audit_log_append(
                actor=actor,
                action="monitoring.report_superseded",
                obj=old,
                after={"status": old.status, "by_version": edition.version},
            )
        edition.adopted_on = adopted_on
        edition.adopted_at = timezone.now()
        edition.adopted_by = actor
        frozen = report.freeze(edition)
        edition.snapshot = frozen.snapshot
        edition.body_html = frozen.body_html
        edition.pdf = frozen.pdf
        edition.pdf_sha256 = hashlib.sha256(frozen.pdf).hexdigest()
        edition.status = ReportStatus.ADOPTED
        edition.save()
        audit_log_append(
            actor=actor,
            action="monitoring.report_adopted",
            obj=edition,
            after=snapshot(
                edition,
                fields=[
                    "year",
                    "version",
                    "status",
                    "adopted_on",
                    "responsible_unit",
                    "adoption_reference",
                    "pdf_sha256",
                ],
            ),
        )
    return edition
