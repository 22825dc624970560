"""Who may do what in strategy monitoring. Pure functions, no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wspolnota.accounts.permissions import is_official

if TYPE_CHECKING:
    from wspolnota.monitoring.models import Measurement


def can_manage_monitoring(user: Any) -> bool:
    """Officials (and administrators) enter measurements, links, population tables and surveys."""
    return is_official(user)


def can_decide_measurement(user: Any, measurement: Measurement) -> bool:
    """Approval is a second pair of eyes: an official other than whoever entered the value."""
    if not can_manage_monitoring(user):
        return False
    return measurement.entered_by_id is None or measurement.entered_by_id != user.pk
