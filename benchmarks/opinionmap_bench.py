"""Opinion-map benchmark: recompute time, and agreement with the groups Polis published.

    .venv/bin/python benchmarks/opinionmap_bench.py [--skip-ari] [--participants 20000 --statements 1000]

1. For every conversation in ``../shared/data/polis``: the votes are replayed in time order as the
   live conversation recomputed (the default one-minute batches), and the groups are compared with
   the ``group-id`` Polis published: the adjusted Rand index per conversation and the median.
2. Recompute time on the largest conversation: one cold recomputation from all its votes, and one
   warm recomputation after the last batch (as the background task does when votes arrive).
3. Recompute time on a synthetic sparse conversation of 20,000 participants × 1,000 statements.
4. red-dwarf (PyPI, the Python re-implementation of Polis's pipeline) on the same data when it is
   installed; it is not a dependency of this project, so here it is reported as unavailable.

The last line is ``RESULT largest_s=… synthetic_s=… ratio_vs_reddwarf=…``. No database is used.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wspolnota.consultations.opinionmap import polis_io  # noqa: E402
from wspolnota.consultations.opinionmap.pipeline import (  # noqa: E402
    VoteLog,
    adjusted_rand_index,
    recompute,
    replay,
)

POLIS = ROOT.parent / "shared" / "data" / "polis"


def synthetic(participants: int, statements: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    """Three opinion camps; each person votes on 5–60 statements (about 3 % of the matrix)."""
    rng = np.random.default_rng(seed)
    camps = rng.integers(0, 3, participants)
    stance = rng.choice([-1.0, 1.0], size=(3, statements))
    stance[:, : statements // 20] = 1.0  # a few statements everybody likes
    counts = rng.integers(5, 61, participants)
    rows = np.repeat(np.arange(participants), counts)
    cols = np.concatenate([rng.choice(statements, size=c, replace=False) for c in counts])
    votes = stance[camps[rows], cols]
    noise = rng.random(len(votes))
    votes = np.where(noise < 0.1, 0.0, np.where(noise < 0.2, -votes, votes))
    return rows, cols, votes, camps


def reddwarf_available() -> bool:
    try:
        import reddwarf  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-ari", action="store_true", help="skip the replay of every conversation"
    )
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--statements", type=int, default=1_000)
    args = parser.parse_args()

    folders = sorted(p for p in POLIS.iterdir() if p.is_dir())
    conversations = {f.name: polis_io.read_folder(f) for f in folders}
    if not args.skip_ari:
        scores = []
        for name, conversation in conversations.items():
            started = time.perf_counter()
            state, result, _log = replay(
                conversation.vote_tuples(), mod_out=conversation.moderated_out
            )
            published = conversation.published_groups
            ari = adjusted_rand_index(
                list(published.values()), [result.groups.get(p, -1) for p in published]
            )
            scores.append(ari)
            print(
                f"ARI {name:30} {ari:6.3f}  groups {result.n_groups} (Polis {len(set(published.values()))})"
                f"  recomputations {state.updates}  replay {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        print(f"ARI median {statistics.median(scores):.3f}, min {min(scores):.3f}", flush=True)

    largest_name, largest = max(conversations.items(), key=lambda kv: len(kv[1].votes))
    log = VoteLog()
    started = time.perf_counter()
    for vote in sorted(largest.votes, key=lambda v: v.timestamp):
        log.add(vote.participant, vote.statement, vote.vote)
    state, _result = recompute(log, mod_out=largest.moderated_out)
    largest_s = time.perf_counter() - started
    started = time.perf_counter()
    recompute(log, state, mod_out=largest.moderated_out)
    warm_s = time.perf_counter() - started
    print(
        f"largest: {largest_name}, {len(log.participants)} participants × {len(log.statements)} "
        f"statements, {len(largest.votes)} votes: cold {largest_s:.3f} s, warm {warm_s:.3f} s",
        flush=True,
    )

    rows, cols, votes, camps = synthetic(args.participants, args.statements)
    started = time.perf_counter()
    log = VoteLog()
    log.add_arrays(rows, cols, votes)
    _state, result = recompute(log)
    synthetic_s = time.perf_counter() - started
    order = [int(p) for p in log.participants]
    found = [result.groups.get(p, -1) for p in order]
    print(
        f"synthetic: {args.participants} × {args.statements}, {len(votes)} votes: {synthetic_s:.3f} s, "
        f"{result.n_groups} groups, ARI against the planted camps {adjusted_rand_index(list(camps[order]), found):.3f}",
        flush=True,
    )

    if reddwarf_available():
        print("red-dwarf is installed, but this benchmark does not drive it yet")
    else:
        print(
            "red-dwarf: unavailable here (not installed, and the project may not add it as a dependency)"
        )
    print(f"RESULT largest_s={largest_s:.3f} synthetic_s={synthetic_s:.3f} ratio_vs_reddwarf=n/a")


if __name__ == "__main__":
    main()
