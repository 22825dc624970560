"""Opinion-map benchmark: agreement with the groups Polis published, and recompute time and memory.

    .venv/bin/python benchmarks/opinionmap_bench.py [--skip-reddwarf] [--skip-tenfold]

1. Every conversation in ``data/polis`` (shipped with the repository):
   one computation from the latest vote of each pair (what ``manage.py opinionmap FOLDER``
   prints), compared with the ``group-id`` Polis published by the adjusted Rand index (ARI),
   next to red-dwarf 0.4.0 (PyPI, a Python re-implementation of Polis's pipeline, in the
   ``bench`` dependency group) run here on the same votes with its defaults. The time of each
   computation is printed too.
2. A synthetic conversation the size of the largest known (Bowling Green 2025: 7,890
   participants, 1,034,868 votes, 1,000 statements) and one ten times larger (80,000
   participants, 10,000,000 votes): three planted camps, participants' activity and statements'
   popularity skewed as in real conversations. Each is computed in a fresh process that only
   loads the votes (saved beforehand) and computes; the time covers building the matrix, the
   PCA, the clustering, the statements and the firmness, and the memory figure is that
   process's peak resident size (the interpreter and the loaded votes included).

The last line is ``RESULT median_ari=… reddwarf_median_ari=… largest_s=… peak_mb=… tenfold_s=…
tenfold_peak_mb=…``. No database is used.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wspolnota.consultations.opinionmap import polis_io  # noqa: E402
from wspolnota.consultations.opinionmap.pipeline import (  # noqa: E402
    Votes,
    adjusted_rand_index,
    compute,
)

POLIS = ROOT / "data" / "polis"  # shipped with the repository (data/polis/SOURCE.md)
LARGEST = (7_890, 1_034_868, 1_000)
TENFOLD = (80_000, 10_000_000, 1_000)


def synthetic(
    participants: int, votes: int, statements: int, seed: int = 7
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Three planted camps; activity (log-normal) and statement popularity (Zipf-like) skewed."""
    rng = np.random.default_rng(seed)
    camps = rng.integers(0, 3, participants)
    stance = rng.choice([-1.0, 1.0], size=(3, statements))
    stance[:, : statements // 20] = 1.0  # a few statements everybody likes
    activity = rng.lognormal(0.0, 1.0, participants)
    popularity = 1.0 / np.arange(1, statements + 1) ** 0.5
    cells = np.zeros(0, dtype=np.int64)
    while len(cells) < votes:
        draw = int((votes - len(cells)) * 1.3) + 1000
        rows = rng.choice(participants, draw, p=activity / activity.sum())
        cols = rng.choice(statements, draw, p=popularity / popularity.sum())
        cells = np.unique(np.concatenate([cells, rows * statements + cols]))
    cells = rng.permutation(cells)[:votes]
    rows, cols = cells // statements, cells % statements
    values = stance[camps[rows], cols]
    noise = rng.random(len(values))
    values = np.where(noise < 0.1, 0.0, np.where(noise < 0.2, -values, values))
    return rows, cols, values, camps


def child(path: str) -> None:
    """Load the saved votes, compute once, print the time and this process's peak memory."""
    data = np.load(path)
    rows, cols, values, camps = data["rows"], data["cols"], data["values"], data["camps"]
    started, cpu = time.perf_counter(), time.process_time()
    result = compute(Votes.from_arrays(rows, cols, values))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    grouped = sorted(result.groups)
    ari = adjusted_rand_index([int(camps[p]) for p in grouped], [result.groups[p] for p in grouped])
    print(
        f"{wall:.3f} {cpu:.3f} {peak_mb:.0f} {result.n_groups} {ari:.3f} "
        f"{result.firmness.verdict} {len(values)}"
    )


def synthetic_run(name: str, size: tuple[int, int, int]) -> tuple[float, float]:
    participants, votes, statements = size
    rows, cols, values, camps = synthetic(participants, votes, statements)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "votes.npz")
        np.savez(path, rows=rows, cols=cols, values=values, camps=camps)
        del rows, cols, values
        out = subprocess.run(
            [sys.executable, __file__, "--child", path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    wall, cpu, peak, groups, ari, verdict, count = out
    print(
        f"{name}: {participants:,} participants × {statements:,} statements, {int(count):,} "
        f"votes: {float(wall):.3f} s (CPU {float(cpu):.3f} s), peak {peak} MB, {groups} groups, "
        f"ARI against the planted camps {ari}, firmness {verdict}",
        flush=True,
    )
    return float(wall), float(peak)


def reddwarf_groups(conversation: polis_io.PolisConversation) -> dict[int, int] | None:
    """red-dwarf's Polis pipeline with its defaults on the latest vote of each pair."""
    try:
        import warnings

        import pandas as pd
        from reddwarf.implementations.polis import run_pipeline  # type: ignore[import-not-found]
    except ImportError:
        return None
    latest: dict[tuple[int, int], tuple[int, float]] = {}
    for v in conversation.votes:
        key = (v.participant, v.statement)
        if key not in latest or v.timestamp >= latest[key][0]:
            latest[key] = (v.timestamp, float(v.vote))
    records = [
        {"participant_id": p, "statement_id": s, "vote": vote, "modified": t}
        for (p, s), (t, vote) in latest.items()
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_pipeline(
            votes=records, mod_out_statement_ids=sorted(conversation.moderated_out), random_state=0
        )
    return {
        int(p): int(g) for p, g in result.participants_df["cluster_id"].items() if not pd.isna(g)
    }


def published_ari(conversation: polis_io.PolisConversation, groups: dict[int, int]) -> float:
    """ARI over the participants Polis grouped (ours left out of every group count as one more)."""
    published = conversation.published_groups
    return adjusted_rand_index(list(published.values()), [groups.get(p, -1) for p in published])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--skip-reddwarf", action="store_true", help="do not run red-dwarf")
    parser.add_argument("--skip-tenfold", action="store_true", help="skip the 10-million-vote run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    ours: list[float] = []
    theirs: list[float] = []
    folders = sorted(p for p in POLIS.iterdir() if p.is_dir()) if POLIS.is_dir() else []
    for folder in folders:
        conversation = polis_io.read_folder(folder)
        started, cpu = time.perf_counter(), time.process_time()
        result = compute(conversation.latest_votes())
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        score = published_ari(conversation, result.groups)
        ours.append(score)
        line = (
            f"{folder.name:30} {len(result.participants):5} people {result.statements:4} "
            f"statements {result.votes:6} votes: ARI {score:6.3f}, {result.n_groups} groups "
            f"(Polis {len(set(conversation.published_groups.values()))}), firmness "
            f"{result.firmness.verdict} ({result.firmness.same}/{result.firmness.folds}), "
            f"{wall:.3f} s (CPU {cpu:.3f} s)"
        )
        rd = None if args.skip_reddwarf else reddwarf_groups(conversation)
        if rd is not None:
            rd_score = published_ari(conversation, rd)
            theirs.append(rd_score)
            line += f" | red-dwarf ARI {rd_score:6.3f}"
        print(line, flush=True)
    median = statistics.median(ours) if ours else float("nan")
    rd_median = statistics.median(theirs) if theirs else float("nan")
    print(f"median ARI: ours {median:.3f}, red-dwarf {rd_median:.3f}", flush=True)

    largest_s, peak_mb = synthetic_run("largest known", LARGEST)
    tenfold_s, tenfold_peak = (
        (float("nan"), float("nan")) if args.skip_tenfold else synthetic_run("tenfold", TENFOLD)
    )
    print(
        f"RESULT median_ari={median:.3f} reddwarf_median_ari={rd_median:.3f} "
        f"largest_s={largest_s:.3f} peak_mb={peak_mb:.0f} tenfold_s={tenfold_s:.3f} "
        f"tenfold_peak_mb={tenfold_peak:.0f}"
    )


if __name__ == "__main__":
    main()
