"""``count()``: apply a rule to an election and explain the outcome."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter
from typing import Literal

from votecount import __version__
from votecount.errors import RuleError
from votecount.explain import (
    Explanation,
    exact_text,
    money_en,
    money_pl,
    number_text,
    ordinal_en,
    plural_pl,
)
from votecount.fastmes import CostMes, add1_exact_cost
from votecount.greedy import GreedyResult, run_greedy
from votecount.mes import (
    Add1Result,
    MesEngine,
    MesInput,
    MesRound,
    MesRun,
    Num,
    Payment,
    _weighted_sum,
    add1,
)
from votecount.model import Instance, VoteType
from votecount.ties import (
    DEFAULT_POLICY,
    Criterion,
    ProjectStats,
    TieBreaker,
    TiePolicy,
    TieRecord,
)

RuleName = Literal["from-file", "greedy", "greedy-threshold", "greedy-no-skip", "mes"]
RULES: tuple[str, ...] = ("from-file", "greedy", "greedy-threshold", "greedy-no-skip", "mes")
COMPLETIONS: tuple[str, ...] = ("none", "add1", "add1-utilitarian", "utilitarian")
COMPARISONS: tuple[str, ...] = ("none", "satisfaction", "exclusion-ratio")

#: How the ``rule`` values found in Pabulib files map to votecount rules and options.
FILE_RULES: dict[str, dict[str, object]] = {
    "greedy": {"rule": "greedy"},
    "greedy-threshold": {"rule": "greedy-threshold"},
    "greedy-no-skip": {"rule": "greedy-no-skip"},
    "equalshares": {"rule": "mes", "completion": "none"},
    "equalshares/add1": {
        "rule": "mes",
        "completion": "add1",
        "add1_stop_when_exhaustive": False,
    },
    "equalshares/add1-comparison": {
        "rule": "mes",
        "completion": "add1",
        "add1_stop_when_exhaustive": False,
        "comparison": "satisfaction",
    },
}


@dataclass(frozen=True)
class CountOptions:
    """Every choice a count depends on. ``None`` means "the rule's default".

    * ``measure``: greedy ranks by ``votes`` or ``score`` (points); default: votes for approval
      and choose-1 ballots, points otherwise.
    * ``threshold``: minimum score for ``greedy-threshold`` (default: META
      ``min_project_score_threshold``).
    * ``utility``: MES with ``cost`` utilities (a project is worth its cost to each supporter) or
      ``points`` utilities (worth the points the voter gave it).
    * ``completion``: ``none``, ``add1`` (raise the voters' shares step by step),
      ``add1-utilitarian`` (then top up by votes), ``utilitarian`` (top up only).
    * ``add1_start``: ``integral`` (the share rounded down to whole currency units) or ``exact``.
    * ``add1_increment``: step in currency units (default 1).
    * ``add1_stop_when_exhaustive``: stop at the first outcome to which no project can be added.
    * ``comparison``: compare MES with greedy by votes, by ``satisfaction`` (voters with more
      funded projects they approve) or ``exclusion-ratio`` (voters with at least one).
    * ``eligibility_divisor``: the Świecie pre-filter: a project is eligible for MES only if
      ``votes / voters >= cost / (divisor * budget)`` (Świecie used 3).
    * ``exact``: exact rational arithmetic (default) or floats.
    * ``ties``: the tie-breaking policy. Default: for greedy on ordinal ballots (Kraków) the most
      first places, then the lowest cost, the most votes and a lot; otherwise the lowest cost, the
      most votes and a lot (the equalshares.net recommendation).
    """

    rule: str = "from-file"
    measure: str | None = None
    threshold: Decimal | None = None
    utility: str | None = None
    completion: str | None = None
    add1_start: str | None = None
    add1_increment: Decimal | None = None
    add1_stop_when_exhaustive: bool | None = None
    comparison: str | None = None
    eligibility_divisor: int | None = None
    exact: bool = True
    ties: TiePolicy | None = None

    def resolved(self, instance: Instance) -> CountOptions:
        """Fill in every default, applying the file's rule for ``from-file``."""
        opts = self
        if opts.rule == "from-file":
            file_rule = instance.rule
            if file_rule is None or file_rule not in FILE_RULES:
                raise RuleError(
                    f"the file's rule is '{file_rule or 'missing'}'; choose one with --rule "
                    f"({', '.join(RULES[1:])})"
                )
            preset = dict(FILE_RULES[file_rule])
            given = {k: v for k, v in preset.items() if getattr(opts, k) is None or k == "rule"}
            opts = replace(opts, **given)  # type: ignore[arg-type]
        if opts.rule not in RULES[1:]:
            raise RuleError(f"unknown rule '{opts.rule}' (known: {', '.join(RULES)})")
        approval_like = instance.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_1)
        if opts.ties is None:
            if opts.rule.startswith("greedy") and instance.vote_type == VoteType.ORDINAL:
                opts = replace(opts, ties=TiePolicy((Criterion.MAX_FIRST_PLACES, *DEFAULT_POLICY)))
            else:
                opts = replace(opts, ties=TiePolicy())
        if opts.rule.startswith("greedy"):
            measure = opts.measure or ("votes" if approval_like else "score")
            if measure not in ("votes", "score"):
                raise RuleError(f"unknown greedy measure '{measure}' (votes or score)")
            threshold = opts.threshold
            if opts.rule == "greedy-threshold" and threshold is None:
                threshold = instance.meta_number("min_project_score_threshold")
                if threshold is None:
                    raise RuleError(
                        "greedy-threshold needs a threshold: min_project_score_threshold in "
                        "META, or --threshold"
                    )
            return replace(
                opts,
                measure=measure,
                threshold=threshold if opts.rule == "greedy-threshold" else None,
                utility=None,
                completion=None,
                add1_start=None,
                add1_increment=None,
                add1_stop_when_exhaustive=None,
                comparison=None,
            )
        utility = opts.utility or "cost"
        if utility not in ("cost", "points"):
            raise RuleError(f"unknown utility '{utility}' (cost or points)")
        completion = opts.completion or "add1-utilitarian"
        if completion not in COMPLETIONS:
            raise RuleError(f"unknown completion '{completion}' (known: {', '.join(COMPLETIONS)})")
        comparison = opts.comparison or "none"
        if comparison not in COMPARISONS:
            raise RuleError(f"unknown comparison '{comparison}' (known: {', '.join(COMPARISONS)})")
        uses_add1 = completion.startswith("add1")
        start = opts.add1_start or ("integral" if uses_add1 else None)
        if start not in (None, "integral", "exact"):
            raise RuleError(f"unknown Add1 start '{start}' (integral or exact)")
        increment = opts.add1_increment if opts.add1_increment is not None else Decimal(1)
        if increment <= 0:
            raise RuleError("the Add1 increment must be positive")
        stop = opts.add1_stop_when_exhaustive
        if stop is None:
            stop = True
        if opts.eligibility_divisor is not None and opts.eligibility_divisor <= 0:
            raise RuleError("the eligibility divisor must be a positive whole number")
        return replace(
            opts,
            measure=None,
            threshold=None,
            utility=utility,
            completion=completion,
            add1_start=start if uses_add1 else None,
            add1_increment=increment if uses_add1 else None,
            add1_stop_when_exhaustive=stop if uses_add1 else None,
            comparison=comparison,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "measure": self.measure,
            "threshold": None if self.threshold is None else format(self.threshold, "f"),
            "utility": self.utility,
            "completion": self.completion,
            "add1_start": self.add1_start,
            "add1_increment": None
            if self.add1_increment is None
            else format(self.add1_increment, "f"),
            "add1_stop_when_exhaustive": self.add1_stop_when_exhaustive,
            "comparison": self.comparison,
            "eligibility_divisor": self.eligibility_divisor,
            "arithmetic": "exact" if self.exact else "float",
            "tie_breaking": None if self.ties is None else self.ties.describe(),
            "tie_seed": None if self.ties is None else self.ties.seed,
        }


