"""The providers other apps declare, computed on data made here and checked against a hand count."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wspolnota.monitoring import services
from wspolnota.monitoring.models import Indicator
from wspolnota.monitoring.providers import provider_registry

WARSAW = ZoneInfo("Europe/Warsaw")


def test_the_centres_and_ngo_providers_are_declared_and_importable():
    registry = provider_registry()
    assert registry["centra-aktywnosci-seniora"].available
    assert registry["centra-aktywnosci-seniora"].app_label == "community"
    assert registry["organizacje-wnioskujace"].available
    assert registry["organizacje-wnioskujace"].app_label == "grants"


@pytest.mark.django_db
def test_senior_centres_are_counted_at_the_end_of_each_year_and_by_district(
    strategy, krakow, official, second_official, client
):
    from wspolnota.community.tests.factories import PlaceFactory

    PlaceFactory(district=krakow[1], opened_on=date(2020, 3, 1))
    PlaceFactory(district=krakow[18], opened_on=date(2023, 9, 1))
    PlaceFactory(district=krakow[1], opened_on=date(2021, 1, 1), closed_on=date(2023, 6, 30))
    PlaceFactory(district=krakow[5], opened_on=date(2025, 1, 1))
    centres = Indicator.objects.get(code="centra-aktywnosci-seniora")
    # by hand: end of 2022 — the 2020 and 2021 centres in District I; end of 2024 — the 2020
    # centre in District I and the 2023 centre in District XVIII (the 2021 one closed in 2023)
    rows_2022 = services.measurement_compute(actor=official, indicator=centres, year=2022)
    assert rows_2022[0].value == 2
    # every district is listed, those with no centre as 0 (issue 21: not left out silently)
    assert len(rows_2022) == 1 + 18
    assert {(r.district.number, r.value) for r in rows_2022[1:] if r.value} == {(1, Decimal(2))}
    rows = services.measurement_compute(actor=official, indicator=centres, year=2024)
    city, *districts = rows
    assert (city.value, city.reference_date) == (2, date(2024, 12, 31))
    assert {(r.district.number, r.value) for r in districts if r.value} == {
        (1, Decimal(1)),
        (18, Decimal(1)),
    }
    services.batch_approve(actor=second_official, batch=city.batch)
    # centres per 10,000 residents aged 60+ once a population table with ages exists
    services.population_table_import(
        actor=official,
        title="Ludność",
        reference_date=date(2024, 12, 31),
        source="UMK",
        upload="dzielnica,plec,wiek_od,wiek_do,liczba\n1,K,60,,3000\n1,M,60,,2000\n1,K,18,59,9000\n18,K,60,,8000\n",
    )
    body = client.get("/pl/strategia/wskazniki/centra-aktywnosci-seniora/").content.decode()
    assert "Na 10 tys. osób w wieku 60+" in body
    assert "2,00" in body  # District I: 1 centre / 5,000 seniors × 10,000
    assert "1,25" in body  # District XVIII: 1 / 8,000 × 10,000


@pytest.mark.django_db
def test_ngos_applying_are_counted_once_each_and_only_ngos(strategy, krakow, official):
    from wspolnota.grants.tests.factories import make_application, make_call
    from wspolnota.organisations.tests.factories import (
        IndividualFactory,
        InformalGroupFactory,
        OrganisationFactory,
    )

    call = make_call(year=2024)
    first, second = OrganisationFactory(), OrganisationFactory()
    group, person, late = InformalGroupFactory(), IndividualFactory(), OrganisationFactory()

    def submit(applicant, when):
        make_application(call, applicant, status="submitted", submitted_at=when)

    submit(first, datetime(2024, 3, 1, 12, tzinfo=WARSAW))
    submit(first, datetime(2024, 9, 1, 12, tzinfo=WARSAW))
    submit(second, datetime(2024, 5, 1, 12, tzinfo=WARSAW))
    submit(group, datetime(2024, 5, 2, 12, tzinfo=WARSAW))
    submit(person, datetime(2024, 5, 3, 12, tzinfo=WARSAW))
    submit(late, datetime(2025, 1, 2, 12, tzinfo=WARSAW))
    ngos = Indicator.objects.get(code="organizacje-wnioskujace")
    # by hand: in 2024 two distinct NGOs applied (one twice); the group and the person are not NGOs
    rows = services.measurement_compute(actor=official, indicator=ngos, year=2024)
    assert len(rows) == 1 and rows[0].value == 2
    assert rows[0].details["informal_group"] == 1 and rows[0].details["individual"] == 1
