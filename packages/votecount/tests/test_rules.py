"""The rules on small elections whose outcome is worked out by hand."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from votecount import (
    Ballot,
    CountOptions,
    Instance,
    Project,
    RuleError,
    TieError,
    TiePolicy,
    count,
)


def approval(budget: int, costs: dict[str, int], ballots: list[list[str]], **meta: str) -> Instance:
    return Instance.build(
        budget=budget,
        projects=[Project(p, Decimal(c), f"Project {p}") for p, c in costs.items()],
        ballots=[Ballot.of(f"v{i}", b) for i, b in enumerate(ballots)],
        meta=meta,
        rule=meta.pop("rule", None),
    )


def krakow_style() -> Instance:
    # 3-2-1 points; a: 3+3+2 = 8, b: 2+2+3 = 7, c: 1+1+1 = 3, d: no votes (and does not fit)
    return Instance.build(
        budget=Decimal("100"),
        projects=[
            Project("a", Decimal(60)),
            Project("b", Decimal(50)),
            Project("c", Decimal(30)),
            Project("d", Decimal(20)),
        ],
        ballots=[
            Ballot.of("1", ["a", "b", "c"]),
            Ballot.of("2", ["a", "b", "c"]),
            Ballot.of("3", ["b", "a", "c"]),
        ],
        vote_type="ordinal",
        rule="greedy",
        meta={"min_length": "3", "max_length": "3"},
    )


def test_greedy_by_points_skips_what_does_not_fit_and_explains_it() -> None:
    out = count(krakow_style())
    assert out.selected == ("a", "c")  # b (50) does not fit after a (60); c (30) does
    assert out.total_cost == Decimal(90)
    assert out.options.measure == "score"
    b = out.explanations["b"]
    assert not b.selected
    assert b.reason == "does-not-fit"
    assert b.data["budget_left_when_reached"] == "40"
    assert "40 PLN" not in b.en  # no currency in META
    assert "40" in b.en
    assert "50" in b.en
    assert "40" in b.pl
    assert out.explanations["a"].data["score"] == "8"


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit() -> None:
    out = count(krakow_style(), rule="greedy-no-skip")
    assert out.selected == ("a",)
    assert out.explanations["c"].reason == "after-stop"
    assert out.explanations["c"].data["stopped_at"] == "b"


def test_greedy_threshold_leaves_out_projects_below_the_threshold() -> None:
    out = count(krakow_style(), rule="greedy-threshold", threshold=Decimal(4))
    assert out.selected == ("a",)
    assert out.explanations["c"].reason == "below-threshold"
    with pytest.raises(RuleError, match="threshold"):
        count(krakow_style(), rule="greedy-threshold")


def test_greedy_by_votes_on_approval_ballots() -> None:
    inst = approval(10, {"x": 6, "y": 5, "z": 4}, [["x"], ["x", "y"], ["y", "z"], ["y"]])
    out = count(inst, rule="greedy")
    assert out.options.measure == "votes"
    assert out.selected == ("y", "z")  # y: 3 votes, x: 2 (does not fit after y), z: 1


def test_mes_on_a_hand_computed_example() -> None:
    # 4 voters, budget 120: each has 30. a (cost 60) is approved by v0..v2; b (cost 40) by v3
    # and v2; c (40) by v3 only. Round 1: a costs 20 each for 3 supporters (rho = 1/3 per
    # unit of cost); b would cost 20 each for 2 (rho = 1/2); c cannot be paid (30 < 40).
    # After a: v2 has 10 left, v3 30. b: v2 pays 10, v3 must pay 30: 40, affordable, bought.
    inst = approval(120, {"a": 60, "b": 40, "c": 40}, [["a"], ["a"], ["a", "b"], ["b", "c"]])
    out = count(inst, rule="mes", completion="none")
    assert out.selected == ("a", "b")
    exp_a = out.explanations["a"]
    assert exp_a.reason == "mes-bought"
    assert exp_a.data["round"] == 1
    assert exp_a.data["payments"] == [
        {"voters": 3, "utility": "1", "paid_each": "20", "paid_all_they_had": False}
    ]
    exp_b = out.explanations["b"]
    assert exp_b.data["round"] == 2
    paid = sorted((p["paid_each"], p["paid_all_they_had"]) for p in exp_b.data["payments"])  # type: ignore[union-attr]
    assert paid == [("10", True), ("30", True)]
    # c: its only supporter has 30 at the start, less than 40
    assert out.explanations["c"].reason == "mes-out-of-reach"
    assert out.explanations["c"].data["supporters_money_at_start"] == "30"


def test_mes_float_mode_gives_the_same_outcome_on_the_example() -> None:
    inst = approval(120, {"a": 60, "b": 40, "c": 40}, [["a"], ["a"], ["a", "b"], ["b", "c"]])
    assert count(inst, rule="mes", completion="none", exact=False).selected == ("a", "b")


def test_add1_raises_the_share_until_the_next_step_overspends() -> None:
    # budget 100, 4 voters (25 each): a=60 by 2 voters cannot be paid with 50; at 30 each it can.
    inst = approval(100, {"a": 60, "b": 30, "c": 45}, [["a"], ["a", "b"], ["b"], ["c"]])
    none = count(inst, rule="mes", completion="none")
    assert none.selected == ("b",)
    add1 = count(inst, rule="mes", completion="add1", add1_stop_when_exhaustive=False)
    assert set(add1.selected) == {"a", "b"}
    assert add1.total_cost <= inst.budget
    info = add1.details["add1"]
    assert isinstance(info, dict)
    assert info["stop_reason"] == "next-step-overspends"
    # with utilitarian completion nothing else fits (10 left, c costs 45)
    assert count(inst, rule="mes", completion="add1-utilitarian").total_cost <= 100


def test_utilitarian_completion_tops_up_by_votes() -> None:
    inst = approval(100, {"a": 70, "b": 30, "c": 20}, [["a"], ["a"], ["b"], ["c"], ["c"]])
    out = count(inst, rule="mes", completion="utilitarian")
    assert "c" in out.selected
    completion = [p for p, e in out.explanations.items() if e.reason == "completion-selected"]
    assert completion
    assert out.total_cost <= 100


def test_point_utilities_use_the_points_given() -> None:
    inst = Instance.build(
        budget=Decimal(90),
        projects=[Project("a", Decimal(60)), Project("b", Decimal(60))],
        ballots=[
            Ballot.of("1", ["a", "b"], [3, 1]),
            Ballot.of("2", ["b", "a"], [2, 2]),
            Ballot.of("3", ["a"], [1]),
        ],
        vote_type="cumulative",
        meta={"max_sum_points": "4"},
    )
    # a: utilities 3, 2, 1 (total 6) -> rho = 60/6 = 10; b: 1, 2 (total 3) -> rho = 20
    out = count(inst, rule="mes", utility="points", completion="none")
    assert out.selected == ("a",)
    assert out.explanations["a"].data["price_per_utility"] == "10"


def test_the_comparison_step_can_choose_greedy() -> None:
    # MES funds the two cheap projects of the minority; greedy funds the big one of the majority
    inst = approval(
        100,
        {"big": 100, "m1": 50, "m2": 50},
        [["big"]] * 3 + [["m1", "m2"]] * 2,
    )
    mes = count(inst, rule="mes", completion="none", comparison="none")
    cmp = count(inst, rule="mes", completion="none", comparison="satisfaction")
    details = cmp.details["comparison"]
    assert isinstance(details, dict)
    if details["result"] == "greedy":
        assert cmp.selected == ("big",)
        assert cmp.explanations["big"].reason == "comparison-greedy"
    else:
        assert cmp.selected == mes.selected
    assert details["voters_preferring_mes"] + details["voters_preferring_greedy"] <= 5  # type: ignore[operator]


def test_the_swiecie_eligibility_filter() -> None:
    # 10 voters, budget 300: a project needs votes/voters >= cost / (3 * 300) = cost/900
    inst = approval(300, {"cheap": 90, "dear": 270}, [["cheap"]] * 2 + [["dear"]] * 2 + [[]] * 6)
    out = count(inst, rule="mes", completion="add1-utilitarian", eligibility_divisor=3)
    assert out.explanations["dear"].reason == "ineligible"  # 2/10 < 270/900
    assert "dear" not in out.selected
    assert out.explanations["cheap"].reason != "ineligible"  # 2/10 >= 90/900


def test_ties_follow_the_policy_and_lots_are_recorded() -> None:
    inst = approval(10, {"x": 6, "y": 6}, [["x"], ["y"]])
    out = count(inst, rule="greedy", ties=TiePolicy.parse("min-cost,max-votes,lot", seed=7))
    assert len(out.ties) == 1
    tie = out.ties[0]
    assert tie.lot_drawn
    assert tie.seed == 7
    again = count(inst, rule="greedy", ties=TiePolicy.parse("lot", seed=7))
    assert again.selected == out.selected
    assert json.loads(out.to_json())["options"]["tie_seed"] == 7
    with pytest.raises(TieError) as err:
        count(inst, rule="greedy", ties=TiePolicy.parse("error"))
    assert set(err.value.projects) == {"x", "y"}
    by_id = count(inst, rule="greedy", ties=TiePolicy.parse("id-order"))
    assert by_id.selected == ("x",)


def test_a_tie_that_cannot_change_the_outcome_is_not_an_error() -> None:
    inst = approval(20, {"x": 6, "y": 6}, [["x"], ["y"]])
    out = count(inst, rule="greedy", ties=TiePolicy.parse("error"))
    assert set(out.selected) == {"x", "y"}
    assert out.ties == []


def test_mes_ties_use_the_policy() -> None:
    inst = approval(12, {"x": 6, "y": 4}, [["x"], ["x"], ["y"]])  # x: rho 1/2 ... y: 1
    inst2 = approval(8, {"x": 4, "y": 4}, [["x"], ["y"]])
    out = count(inst2, rule="mes", completion="none", ties=TiePolicy.parse("max-votes,id-order"))
    assert out.selected == ("x", "y")
    assert out.ties
    assert out.ties[0].order == ("x", "y")
    with pytest.raises(TieError):
        count(inst2, rule="mes", completion="none", ties=TiePolicy.parse("error"))
    assert count(inst, rule="mes", completion="none").selected[0] == "x"


def test_from_file_uses_the_rule_in_meta_and_refuses_unknown() -> None:
    inst = approval(10, {"x": 6, "y": 5}, [["x"], ["x"], ["y"]], rule="unknown")
    with pytest.raises(RuleError, match="unknown"):
        count(inst)
    assert count(inst, rule="greedy").selected == ("x",)


def test_the_json_output_lists_every_option_used() -> None:
    inst = approval(10, {"x": 6, "y": 5}, [["x"], ["x"], ["y"]])
    data = json.loads(count(inst, CountOptions(rule="mes")).to_json())
    assert data["selected"] == ["x"]
    assert data["total_cost"] == "6"
    assert data["options"]["completion"] == "add1-utilitarian"
    assert data["options"]["add1_start"] == "integral"
    assert data["options"]["add1_increment"] == "1"
    assert data["options"]["add1_stop_when_exhaustive"] is True
    assert data["options"]["arithmetic"] == "exact"
    assert data["votecount_version"]
    assert set(data["explanations"]) == {"x", "y"}
    assert data["explanations"]["y"]["pl"]


def test_exact_money_in_costs_and_budget() -> None:
    inst = Instance.build(
        budget=Decimal("0.30"),
        projects=[
            Project("a", Decimal("0.10")),
            Project("b", Decimal("0.20")),
            Project("c", Decimal("0.01")),
        ],
        ballots=[Ballot.of("1", ["a", "b", "c"])],
    )
    out = count(inst, rule="greedy", ties=TiePolicy.parse("id-order"))
    # 0.1 + 0.2 == 0.3 exactly: both fit, then c does not (with floats 0.1 + 0.2 > 0.3)
    assert set(out.selected) == {"a", "b"}
    assert out.total_cost == Decimal("0.30")
    assert Fraction(out.total_cost) == Fraction(3, 10)