@dataclass
class Outcome:
    """The result of a count."""

    selected: tuple[str, ...]
    total_cost: Decimal
    budget: Decimal
    rule: str
    options: CountOptions
    explanations: dict[str, Explanation]
    ties: list[TieRecord]
    details: dict[str, object]
    currency: str = ""
    version: str = __version__

    def to_dict(self) -> dict[str, object]:
        options = self.options.to_json()
        lot_seed = next((t.seed for t in self.ties if t.lot_drawn), None)
        if lot_seed is not None:
            options["tie_seed"] = lot_seed
        return {
            "votecount_version": self.version,
            "rule": self.rule,
            "options": options,
            "budget": format(self.budget, "f"),
            "currency": self.currency,
            "selected": list(self.selected),
            "total_cost": format(self.total_cost, "f"),
            "ties": [t.to_json() for t in self.ties],
            "details": self.details,
            "explanations": {pid: e.to_json() for pid, e in self.explanations.items()},
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


# ---------------------------------------------------------------------- shared numbers
@dataclass
class _Tally:
    votes: dict[str, int]
    score: dict[str, Fraction]
    first_places: dict[str, int]
    cost: dict[str, Fraction]


def _tally(instance: Instance) -> _Tally:
    """Votes, points and first places of every project, counted from the ballots."""
    votes = dict.fromkeys(instance.projects, 0)
    first = dict.fromkeys(instance.projects, 0)
    vote_type = instance.vote_type
    by_points = vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_1)
    score: dict[str, Fraction]
    if not by_points:
        for ballot in instance.ballots:
            for pid in ballot.projects:
                votes[pid] += 1
        score = {p: Fraction(v) for p, v in votes.items()}
        first = dict(votes)
    elif vote_type == VoteType.ORDINAL:
        # count (project, place) pairs, then turn places into points once
        places: dict[tuple[str, int], int] = {}
        for ballot in instance.ballots:
            for place, pid in enumerate(ballot.projects):
                key = (pid, place)
                places[key] = places.get(key, 0) + 1
        top = instance.max_length()
        score = {p: Fraction(0) for p in instance.projects}
        for (pid, place), n in places.items():
            place_points = max(top - place, 0)
            if place_points > 0:
                votes[pid] += n
                score[pid] += place_points * n
                if place == 0:
                    first[pid] += n
    else:
        written: dict[tuple[str, Decimal], int] = {}
        best: Decimal | None
        for ballot in instance.ballots:
            if ballot.points is None:
                continue
            best = max(ballot.points) if ballot.points else None
            for pid, pts in zip(ballot.projects, ballot.points, strict=True):
                wkey = (pid, pts)
                written[wkey] = written.get(wkey, 0) + 1
                if pts == best and pts > 0:
                    first[pid] += 1
        score = {p: Fraction(0) for p in instance.projects}
        for (pid, dpts), n in written.items():
            if dpts > 0:
                votes[pid] += n
            score[pid] += Fraction(dpts) * n
    cost = {pid: Fraction(p.cost) for pid, p in instance.projects.items()}
    return _Tally(votes, score, first, cost)


