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


@pytest.mark.django_db
def test_a_demo_value_is_marked_everywhere_and_never_the_next_point_after_the_real_values(
    strategy, krakow, client, monkeypatch
):
    """The strategy's 2017 and 2022 turnouts are real; a demo platform's computed turnout (the
    voting provider files it in the strategy's own series) was drawn as their next point, judged
    with them, and published in the CSV, JSON, API and GeoJSON with nothing to say it is sample
    data. Each assertion below failed on the code before."""
    import csv
    import io
    from datetime import UTC, date, datetime

    from django.utils import timezone

    from wspolnota.monitoring import selectors
    from wspolnota.monitoring.models import Method

    from .factories import MeasurementFactory

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 2, 12, tzinfo=UTC))
    turnout = Indicator.objects.get(code="frekwencja-budzet-obywatelski")
    real_years = sorted(turnout.measurements.values_list("year", flat=True))
    assert len(real_years) == 2 and real_years[-1] == 2022
    common = {
        "indicator": turnout,
        "year": 2025,
        "method": Method.COMPUTED,
        "series": "official",
        "status": Status.APPROVED,
        "demo": True,
        "source": "dane demonstracyjne platformy Wspólnota",
        "reference_date": date(2025, 6, 30),
    }
    MeasurementFactory(value=Decimal("19.5"), **common)
    MeasurementFactory(district=krakow[1], value=Decimal("27.25"), **common)

    view = selectors.indicator_views(indicators=[turnout])[0]
    assert view.assessment.years == (real_years[0], 2022)  # judged on the real values only
    assert [b.year for b in view.chart.breaks] == [2025]  # not joined to 2022
    assert view.chart.path.count("M") == 2
    assert view.chart.points[-1].label.endswith("(demo)")

    dashboard = client.get("/pl/strategia/").content.decode()
    assert "dane demonstracyjne (2025)" in dashboard  # the break in the chart says why
    page = client.get(f"/pl/strategia/wskazniki/{turnout.code}/").content.decode()
    assert "27,25% (demo)" in page  # the district value and its bar
    assert "zmiana metody (2025)" not in page
    report = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "27,25% (demo)" in report  # the report's district table

    rows = list(
        csv.DictReader(io.StringIO(client.get("/pl/strategia/dane/wskazniki.csv").content.decode()))
    )
    demo_rows = [r for r in rows if r["rok"] == "2025"]
    assert {r["dane_demonstracyjne"] for r in demo_rows} == {"tak"}
    assert {r["dane_demonstracyjne"] for r in rows if r["rok"] == "2022"} == {"nie"}
    for url in ("/pl/strategia/dane/wskazniki.json", "/api/monitoring/indicators"):
        data = client.get(url).json()
        indicators = data["indicators"] if isinstance(data, dict) else data
        values = next(i for i in indicators if i["code"] == turnout.code)["measurements"]
        assert {(m["year"], m["demo"]) for m in values} == {
            (real_years[0], False),
            (2022, False),
            (2025, True),
        }, url
    features = client.get("/pl/strategia/dane/dzielnice.geojson").json()["features"]
    first = next(f for f in features if f["properties"]["number"] == 1)["properties"]
    assert first[f"{turnout.code}_demo"] is True


@pytest.mark.django_db
def test_the_full_demo_fills_every_key_action_and_keeps_its_sample_values_apart(
    krakow, client, settings
):
    """The whole demo, as `demo_load` runs it: the report of the year the dashboard links to has
    something under each of the 17 key actions, sample entries and values say they are demo, and
    no sample value continues the line of the strategy's real 2016/2022 values or is judged with
    them. Before, 15 of the 17 key actions were empty and the demo turnout (0.38%) was drawn and
    judged as the year after the real 5.35%."""
    from django.utils import timezone

    from wspolnota.core.management.commands.demo_load import demo_modules
    from wspolnota.monitoring import selectors

    settings.MONITORING_STRATEGY_UNIT = "KBO"
    for module in demo_modules():
        module.load()
    year = timezone.localdate().year - 1
    report = selectors.annual_report(year=year)
    assert len(report.actions) == 17
    empty = [item.action.number for item in report.actions if not item.links and not item.activity]
    assert empty == []
    body = client.get(f"/pl/strategia/raport/{year}/").content.decode()
    assert "Brak zapisanych realizacji" not in body
    demo_links = [link for item in report.actions for link in item.links if link.demo]
    assert demo_links and body.count("(dane demonstracyjne)") >= len(demo_links)

    for view in selectors.indicator_views():
        real = {m.year for m in view.city if not m.demo}
        for m, point in zip(view.city, view.chart.points, strict=True):
            same_piece = [
                other
                for other, p in zip(view.city, view.chart.points, strict=True)
                if p.segment == point.segment
            ]
            assert {o.demo for o in same_piece} == {m.demo}, view.indicator.code
        if real and view.assessment.years:
            assert set(view.assessment.years) <= real, view.indicator.code
    dashboard = client.get("/pl/strategia/").content.decode()
    assert "przykładowe dane wersji pokazowej" in dashboard
