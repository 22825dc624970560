"""Who may do what in strategy monitoring. Pure functions, no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from wspolnota.accounts.permissions import is_administrator, unit_ids

if TYPE_CHECKING:
    from wspolnota.monitoring.models import Measurement


def is_strategy_office(user: Any) -> bool:
    """Administrators, and officials of the strategy office: the city unit whose code is
    ``MONITORING_STRATEGY_UNIT`` (with none set, administrators only). Not every official of
    every department (issue 15)."""
    if is_administrator(user):
        return True
    code = getattr(settings, "MONITORING_STRATEGY_UNIT", "")
    units = unit_ids(user)
    if not code or not units:
        return False
    cache: dict[str, bool] = user.__dict__.setdefault("_strategy_unit_cache", {})
    if code not in cache:
        from wspolnota.accounts.models import CityUnit

        cache[code] = CityUnit.objects.filter(pk__in=units, code=code).exists()
    return cache[code]


def can_manage_monitoring(user: Any) -> bool:
    """The strategy office (and administrators) enter measurements, links, the strategy tree,
    population tables and surveys."""
    return is_strategy_office(user)


def can_decide_measurement(user: Any, measurement: Measurement) -> bool:
    """Approval is a second pair of eyes: someone of the strategy office other than whoever
    entered the value."""
    if not can_manage_monitoring(user):
        return False
    return measurement.entered_by_id is None or measurement.entered_by_id != user.pk