# ---------------------------------------------------------------------- public entry point
def count(
    instance: Instance,
    options: CountOptions | None = None,
    **kwargs: object,
) -> Outcome:
    """Count an election.

    ``count(instance)`` applies the rule named in the file; ``count(instance, rule="mes",
    completion="add1")`` or ``count(instance, CountOptions(...))`` choose explicitly. Raises
    :class:`~votecount.errors.RuleError` for options that do not fit and
    :class:`~votecount.errors.TieError` for a decisive tie the policy cannot break.
    """
    base = options or CountOptions()
    if kwargs:
        if "ties" in kwargs and isinstance(kwargs["ties"], str):
            kwargs["ties"] = TiePolicy.parse(kwargs["ties"])
        base = replace(base, **kwargs)  # type: ignore[arg-type]
    opts = base.resolved(instance)
    tally = _tally(instance)
    assert opts.ties is not None
    ties = TieBreaker(
        opts.ties, ProjectStats(tally.cost, tally.votes, tally.score, tally.first_places)
    )
    currency = instance.meta.get("currency", "").strip()
    if opts.rule.startswith("greedy"):
        selected, explanations, details = _count_greedy(instance, opts, tally, ties, currency)
    else:
        selected, explanations, details = _count_mes(instance, opts, tally, ties, currency)
    total = sum((instance.projects[p].cost for p in selected), Decimal(0))
    return Outcome(
        selected=tuple(selected),
        total_cost=total,
        budget=instance.budget,
        rule=opts.rule,
        options=opts,
        explanations=explanations,
        ties=ties.records,
        details=details,
        currency=currency,
    )


# ---------------------------------------------------------------------- greedy
def _count_greedy(
    instance: Instance, opts: CountOptions, tally: _Tally, ties: TieBreaker, currency: str
) -> tuple[list[str], dict[str, Explanation], dict[str, object]]:
    measure = tally.votes if opts.measure == "votes" else tally.score
    measure_f = {p: Fraction(v) for p, v in measure.items()}
    budget = Fraction(instance.budget)
    threshold = None if opts.threshold is None else Fraction(opts.threshold)
    result = run_greedy(
        measure=measure_f,
        cost=tally.cost,
        budget=budget,
        ties=ties,
        threshold=threshold,
        skip=opts.rule != "greedy-no-skip",
        context=opts.rule,
    )
    explanations = _explain_greedy(result, opts, tally, currency, threshold)
    details: dict[str, object] = {
        "measure": opts.measure,
        "ranking": [
            {
                "project_id": s.project_id,
                "position": s.position,
                "value": exact_text(s.measure),
                "status": s.status,
            }
            for s in sorted(result.steps.values(), key=lambda s: s.position)
        ],
        "stopped_at": result.stopped_at,
        "budget_left": exact_text(
            budget - sum((tally.cost[p] for p in result.selected), Fraction(0))
        ),
    }
    return result.selected, explanations, details


