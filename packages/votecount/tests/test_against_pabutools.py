"""Same winners as pabutools (the academic reference) for MES with cost utilities, Add1 and
utilitarian completion.

pabutools' variant: the share starts at budget/voters exactly, grows by 1, stops at the first
exhaustive outcome (or keeps the last outcome that fitted), then greedy by votes fills what is
left. votecount is run with the same options (``add1_start="exact"``, stop when exhaustive) and
the same tie-breaking (lowest cost, most votes, then project id). Ballots of every type are read
as approval ballots (a project listed on a ballot is approved).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from votecount import Instance, TiePolicy, count, read_pb
from votecount_testdata import (
    FULL_COLLECTION_MISSING,
    find_pabulib_file,
    full_pabulib_dir,
    pabulib_dir,
    slow_enabled,
)

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
)
from pabutools.election import Instance as PInstance  # noqa: E402
from pabutools.election import Project as PProject  # noqa: E402
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule  # noqa: E402

SMALL_AND_MEDIUM = [
    "Netherlands_Assen_2024.pb",
    "Netherlands_Amsterdam_643.pb",
    "Poland_Zabrze_2021_Maciejow.pb",
    "Poland_Warszawa_2018_Pole_Mokotowskie.pb",
    "Poland_Warszawa_2019_Marysin_Wawerski_Poludniowy.pb",
    "Poland_Gdansk_2020_Rudniki.pb",
    "Poland_Czestochowa_2020_Grabowka.pb",
    "Switzerland_Zurich_S5.pb",
    "Switzerland_Zurich_SN.pb",
    "Switzerland_Zurich_D5.pb",
    "Switzerland_Zurich_S5R.pb",
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2019_vote_approvals.pb",
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_knapsacks.pb",
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_rankings.pb",
    "Poland_Krakow_2018_Grzegorzki.pb",
    "Poland_Krakow_2019_Bienczyce.pb",
]
#: Larger files: run only with VOTECOUNT_SLOW=1 (pabutools needs minutes on them).
LARGE = [
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Krakow_2023_Nowa_Huta.pb",
    "Poland_Warszawa_2021_Mokotow.pb",
]


def _pabutools_outcome(inst: Instance) -> list[str]:
    projects = {pid: PProject(pid, Fraction(p.cost)) for pid, p in inst.projects.items()}
    p_inst = PInstance(projects.values(), budget_limit=Fraction(inst.budget))
    profile = ApprovalProfile(
        [ApprovalBallot([projects[p] for p in b.projects]) for b in inst.ballots],
        instance=p_inst,
    )
    tie = TieBreakingRule(lambda _i, prof, p: (p.cost, -prof.approval_score(p), p.name))
    result = completion_by_rule_combination(
        p_inst,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [
            {"sat_class": Cost_Sat, "voter_budget_increment": 1, "tie_breaking": tie},
            {"sat_class": Cost_Sat, "tie_breaking": tie},
        ],
    )
    return sorted(p.name for p in result)


def _check(name: str) -> None:
    path = find_pabulib_file(name)
    if path is None:
        pytest.skip(f"{name}: {FULL_COLLECTION_MISSING}")
    inst = read_pb(path)
    ours = count(
        inst,
        rule="mes",
        utility="cost",
        completion="add1-utilitarian",
        add1_start="exact",
        add1_stop_when_exhaustive=True,
        ties=TiePolicy.parse("min-cost,max-votes,id-order"),
    )
    assert sorted(ours.selected) == _pabutools_outcome(inst)


@pytest.mark.parametrize("name", SMALL_AND_MEDIUM)
def test_mes_add1_utilitarian_matches_pabutools(name: str) -> None:
    _check(name)


@pytest.mark.slow
@pytest.mark.skipif(not slow_enabled(), reason="city-scale pabutools run; set VOTECOUNT_SLOW=1")
@pytest.mark.parametrize("name", LARGE)
def test_mes_add1_utilitarian_matches_pabutools_on_larger_files(name: str) -> None:
    _check(name)


def test_the_listed_files_exist() -> None:
    """The small and medium files are shipped; the larger ones at least in the full collection."""
    assert not [n for n in SMALL_AND_MEDIUM if not (pabulib_dir() / n).exists()]
    if full_pabulib_dir() is None:
        pytest.skip(f"the larger files were not looked for: {FULL_COLLECTION_MISSING}")
    assert not [n for n in LARGE if find_pabulib_file(n) is None]
