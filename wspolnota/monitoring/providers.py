"""Indicator providers: how the platform computes an indicator from data that other apps hold.

Any app may declare on its AppConfig::

    indicator_providers = {"<indicator code>": "dotted.path.to.function"}

The function is called as ``provider(year=2025)`` and returns a :class:`ProviderResult` (the value
with its source, date and, where possible, a value per district) or ``None`` when it has no data
for that year. Providers are collected at run time like the main menu's ``nav_items``, so an app
that lands later plugs in without touching this one. A provider whose module cannot be imported
is reported as unavailable, with the reason, and officials enter the value by hand or from CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class DistrictValue:
    district_number: int
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class ProviderResult:
    value: Decimal
    source: str
    reference_date: date
    source_url: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    by_district: list[DistrictValue] = field(default_factory=list)
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    # Which line the value continues (``monitoring.models.Series``): "platform" unless the
    # provider counts exactly what the strategy's own source counted ("official").
    series: str = "platform"
    # What the value covers and what it leaves out, said to the reader ("applications on this
    # platform only; 2 centres without an opening date not counted").
    coverage: str = ""


Provider = Callable[..., ProviderResult | None]


@dataclass(frozen=True)
class ProviderInfo:
    code: str
    path: str
    app_label: str
    function: Provider | None
    problem: str = ""

    @property
    def available(self) -> bool:
        return self.function is not None


def _resolve(path: str) -> tuple[Provider | None, str]:
    module_path, _sep, name = path.rpartition(".")
    try:
        module = import_module(module_path)
        function = getattr(module, name)
    except (ImportError, AttributeError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if not callable(function):
        return None, f"{path} is not callable"
    return function, ""


def provider_registry() -> dict[str, ProviderInfo]:
    """Every declared provider by indicator code; a later app's declaration wins over an earlier."""
    found: dict[str, ProviderInfo] = {}
    for config in apps.get_app_configs():
        declared: dict[str, str] = getattr(config, "indicator_providers", {}) or {}
        for code, path in declared.items():
            function, problem = _resolve(path)
            found[code] = ProviderInfo(code, path, config.label, function, problem)
    return found


def provider_for(code: str) -> ProviderInfo | None:
    return provider_registry().get(code)
