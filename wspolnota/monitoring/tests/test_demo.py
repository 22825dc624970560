from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from wspolnota.monitoring.models import Indicator, Measurement, PopulationCell, Status, Survey


def _independent_raking(survey: Survey) -> float:
    """The weighted share recomputed with a plain numpy IPF over the age × sex × district table."""
    cells = list(
        PopulationCell.objects.filter(table__source=survey.source).select_related("district")
    )
    bands = sorted({(c.age_from, c.age_to) for c in cells})
    districts = sorted({c.district.number for c in cells})
    sexes = ["K", "M"]

    def band_index(age: int) -> int:
        return next(
            i for i, (low, high) in enumerate(bands) if age >= low and (high is None or age <= high)
        )

    counts = np.zeros((len(bands), 2, len(districts)))
    yes = np.zeros_like(counts)
    for r in survey.responses.select_related("district"):
        index = (band_index(r.age), sexes.index(r.sex), districts.index(r.district.number))
        counts[index] += 1
        yes[index] += r.satisfied
    population = np.zeros_like(counts)
    for c in cells:
        population[
            bands.index((c.age_from, c.age_to)),
            sexes.index(c.sex),
            districts.index(c.district.number),
        ] += c.count
    used = counts.sum(axis=(1, 2)) > 0  # age bands nobody in the survey belongs to are left out
    counts, yes, population = counts[used], yes[used], population[used]
    fitted = counts.copy()
    for _ in range(500):
        for axis in range(3):
            others = tuple(a for a in range(3) if a != axis)
            target = population.sum(axis=others)
            current = fitted.sum(axis=others)
            shape = [1, 1, 1]
            shape[axis] = -1
            fitted *= (target / current).reshape(shape)
    weight = np.divide(fitted, counts, out=np.zeros_like(fitted), where=counts > 0)
    return float((yes * weight).sum() / (counts * weight).sum() * 100)


@pytest.mark.django_db
def test_the_demo_loads_once_and_its_weighted_survey_matches_an_independent_computation(
    krakow, settings
):
    from wspolnota.accounts import demo as accounts_demo

    settings.MONITORING_STRATEGY_UNIT = "KBO"  # the demo's strategy office: its official's unit
    from wspolnota.monitoring import demo

    accounts_demo.load()
    demo.load()
    demo.load()
    survey = Survey.objects.get()
    assert survey.responses.count() == 600
    measurement = Measurement.objects.get(
        indicator__code="zadowolenie-z-wplywu", year=survey.year, status=Status.APPROVED
    )
    assert float(measurement.value) == pytest.approx(_independent_raking(survey), abs=1e-3)
    assert measurement.ci_low < measurement.value < measurement.ci_high
    assert measurement.value != Decimal(measurement.details["unweighted_percent"])
    assert Indicator.objects.count() == 5
    # sample values are marked as demo, are a series of their own and never the strategy's
    assert measurement.demo and measurement.series == "survey"
    assert not Measurement.objects.filter(method="strategy", demo=True).exists()
    assert not Measurement.objects.filter(method="computed", demo=False).exists()


@pytest.mark.django_db
def test_the_demo_loads_when_its_official_is_not_in_the_strategy_office(krakow, settings):
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.monitoring import demo

    settings.MONITORING_STRATEGY_UNIT = ""  # administrators only
    accounts_demo.load()
    demo.load()
    survey = Survey.objects.get()
    assert Measurement.objects.filter(
        indicator__code="zadowolenie-z-wplywu", year=survey.year, status=Status.PENDING
    ).exists()
    assert not Measurement.objects.filter(entered_by__email="urzednik@demo.wspolnota.pl").exists()