def _measure_words(opts_measure: str | None, value: Fraction) -> tuple[str, str]:
    n = number_text(value)
    if opts_measure == "votes":
        count_int = int(value)
        return (
            f"{n} votes" if count_int != 1 else "1 vote",
            f"{n} {plural_pl(count_int, 'głos', 'głosy', 'głosów')}",
        )
    return f"{n} points" if value != 1 else "1 point", f"{n} pkt"


def _explain_greedy(
    result: GreedyResult,
    opts: CountOptions,
    tally: _Tally,
    currency: str,
    threshold: Fraction | None,
) -> dict[str, Explanation]:
    out: dict[str, Explanation] = {}
    for pid, step in result.steps.items():
        cost = tally.cost[pid]
        m_en, m_pl = _measure_words(opts.measure, step.measure)
        left_en, left_pl = (
            money_en(step.budget_left_before, currency),
            money_pl(step.budget_left_before, currency),
        )
        cost_en, cost_pl = money_en(cost, currency), money_pl(cost, currency)
        data: dict[str, object] = {
            "position": step.position,
            opts.measure or "score": exact_text(step.measure),
            "cost": exact_text(cost),
            "budget_left_when_reached": exact_text(step.budget_left_before),
        }
        pos = step.position
        if step.status == "selected":
            en = (
                f"Funded: with {m_en} it was {ordinal_en(pos)} in the ranking; when its turn "
                f"came {left_en} was left and it costs {cost_en}."
            )
            pl = (
                f"Wybrany: z wynikiem {m_pl} zajął {pos}. miejsce w rankingu; gdy przyszła "
                f"jego kolej, zostało {left_pl}, a kosztuje {cost_pl}."
            )
            reason = "selected"
        elif step.status == "does-not-fit":
            en = (
                f"Not funded: with {m_en} it was {ordinal_en(pos)} in the ranking, but when its "
                f"turn came only {left_en} was left and it costs {cost_en}."
            )
            pl = (
                f"Niewybrany: z wynikiem {m_pl} zajął {pos}. miejsce w rankingu, ale gdy "
                f"przyszła jego kolej, zostało tylko {left_pl}, a kosztuje {cost_pl}."
            )
            reason = "does-not-fit"
        elif step.status == "below-threshold":
            t_en, t_pl = _measure_words(opts.measure, threshold or Fraction(0))
            data["threshold"] = exact_text(threshold or Fraction(0))
            en = f"Not funded: it got {m_en}, fewer than the {t_en} a project needs to be eligible."
            pl = (
                f"Niewybrany: uzyskał {m_pl}, mniej niż wymagane {t_pl}, by projekt mógł "
                "zostać wybrany."
            )
            reason = "below-threshold"
        else:
            data["stopped_at"] = result.stopped_at
            en = (
                f"Not funded: it was {ordinal_en(pos)} in the ranking, but the count stops at the "
                f"first project that does not fit (project {result.stopped_at})."
            )
            pl = (
                f"Niewybrany: zajął {pos}. miejsce w rankingu, ale liczenie kończy się na "
                f"pierwszym projekcie, który się nie mieści (projekt {result.stopped_at})."
            )
            reason = "after-stop"
        out[pid] = Explanation(pid, step.status == "selected", reason, en, pl, data)
    return out


# ---------------------------------------------------------------------- MES
def _mes_input(
    instance: Instance, utility: str, eligible: set[str]
) -> tuple[MesInput, dict[str, int]]:
    """Group identical ballots into types, over the projects eligible for MES."""
    ids = [p for p in instance.projects if p in eligible]
    index = {p: i for i, p in enumerate(ids)}
    levels: list[Fraction] = []
    level_index: dict[Fraction, int] = {}
    type_count: dict[tuple[tuple[int, int], ...], int] = {}
    uses_points = utility == "points"
    if not uses_points:
        levels = [Fraction(1)]
    plain = instance.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_1, VoteType.ORDINAL)
    points_of = instance.points_reader()
    if not uses_points and plain:
        # every listed project is supported: group identical ballots first (counted in C),
        # then ballots with the same set of projects
        raw = Counter(map(attrgetter("projects"), instance.ballots))
        item_of = {p: (i, 0) for p, i in index.items()}
        for written, mult in raw.items():
            key = tuple(sorted({item_of[p] for p in written if p in item_of}))
            type_count[key] = type_count.get(key, 0) + mult
    else:
        for ballot in instance.ballots:
            points = points_of(ballot)
            items = []
            for p, pts in zip(ballot.projects, points, strict=True):
                if p not in index or pts <= 0:
                    continue
                if uses_points:
                    lvl = level_index.get(pts)
                    if lvl is None:
                        lvl = len(levels)
                        levels.append(pts)
                        level_index[pts] = lvl
                else:
                    lvl = 0
                items.append((index[p], lvl))
            key = tuple(sorted(items))
            type_count[key] = type_count.get(key, 0) + 1
    types = [(mult, key) for key, mult in type_count.items() if key]
    data = MesInput(
        n_voters=len(instance.ballots),
        project_ids=ids,
        costs=[Fraction(instance.projects[p].cost) for p in ids],
        levels=levels or [Fraction(1)],
        cost_utility=not uses_points,
        types=types,
    )
    return data, index


