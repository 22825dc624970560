"""The Method of Equal Shares (MES), exact by default, with a fast Add1 completion.

How the count goes (see docs/algorithms for the prose version):

1. Every voter gets the same share ``b`` of the budget (``budget / voters`` to start with).
2. In each round, for every project still possible, find the smallest price per unit of
   utility ``rho`` at which its supporters can pay for it: each supporter pays ``rho * u`` (``u``
   is what the project is worth to them: its cost for cost utilities, the points they gave it for
   point utilities) or, if that is more than they have left, everything they have left. A project
   whose supporters do not have enough money left in total is out for good.
3. The project with the lowest ``rho`` is bought; its supporters pay; next round.
4. The count ends when no project can be paid for.

Speed without giving up exactness:

* voters with identical ballots are one *type* (with a multiplicity), and voters with the same
  money left are one *class*: a project's supporters are kept as counts per (class, utility), so a
  round costs a few operations per class, not per voter;
* a project's ``rho`` only changes when one of its supporters paid for something, so only those
  projects are recomputed, and ``rho`` never goes down, so a project whose last ``rho`` is already
  worse than the best of the round is not recomputed at all;
* Add1 completion needs the outcome for ``b``, ``b + 1``, ``b + 2``, … . With exact arithmetic and
  cost utilities every step is counted by :mod:`votecount.fastmes` (floats with a proven error
  bound, exact fractions where floats cannot tell). Otherwise (point utilities, float mode)
  :func:`add1` uses breakpoints: every quantity of a run is an affine function of the starting
  share ``b`` for as long as each comparison the run made keeps its sign. The run records, for
  each comparison, the share at which it would flip; the smallest of these is the next share at
  which the outcome *can* change, and the steps before it are skipped because they give exactly
  the same outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Generic, TypeVar

from votecount.ties import TieBreaker

Num = TypeVar("Num", Fraction, float)


@dataclass
class MesInput:
    """The election as MES sees it.

    ``types`` lists the distinct ballots as ``(multiplicity, ((project index, level index), …))``.
    A supporter's utility for project ``j`` at level ``l`` is ``costs[j] * levels[l]`` with cost
    utilities and ``levels[l]`` with point utilities.
    """

    n_voters: int
    project_ids: list[str]
    costs: list[Fraction]
    levels: list[Fraction]
    cost_utility: bool
    types: list[tuple[int, tuple[tuple[int, int], ...]]]


@dataclass
class Payment:
    """How one group of supporters paid for a bought project."""

    voters: int
    utility: Fraction
    paid_each: Fraction
    paid_all_they_had: bool


@dataclass
class MesRound(Generic[Num]):
    number: int
    project: int
    rho: Num
    payments: list[Payment]
    tied_with: list[int]


@dataclass
class MesRun(Generic[Num]):
    """The outcome of one MES run at per-voter share ``share``."""

    share: Num
    winners: list[int]
    rounds: list[MesRound[Num]]
    #: the next share at which the outcome may change (``None``: it never changes).
    breakpoint: Num | None
    #: money left per project's supporters at the end, and their number (for explanations).
    supporters_money: dict[int, Num] = field(default_factory=dict)
    supporters_count: dict[int, int] = field(default_factory=dict)
    #: projects whose supporters could not pay for them even with their whole starting share.
    out_of_reach: set[int] = field(default_factory=set)
    #: (details only) the smallest relative gap between the price of the project bought and the
    #: next one, or between supporters' money and a cost: how close the run came to a tie.
    min_gap: float = float("inf")


class MesEngine(Generic[Num]):
    """Runs MES for one prepared election in one number type (Fraction or float)."""

    def __init__(self, data: MesInput, conv: Callable[[Fraction], Num], ties: TieBreaker) -> None:
        self.data = data
        self.conv: Callable[[Fraction], Num] = conv
        self.exact = conv is Fraction
        self.ties = ties
        m = len(data.project_ids)
        self.n_levels = len(data.levels)
        self.costs: list[Num] = [conv(c) for c in data.costs]
        self.cost_float: list[float] = [float(c) for c in data.costs]
        self.util: list[list[Num]] = [
            [conv(data.costs[j] * lv if data.cost_utility else lv) for lv in data.levels]
            for j in range(m)
        ]
        # supporters of each project, over all ballot types
        counts = [0] * m
        for mult, items in data.types:
            for j, _ in items:
                counts[j] += mult
        self.support_count = counts
        # The working view: ballot types restricted to the projects that can be paid for at
        # shares up to ``view_ceiling`` (support * share >= cost). Projects out of reach at a
        # given share cannot be bought, and ballots that differ only in such projects behave the
        # same, so they are merged: a city-wide count shrinks several times over.
        self.view_ceiling: Fraction | None = None
        self.types: list[tuple[int, tuple[tuple[int, int], ...]]] = []
        self.supporters: list[list[tuple[int, int]]] = [[] for _ in range(m)]
        self.in_view = [False] * m
        self.initial_tables: list[dict[int, int]] = []

    def _prepare_view(self, share: Fraction) -> None:
        data = self.data
        m = len(data.project_ids)
        ceiling = share * Fraction(5, 4) + 1
        in_view = [self.support_count[j] * ceiling >= data.costs[j] for j in range(m)]
        grouped: dict[tuple[tuple[int, int], ...], int] = {}
        for mult, items in data.types:
            key = tuple(item for item in items if in_view[item[0]])
            if key:
                grouped[key] = grouped.get(key, 0) + mult
        self.types = [(mult, key) for key, mult in grouped.items()]
        self.supporters = [[] for _ in range(m)]
        for t, (_, items) in enumerate(self.types):
            for j, lvl in items:
                self.supporters[j].append((t, lvl))
        self.in_view = in_view
        self.view_ceiling = ceiling
        # everybody starts in class 0: the supporters' table of a project is its level counts
        self.initial_tables = []
        for j in range(m):
            table: dict[int, int] = {}
            for t, lvl in self.supporters[j]:
                table[lvl] = table.get(lvl, 0) + self.types[t][0]
            self.initial_tables.append(table)

    # ------------------------------------------------------------------ one run
    def run(self, share: Num, *, track: bool, details: bool, context: str = "MES") -> MesRun[Num]:
        data = self.data
        exact_share = _exact(share)
        if self.view_ceiling is None or exact_share > self.view_ceiling:
            self._prepare_view(exact_share)
        n_lv = self.n_levels
        m = len(data.project_ids)
        zero = share - share
        one = zero + 1
        costs = self.costs
        util = self.util
        types = self.types
        cost_utility = data.cost_utility
        cost_float = self.cost_float
        exact_mode = self.exact
        # classes: 0 = everybody at the start, 1 = voters with nothing left
        beta: list[Num] = [share, zero]
        slope: list[Num] = [one, zero]
        beta_f: list[float] = [float(share), 0.0]  # correctly rounded shadows of beta
        type_cls = [0] * len(types)
        tables: list[dict[int, int]] = [dict(t) for t in self.initial_tables]
        remaining = [
            self.in_view[j] and self.support_count[j] * exact_share >= data.costs[j]
            for j in range(m)
        ]
        alive = {j for j in range(m) if remaining[j]}
        dirty = [True] * m
        rho_val: list[Num] = [zero] * m
        rho_slope: list[Num] = [zero] * m
        # float(rho): correctly rounded, so float(a) < float(b) implies a < b; only equal floats
        # need the exact comparison. Used to sort and to screen comparisons cheaply.
        rho_f: list[float] = [0.0] * m
        bp: list[Num | None] = [None]  # the smallest flip point found so far

        def guard(diff: Num, dslope: Num) -> None:
            """The run relied on the sign of ``diff``; note where it would change."""
            if diff == 0:
                if dslope != 0:
                    bp[0] = share
                return
            if (diff > 0 and dslope < 0) or (diff < 0 and dslope > 0):
                at = share + (-diff / dslope)
                current = bp[0]
                if current is None or at < current:
                    bp[0] = at

        def compute(j: int) -> bool:
            """Compute rho for project j; False if its supporters cannot pay for it."""
            table = tables[j]
            cost = costs[j]
            if cost_utility and not track and (exact_mode or not details):
                return compute_fast(j, table, cost)
            uj = util[j]
            money = zero
            mslope = zero
            entries = []
            for key, cnt in table.items():
                c = key // n_lv
                lvl = key - c * n_lv
                b_c = beta[c]
                if b_c == 0 and slope[c] == 0:
                    continue
                u = uj[lvl]
                money += cnt * b_c
                mslope += cnt * slope[c]
                entries.append((b_c if cost_utility else b_c / u, c, lvl, cnt, u))
            if track:
                guard(money - cost, mslope)
            if details and cost > 0:
                result_gap[0] = min(result_gap[0], abs(float((money - cost) / cost)))
            if money < cost:
                return False
            entries.sort(key=lambda e: e[0])
            rest = cost
            rest_slope = zero
            total_u = zero
            for e in entries:
                total_u += e[3] * e[4]
            i = 0
            n = len(entries)
            while i < n:
                _, c, lvl, cnt, u = entries[i]
                if beta[c] < rest / total_u * u:
                    rest -= cnt * beta[c]
                    rest_slope -= cnt * slope[c]
                    total_u -= cnt * u
                    i += 1
                else:
                    break
            rho = rest / total_u
            rslope = rest_slope / total_u
            rho_val[j] = rho
            rho_slope[j] = rslope
            rho_f[j] = float(rho)
            # No guard on who is "poor" here: as a function of the share, rho is convex
            # while the budgets are affine, so (rho, rslope) is a tangent and a lower bound.
            # Only the winner's split matters for the state; it is guarded when it is bought.
            return True

        def compute_fast(j: int, table: dict[int, int], cost: Num) -> bool:
            """Cost utilities: every supporter would pay the same amount q (rho = q / cost).

            The split into supporters who pay q and those who give all they have left is found
            with floats, then checked exactly; exact arithmetic is used for the sums that decide.
            """
            cost_f = cost_float[j]
            money_f = 0.0
            entries = []
            for c, cnt in table.items():
                bf = beta_f[c]
                if bf == 0.0 and c == 1:
                    continue
                money_f += cnt * bf
                entries.append((bf, c, cnt))
            if details:
                # The closest call so far: only a gap that may be the new smallest one is
                # computed exactly (the float estimate is off by far less than the margin).
                gap_f = abs(money_f - cost_f) / cost_f
                if gap_f - 1e-8 * (money_f / cost_f + 1) <= result_gap[0]:
                    money_x = _weighted_sum([(cnt, beta[c]) for _, c, cnt in entries])
                    result_gap[0] = min(result_gap[0], abs(float((money_x - cost) / cost)))
            # a sum of positive terms: relative error far below 1e-9
            if money_f < cost_f * (1 - 1e-9):
                return False
            if money_f <= cost_f * (1 + 1e-9):
                money = zero
                for _, c, cnt in entries:
                    money += cnt * beta[c]
                if money < cost:
                    return False
            entries.sort()
            n_pay = 0
            for e in entries:
                n_pay += e[2]
            rest_f = cost_f
            i = 0
            n = len(entries)
            while i < n:
                bf, _, cnt = entries[i]
                if bf * n_pay < rest_f:
                    rest_f -= cnt * bf
                    n_pay -= cnt
                    i += 1
                else:
                    break
            # exact: q from the poor entries, then check the split on both sides
            rest = cost
            if exact_mode:
                rest -= _weighted_sum([(cnt, beta[c]) for _, c, cnt in entries[:i]])
            else:
                for _, c, cnt in entries[:i]:
                    rest -= cnt * beta[c]
            n_pay = 0
            for e in entries[i:]:
                n_pay += e[2]
            if n_pay == 0:
                return compute_exact_cost(j, entries, cost)
            q = rest / n_pay
            if i > 0:
                high = entries[i - 1][0]
                k = i - 1
                while k >= 0 and entries[k][0] == high:
                    if not beta[entries[k][1]] < q:
                        return compute_exact_cost(j, entries, cost)
                    k -= 1
            if i < n:
                # the smallest budget among payers (ties in float order checked exactly)
                low = entries[i][0]
                k = i
                while k < n and entries[k][0] == low:
                    if beta[entries[k][1]] < q:
                        return compute_exact_cost(j, entries, cost)
                    k += 1
            rho = q / cost
            rho_val[j] = rho
            rho_f[j] = float(rho)
            return True

        def compute_exact_cost(j: int, entries: list[tuple[float, int, int]], cost: Num) -> bool:
            """The exact scan for cost utilities (used when the float split is not confirmed)."""
            exact = sorted(((beta[c], cnt) for _, c, cnt in entries), key=lambda e: e[0])
            n_pay = sum(cnt for _, cnt in exact)
            rest = cost
            for b_c, cnt in exact:
                if b_c * n_pay < rest:
                    rest -= cnt * b_c
                    n_pay -= cnt
                else:
                    break
            if n_pay == 0:
                return False
            rho = rest / n_pay / cost
            rho_val[j] = rho
            rho_f[j] = float(rho)
            return True

        out_of_reach = [j for j in range(m) if not remaining[j]]
        if track:
            # projects out of reach from the start stay so until support * share = cost
            for j in out_of_reach:
                guard(self.support_count[j] * share - costs[j], zero + self.support_count[j])
        winners: list[int] = []
        rounds: list[MesRound[Num]] = []
        number = 0
        result_gap: list[float] = [float("inf")]
        while alive:
            number += 1
            best: list[int] = []
            best_val: Num | None = None
            evaluated: list[int] = []
            best_f = 0.0
            for j in sorted(alive, key=rho_f.__getitem__):
                if best_val is not None and (
                    rho_f[j] > best_f or (rho_f[j] == best_f and rho_val[j] > best_val)
                ):
                    # Either exact and worse, or (dirty) a lower bound that is already worse:
                    # rho never goes down during a run.
                    if track:
                        guard(rho_val[j] - best_val, rho_slope[j] - rho_slope[best[0]])
                    continue
                if dirty[j]:
                    dirty[j] = False
                    if not compute(j):
                        alive.discard(j)
                        remaining[j] = False
                        continue
                evaluated.append(j)
                v = rho_val[j]
                vf = rho_f[j]
                if best_val is None or vf < best_f or (vf == best_f and v < best_val):
                    best_val = v
                    best_f = vf
                    best = [j]
                elif vf == best_f and v == best_val:
                    best.append(j)
            if not best or best_val is None:
                break
            if details and best_val > 0:
                others = [rho_val[j] for j in alive if j not in best]
                if others:
                    gap = float((min(others) - best_val) / best_val)
                    result_gap[0] = min(result_gap[0], gap)
            if track:
                ref = best[0]
                for j in evaluated:
                    if j not in best:
                        guard(rho_val[j] - best_val, rho_slope[j] - rho_slope[ref])
                for j in best[1:]:
                    guard(rho_val[j] - best_val, rho_slope[j] - rho_slope[ref])
            if len(best) > 1:
                ids = data.project_ids
                order = self.ties.order(
                    [ids[j] for j in best],
                    context=f"{context}, round {number}: equal price per unit of utility",
                    record=details,
                )
                w = data.project_ids.index(order[0])
            else:
                w = best[0]
            rho = rho_val[w]
            rslope = rho_slope[w]
            winners.append(w)
            alive.discard(w)
            remaining[w] = False
            # pay: every (class, level) bucket of supporters of w moves to a new class
            moved: dict[int, int] = {}
            payments: list[Payment] = []
            uw = util[w]
            dues: dict[int, tuple[Num, float]] = {}
            for key, cnt in tables[w].items():
                c = key // n_lv
                lvl = key - c * n_lv
                if c == 1:
                    continue
                u = uw[lvl]
                due_pair = dues.get(lvl)
                if due_pair is None:
                    due_pair = dues[lvl] = (rho * u, float(rho * u))
                due, due_f = due_pair
                b_c = beta[c]
                if track:
                    guard(b_c - due, slope[c] - rslope * u)
                # beta_f is beta correctly rounded: only equal floats need the exact comparison
                bf = beta_f[c]
                if bf < due_f or (bf == due_f and b_c < due):
                    moved[key] = 1
                    if details:
                        payments.append(Payment(cnt, self.data.levels[lvl], _exact(b_c), True))
                    continue
                nb = b_c - due
                ns = slope[c] - rslope * u if rslope else slope[c]
                if nb == 0 and ns == 0:
                    moved[key] = 1
                else:
                    beta.append(nb)
                    beta_f.append(float(nb))
                    slope.append(ns)
                    moved[key] = len(beta) - 1
                if details:
                    payments.append(Payment(cnt, self.data.levels[lvl], _exact(due), nb == 0))
            tables[w] = {}
            for t, lvl_w in self.supporters[w]:
                old = type_cls[t]
                new = moved.get(old * n_lv + lvl_w)
                if new is None or new == old:
                    continue
                type_cls[t] = new
                mult, items = types[t]
                for p, lvl_p in items:
                    if not remaining[p]:
                        continue
                    table = tables[p]
                    ko = old * n_lv + lvl_p
                    left = table[ko] - mult
                    if left:
                        table[ko] = left
                    else:
                        del table[ko]
                    kn = new * n_lv + lvl_p
                    table[kn] = table.get(kn, 0) + mult
                    dirty[p] = True
            if details:
                tied = [j for j in best if j != w]
                rounds.append(MesRound(number, w, rho, payments, tied))
        result = MesRun(share=share, winners=winners, rounds=rounds, breakpoint=bp[0])
        result.out_of_reach = set(out_of_reach)
        result.min_gap = result_gap[0]
        if details:
            for j in range(m):
                if j in winners:
                    continue
                money = zero
                if j in result.out_of_reach:
                    money = share * self.support_count[j]
                elif exact_mode:
                    money = _weighted_sum(
                        [(types[t][0], beta[type_cls[t]]) for t, _ in self.supporters[j]]
                    )  # type: ignore[assignment]
                else:
                    for t, _ in self.supporters[j]:
                        money += types[t][0] * beta[type_cls[t]]
                result.supporters_money[j] = money
                result.supporters_count[j] = self.support_count[j]
        return result


def _weighted_sum(terms: Sequence[tuple[int, Fraction | float]]) -> Fraction:
    """The exact sum of ``count * value`` (values are Fractions): whole numbers over one
    common denominator instead of one Fraction addition per term."""
    by_den: dict[int, int] = {}
    for cnt, value in terms:
        assert isinstance(value, Fraction)
        den = value.denominator
        by_den[den] = by_den.get(den, 0) + cnt * value.numerator
    if not by_den:
        return Fraction(0)
    common = math.lcm(*by_den)
    return Fraction(sum(num * (common // den) for den, num in by_den.items()), common)


def _exact(value: Fraction | float) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


@dataclass
class Add1Step:
    share: Fraction | float
    cost: Fraction
    exhaustive: bool


@dataclass
class Add1Result(Generic[Num]):
    run: MesRun[Num]
    steps_evaluated: list[Add1Step]
    steps_skipped: int
    stop_reason: str


def add1(
    engine: MesEngine[Num],
    *,
    start: Num,
    increment: Num,
    budget: Fraction,
    is_exhaustive: Callable[[Sequence[int]], bool],
    stop_when_exhaustive: bool,
) -> Add1Result[Num]:
    """Add1 completion: raise each voter's share by ``increment`` while the outcome fits.

    Stops at the first exhaustive outcome (if asked) or when the next step would overspend, in
    which case the outcome of the last step that fitted is kept. Steps between two breakpoints
    give the same outcome and are skipped.
    """
    costs = engine.data.costs
    k = 0
    previous: MesRun[Num] | None = None
    evaluated: list[Add1Step] = []
    skipped = 0
    # Tracking breakpoints costs time; it is used while it pays (skips steps) and otherwise
    # tried again after a growing pause. Untracked steps simply go to the next step.
    pause = 0
    wait = 0
    while True:
        share = start + increment * k
        track = wait == 0
        run = engine.run(share, track=track, details=False, context=f"MES (share {share})")
        cost = sum((costs[j] for j in run.winners), Fraction(0))
        exhaustive = is_exhaustive(run.winners)
        evaluated.append(Add1Step(share, cost, exhaustive))
        if cost > budget:
            if previous is None:
                return Add1Result(run, evaluated, skipped, "first-step-overspends")
            return Add1Result(previous, evaluated, skipped, "next-step-overspends")
        if stop_when_exhaustive and exhaustive:
            return Add1Result(run, evaluated, skipped, "exhaustive")
        previous = run
        if not track:
            wait -= 1
            k += 1
            continue
        if run.breakpoint is None:
            return Add1Result(run, evaluated, skipped, "outcome-final")
        # the first step at or beyond the breakpoint
        steps_to_bp = (run.breakpoint - start) / increment
        nxt = int(steps_to_bp)
        if nxt < steps_to_bp:
            nxt += 1
        if isinstance(steps_to_bp, float):
            nxt = max(nxt - 1, k + 1)  # float mode: one step of margin against rounding
        nxt = max(nxt, k + 1)
        if nxt > k + 1:
            pause = 0
        else:
            pause = min(2 * pause + 1, 8)
            wait = pause
        skipped += nxt - k - 1
        k = nxt
