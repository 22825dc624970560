"""Settings of the monitoring app, read from Django settings or the environment.

``MONITORING_TURNOUT_POPULATION`` picks the residents that the budget turnout is divided by:
``territory`` (the default: each district's ``population`` with its date and source, as loaded by
the territory app) or ``table`` (the newest population table imported in monitoring whose date is
not after the vote). ``MONITORING_TREND_WINDOW`` is how many of the latest yearly values the
assessment fits its line to. A malformed value stops the process with a message naming it.
"""

from __future__ import annotations

import os

from django.conf import settings


class MonitoringConfigError(RuntimeError):
    pass


POPULATION_SOURCES = ("territory", "table")


def _raw(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value).strip()


def turnout_population_source() -> str:
    value = _raw("MONITORING_TURNOUT_POPULATION", "territory")
    if value not in POPULATION_SOURCES:
        raise MonitoringConfigError(
            f"MONITORING_TURNOUT_POPULATION must be one of {', '.join(POPULATION_SOURCES)}, got {value!r}"
        )
    return value


def trend_window() -> int:
    raw = _raw("MONITORING_TREND_WINDOW", "3")
    try:
        value = int(raw)
    except ValueError:
        raise MonitoringConfigError(
            f"MONITORING_TREND_WINDOW must be a whole number, got {raw!r}"
        ) from None
    if value < 2:
        raise MonitoringConfigError(f"MONITORING_TREND_WINDOW must be at least 2, got {value}")
    return value


def open_data_licence() -> str:
    """The licence the open data are published under (a URI); CC BY 4.0 unless the city sets one."""
    return _raw("MONITORING_OPEN_DATA_LICENCE", "https://creativecommons.org/licenses/by/4.0/")


def stale_after() -> int:
    """How old (in years) the last value may be before an assessment is flagged as stale."""
    raw = _raw("MONITORING_STALE_AFTER", "3")
    try:
        value = int(raw)
    except ValueError:
        raise MonitoringConfigError(
            f"MONITORING_STALE_AFTER must be a whole number, got {raw!r}"
        ) from None
    if value < 1:
        raise MonitoringConfigError(f"MONITORING_STALE_AFTER must be at least 1, got {value}")
    return value
