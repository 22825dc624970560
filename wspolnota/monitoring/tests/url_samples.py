"""URL argument samples for the core every-URL sweep."""

from __future__ import annotations

from typing import Any

from wspolnota.monitoring.models import Indicator, NodeKind, StrategyNode
from wspolnota.monitoring.services import strategy_load
from wspolnota.monitoring.tests.factories import MeasurementFactory


def url_samples(request: Any) -> dict[str, Any]:
    request.getfixturevalue("krakow")
    strategy_load()
    from wspolnota.monitoring.models import ImplementationLink

    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=7)
    link = ImplementationLink.objects.create(
        node=action, year=2024, title="Dzielnice na platformie", platform_path="/dzielnice/"
    )
    indicator = Indicator.objects.get(code="pomoc-spoleczna")
    pending = MeasurementFactory(indicator=indicator)
    return {
        "indicator_code": indicator.code,
        "strat_node": action.pk,
        "strat_link": link.pk,
        "report_year": 2024,
        "meas_batch": str(pending.batch),
        "survey_pk": 1,
        "report_version": 1,
        "dataset_id": "strategia-cel-v-wskazniki",
    }
