"""Agreement of our groups with the groups Polis published, conversation by conversation.

Every conversation in ``data/polis`` is replayed in time order in one-minute batches,
keeping the state between recomputations as Polis does (reloading it after a day without votes,
as a restarted Polis worker does, and counting who is in the conversation as Polis did on each
recomputation's date), and the final groups are compared with
the ``group-id`` column of ``participants-votes.csv`` by the adjusted Rand index (ARI).

The thresholds are what this implementation measurably reaches (see docs/opinionmap.md), not the
issue's target: the target median of 0.8 is NOT reached. Three conversations (London youth
policing, the 2017 HiveMinds on freshwater and on a universal basic income) stay far from the
published groups; docs/opinionmap.md explains why we think so. The floors below catch any change
that makes the agreement worse. The replays take a few minutes on a quiet machine.
"""

from __future__ import annotations

import statistics

import pytest

from wspolnota.consultations.opinionmap import polis_io
from wspolnota.consultations.opinionmap.pipeline import adjusted_rand_index, replay
from wspolnota.tests_support.data import polis_conversations, polis_dir

POLIS = polis_dir()
CONVERSATIONS = polis_conversations()

# Measured with the default one-minute batches (benchmarks/opinionmap_bench.py prints the same):
# 0.970, 0.845, 0.091, 0.966, 0.157, 0.167 (median 0.506); each floor is about 0.02 below.
FLOORS = {
    "15-per-hour-seattle": 0.95,
    "brexit-consensus": 0.82,
    "london.youth.policing": 0.07,
    "scoop-hivemind.biodiversity": 0.94,
    "scoop-hivemind.freshwater": 0.13,
    "scoop-hivemind.ubi": 0.14,
}
MEDIAN_REACHED = 0.50


def published_agreement(name: str) -> float:
    conversation = polis_io.read_folder(POLIS / name)
    _state, result, _log = replay(conversation.vote_tuples(), mod_out=conversation.moderated_out)
    published = conversation.published_groups
    return adjusted_rand_index(
        list(published.values()), [result.groups.get(p, -1) for p in published]
    )


@pytest.mark.skipif(not CONVERSATIONS, reason="Polis open data not present")
def test_groups_agree_with_the_groups_polis_published_as_far_as_measured():
    scores = {name: published_agreement(name) for name in CONVERSATIONS}
    for name, score in scores.items():
        print(f"ARI {name}: {score:.3f}")
    assert set(scores) == set(FLOORS)
    for name, score in scores.items():
        assert score >= FLOORS[name], f"{name}: ARI {score:.3f} fell below {FLOORS[name]}"
    assert statistics.median(scores.values()) >= MEDIAN_REACHED
