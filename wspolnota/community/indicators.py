"""The strategy indicator this app feeds: the number of Senior Activity Centres (CAS).

Declared on ``CommunityConfig.indicator_providers`` for the monitoring app, which calls
``senior_centres(year=…)`` and stores the result for an official's approval.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from wspolnota.community.models import Place, PlaceKind


def senior_centres(*, year: int, today: date | None = None) -> Any:
    """Centres open on 31 December of ``year`` (this year: today), in total and per district.

    Returns ``None`` when the registry knows no centre with an opening date (no data yet).
    """
    from wspolnota.monitoring.providers import DistrictValue, ProviderResult

    today = today or timezone.localdate()
    if year > today.year:
        return None
    day = today if year == today.year else date(year, 12, 31)
    dated = Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, opened_on__isnull=False)
    if not dated.exists():
        return None
    open_then = dated.filter(opened_on__lte=day).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )
    rows = (
        open_then.filter(district__isnull=False)
        .values("district__number")
        .annotate(n=Count("id"))
        .order_by("district__number")
    )
    total = open_then.count()
    return ProviderResult(
        value=Decimal(total),
        source="Rejestr miejsc platformy Wspólnota (lista Centrów Aktywności Seniorów)",
        reference_date=day,
        by_district=[
            DistrictValue(district_number=row["district__number"], value=Decimal(row["n"]))
            for row in rows
        ],
        details={
            "undated_centres": Place.objects.filter(
                kind=PlaceKind.SENIOR_CENTRE, opened_on__isnull=True
            ).count()
        },
    )
