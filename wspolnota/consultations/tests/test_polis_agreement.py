"""Agreement of our groups with the groups Polis published, conversation by conversation.

Each conversation in the Polis data folder is computed once from the latest vote of each pair
(what ``manage.py opinionmap FOLDER`` does) and compared with the ``group-id`` column of
``participants-votes.csv`` by the adjusted Rand index (ARI), over the people Polis grouped.

Polis published the state its live, incremental computation had reached, which a computation
from the votes alone cannot always reach (docs/opinionmap.md). The floors are what this
computation reaches (``benchmarks/opinionmap_bench.py`` prints the same, next to red-dwarf
0.4.0, a plain re-implementation of the same maths run on the same votes); the median must stay
at or above red-dwarf's.
"""

from __future__ import annotations

import statistics

import pytest

from wspolnota.consultations.opinionmap import polis_io
from wspolnota.consultations.opinionmap.pipeline import adjusted_rand_index, compute
from wspolnota.tests_support.data import polis_conversations, polis_dir

POLIS = polis_dir()
CONVERSATIONS = polis_conversations()

# Measured: 0.941, 0.827, 0.178, 0.890, 0.233, 0.150 (median 0.530); each floor 0.01 below.
FLOORS = {
    "15-per-hour-seattle": 0.93,
    "brexit-consensus": 0.81,
    "london.youth.policing": 0.16,
    "scoop-hivemind.biodiversity": 0.88,
    "scoop-hivemind.freshwater": 0.22,
    "scoop-hivemind.ubi": 0.14,
}
# red-dwarf 0.4.0 with its defaults on the same votes: 0.459, 0.586, 0.122, 0.936, 0.048, 0.150
REDDWARF_MEDIAN = 0.305


def published_agreement(name: str) -> float:
    conversation = polis_io.read_folder(POLIS / name)
    result = compute(conversation.latest_votes())
    published = conversation.published_groups
    return adjusted_rand_index(
        list(published.values()), [result.groups.get(p, -1) for p in published]
    )


@pytest.mark.skipif(not CONVERSATIONS, reason="Polis open data not present")
def test_groups_agree_with_the_groups_polis_published_at_least_as_well_as_red_dwarf():
    scores = {name: published_agreement(name) for name in CONVERSATIONS}
    for name, score in scores.items():
        print(f"ARI {name}: {score:.3f}")
    assert set(scores) == set(FLOORS)
    for name, score in scores.items():
        assert score >= FLOORS[name], f"{name}: ARI {score:.3f} fell below {FLOORS[name]}"
    assert statistics.median(scores.values()) >= REDDWARF_MEDIAN
