"""Exact MES with cost utilities, fast enough to recount a whole city at every Add1 step.

Add1 runs the Method of Equal Shares once per share ``b``, ``b + 1``, ``b + 2``, … (Kraków 2024:
158 runs over 65,101 voters). :class:`CostMes` gives the winners of one such run, exactly as
:class:`votecount.mes.MesEngine` would, but much faster:

* **Classes.** With cost utilities a voter's money left is ``max(0, b - sum of what they paid)``
  and they pay the same amount ``q`` as every other supporter of a project who can afford it. So
  every voter who supports the same set ``S`` of the projects bought so far has the same money
  left: they form one *class*. A project's supporters are kept as counts per class (its *table*).
* **Tables are shared by all runs.** A project's table depends only on which of the projects
  its supporters also voted for have been bought, not on the share or the order of purchase. The
  tables are built on demand and kept for the later runs, which mostly buy the same projects.
* **Lazy prices.** ``rho`` (the price per unit of utility) of a project never goes down during a
  run, so a heap ordered by the last known ``rho`` gives the next winner after recomputing only
  the projects whose supporters paid something since and that could still beat it.
* **Floats, with a proof.** Money is handled in floating point together with a rigorous bound on
  the rounding error of every class's money. A project is declared the winner only if its price is
  certainly lower than every other price, and the split of its supporters into those who pay the
  common amount and those who give all they have left is accepted only if every class is certainly
  on its side. Otherwise (an exact tie, or two prices closer than about 10^-12) :meth:`winners`
  returns ``None`` and the caller counts that share with the exact rational engine. So the result
  is always the exact one.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import compress, repeat
from operator import ge, itemgetter, lt, mul
from typing import Any

from votecount.mes import (
    Add1Result,
    Add1Step,
    MesEngine,
    MesInput,
    MesRound,
    MesRun,
    Payment,
    _weighted_sum,
)

#: Twice the unit roundoff of IEEE doubles: one float operation is off by at most this much,
#: relatively. The bounds below use it with further slack.
_U = 2.0**-52

#: Tables with at most this many classes are scanned from the richest class down (see
#: _compute_small); larger ones are searched around the last payment found with them.
_SMALL = 256

#: Drop the cached tables when they hold more class entries than this (memory bound).
_CACHE_LIMIT = 3_000_000


#: chooses among projects with exactly equal prices: (project indices, round number) -> winner
TieBreak = Callable[[list[int], int], int]


class _UncertainError(Exception):
    """Floats cannot settle a comparison: the caller falls back to exact arithmetic."""


class _Table:
    """A project's supporters at one set of bought projects: a count per class."""

    __slots__ = ("child", "cntf", "cnts", "guess", "ids", "masks", "money")

    def __init__(self, masks: tuple[int, ...], cnts: tuple[int, ...], ids: tuple[int, ...]) -> None:
        self.masks = masks
        self.cnts = cnts
        #: the same counts as floats (multiplying floats by floats is faster)
        self.cntf = tuple(map(float, cnts))
        self.ids = ids
        #: the money of each class, read from a list of everybody's money (fast, in C)
        self.money: Callable[[list[float]], tuple[float, ...]] = (
            itemgetter(*ids) if len(ids) > 1 else _single(ids[0])
        )
        #: the last payment computed from this table (any run): where to look for the split
        self.guess = 0.0
        #: class ids after this project is bought (filled in when it is)
        self.child: tuple[int, ...] | None = None


def _single(i: int) -> Callable[[list[float]], tuple[float, ...]]:
    def money(everybody: list[float]) -> tuple[float, ...]:
        return (everybody[i],)

    return money


