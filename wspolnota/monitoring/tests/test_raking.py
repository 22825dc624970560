"""Raking checked against worked examples that can be recomputed by hand."""

from __future__ import annotations

import math

import pytest

from wspolnota.monitoring.raking import RakingError, rake, weighted_share

# The worked example of the Wikipedia article "Iterative proportional fitting" (after Deming and
# Stephan, 1940): a 4 × 4 seed table with target row sums 150, 300, 400, 150 and column sums
# 200, 300, 400, 100.
SEED = [[40, 30, 20, 10], [35, 50, 100, 75], [30, 80, 70, 120], [20, 30, 40, 50]]
ROWS = [150, 300, 400, 150]
COLUMNS = [200, 300, 400, 100]


def _cells():
    levels = [(r, c) for r in range(4) for c in range(4)]
    seed = [SEED[r][c] for r, c in levels]
    return levels, seed


def _table(weights):
    return [[weights[r * 4 + c] for c in range(4)] for r in range(4)]


def test_the_textbook_table_converges_to_the_target_margins():
    levels, seed = _cells()
    result = rake(
        levels,
        [dict(enumerate(ROWS)), dict(enumerate(COLUMNS))],
        base_weights=seed,
        tolerance=1e-12,
    )
    assert result.converged and result.iterations < 100
    table = _table(result.weights)
    assert [sum(row) for row in table] == pytest.approx(ROWS)
    assert [sum(table[r][c] for r in range(4)) for c in range(4)] == pytest.approx(COLUMNS)
    # raking keeps every cross-product ratio of the seed (the fitted table is P · seed · Q)
    for r1, r2, c1, c2 in [(0, 1, 0, 1), (1, 3, 2, 3), (0, 2, 1, 3)]:
        seed_ratio = SEED[r1][c1] * SEED[r2][c2] / (SEED[r1][c2] * SEED[r2][c1])
        fitted_ratio = table[r1][c1] * table[r2][c2] / (table[r1][c2] * table[r2][c1])
        assert fitted_ratio == pytest.approx(seed_ratio)


def test_the_first_cycle_of_the_textbook_example_matches_the_hand_computation():
    levels, seed = _cells()
    result = rake(
        levels,
        [dict(enumerate(ROWS)), dict(enumerate(COLUMNS))],
        base_weights=seed,
        max_iterations=1,
    )
    # rows first: row 1 × 150/100, row 2 × 300/260, row 3 × 400/300, row 4 × 150/140
    after_rows = [[v * t / sum(row) for v in row] for row, t in zip(SEED, ROWS, strict=True)]
    column_sums = [sum(after_rows[r][c] for r in range(4)) for c in range(4)]
    assert column_sums == pytest.approx(
        [
            60 + 40.384615 + 40 + 21.428571,
            45 + 57.692308 + 106.666667 + 32.142857,
            30 + 115.384615 + 93.333333 + 42.857143,
            15 + 86.538462 + 160 + 53.571429,
        ]
    )
    expected = [
        [after_rows[r][c] * COLUMNS[c] / column_sums[c] for c in range(4)] for r in range(4)
    ]
    assert _table(result.weights) == [pytest.approx(row) for row in expected]
    assert expected[0][0] == pytest.approx(60 * 200 / 161.813187, rel=1e-6)


def test_a_two_by_two_table_matches_the_closed_form_solution():
    # seed [[7, 9], [12, 7]] raked to rows 5, 15 and columns 10, 10: the fitted table keeps the
    # odds ratio 49/108, so its first cell a solves 59a² + 1275a − 2450 = 0.
    levels = [(0, 0), (0, 1), (1, 0), (1, 1)]
    result = rake(
        levels, [{0: 5, 1: 15}, {0: 10, 1: 10}], base_weights=[7, 9, 12, 7], tolerance=1e-13
    )
    a = (-1275 + math.sqrt(1275**2 + 4 * 59 * 2450)) / (2 * 59)
    assert result.weights == pytest.approx([a, 5 - a, 10 - a, 5 + a])


def test_post_stratification_gives_each_cell_its_population_over_its_respondents():
    levels = [("A",), ("A",), ("B",), ("B",), ("B",), ("C",)]
    result = rake(levels, [{"A": 100, "B": 300, "C": 50}])
    assert result.weights == pytest.approx([50, 50, 100, 100, 100, 50]) and result.iterations == 1


def test_levels_without_margins_or_margins_without_respondents_are_refused():
    with pytest.raises(RakingError):
        rake([("A",), ("B",)], [{"A": 10}])
    with pytest.raises(RakingError):
        rake([("A",)], [{"A": 10, "B": 5}])
    with pytest.raises(RakingError):
        rake([("A", "x")], [{"A": 10}, {"x": 11}])


def test_the_interval_widens_with_unequal_weights():
    answers = [True] * 40 + [False] * 60
    equal = weighted_share(answers, [1.0] * 100)
    assert equal.share == pytest.approx(0.4) and equal.effective_size == pytest.approx(100)
    # Wilson interval for 40/100: 0.3094 – 0.4980
    assert (equal.ci_low, equal.ci_high) == (
        pytest.approx(0.30948, abs=1e-4),
        pytest.approx(0.49796, abs=1e-4),
    )
    unequal = weighted_share(answers, [3.0] * 50 + [1.0] * 50)
    assert unequal.design_effect > 1
    assert unequal.ci_high - unequal.ci_low > equal.ci_high - equal.ci_low
