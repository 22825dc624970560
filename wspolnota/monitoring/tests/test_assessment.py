from __future__ import annotations

from decimal import Decimal

import pytest

from wspolnota.monitoring.assessment import (
    AT_RISK,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    assess,
    least_squares,
)


def test_least_squares_matches_a_hand_computation():
    # points (2016, 26), (2022, 51): slope 25/6 per year
    slope, intercept = least_squares([(2016, 26.0), (2022, 51.0)])
    assert slope == pytest.approx(25 / 6)
    assert intercept + slope * 2030 == pytest.approx(51 + 8 * 25 / 6)


def test_senior_centres_from_the_strategys_own_values_are_on_track_to_about_70():
    result = assess(
        series=[(2016, Decimal(26)), (2022, Decimal(51))],
        target_kind="numeric",
        target_value=Decimal(70),
        target_year=2030,
    )
    assert result.status == ON_TRACK
    assert result.projected == pytest.approx(84.333, abs=0.001)
    assert "2030" in result.explanation and "70" in result.explanation


@pytest.mark.parametrize(
    ("values", "target", "status"),
    [
        (
            [(2022, "51"), (2023, "52.5"), (2024, "54")],
            70,
            AT_RISK,
        ),  # 1.5 a year → 63 in 2030 = 90%
        ([(2022, "51"), (2023, "52"), (2024, "53")], 70, OFF_TRACK),  # 1 a year → 59 = 84%
        ([(2022, "51"), (2023, "53"), (2024, "55")], 70, ON_TRACK),  # 2 a year → 67 = 96%
    ],
)
def test_numeric_targets_use_the_projected_2030_value(values, target, status):
    series = [(year, Decimal(value)) for year, value in values]
    result = assess(
        series=series, target_kind="numeric", target_value=Decimal(target), target_year=2030
    )
    slope, intercept = least_squares([(y, float(v)) for y, v in values])
    assert result.projected == pytest.approx(intercept + slope * 2030)
    assert result.status == status


@pytest.mark.parametrize(
    ("kind", "values", "status"),
    [
        ("rising", [(2017, "5"), (2022, "5.35")], ON_TRACK),  # +0.07 a year = +1.35% of the mean
        ("rising", [(2016, "1164"), (2022, "797")], OFF_TRACK),
        ("rising", [(2016, "22"), (2022, "40.3")], ON_TRACK),
        ("falling", [(2016, "4.4"), (2022, "3.9")], ON_TRACK),
        ("rising", [(2022, "40.3"), (2023, "40.4"), (2024, "40.2")], AT_RISK),
        ("falling", [(2022, "3.9"), (2023, "4.2"), (2024, "4.5")], OFF_TRACK),
    ],
)
def test_trend_targets_use_the_relative_slope_over_the_last_values(kind, values, status):
    series = [(year, Decimal(value)) for year, value in values]
    result = assess(series=series, target_kind=kind, target_value=None, target_year=2030)
    assert result.status == status


def test_turnout_relative_slope_is_computed_as_stated():
    result = assess(
        series=[(2017, Decimal("5")), (2022, Decimal("5.35"))],
        target_kind="rising",
        target_value=None,
        target_year=2030,
    )
    # slope 0.35 / 5 years = 0.07; mean 5.175; 0.07 / 5.175 = 1.3527%
    assert result.relative_slope == pytest.approx(0.07 / 5.175 * 100)


def test_only_the_last_window_values_count():
    series = [(2016, Decimal(100)), (2022, Decimal(10)), (2023, Decimal(20)), (2024, Decimal(30))]
    result = assess(
        series=series, target_kind="rising", target_value=None, target_year=2030, window=3
    )
    assert result.points_used == 3 and result.status == ON_TRACK


def test_one_value_is_not_enough_to_judge():
    result = assess(
        series=[(2024, Decimal(5))], target_kind="rising", target_value=None, target_year=2030
    )
    assert result.status == NO_DATA and result.label