def _count_mes(
    instance: Instance, opts: CountOptions, tally: _Tally, ties: TieBreaker, currency: str
) -> tuple[list[str], dict[str, Explanation], dict[str, object]]:
    if opts.utility == "points" and instance.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_1):
        pass  # points are 1 per approval: the same as cardinality utilities
    budget = Fraction(instance.budget)
    n = len(instance.ballots)
    details: dict[str, object] = {"voters": n}
    explanations: dict[str, Explanation] = {}
    # 1. eligibility pre-filter (Świecie)
    ineligible: dict[str, tuple[int, Fraction]] = {}
    if opts.eligibility_divisor is not None and n > 0:
        d = opts.eligibility_divisor
        for pid in instance.projects:
            # votes / voters >= cost / (d * budget)  <=>  votes * d * budget >= cost * voters
            if tally.votes[pid] * d * budget < tally.cost[pid] * n:
                ineligible[pid] = (tally.votes[pid], tally.cost[pid] * n / (d * budget))
    supported = {p for p in instance.projects if tally.votes[p] > 0 and p not in ineligible}
    free = [p for p in instance.projects if p in supported and tally.cost[p] == 0]
    mes_projects = {p for p in supported if tally.cost[p] > 0}
    data, _ = _mes_input(instance, opts.utility or "cost", mes_projects)
    ids = data.project_ids

    selected: list[str] = list(free)
    run_details: MesRun[Fraction] | MesRun[float] | None = None
    add1_info: dict[str, object] | None = None
    if n > 0 and ids:
        if opts.exact:
            engine_e: MesEngine[Fraction] = MesEngine(data, Fraction, ties)
            run_details, add1_info = _run_mes(
                engine_e, Fraction, opts, budget, n, free, mes_projects, tally
            )
        else:
            engine_f: MesEngine[float] = MesEngine(data, float, ties)
            run_details, add1_info = _run_mes(
                engine_f, float, opts, budget, n, free, mes_projects, tally
            )
        selected += [ids[j] for j in run_details.winners]
        details["share_per_voter"] = exact_text(run_details.share)
        details["closest_call"] = (
            run_details.min_gap if run_details.min_gap != float("inf") else None
        )
        details["rounds"] = len(run_details.winners)
        if add1_info is not None:
            details["add1"] = add1_info
    # 2. utilitarian completion
    completion_result: GreedyResult | None = None
    if opts.completion in ("add1-utilitarian", "utilitarian"):
        measure = tally.votes if opts.utility == "cost" else tally.score
        completion_result = run_greedy(
            measure={p: Fraction(measure[p]) for p in supported},
            cost=tally.cost,
            budget=budget,
            ties=ties,
            preselected=selected,
            context="utilitarian completion",
        )
        selected = completion_result.selected
    # 3. comparison with greedy
    comparison_info: dict[str, object] | None = None
    greedy_result: GreedyResult | None = None
    if opts.comparison != "none":
        greedy_result = run_greedy(
            measure={p: Fraction(tally.votes[p]) for p in instance.projects},
            cost=tally.cost,
            budget=budget,
            ties=ties,
            context="comparison greedy",
        )
        prefer_mes, prefer_greedy = _compare(
            instance, selected, greedy_result.selected, opts.comparison or "none"
        )
        use_greedy = prefer_greedy > prefer_mes
        comparison_info = {
            "method": opts.comparison,
            "greedy_selected": greedy_result.selected,
            "voters_preferring_mes": prefer_mes,
            "voters_preferring_greedy": prefer_greedy,
            "result": "greedy" if use_greedy else "mes",
        }
        details["comparison"] = comparison_info
        if use_greedy:
            selected = list(greedy_result.selected)
    explanations = _explain_mes(
        instance,
        opts,
        tally,
        currency,
        selected,
        ids,
        free,
        ineligible,
        run_details,
        completion_result,
        greedy_result,
        comparison_info,
    )
    return selected, explanations, details


