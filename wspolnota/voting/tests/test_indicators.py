"""The monitoring provider for turnout, checked against a hand count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting.indicators import turnout
from wspolnota.voting.tests.factories import cast_online, confirmed, identity_of

pytestmark = pytest.mark.django_db


def test_turnout_is_voters_on_the_roll_divided_by_residents(voting_edition, krakow, settings):
    settings.MONITORING_TURNOUT_POPULATION = "territory"
    assert turnout(year=voting_edition.year) is None
    for index, district in enumerate([1, 1, 1, 18]):
        cast_online(
            voting_edition,
            confirmed(UserFactory(district=krakow[district])),
            identity_of(voting_edition, index),
            krakow[district],
        )
    result = turnout(year=voting_edition.year)
    residents = sum(d.population for d in krakow.values())
    # by hand: 4 voters of all residents; 3 of Stare Miasto's; 1 of Nowa Huta's
    assert result.numerator == 4 and result.denominator == residents
    assert result.value == (Decimal(400) / residents).quantize(Decimal("0.01"))
    by = {d.district_number: d for d in result.by_district}
    assert by[1].numerator == 3 and by[1].denominator == krakow[1].population
    assert by[18].numerator == 1 and by[2].numerator == 0
    assert result.details == {"online": 4, "paper": 0}
