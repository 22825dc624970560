"""The greedy family: rank projects by votes or by points and fund them in that order.

* ``greedy``: take each project that still fits the money left, skip those that do not
  (Kraków's rule, with 3-2-1 points);
* ``greedy-threshold``: the same, but a project needs at least ``threshold`` points (or votes
  for approval ballots) to be eligible (Katowice, Warszawa);
* ``greedy-no-skip``: stop at the first project that does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from votecount.ties import TieBreaker


@dataclass
class GreedyStep:
    """What happened to one project when the greedy scan reached it."""

    project_id: str
    position: int
    measure: Fraction
    budget_left_before: Fraction
    status: str  # "selected", "does-not-fit", "below-threshold", "after-stop", "preselected"


@dataclass
class GreedyResult:
    selected: list[str]
    steps: dict[str, GreedyStep]
    stopped_at: str | None


def run_greedy(
    *,
    measure: dict[str, Fraction],
    cost: dict[str, Fraction],
    budget: Fraction,
    ties: TieBreaker,
    threshold: Fraction | None = None,
    skip: bool = True,
    preselected: list[str] | None = None,
    context: str = "greedy",
) -> GreedyResult:
    """Scan projects by decreasing ``measure`` and fund those that fit.

    Projects with equal measure are ordered by the tie policy. Such a tie is decisive (recorded,
    and an error under the "error" policy) only when its order can change what is funded: when,
    with the money left at that point, some of the tied projects fit but not all of them together.

    ``preselected`` projects (already funded, for example by the Method of Equal Shares) are
    kept and their cost is taken from the budget first; this is how utilitarian completion
    works.
    """
    selected = list(preselected or [])
    left = budget - sum((cost[p] for p in selected), Fraction(0))
    groups: dict[Fraction, list[str]] = {}
    for pid, value in measure.items():
        if pid not in selected:
            groups.setdefault(value, []).append(pid)
    steps: dict[str, GreedyStep] = {}
    stopped_at: str | None = None
    position = 0
    for value in sorted(groups, reverse=True):
        group = sorted(groups[value])
        eligible = threshold is None or value >= threshold
        if len(group) > 1:
            fitting = [p for p in group if cost[p] <= left]
            together = sum((cost[p] for p in group), Fraction(0)) <= left
            decisive = eligible and stopped_at is None and bool(fitting) and not together
            group = ties.order(
                group,
                context=f"{context}: tied at {_num(value)}",
                decisive=decisive,
                record=decisive,
            )
        for pid in group:
            position += 1
            if stopped_at is not None:
                steps[pid] = GreedyStep(pid, position, value, left, "after-stop")
            elif not eligible:
                steps[pid] = GreedyStep(pid, position, value, left, "below-threshold")
            elif cost[pid] <= left:
                steps[pid] = GreedyStep(pid, position, value, left, "selected")
                selected.append(pid)
                left -= cost[pid]
            else:
                steps[pid] = GreedyStep(pid, position, value, left, "does-not-fit")
                if not skip:
                    stopped_at = pid
    return GreedyResult(selected=selected, steps=steps, stopped_at=stopped_at)


def _num(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.4f}"
