"""Opinion-map benchmark: recompute time, and agreement with the groups Polis published.

    .venv/bin/python benchmarks/opinionmap_bench.py [--skip-ari] [--skip-reddwarf]
        [--skip-reddwarf-synthetic] [--participants 20000 --statements 1000]

1. For every conversation in ``data/polis`` (shipped with the repository): the votes are replayed
   in time order as the live conversation recomputed (the default one-minute batches), and the
   groups are compared with the ``group-id`` Polis published: the adjusted Rand index per
   conversation and the median.
2. Recompute time on the largest conversation: one cold recomputation from all its votes, and one
   warm recomputation after the last batch (as the background task does when votes arrive).
3. Recompute time on a synthetic sparse conversation of 20,000 participants × 1,000 statements.
4. red-dwarf 0.4.0 (PyPI, the Python re-implementation of Polis's pipeline; in the ``bench``
   dependency group) on the same data: its adjusted Rand index against Polis per conversation, its
   time on the largest and on the synthetic conversation, and the agreement between its groups and
   ours. ``ratio_vs_reddwarf`` is our cold recompute time on the largest conversation divided by
   red-dwarf's time on the same votes (below 1: we are faster).

The last line is ``RESULT largest_s=… synthetic_s=… ratio_vs_reddwarf=…``; CPU seconds
(``time.process_time``) are printed beside wall-clock seconds, as the machine may be shared.
No database is used. Set ``OPENBLAS_NUM_THREADS=1`` for figures comparable between runs.
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

POLIS = ROOT / "data" / "polis"


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


def reddwarf_groups(
    participants: np.ndarray, statements: np.ndarray, votes: np.ndarray, mod_out: set[int]
) -> tuple[dict[int, int], float, float]:
    """red-dwarf's Polis pipeline with its defaults on the latest vote per pair; (groups, wall s, CPU s)."""
    import warnings

    import pandas as pd
    from reddwarf.implementations.polis import run_pipeline  # type: ignore[import-not-found]

    latest: dict[tuple[int, int], float] = {}
    for p, s, v in zip(participants.tolist(), statements.tolist(), votes.tolist(), strict=True):
        latest[(int(p), int(s))] = float(v)
    records = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": i}
        for i, ((p, s), v) in enumerate(latest.items())
    ]
    wall, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_pipeline(votes=records, mod_out_statement_ids=sorted(mod_out), random_state=0)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    groups = {
        int(p): int(g) for p, g in result.participants_df["cluster_id"].items() if not pd.isna(g)
    }
    return groups, wall, cpu


def agreement(ours: dict[int, int], theirs: dict[int, int]) -> float:
    """ARI between two groupings over the participants both placed in a group."""
    common = sorted(set(ours) & set(theirs))
    return adjusted_rand_index([ours[p] for p in common], [theirs[p] for p in common])