class CostMes:
    """MES with cost utilities for one election, for any number of shares."""

    def __init__(self, data: MesInput) -> None:
        if not data.cost_utility:
            raise ValueError("CostMes handles cost utilities only")
        self.data = data
        m = len(data.project_ids)
        self.m = m
        self.costs = data.costs
        self.cost_f = [float(c) for c in data.costs]
        support = [0] * m
        for mult, items in data.types:
            for j, _ in items:
                support[j] += mult
        self.support = support
        #: the share at which each project's supporters can first pay for it (cost / support),
        #: in floats, to pick the affordable projects at the start of a run without fractions
        self.min_share_f = [
            float(data.costs[j] / support[j]) if support[j] else float("inf") for j in range(m)
        ]
        #: costs as whole numbers of 1/scale units, for exact sums of costs without fractions
        self.scale = math.lcm(*(c.denominator for c in data.costs)) if m else 1
        self.cost_units = [c.numerator * (self.scale // c.denominator) for c in data.costs]
        self.ceiling: Fraction | None = None
        self.in_view: list[int] = []
        self.type_masks: list[list[int]] = [[] for _ in range(m)]
        self.type_mults: list[list[int]] = [[] for _ in range(m)]
        #: per project, each supporter's ballot as a mask (built when first needed)
        self.voter_masks: list[list[int] | None] = [None] * m
        self.nbr_mask: list[int] = [0] * m
        self.cache: list[dict[int, _Table]] = [{} for _ in range(m)]
        self.cached_entries = 0
        #: class ids: the mask of the bought projects its voters support -> id
        self.reg: dict[int, int] = {0: 0}
        self.class_mask: list[int] = [0]
        #: each class's money left in the current run (floats, see _Run.delta)
        self.bud: list[float] = [0.0]

    # ------------------------------------------------------------------ structure
    def _prepare(self, share: Fraction) -> None:
        """Ballots restricted to the projects affordable at shares up to a ceiling.

        A project whose supporters together cannot pay for it even if each gave a whole share
        can never be bought, and ballots that differ only in such projects behave the same.
        """
        data = self.data
        m = self.m
        ceiling = share * 2 + 1
        view = [self.support[j] * ceiling >= data.costs[j] for j in range(m)]
        grouped: dict[int, int] = {}
        for mult, items in data.types:
            mask = 0
            for j, _ in items:
                if view[j]:
                    mask |= 1 << j
            if mask:
                grouped[mask] = grouped.get(mask, 0) + mult
        type_masks: list[list[int]] = [[] for _ in range(m)]
        type_mults: list[list[int]] = [[] for _ in range(m)]
        nbr_mask = [0] * m
        for mask, mult in grouped.items():
            rest = mask
            while rest:
                low = rest & -rest
                j = low.bit_length() - 1
                rest ^= low
                type_masks[j].append(mask)
                type_mults[j].append(mult)
                nbr_mask[j] |= mask
        for j in range(m):
            nbr_mask[j] &= ~(1 << j)
        self.nbr_mask = nbr_mask
        self.type_masks = type_masks
        self.type_mults = type_mults
        self.voter_masks = [None] * m
        self.in_view = [j for j in range(m) if view[j]]
        self.ceiling = ceiling
        self._clear_cache()

    def _clear_cache(self) -> None:
        self.cache = [{} for _ in range(self.m)]
        self.cached_entries = 0
        self.reg = {0: 0}
        self.class_mask = [0]
        self.bud = [0.0]

    def _ids(self, masks: Sequence[int]) -> tuple[int, ...]:
        """The class ids of these masks, registering the new ones."""
        reg = self.reg
        ids = tuple(map(reg.get, masks))
        if None not in ids:
            return ids  # type: ignore[return-value]
        # the new masks, each once and in the order met, get the next ids
        new = [mask for mask in dict.fromkeys(masks) if mask not in reg]
        first = len(self.bud)
        reg.update(zip(new, range(first, first + len(new)), strict=True))
        self.class_mask.extend(new)
        self.bud.extend(repeat(0.0, len(new)))
        return tuple(map(reg.__getitem__, masks))

    def _table(self, p: int, bought: int) -> _Table:
        """The table of project ``p`` once the projects in the mask ``bought`` are bought."""
        key = bought & self.nbr_mask[p]
        table = self.cache[p].get(key)
        if table is not None:
            return table
        # every supporter's class: the projects bought among those on their ballot
        type_masks = self.type_masks[p]
        if self.support[p] < 3 * len(type_masks):
            voters = self.voter_masks[p]
            if voters is None:
                voters = self.voter_masks[p] = [
                    mask
                    for mask, mult in zip(type_masks, self.type_mults[p], strict=True)
                    for _ in range(mult)
                ]
            counts = Counter(map(key.__and__, voters))  # counted in C
        else:
            counts = Counter()
            get = counts.get
            for cls, mult in zip(map(key.__and__, type_masks), self.type_mults[p], strict=True):
                counts[cls] = get(cls, 0) + mult
        masks = tuple(counts)
        table = _Table(masks, tuple(counts.values()), self._ids(masks))
        if self.cached_entries + len(masks) > _CACHE_LIMIT:
            # Keep memory bounded: the class ids stay valid, only the tables are rebuilt.
            self.cache = [{} for _ in range(self.m)]
            self.cached_entries = 0
        self.cache[p][key] = table
        self.cached_entries += len(masks)
        return table

    # ------------------------------------------------------------------ one run
    def winners(self, share: Fraction, tie_break: TieBreak) -> list[int]:
        """The projects MES buys at per-voter share ``share``, in the order bought.

        ``tie_break(projects, round)`` chooses among projects with exactly the same price.
        """
        if self.ceiling is None or share > self.ceiling:
            self._prepare(share)
        return _Run(self, share, tie_break).run()

    def details(self, share: Fraction, tie_break: TieBreak) -> MesRun[Fraction]:
        """One run at ``share`` with everything the explanations need, in exact numbers.

        The same as ``MesEngine.run(share, details=True)``: each round's exact price and what
        every group of supporters paid (voters with nothing left are not listed), the projects
        tied with each winner, what the supporters of every other project had left at the end,
        and the closest call (the smallest relative gap between a winner's price and the next
        price, or between a project's cost and its supporters' money).
        """
        if self.ceiling is None or share > self.ceiling:
            self._prepare(share)
        run = _Run(self, share, tie_break)
        run.details = True
        costs = self.costs
        support = self.support
        # every project affordable at the start is compared with its supporters' money once
        for p in self.in_view:
            if support[p] * share >= costs[p]:
                run.min_gap = min(run.min_gap, float((support[p] * share - costs[p]) / costs[p]))
        winners = run.run()
        money = run._exact_money
        one = Fraction(1)
        rounds: list[MesRound[Fraction]] = []
        for r, w in enumerate(winners):
            q = run._exact_q(r)
            table = run.round_table[r]
            payments: list[Payment] = []
            for i, cnt in zip(table.ids, table.cnts, strict=True):
                b = money(i)
                if not b:
                    continue
                if b < q:
                    payments.append(Payment(cnt, one, b, True))
                else:
                    payments.append(Payment(cnt, one, q, b == q))
            rounds.append(MesRound(r + 1, w, q / costs[w], payments, run.round_tied[r]))
        result: MesRun[Fraction] = MesRun(
            share=share, winners=winners, rounds=rounds, breakpoint=None
        )
        chosen = set(winners)
        in_view = set(self.in_view)
        result.out_of_reach = {
            j for j in range(self.m) if not (j in in_view and support[j] * share >= costs[j])
        }
        for j in range(self.m):
            if j in chosen:
                continue
            if j in result.out_of_reach:
                left = share * support[j]
            else:
                table = self._table(j, run.bought)
                left = _weighted_sum(
                    [(cnt, money(i)) for i, cnt in zip(table.ids, table.cnts, strict=True)]
                )
            result.supporters_money[j] = left
            result.supporters_count[j] = support[j]
        result.min_gap = run.min_gap
        return result

    def _compute(
        self, p: int, table: _Table, money: tuple[float, ...], delta: float
    ) -> tuple[float, float] | None:
        """The payment ``q`` of project ``p``'s supporters, in floats, with an error bound.

        ``money`` is the money of each class of the table. Every class's float money is within
        ``delta`` of the exact amount (and exactly right when it is zero). Returns ``(q, err)``
        with ``|q - exact q| <= err``, or ``None`` if the supporters certainly cannot pay for
        the project. Raises :class:`_UncertainError` if floats cannot tell.
        """
        cnts = table.cnts
        c = self.cost_f[p]
        n = self.support[p]
        if len(cnts) <= _SMALL:
            return _compute_small(money, table, c, n, delta)
        # q solves: q = (c - money of those who give all) / number of the others, where those
        # who give all are the classes with less than q. Iterating that formula reaches the
        # solution from any start: from above, the first step lands at or below it; from below
        # it climbs to it. Start from the last solution found with this table (any run).
        q = table.guess
        if q:
            top = q * 1.001
        else:
            q = c / n
            top = q * 1.0625
        # Only classes with less money than ``top`` are looked at: every q tried must stay
        # below it, so that the others certainly pay q.
        steps = 0
        while True:
            below = [m < top for m in money]
            cand = list(compress(money, below))
            cand_cnt = list(compress(cnts, below))
            # voters with nothing left give nothing (their zero is exact)
            live = list(compress(cand, cand))
            live_cnt = list(compress(cand_cnt, cand))
            n_live = n - sum(cand_cnt) + sum(live_cnt)
            n_all = -1
            while q < top:
                steps += 1
                if steps > 100:
                    raise _UncertainError
                gives_all = [m < q for m in live]
                n_now = sum(compress(live_cnt, gives_all))
                if n_now in (n_all, n_live):
                    n_all = n_now
                    break
                n_all = n_now
                paid = sum(map(mul, compress(live, gives_all), compress(live_cnt, gives_all)))
                q = (c - paid) / (n_live - n_all)
            if q >= top:
                top = q * 1.0625
                continue
            # Error bound of a sum of the money of classes: ``delta`` for each voter with some
            # money left, and the rounding of the len(live) + 2 operations, each off by at most
            # _U * c / 2 (all the partial sums stay below c).
            rounding = (len(live) + 2) * _U * c
            if n_all == n_live:
                # Everybody would give all they have: do they have enough at all?
                total = sum(map(mul, live, live_cnt))
                slack = n_live * delta + rounding
                if total < c - slack:
                    return None
                if total < c + slack:
                    raise _UncertainError
                q = c / n  # enough: climb from below instead
                continue
            capped = list(compress(live, gives_all))
            npay = n_live - n_all
            q = (c - sum(map(mul, capped, compress(live_cnt, gives_all)))) / npay
            err = (n_all * delta + rounding) / npay * 1.0001 + _U * q
            margin = delta + err
            if q + margin >= top:
                top = (q + margin) * 1.0625
                continue
            break
        # The split is the exact one if every class is certainly on its side of q.
        if q <= margin:
            raise _UncertainError
        if capped and max(capped) >= q - margin:
            raise _UncertainError
        if npay > n - sum(cand_cnt) and min(compress(live, map(ge, live, repeat(q)))) < q + margin:
            raise _UncertainError
        table.guess = q * 1.0001
        return q, err


def _compute_small(
    money: tuple[float, ...], table: _Table, c: float, n: int, delta: float
) -> tuple[float, float] | None:
    """:meth:`CostMes._compute` for a table with few classes (the hottest path of Add1).

    Everybody pays at least ``c / n`` (those who give all they have pay less, so the others pay
    more), so only the classes with that much can be among those who pay the common amount
    ``q``. They are scanned from the richest down: with the first of them paying ``q`` and
    everybody else giving all they have, ``q = (c - (total - money of those first)) / their
    voters``, and the scan stops at the first class that cannot pay that. Most classes usually
    give all (or have nothing left), so this stops early. The split found is then proven: every
    class must be certainly on its side of ``q``.
    """
    cnts = table.cnts
    size = len(cnts)
    total = sum(map(mul, money, table.cntf))
    # Floats against exact sums of the same float amounts: the ``size`` products and sums
    # behind ``total``, as many behind the payers' money, and three more operations are each
    # off by at most half of _U times the largest amount involved (twice that, for slack).
    rounding = (2 * size + 4) * _U * (total if total > c else c)
    if total < c:
        # Each voter's float money is within delta of the exact amount.
        if c - total > n * delta + rounding:
            return None  # the supporters certainly cannot pay for it
        raise _UncertainError
    least = c / n
    order = [j for j in range(size) if money[j] >= least]
    order.sort(key=money.__getitem__, reverse=True)
    short = c - total  # <= 0: the payers' money makes up for it
    npay = 0
    top = 0.0
    split = 0
    for j in order:
        m = money[j]
        if npay and m * npay < short + top:
            break
        k = cnts[j]
        npay += k
        top += m * k
        split += 1
    if not npay:
        raise _UncertainError  # (in floats the total is enough but nobody has c / n)
    q = (short + top) / npay
    # The money of those who give all is off by delta each (counted for every voter who does
    # not pay q, whether they have something or not); the payers' errors cancel out.
    err = ((n - npay) * delta + rounding) / npay * 1.0001 + _U * q
    margin = delta + err
    if q <= margin or money[order[split - 1]] < q + margin:
        raise _UncertainError
    if split < len(order):
        if money[order[split]] >= q - margin:
            raise _UncertainError
    elif npay < n and least >= q - margin and max(m for m in money if m < least) >= q - margin:
        raise _UncertainError  # (the richest of those below c / n may not be below q)
    return q, err


class _Run:
    """The state of one MES run (one share)."""

    def __init__(self, mes: CostMes, share: Fraction, tie_break: TieBreak) -> None:
        self.mes = mes
        self.share = share
        self.tie_break = tie_break
        self.s = float(share)
        m = mes.m
        #: bound on |float money - exact money| of every class written so far in this run
        self.delta = _U * self.s
        #: the projects whose price may be out of date, as a bit mask (all at the start)
        self.dirty = (1 << m) - 1
        self.rec_lo = [0.0] * m
        self.rec_hi = [0.0] * m
        self.rec_q = [0.0] * m
        self.rec_e = [0.0] * m
        self.rec_table: list[_Table | None] = [None] * m
        #: the exact payment, when it had to be computed exactly
        self.rec_exact: list[Fraction | None] = [None] * m
        self.rec_money: list[tuple[float, ...]] = [()] * m
        self.heap: list[tuple[float, int]] = []
        self.bought = 0
        # what each round did, for exact money on demand
        self.round_of: dict[int, int] = {}
        self.round_w: list[int] = []
        self.round_table: list[_Table] = []
        self.round_bs: list[tuple[float, ...]] = []
        self.round_q: list[float] = []
        self.round_exact: list[Fraction | None] = []
        self.exact_money: dict[int, Fraction] = {0: share}
        #: (details only) the projects tied with each round's winner, and the closest call
        self.details = False
        self.round_tied: list[list[int]] = []
        self.last_tied: list[int] = []
        self.min_gap = float("inf")

    def run(self) -> list[int]:
        mes = self.mes
        share = self.share
        support = mes.support
        costs = mes.costs
        mes.bud[0] = self.s
        heap = self.heap
        s = self.s
        low, high = s * (1 - 1e-9), s * (1 + 1e-9)
        min_share_f = mes.min_share_f
        for p in mes.in_view:
            # affordable at the start: support * share >= cost (exactly, when floats are close)
            f = min_share_f[p]
            if f <= low or (f <= high and support[p] * share >= costs[p]):
                # before anybody pays, rho = 1 / supporters: a lower bound for the heap
                heap.append(((1.0 - 4 * _U) / support[p], p))
        heapq.heapify(heap)
        dirty = self.dirty
        nbr_mask = mes.nbr_mask
        rec_hi = self.rec_hi
        heappop = heapq.heappop
        evaluate = self._evaluate
        winners: list[int] = []
        while heap:
            # the cheapest project whose price is up to date
            while heap and dirty >> heap[0][1] & 1:
                p = heappop(heap)[1]
                dirty ^= 1 << p
                evaluate(p)
            if not heap:
                break
            w = heappop(heap)[1]
            hi = rec_hi[w]
            # every other project must certainly be dearer: refresh those that might not be
            close: list[int] = []
            while heap and heap[0][0] <= hi:
                p = heappop(heap)[1]
                if dirty >> p & 1:
                    dirty ^= 1 << p
                    evaluate(p)
                else:
                    close.append(p)
            self.last_tied = []
            if close:
                w = self._settle_exactly(w, close, len(winners) + 1)
            if self.details:
                self._note_round_gap(w)
            winners.append(w)
            self._buy(w)
            # the projects that share a supporter with w: their price may have gone up
            dirty |= nbr_mask[w]
        return winners

    def _note_round_gap(self, w: int) -> None:
        """How close the next cheapest project (ties apart) came to the winner's price."""
        mes = self.mes
        tied = self.last_tied
        self.round_tied.append([p for p in tied if p != w])
        exact = self.rec_exact[w]
        rho = float(exact / mes.costs[w]) if exact is not None else self.rec_q[w] / mes.cost_f[w]
        others = [lo for lo, p in self.heap if p not in tied]
        if others and rho > 0:
            # the others' prices are lower bounds: the gap is never overstated
            self.min_gap = min(self.min_gap, max(0.0, (min(others) - rho) / rho))

    def _note_money_gap(self, p: int, table: _Table, money: tuple[float, ...]) -> None:
        """How close project p's supporters' money is to its cost."""
        c = self.mes.cost_f[p]
        total = sum(map(mul, money, table.cnts))
        self.min_gap = min(self.min_gap, abs(total - c) / c)

    def _evaluate(self, p: int) -> None:
        """Recompute project p's price at the current state and put it back in the heap."""
        mes = self.mes
        table = mes._table(p, self.bought)
        c = mes.cost_f[p]
        money = table.money(mes.bud)
        if self.details:
            self._note_money_gap(p, table, money)
        try:
            result = mes._compute(p, table, money, self.delta)
        except _UncertainError:
            exact = self._exact_payment(p, table)
            self.rec_table[p] = table
            self.rec_exact[p] = exact
            if exact is None:
                return
            rho = float(exact / mes.costs[p])
            self._push(p, rho * (1 - 4 * _U), rho * (1 + 4 * _U))
            return
        if result is None:
            return
        q, err = result
        self.rec_q[p] = q
        self.rec_e[p] = err
        self.rec_table[p] = table
        # (still the money of its supporters when it is bought: whatever changes that marks
        # the project dirty, and it is evaluated again before it can be bought)
        self.rec_money[p] = money
        self.rec_exact[p] = None
        self._push(p, (q - err) / c * (1 - 4 * _U), (q + err) / c * (1 + 4 * _U))

    def _push(self, p: int, lo: float, hi: float) -> None:
        self.rec_lo[p] = lo
        self.rec_hi[p] = hi
        heapq.heappush(self.heap, (lo, p))

    def _settle_exactly(self, w: int, close: list[int], number: int) -> int:
        """Floats cannot tell which of ``w`` and ``close`` is cheapest: compare exact prices."""
        mes = self.mes
        contenders = [w, *close]
        rho: dict[int, Fraction] = {}
        for p in contenders:
            exact = self.rec_exact[p]
            if exact is None:
                table = self.rec_table[p]
                assert table is not None
                exact = self._exact_payment(p, table)
                assert exact is not None  # floats already showed it is affordable
                self.rec_exact[p] = exact
            rho[p] = exact / mes.costs[p]
        low = min(rho.values())
        best = [p for p in contenders if rho[p] == low]
        winner = best[0] if len(best) == 1 else self.tie_break(best, number)
        self.last_tied = best
        for p in contenders:
            if p != winner:
                f = float(rho[p])
                self._push(p, f * (1 - 4 * _U), f * (1 + 4 * _U))
        return winner

    def _buy(self, w: int) -> None:
        """Every class of w's supporters pays q or all it has left."""
        mes = self.mes
        bud = mes.bud
        table = self.rec_table[w]
        assert table is not None
        bit = 1 << w
        child = table.child
        if child is None:
            child = table.child = mes._ids([mask | bit for mask in table.masks])
        exact = self.rec_exact[w]
        self.round_of[w] = len(self.round_w)
        self.round_w.append(w)
        self.round_table.append(table)
        self.round_exact.append(exact)
        if exact is None:
            q = self.rec_q[w]
            bs = self.rec_money[w]
            self.round_bs.append(bs)
            self.round_q.append(q)
            # those who give all they have are left with exactly nothing
            for j, have in zip(child, bs, strict=True):
                bud[j] = have - q if have >= q else 0.0
            # the others' money is off by q's error and the rounding of the subtraction more
            self.delta += self.rec_e[w] + _U * self.s
        else:
            self.round_bs.append(())
            self.round_q.append(float(exact))
            exact_money = self.exact_money
            money = self._exact_money
            for i, j in zip(table.ids, child, strict=True):
                b = money(i)
                left = b - exact if b > exact else Fraction(0)
                exact_money[j] = left
                # (a positive amount must not round to zero: zero means exactly nothing left)
                bud[j] = float(left) or (5e-324 if left else 0.0)
        self.bought |= bit

    # ---------------------------------------------------------------- exact, on demand
    def _exact_q(self, r: int) -> Fraction:
        """The exact payment of round r's winner."""
        exact = self.round_exact[r]
        if exact is None:
            w = self.round_w[r]
            table = self.round_table[r]
            q = self.round_q[r]
            bs = self.round_bs[r]
            paid = Fraction(0)
            n_all = 0
            money = self._exact_money
            # the classes that gave all they had (certified when the round was counted)
            for i, cnt, b in compress(
                zip(table.ids, table.cnts, bs, strict=True), map(lt, bs, repeat(q))
            ):
                n_all += cnt
                if b:
                    paid += cnt * money(i)
            exact = (self.mes.costs[w] - paid) / (self.mes.support[w] - n_all)
            self.round_exact[r] = exact
        return exact

    def _exact_money(self, cls: int) -> Fraction:
        """What each voter of a class has left, exactly: the share minus what they paid."""
        value = self.exact_money.get(cls)
        if value is None:
            if self.mes.bud[cls] == 0.0:
                value = Fraction(0)  # exactly nothing left (certified)
            else:
                value = self.share
                rest = self.mes.class_mask[cls]
                while rest:
                    low = rest & -rest
                    rest ^= low
                    value -= self._exact_q(self.round_of[low.bit_length() - 1])
            self.exact_money[cls] = value
        return value

    def _exact_payment(self, p: int, table: _Table) -> Fraction | None:
        """Project p's payment per supporter, exactly; None if its supporters cannot pay."""
        money = self._exact_money
        entries = sorted((money(i), cnt) for i, cnt in zip(table.ids, table.cnts, strict=True))
        rest = self.mes.costs[p]
        npay = self.mes.support[p]
        for b, cnt in entries:
            if b * npay < rest:
                rest -= b * cnt
                npay -= cnt
            else:
                break
        if npay == 0:
            return None
        return rest / npay


def add1_exact_cost(
    fast: CostMes,
    engine: MesEngine[Any],
    *,
    start: Fraction,
    increment: Fraction,
    budget: Fraction,
    is_exhaustive: Callable[[Sequence[int]], bool],
    stop_when_exhaustive: bool,
) -> Add1Result[Any]:
    """Add1 completion with exact arithmetic and cost utilities, every step counted.

    The same stop rules as :func:`votecount.mes.add1`: stop at the first exhaustive outcome (if
    asked) or when the next step would overspend, keeping the outcome of the last step that fitted.
    ``engine`` provides the election and the tie-breaking (the same as the engine's).
    """
    ids = engine.data.project_ids
    units = fast.cost_units
    scale = fast.scale
    # cost > budget  <=>  units * budget.denominator > budget.numerator * scale
    budget_den = budget.denominator
    budget_units = budget.numerator * scale
    k = 0
    previous: MesRun[Fraction] | None = None
    evaluated: list[Add1Step] = []
    while True:
        share = start + increment * k

        def tie_break(tied: list[int], number: int, share: Fraction = share) -> int:
            order = engine.ties.order(
                [ids[j] for j in tied],
                context=f"MES (share {share}), round {number}: equal price per unit of utility",
                record=False,
            )
            return ids.index(order[0])

        winners = fast.winners(share, tie_break)
        run: MesRun[Fraction] = MesRun(share=share, winners=winners, rounds=[], breakpoint=None)
        cost_units = sum(units[j] for j in winners)
        exhaustive = is_exhaustive(winners)
        evaluated.append(Add1Step(share, Fraction(cost_units, scale), exhaustive))
        if cost_units * budget_den > budget_units:
            if previous is None:
                return Add1Result(run, evaluated, 0, "first-step-overspends")
            return Add1Result(previous, evaluated, 0, "next-step-overspends")
        if stop_when_exhaustive and exhaustive:
            return Add1Result(run, evaluated, 0, "exhaustive")
        previous = run
        k += 1