def _run_mes(
    engine: MesEngine[Num],
    conv: Callable[[Fraction], Num],
    opts: CountOptions,
    budget: Fraction,
    n: int,
    free: list[str],
    candidates: set[str],
    tally: _Tally,
) -> tuple[MesRun[Num], dict[str, object] | None]:
    """Run MES (with Add1 if asked) and return the final run with its details."""
    ids = engine.data.project_ids
    free_cost = sum((tally.cost[p] for p in free), Fraction(0))
    mes_budget = budget - free_cost
    everything_fits = sum((tally.cost[p] for p in candidates), Fraction(0)) <= mes_budget
    info: dict[str, object] | None = None
    if not (opts.completion or "none").startswith("add1") or everything_fits:
        run = engine.run(conv(mes_budget / n), track=False, details=True)
        if everything_fits and (opts.completion or "").startswith("add1"):
            info = {"skipped": "every supported project fits in the budget"}
        return run, info

    # Exhaustive: no project left out fits in what is left. Costs and budget are counted in
    # whole units of 1/scale (exact, and much faster than summing fractions at every step).
    scale = math.lcm(mes_budget.denominator, *(tally.cost[p].denominator for p in candidates))
    units = {p: int(tally.cost[p] * scale) for p in candidates}
    budget_units = int(mes_budget * scale)

    def is_exhaustive(winners: Sequence[int]) -> bool:
        chosen = {ids[j] for j in winners}
        left = budget_units - sum(units[p] for p in chosen)
        return all(p in chosen or units[p] > left for p in candidates)

    exact_share = mes_budget / n
    start_exact = Fraction(int(exact_share)) if opts.add1_start == "integral" else exact_share
    increment = Fraction(opts.add1_increment or Decimal(1))
    result: Add1Result[Num]
    final: MesRun[Num]
    if opts.exact and engine.data.cost_utility:
        # Exact arithmetic and cost utilities: every step, and the final count with its
        # details, are counted by the fast engine.
        fast = CostMes(engine.data)
        result = add1_exact_cost(
            fast,
            engine,
            start=start_exact,
            increment=increment,
            budget=mes_budget,
            is_exhaustive=is_exhaustive,
            stop_when_exhaustive=bool(opts.add1_stop_when_exhaustive),
        )

        def tie_break(tied: list[int], number: int) -> int:
            order = engine.ties.order(
                [ids[j] for j in tied],
                context=f"MES, round {number}: equal price per unit of utility",
            )
            return ids.index(order[0])

        final = fast.details(Fraction(result.run.share), tie_break)  # type: ignore[assignment]
    else:
        result = add1(
            engine,
            start=conv(start_exact),
            increment=conv(increment),
            budget=mes_budget,
            is_exhaustive=is_exhaustive,
            stop_when_exhaustive=bool(opts.add1_stop_when_exhaustive),
        )
        final = engine.run(result.run.share, track=False, details=True)
    info = {
        "start_share": exact_text(start_exact),
        "final_share": exact_text(final.share),
        "steps_evaluated": len(result.steps_evaluated),
        "steps_skipped": result.steps_skipped,
        "stop_reason": result.stop_reason,
    }
    return final, info


def _compare(instance: Instance, mes: list[str], greedy: list[str], method: str) -> tuple[int, int]:
    """Count the voters who prefer each outcome (approval reading of every ballot)."""
    mes_set, greedy_set = set(mes), set(greedy)
    prefer_mes = prefer_greedy = 0
    for ballot in instance.ballots:
        in_mes = sum(1 for p in ballot.projects if p in mes_set)
        in_greedy = sum(1 for p in ballot.projects if p in greedy_set)
        if method == "exclusion-ratio":
            if in_mes and not in_greedy:
                prefer_mes += 1
            elif in_greedy and not in_mes:
                prefer_greedy += 1
        elif in_mes > in_greedy:
            prefer_mes += 1
        elif in_greedy > in_mes:
            prefer_greedy += 1
    return prefer_mes, prefer_greedy