def as_arrays(votes: list[polis_io.PolisVote]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ordered = sorted(votes, key=lambda v: v.timestamp)
    return (
        np.asarray([v.participant for v in ordered]),
        np.asarray([v.statement for v in ordered]),
        np.asarray([float(v.vote) for v in ordered]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-ari", action="store_true", help="skip the replay of every conversation"
    )
    parser.add_argument(
        "--skip-reddwarf", action="store_true", help="do not run red-dwarf even if installed"
    )
    parser.add_argument(
        "--skip-reddwarf-synthetic",
        action="store_true",
        help="skip red-dwarf on the synthetic conversation (its silhouettes take minutes)",
    )
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--statements", type=int, default=1_000)
    args = parser.parse_args()

    folders = sorted(p for p in POLIS.iterdir() if p.is_dir())
    conversations = {f.name: polis_io.read_folder(f) for f in folders}
    with_reddwarf = reddwarf_available() and not args.skip_reddwarf
    if not args.skip_ari:
        scores = []
        theirs_scores = []
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
            line = (
                f"ARI {name:30} {ari:6.3f}  groups {result.n_groups} (Polis {len(set(published.values()))})"
                f"  recomputations {state.updates}  replay {time.perf_counter() - started:.1f} s"
            )
            if with_reddwarf:
                theirs, _wall, _cpu = reddwarf_groups(
                    *as_arrays(conversation.votes), conversation.moderated_out
                )
                theirs_ari = adjusted_rand_index(
                    list(published.values()), [theirs.get(p, -1) for p in published]
                )
                theirs_scores.append(theirs_ari)
                line += f"  | red-dwarf {theirs_ari:6.3f}, agreement with ours {agreement(result.groups, theirs):6.3f}"
            print(line, flush=True)
        print(f"ARI median {statistics.median(scores):.3f}, min {min(scores):.3f}", flush=True)
        if theirs_scores:
            print(
                f"red-dwarf ARI median {statistics.median(theirs_scores):.3f}, min {min(theirs_scores):.3f}",
                flush=True,
            )

    largest_name, largest = max(conversations.items(), key=lambda kv: len(kv[1].votes))
    log = VoteLog()
    started, cpu = time.perf_counter(), time.process_time()
    participants, statements, values = as_arrays(largest.votes)
    log.add_arrays(participants, statements, values)
    state, largest_result = recompute(log, mod_out=largest.moderated_out)
    largest_s, largest_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    recompute(log, state, mod_out=largest.moderated_out)
    warm_s = time.perf_counter() - started
    print(
        f"largest: {largest_name}, {len(log.participants)} participants × {len(log.statements)} "
        f"statements, {len(largest.votes)} votes: cold {largest_s:.3f} s (CPU {largest_cpu:.3f} s), "
        f"warm {warm_s:.3f} s",
        flush=True,
    )
    ratio = "n/a"
    if with_reddwarf:
        theirs, rd_wall, rd_cpu = reddwarf_groups(
            participants, statements, values, largest.moderated_out
        )
        ratio = f"{largest_s / rd_wall:.3f}"
        print(
            f"red-dwarf on {largest_name}: {rd_wall:.3f} s (CPU {rd_cpu:.3f} s); "
            f"agreement with ours (ARI) {agreement(largest_result.groups, theirs):.3f}",
            flush=True,
        )

    rows, cols, votes, camps = synthetic(args.participants, args.statements)
    started, cpu = time.perf_counter(), time.process_time()
    log = VoteLog()
    log.add_arrays(rows, cols, votes)
    _state, result = recompute(log)
    synthetic_s, synthetic_cpu = time.perf_counter() - started, time.process_time() - cpu
    order = [int(p) for p in log.participants]
    found = [result.groups.get(p, -1) for p in order]
    print(
        f"synthetic: {args.participants} × {args.statements}, {len(votes)} votes: {synthetic_s:.3f} s "
        f"(CPU {synthetic_cpu:.3f} s), {result.n_groups} groups, ARI against the planted camps "
        f"{adjusted_rand_index(list(camps[order]), found):.3f}",
        flush=True,
    )
    if with_reddwarf and not args.skip_reddwarf_synthetic:
        theirs, rd_wall, rd_cpu = reddwarf_groups(rows, cols, votes, set())
        print(
            f"red-dwarf on the synthetic conversation: {rd_wall:.3f} s (CPU {rd_cpu:.3f} s), "
            f"{len(set(theirs.values()))} groups, ARI against the planted camps "
            f"{adjusted_rand_index([int(camps[p]) for p in sorted(theirs)], [theirs[p] for p in sorted(theirs)]):.3f}, "
            f"agreement with ours {agreement(result.groups, theirs):.3f}",
            flush=True,
        )
    if args.skip_reddwarf:
        print("red-dwarf: skipped (--skip-reddwarf)")
    elif not with_reddwarf:
        print(
            "red-dwarf: not installed (it is in the bench dependency group: uv sync --group bench)"
        )
    print(
        f"RESULT largest_s={largest_s:.3f} synthetic_s={synthetic_s:.3f} ratio_vs_reddwarf={ratio}"
    )


if __name__ == "__main__":
    main()
