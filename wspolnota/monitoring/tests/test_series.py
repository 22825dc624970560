"""Series that keep their methods apart (issue 21): a value from another method or source is a
break in the line, the assessment compares like with like, coverage and exclusions are stated,
old data are flagged, the approval screen shows what a value replaces, the baseline label is
consistent. Each test reproduces a finding of the issue and failed on the code before the fix."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from wspolnota.monitoring import selectors, services
from wspolnota.monitoring.assessment import OFF_TRACK
from wspolnota.monitoring.models import Indicator, Method, Status

from .factories import MeasurementFactory


def _fix_now(monkeypatch, when: datetime) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: when)


@pytest.fixture
def march_2026(monkeypatch):
    _fix_now(monkeypatch, datetime(2026, 3, 2, 12, tzinfo=UTC))


@pytest.fixture
def december_2026(monkeypatch):
    _fix_now(monkeypatch, datetime(2026, 12, 6, 12, tzinfo=UTC))


def _centres_2025(krakow, official, second_official, *, undated: int = 0, no_district: int = 0):
    from wspolnota.community.tests.factories import PlaceFactory

    for number in (1, 1, 2, 5):
        PlaceFactory(district=krakow[number], opened_on=date(2020, 3, 1))
    for _ in range(undated):
        PlaceFactory(district=krakow[3], opened_on=None)
    for _ in range(no_district):
        PlaceFactory(district=None, opened_on=date(2021, 3, 1))
    centres = Indicator.objects.get(code="centra-aktywnosci-seniora")
    rows = services.measurement_compute(actor=official, indicator=centres, year=2025)
    services.batch_approve(actor=second_official, batch=rows[0].batch)
    return centres, rows


@pytest.mark.django_db
@pytest.mark.usefixtures("march_2026")
def test_the_places_registry_count_is_a_break_in_the_strategy_line_not_its_next_point(
    strategy, krakow, official, second_official, client
):
    # the strategy's 26 (2016) and 51 (2022) counted every centre in the city; the platform's
    # registry knows 4: joined in one line this made the indicator "off track"
    centres, _rows = _centres_2025(krakow, official, second_official)
    view = selectors.indicator_views(indicators=[centres])[0]
    assert view.assessment.status != OFF_TRACK
    assert view.assessment.years == (2016, 2022)
    assert [p.year for p in view.chart.points] == [2016, 2022, 2025]
    assert view.chart.path.count("M") == 2  # two pieces: no segment joins 51 to 4
    assert [b.year for b in view.chart.breaks] == [2025]
    body = client.get("/pl/strategia/wskazniki/centra-aktywnosci-seniora/").content.decode()
    assert "Zmiana metody" in body and "chart-break" in body
    assert "nie są porównywane" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("march_2026")
def test_a_platform_survey_after_the_barometr_values_is_another_series(strategy, client):
    satisfaction = Indicator.objects.get(code="zadowolenie-z-wplywu")
    MeasurementFactory(
        indicator=satisfaction,
        year=2025,
        value=Decimal("12"),
        method=Method.SURVEY,
        status=Status.APPROVED,
        source="Badanie internetowe platformy",
    )
    MeasurementFactory(
        indicator=satisfaction,
        year=2026,
        value=Decimal("11"),
        method=Method.SURVEY,
        status=Status.APPROVED,
        source="Badanie internetowe platformy",
        reference_date=date(2026, 1, 31),
    )
    view = selectors.indicator_views(indicators=[satisfaction])[0]
    # 22% → 40.3% (Barometr) then 12%, 11% (online): only the two online values are compared
    assert view.assessment.years == (2025, 2026)
    assert [b.year for b in view.chart.breaks] == [2025]
    body = client.get("/pl/strategia/").content.decode()
    assert "Zmiana metody" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("march_2026")
def test_excluded_centres_and_districts_without_a_centre_are_stated(
    strategy, krakow, official, second_official, client
):
    _centres, rows = _centres_2025(krakow, official, second_official, undated=2, no_district=1)
    city = rows[0]
    assert "2" in city.coverage and "bez daty otwarcia" in city.coverage
    assert "bez dzielnicy" in city.coverage
    # every district is in the breakdown, a district with no centre as 0 (not left out)
    assert {r.district.number for r in rows[1:]} == set(range(1, 19))
    assert {r.district.number: r.value for r in rows[1:]}[4] == 0
    body = client.get("/pl/strategia/wskazniki/centra-aktywnosci-seniora/").content.decode()
    assert "bez daty otwarcia" in body
    assert "rejestr" in body.lower()


@pytest.mark.django_db
@pytest.mark.usefixtures("december_2026")
def test_an_assessment_on_four_year_old_data_is_flagged_and_less_confident(strategy, client):
    centres = Indicator.objects.get(code="centra-aktywnosci-seniora")
    view = selectors.indicator_views(indicators=[centres])[0]
    assert view.assessment.stale and view.assessment.confidence == "low"
    assert view.assessment.age == 4
    body = client.get("/pl/strategia/").content.decode()
    assert "sprzed 4 lat" in body
    body = client.get("/pl/strategia/wskazniki/centra-aktywnosci-seniora/").content.decode()
    assert "niska pewność" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("march_2026")
def test_the_approval_screen_shows_the_value_being_replaced_and_the_difference(
    strategy, official, second_official, client
):
    social = Indicator.objects.get(code="pomoc-spoleczna")
    first = services.measurement_enter(
        actor=official,
        indicator=social,
        year=2024,
        value=Decimal("3.7"),
        source="MOPS Kraków",
        reference_date=date(2024, 12, 31),
    )
    services.batch_approve(actor=second_official, batch=first.batch)
    services.measurement_enter(
        actor=official,
        indicator=social,
        year=2024,
        value=Decimal("3.9"),
        source="MOPS Kraków (korekta)",
        reference_date=date(2024, 12, 31),
    )
    client.force_login(second_official)
    body = client.get("/pl/strategia/zarzadzanie/").content.decode()
    assert "Obecnie zatwierdzona" in body
    assert "3,7%" in body and "3,9%" in body and "+0,2" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("march_2026")
def test_the_approval_screen_warns_of_a_change_of_method_and_the_exclusions(
    strategy, krakow, official, second_official, client
):
    from wspolnota.community.tests.factories import PlaceFactory

    PlaceFactory(district=krakow[1], opened_on=date(2020, 3, 1))
    PlaceFactory(district=krakow[1], opened_on=None)
    centres = Indicator.objects.get(code="centra-aktywnosci-seniora")
    services.measurement_compute(actor=official, indicator=centres, year=2022)
    client.force_login(second_official)
    body = client.get("/pl/strategia/zarzadzanie/").content.decode()
    assert "Obecnie zatwierdzona" in body and "51" in body  # the strategy's 2022 value
    assert "Zmiana metody" in body
    assert "bez daty otwarcia" in body


@pytest.mark.django_db
def test_the_baseline_label_does_not_contradict_its_year(strategy, client):
    for url in ("/pl/strategia/", "/pl/strategia/raport/2025/"):
        body = client.get(url).content.decode()
        assert "Stan w 2016: 5% (2017)" not in body
        assert "<dt>Stan w 2016</dt><dd>5% (2017)</dd>" not in body
        assert "2017" in body
    turnout = Indicator.objects.get(code="frekwencja-budzet-obywatelski")
    assert turnout.baseline_label == "Stan wyjściowy (2017)"
    assert turnout.display_baseline == "5%"
    centres = Indicator.objects.get(code="centra-aktywnosci-seniora")
    assert centres.baseline_label == "Stan w 2016" and centres.display_baseline == "26"


@pytest.mark.django_db
@pytest.mark.usefixtures("march_2026")
def test_platform_only_grant_applications_are_their_own_series_and_say_so(
    strategy, krakow, official, second_official, client
):
    """The strategy's 2016 and 2022 figures counted every channel of city support; the platform
    counts applications made on it: another series, its coverage stated where it is shown."""
    from wspolnota.grants.tests.factories import make_application, make_call
    from wspolnota.organisations.tests.factories import OrganisationFactory

    call = make_call(year=2025)
    make_application(
        call,
        OrganisationFactory(),
        status="submitted",
        submitted_at=datetime(2025, 5, 1, tzinfo=UTC),
    )
    ngos = Indicator.objects.get(code="organizacje-wnioskujace")
    rows = services.measurement_compute(actor=official, indicator=ngos, year=2025)
    services.batch_approve(actor=second_official, batch=rows[0].batch)
    assert rows[0].series == "platform"
    assert "Tylko wnioski złożone na platformie" in rows[0].coverage
    view = selectors.indicator_views(indicators=[ngos])[0]
    assert [b.year for b in view.chart.breaks] == [2025]
    assert view.assessment.years is None or 2025 not in view.assessment.years
    body = client.get("/pl/strategia/wskazniki/organizacje-wnioskujace/").content.decode()
    assert "Tylko wnioski złożone na platformie" in body and "Zmiana metody" in body
