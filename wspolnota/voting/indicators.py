"""The strategy indicator this app feeds: turnout in the participatory budget's vote (V.1).

Declared on ``VotingConfig.indicator_providers``; the monitoring app calls ``turnout(year=…)``.
Turnout = people on the voter roll (online and paper) ÷ residents (monitoring's
``population_for``), in percent, for the city and each district.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext

from wspolnota.budget.models import Edition, Phase
from wspolnota.voting.models import VoterRollEntry


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def turnout(*, year: int) -> Any:
    """The vote of the edition held in ``year``; ``None`` before its vote has any voter."""
    from wspolnota.monitoring.providers import DistrictValue, ProviderResult
    from wspolnota.monitoring.selectors import population_for

    edition = (
        Edition.objects.filter(year=year, voting_rules__isnull=False)
        .prefetch_related("phases")
        .order_by("-id")
        .first()
    )
    if edition is None:
        return None
    voters = VoterRollEntry.objects.filter(edition=edition)
    total = voters.count()
    if total == 0:
        return None
    window = edition.phase_window(Phase.VOTING)
    day = window[1].date() if window else edition.created_at.date()
    population = population_for(on=day)
    if population is None or population.count == 0:
        return None
    per_district = {
        row["district__number"]: row["n"]
        for row in voters.filter(district__isnull=False)
        .values("district__number")
        .annotate(n=Count("id"))
    }
    by_district = [
        DistrictValue(
            district_number=number,
            value=_percent(per_district.get(number, 0), residents),
            numerator=Decimal(per_district.get(number, 0)),
            denominator=Decimal(residents),
        )
        for number, residents in sorted(population.by_district.items())
        if residents
    ]
    return ProviderResult(
        value=_percent(total, population.count),
        source="Spis głosujących w budżecie obywatelskim (platforma Wspólnota)",
        reference_date=day,
        numerator=Decimal(total),
        denominator=Decimal(population.count),
        by_district=by_district,
        note=f"{population.source} ({population.reference_date:%Y-%m-%d})",
        # the platform holds the vote itself: it counts what the city's published turnout counted
        series="official",
        coverage=gettext(
            "Wszyscy głosujący w budżecie obywatelskim, przez internet i na papierze, wobec "
            "liczby mieszkańców: %(source)s."
        )
        % {"source": population.source},
        details={
            "online": voters.filter(channel="online").count(),
            "paper": voters.filter(channel="paper").count(),
        },
    )
