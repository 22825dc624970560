"""Yearly: compute the indicators the platform holds data for; officials then approve them.

Run from cron early in the year for the year just ended (the default), e.g. on 15 January:
``manage.py monitoring_compute``. A value already waiting for approval is not computed twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from wspolnota.monitoring.errors import MonitoringError
from wspolnota.monitoring.models import Indicator, Method, Status
from wspolnota.monitoring.providers import provider_registry
from wspolnota.monitoring.services import measurement_compute


class Command(BaseCommand):
    help = "Compute the strategy indicators from the platform's data for a year (pending approval)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--indicator", default="", help="only this indicator code")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        registry = provider_registry()
        indicators = Indicator.objects.order_by("position")
        if options["indicator"]:
            indicators = indicators.filter(code=options["indicator"])
        for indicator in indicators:
            if indicator.code not in registry:
                self.stdout.write(f"{indicator.code}: no provider, enter by hand or CSV")
                continue
            waiting = indicator.measurements.filter(
                year=year, method=Method.COMPUTED, status=Status.PENDING
            ).exists()
            if waiting:
                self.stdout.write(
                    f"{indicator.code}: a computed {year} value already awaits approval"
                )
                continue
            try:
                rows = measurement_compute(actor=None, indicator=indicator, year=year)
            except MonitoringError as exc:
                self.stdout.write(f"{indicator.code}: {exc}")
                continue
            self.stdout.write(
                f"{indicator.code}: {year} = {rows[0].value} ({len(rows) - 1} districts), awaiting approval"
            )