def _explain_mes(
    instance: Instance,
    opts: CountOptions,
    tally: _Tally,
    currency: str,
    selected: list[str],
    engine_ids: list[str],
    free: list[str],
    ineligible: Mapping[str, tuple[int, Fraction]],
    run: MesRun[Fraction] | MesRun[float] | None,
    completion: GreedyResult | None,
    greedy: GreedyResult | None,
    comparison: Mapping[str, object] | None,
) -> dict[str, Explanation]:
    out: dict[str, Explanation] = {}
    final = set(selected)
    bought: dict[str, MesRound[Fraction] | MesRound[float]] = {}
    money_left: dict[str, Fraction] = {}
    supporters: dict[str, int] = {}
    used_greedy = comparison is not None and comparison.get("result") == "greedy"
    out_of_reach: set[str] = set()
    share = Fraction(0)
    if run is not None:
        share = Fraction(run.share)
        out_of_reach = {engine_ids[j] for j in run.out_of_reach}
        for rnd in run.rounds:
            bought[engine_ids[rnd.project]] = rnd
        for j, money in run.supporters_money.items():
            money_left[engine_ids[j]] = Fraction(money)
            supporters[engine_ids[j]] = run.supporters_count[j]
    for pid in instance.projects:
        cost = tally.cost[pid]
        votes = tally.votes[pid]
        c_en, c_pl = money_en(cost, currency), money_pl(cost, currency)
        data: dict[str, object] = {"cost": exact_text(cost), "votes": votes}
        is_sel = pid in final
        if pid in ineligible:
            share_needed = ineligible[pid][1]
            data["votes_needed"] = exact_text(share_needed)
            en = (
                f"Not eligible: {votes} of {len(instance.ballots)} voters supported it; a project "
                f"of this cost needed at least {number_text(share_needed)} votes "
                f"(votes/voters at least cost/({opts.eligibility_divisor} × budget))."
            )
            pl = (
                f"Niedopuszczony: poparło go {votes} z {len(instance.ballots)} głosujących; "
                f"projekt o tym koszcie potrzebował co najmniej {number_text(share_needed)} "
                f"głosów (głosy/głosujący co najmniej koszt/({opts.eligibility_divisor} × "
                "budżet))."
            )
            reason = "ineligible"
        elif votes == 0:
            en, pl, reason = (
                "Not funded: nobody voted for it.",
                "Niewybrany: nikt na niego nie zagłosował.",
                "no-supporters",
            )
        elif pid in free:
            en, pl, reason = (
                "Funded: it costs nothing and has supporters.",
                "Wybrany: nic nie kosztuje i ma zwolenników.",
                "free",
            )
        elif pid in bought:
            rnd = bought[pid]
            en, pl, extra = _bought_sentences(rnd, currency, opts.utility or "cost")
            data.update(extra)
            data["round"] = rnd.number
            reason = "mes-bought"
        elif (
            completion is not None
            and pid in completion.steps
            and (completion.steps[pid].status == "selected")
        ):
            step = completion.steps[pid]
            left_en = money_en(step.budget_left_before, currency)
            left_pl = money_pl(step.budget_left_before, currency)
            data["budget_left_when_reached"] = exact_text(step.budget_left_before)
            en = (
                f"Funded in the completion step: the Method of Equal Shares could not fund it "
                f"(its supporters ran short), but afterwards {left_en} was left and, among the "
                f"projects still fitting, it had the most support ({votes} votes); it costs "
                f"{c_en}."
            )
            pl = (
                f"Wybrany w kroku uzupełniającym: metoda równych udziałów nie mogła go "
                f"sfinansować (jego zwolennikom zabrakło środków), ale potem zostało {left_pl} "
                f"i spośród projektów, które się jeszcze mieściły, miał największe poparcie "
                f"({votes} {plural_pl(votes, 'głos', 'głosy', 'głosów')}); kosztuje {c_pl}."
            )
            reason = "completion-selected"
        else:
            have = money_left.get(pid)
            n_sup = supporters.get(pid, votes)
            if pid in out_of_reach and have is not None:
                data["supporters_money_at_start"] = exact_text(have)
                data["share_per_voter"] = exact_text(share)
                data["supporters"] = n_sup
                en = (
                    f"Not funded: even if all its {n_sup} supporters gave their whole share "
                    f"({money_en(share, currency)} each), they would have only "
                    f"{money_en(have, currency)}, less than its cost of {c_en}."
                )
                pl = (
                    f"Niewybrany: nawet gdyby wszyscy jego zwolennicy ({n_sup}) oddali cały "
                    f"swój udział (po {money_pl(share, currency)}), mieliby tylko "
                    f"{money_pl(have, currency)}, mniej niż jego koszt {c_pl}."
                )
            elif have is not None:
                data["supporters_money_left"] = exact_text(have)
                data["supporters"] = n_sup
                en = (
                    f"Not funded: its {n_sup} supporters had only {money_en(have, currency)} "
                    f"left between them at the end of the Method of Equal Shares, less than its "
                    f"cost of {c_en}."
                )
                pl = (
                    f"Niewybrany: jego {n_sup} "
                    f"{plural_pl(n_sup, 'zwolennik miał', 'zwolenników miało', 'zwolenników miało')}"
                    f" na koniec metody równych udziałów łącznie tylko {money_pl(have, currency)}"
                    f", mniej niż jego koszt {c_pl}."
                )
            else:
                en = f"Not funded: its supporters could not pay its cost of {c_en}."
                pl = f"Niewybrany: jego zwolennicy nie mogli pokryć kosztu {c_pl}."
            if completion is not None and pid in completion.steps:
                step = completion.steps[pid]
                left_en = money_en(step.budget_left_before, currency)
                left_pl = money_pl(step.budget_left_before, currency)
                data["completion_budget_left"] = exact_text(step.budget_left_before)
                en += f" The completion step could not fit it either: only {left_en} was left."
                pl += f" W kroku uzupełniającym też się nie zmieścił: zostało tylko {left_pl}."
            reason = "mes-out-of-reach" if pid in out_of_reach else "mes-unaffordable"
        if used_greedy and greedy is not None:
            prefer_g = comparison.get("voters_preferring_greedy") if comparison else None
            prefer_m = comparison.get("voters_preferring_mes") if comparison else None
            note_en = (
                f" The final result is the greedy one: {prefer_g} voters preferred it and "
                f"{prefer_m} preferred the Method of Equal Shares."
            )
            note_pl = (
                f" Ostateczny wynik to wynik metody zachłannej: wolało go {prefer_g} "
                f"głosujących, a metodę równych udziałów {prefer_m}."
            )
            if is_sel:
                en = "Funded by the comparison step (greedy by votes)." + note_en
                pl = "Wybrany w kroku porównania (metoda zachłanna według głosów)." + note_pl
                reason = "comparison-greedy"
            else:
                en += note_en
                pl += note_pl
        out[pid] = Explanation(pid, is_sel, reason, en, pl, data)
    return out


