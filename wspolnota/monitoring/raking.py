"""Survey weighting: raking (iterative proportional fitting) to population margins.

Each respondent belongs to one level of each weighting variable (age band, sex, district). Raking
multiplies the weights, variable after variable, so that the weighted count of every level equals
the population's, and repeats the cycle until every margin is met (Deming and Stephan, 1940).
Post-stratification is the special case of a single variable: the joint age × sex × district cell,
used when every cell of the population has respondents.

The estimate of a share comes with a 95% Wilson interval on Kish's effective sample size
``(Σw)² / Σw²``, which widens the interval by the design effect of the weighting.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class RakingResult:
    weights: list[float]
    iterations: int
    converged: bool
    max_relative_error: float


class RakingError(ValueError):
    pass


def rake(
    levels: Sequence[Sequence[Hashable]],
    margins: Sequence[dict[Hashable, float]],
    *,
    base_weights: Sequence[float] | None = None,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> RakingResult:
    """Weights whose totals per level match ``margins`` (one dict per variable).

    ``levels[i][d]`` is respondent i's level of variable d. Every level present among the
    respondents must have a margin, and every margin level must have a respondent; the caller
    decides how to collapse empty levels.
    """
    count = len(levels)
    if count == 0:
        raise RakingError("no respondents")
    dimensions = len(margins)
    weights = [float(w) for w in base_weights] if base_weights is not None else [1.0] * count
    if len(weights) != count:
        raise RakingError("one base weight per respondent is needed")
    for d, margin in enumerate(margins):
        present = {row[d] for row in levels}
        if present - set(margin):
            raise RakingError(
                f"variable {d}: levels without a margin: {sorted(map(str, present - set(margin)))}"
            )
        if set(margin) - present:
            raise RakingError(
                f"variable {d}: margins without respondents: {sorted(map(str, set(margin) - present))}"
            )
    totals = [sum(margin.values()) for margin in margins]
    if any(not math.isclose(t, totals[0], rel_tol=1e-9) for t in totals):
        raise RakingError("the margins of the variables do not add up to the same total")

    def worst_error() -> float:
        worst = 0.0
        for d, margin in enumerate(margins):
            current: dict[Hashable, float] = dict.fromkeys(margin, 0.0)
            for row, weight in zip(levels, weights, strict=True):
                current[row[d]] += weight
            for level, target in margin.items():
                worst = max(
                    worst, abs(current[level] - target) / target if target else current[level]
                )
        return worst

    iterations = 0
    error = worst_error()
    while error > tolerance and iterations < max_iterations:
        iterations += 1
        for d in range(dimensions):
            current: dict[Hashable, float] = dict.fromkeys(margins[d], 0.0)
            for row, weight in zip(levels, weights, strict=True):
                current[row[d]] += weight
            factors = {
                level: (target / current[level]) if current[level] else 0.0
                for level, target in margins[d].items()
            }
            weights = [w * factors[row[d]] for row, w in zip(levels, weights, strict=True)]
        error = worst_error()
    return RakingResult(weights, iterations, error <= tolerance, error)


@dataclass(frozen=True)
class WeightedShare:
    share: float
    ci_low: float
    ci_high: float
    respondents: int
    effective_size: float
    design_effect: float


def weighted_share(answers: Sequence[bool], weights: Sequence[float]) -> WeightedShare:
    """The weighted share of "yes" answers with a 95% Wilson interval on Kish's effective size."""
    total = sum(weights)
    if not answers or total <= 0:
        raise RakingError("no weighted answers")
    share = sum(w for a, w in zip(answers, weights, strict=True) if a) / total
    effective = total**2 / sum(w * w for w in weights)
    z2 = Z_95**2
    centre = (share + z2 / (2 * effective)) / (1 + z2 / effective)
    half = (
        Z_95
        * math.sqrt(share * (1 - share) / effective + z2 / (4 * effective**2))
        / (1 + z2 / effective)
    )
    return WeightedShare(
        share=share,
        ci_low=max(0.0, centre - half),
        ci_high=min(1.0, centre + half),
        respondents=len(answers),
        effective_size=effective,
        design_effect=len(answers) / effective,
    )
