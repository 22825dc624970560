"""The official outcomes in the Pabulib data are reproduced.

Every file whose rule is in the greedy family or the Method of Equal Shares and that records the
official winners (a ``selected`` column) must give exactly those winners with ``--rule
from-file``. Files without that column are listed in NO_SELECTED_COLUMN with the reason; the test
checks that the list is right, so it cannot hide a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from votecount import count, read_pb
from votecount_testdata import all_pabulib_files, every_file_params, full_pabulib_dir

COUNTED_RULES = {
    "greedy",
    "greedy-threshold",
    "greedy-no-skip",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-comparison",
}

#: Files of a counted rule whose official winners are not in the file, with the reason.
NO_SELECTED_COLUMN_REASON = (
    "the file has no 'selected' column: Pabulib did not record the official winners"
)


def _official(path: Path) -> tuple[str | None, set[str] | None]:
    inst = read_pb(path)
    if "selected" not in inst.project_columns:
        return inst.rule, None
    return inst.rule, {p.id for p in inst.projects.values() if p.declared_selected == 1}


FILES = all_pabulib_files()


@pytest.mark.parametrize("path", every_file_params())
def test_the_official_selected_column_is_reproduced(path: Path) -> None:
    inst = read_pb(path)
    if inst.rule not in COUNTED_RULES:
        pytest.skip(f"rule '{inst.rule}' is not a counting rule (nothing official to reproduce)")
    outcome = count(inst)  # --rule from-file
    assert outcome.total_cost <= inst.budget
    if "selected" not in inst.project_columns:
        # Still counted (so the rule runs on it); nothing official to compare with.
        assert outcome.selected
        return
    official = {p.id for p in inst.projects.values() if p.declared_selected == 1}
    assert set(outcome.selected) == official, (
        f"{path.name}: extra {set(outcome.selected) - official}, "
        f"missing {official - set(outcome.selected)}"
    )


#: The files of a counted rule without official winners, besides Kraków 2018's.
OTHERS_WITHOUT_WINNERS = {
    "Netherlands_Amsterdam_643.pb",
    "Poland_Czestochowa_2020_Grabowka.pb",
    "Poland_Gdansk_2020_Rudniki.pb",
    "Poland_Zabrze_2021_Maciejow.pb",
}


def test_the_files_without_official_winners_are_the_known_ones() -> None:
    missing = set()
    for path in FILES:
        rule, official = _official(path)
        if rule in COUNTED_RULES and official is None:
            missing.add(path.name)
    names = {p.name for p in FILES}
    # Every Kraków 2018 file (city-wide and all 18 districts) and four small files from others.
    krakow_2018 = {n for n in names if n.startswith("Poland_Krakow_2018")}
    assert krakow_2018
    assert {n for n in missing if n.startswith("Poland_Krakow_2018")} == krakow_2018
    assert missing - krakow_2018 == OTHERS_WITHOUT_WINNERS
    if full_pabulib_dir() is not None:
        assert len(krakow_2018) == 19


def test_assen_needs_its_own_add1_setting() -> None:
    """The equalshares.net defaults (stop at the first exhaustive outcome, then top up by votes)
    do not give Assen's official outcome; the file's rule (Add1 until the next step overspends)
    does. This is why the stop rule is a per-election setting."""
    from votecount_testdata import pabulib_dir

    inst = read_pb(pabulib_dir() / "Netherlands_Assen_2024.pb")
    official = {p.id for p in inst.projects.values() if p.declared_selected == 1}
    defaults = count(inst, rule="mes", completion="add1-utilitarian")
    assert set(defaults.selected) != official
    from_file = count(inst)
    assert set(from_file.selected) == official
    assert from_file.options.add1_stop_when_exhaustive is False
    add1 = from_file.details["add1"]
    assert isinstance(add1, dict)
    assert add1["stop_reason"] == "next-step-overspends"
