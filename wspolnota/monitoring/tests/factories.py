"""Factories for monitoring tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from wspolnota.monitoring.models import Measurement, Method, Status


class MeasurementFactory(factory.django.DjangoModelFactory[Measurement]):
    class Meta:
        model = Measurement

    year = 2024
    value = Decimal("10")
    source = "Źródło testowe"
    reference_date = date(2024, 12, 31)
    method = Method.MANUAL
    status = Status.PENDING
