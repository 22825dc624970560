"""The strategy indicator this app feeds: NGOs that apply to the city for support.

Declared on ``GrantsConfig.indicator_providers`` for the monitoring app, which calls
``organisations_applying(year=…)`` and stores the result for an official's approval.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from wspolnota.grants import selectors
from wspolnota.grants.models import Application, Call
from wspolnota.organisations.models import OrganisationKind


def organisations_applying(*, year: int, today: date | None = None) -> Any:
    """Distinct NGOs with an application submitted in ``year`` (``None`` when the platform ran
    no call and received no application that year, i.e. it has no data)."""
    from wspolnota.monitoring.providers import ProviderResult

    today = today or timezone.localdate()
    if year > today.year:
        return None
    if not (
        Call.objects.filter(year=year).exists()
        or Application.objects.filter(submitted_at__year=year).exists()
    ):
        return None
    by_kind = selectors.applying_organisations_by_kind(year=year)
    return ProviderResult(
        value=Decimal(
            selectors.applying_organisations_count(year=year, kinds=[OrganisationKind.NGO])
        ),
        source="Platforma Wspólnota: wnioski złożone w naborach grantowych miasta",
        reference_date=today if year == today.year else date(year, 12, 31),
        series="platform",
        coverage=gettext(
            "Tylko wnioski złożone na platformie Wspólnota; strategia liczyła organizacje "
            "wnioskujące o każdą formę wsparcia miasta, wszystkimi kanałami."
        ),
        details={
            "ngo": by_kind[OrganisationKind.NGO],
            "informal_group": by_kind[OrganisationKind.INFORMAL_GROUP],
            "individual": by_kind[OrganisationKind.INDIVIDUAL],
        },
    )