def _merge_payments(payments: Sequence[Payment]) -> list[tuple[Fraction, Fraction, bool, int]]:
    """(utility, amount paid each, paid all they had, number of voters), in order."""
    # keyed by whole numbers: hashing a Fraction is slow
    merged: dict[tuple[int, int, int, int, bool], tuple[Payment, int]] = {}
    for p in payments:
        u, e = p.utility, p.paid_each
        key = (u.numerator, u.denominator, e.numerator, e.denominator, p.paid_all_they_had)
        seen = merged.get(key)
        merged[key] = (p, p.voters) if seen is None else (seen[0], seen[1] + p.voters)
    return [
        (first.utility, first.paid_each, first.paid_all_they_had, voters)
        for first, voters in merged.values()
    ]


def _bought_sentences(
    rnd: MesRound[Fraction] | MesRound[float], currency: str, utility: str
) -> tuple[str, str, dict[str, object]]:
    full = [p for p in rnd.payments if not p.paid_all_they_had]
    short = [p for p in rnd.payments if p.paid_all_they_had]
    n_full = sum(p.voters for p in full)
    n_short = sum(p.voters for p in short)
    total_short = _weighted_sum([(p.voters, p.paid_each) for p in short])
    data: dict[str, object] = {
        "supporters": n_full + n_short,
        "price_per_utility": exact_text(Fraction(rnd.rho)),
        # supporters who paid the same (most of them: the common amount) are one entry
        "payments": [
            {
                "voters": voters,
                "utility": exact_text(u),
                "paid_each": exact_text(paid_each),
                "paid_all_they_had": paid_all,
            }
            for u, paid_each, paid_all, voters in _merge_payments(rnd.payments)
        ],
    }
    if utility == "cost" or len({p.paid_each for p in full}) <= 1:
        each = full[0].paid_each if full else Fraction(0)
        en = (
            f"Funded in round {rnd.number} of the Method of Equal Shares: {n_full} of its "
            f"{n_full + n_short} supporters paid {money_en(each, currency)} each"
        )
        pl = (
            f"Wybrany w {rnd.number}. rundzie metody równych udziałów: {n_full} z "
            f"{n_full + n_short} zwolenników zapłaciło po {money_pl(each, currency)}"
        )
    else:
        parts_en = ", ".join(
            f"{p.voters} who gave it {number_text(p.utility)} points paid "
            f"{money_en(p.paid_each, currency)} each"
            for p in full
        )
        parts_pl = ", ".join(
            f"{p.voters} z {number_text(p.utility)} pkt zapłaciło po "
            f"{money_pl(p.paid_each, currency)}"
            for p in full
        )
        en = f"Funded in round {rnd.number} of the Method of Equal Shares: {parts_en}"
        pl = f"Wybrany w {rnd.number}. rundzie metody równych udziałów: {parts_pl}"
    if n_short:
        en += f", and {n_short} paid all they had left ({money_en(total_short, currency)} together)"
        who = plural_pl(
            n_short,
            "osoba oddała wszystko, co jej zostało",
            "osoby oddały wszystko, co im zostało",
            "osób oddało wszystko, co im zostało",
        )
        pl += f", a {n_short} {who} (razem {money_pl(total_short, currency)})"
    en += "."
    pl += "."
    return en, pl, data
