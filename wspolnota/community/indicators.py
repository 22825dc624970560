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
from django.utils.translation import gettext

from wspolnota.community.models import Place, PlaceKind


def senior_centres(*, year: int, today: date | None = None) -> Any:
    """Centres open on 31 December of ``year`` (this year: today), in total and per district.

    Every district of the city is in the breakdown (one with no centre as 0). What is left out is
    said in ``coverage``: centres with no opening date (they cannot be placed in time) and centres
    with no district (counted in the city total only). The platform's registry is not the
    strategy's source (the city's own list of every centre), so the value starts its own series.
    Returns ``None`` when the registry knows no centre with an opening date (no data yet).
    """
    from wspolnota.monitoring.providers import DistrictValue, ProviderResult
    from wspolnota.territory.selectors import default_city, district_list

    today = today or timezone.localdate()
    if year > today.year:
        return None
    day = today if year == today.year else date(year, 12, 31)
    centres = Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE)
    dated = centres.filter(opened_on__isnull=False)
    if not dated.exists():
        return None
    open_then = dated.filter(opened_on__lte=day).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )
    counts = {
        row["district__number"]: row["n"]
        for row in open_then.filter(district__isnull=False)
        .values("district__number")
        .annotate(n=Count("id"))
    }
    total = open_then.count()
    undated = centres.filter(opened_on__isnull=True).count()
    no_district = open_then.filter(district__isnull=True).count()
    coverage = [
        gettext(
            "Tylko centra wpisane do rejestru miejsc platformy (nie cała miejska sieć, którą liczy strategia)."
        )
    ]
    if undated:
        coverage.append(
            gettext("Nie policzono centrów bez daty otwarcia: %(count)s.") % {"count": undated}
        )
    if no_district:
        coverage.append(
            gettext(
                "Centra bez dzielnicy (%(count)s) są tylko w sumie dla miasta, nie w podziale na dzielnice."
            )
            % {"count": no_district}
        )
    return ProviderResult(
        value=Decimal(total),
        source="Rejestr miejsc platformy Wspólnota (lista Centrów Aktywności Seniorów)",
        reference_date=day,
        by_district=[
            DistrictValue(
                district_number=district.number, value=Decimal(counts.get(district.number, 0))
            )
            for district in district_list(city=default_city())
        ],
        details={"undated_centres": undated, "centres_without_district": no_district},
        series="platform",
        coverage=" ".join(coverage),
    )
