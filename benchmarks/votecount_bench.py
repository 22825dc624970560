"""Time votecount against pabutools on real participatory budgets.

Each case runs in a fresh process, so its time (reading the file included) and its peak memory
(the process's maximum resident set) are its own. Cases:

* Świecie 2023 and Wieliczka 2023: votecount and pabutools on the same computation (MES with cost
  utilities, Add1 from the exact share, stop at the first exhaustive outcome, utilitarian
  completion), and a check that both give the same winners;
* Kraków 2024 (65,101 voters) and Warszawa 2026 (61,668 voters): votecount alone, exact MES with
  Add1 and utilitarian completion (votecount's defaults).

Timing: votecount's counts take a fraction of a second, and on a shared or virtual machine a
single run that short swings by ±30 % with the moment it happens to run (measured here: the
same count 50 ms one minute, 85 ms the next). Each votecount case is therefore run several times
(``VOTECOUNT_BENCH_REPEAT``, default 5), each in a fresh process, and its median is reported; every
run's time is printed. pabutools runs once per file: its runs last 10-20 s, long enough to
average such swings out.

Run: ``python benchmarks/votecount_bench.py`` with votecount and pabutools installed. The files
are the ones shipped in ``<repo>/data/pabulib`` (see its SOURCE.md). The last
line is ``RESULT krakow2024_s=… warszawa2026_s=… peak_mb=… ratio_vs_pabutools=…``, followed on the
same line by the CPU-time figures (``…_cpu_s``, ``ratio_cpu``): on a machine shared with other
work the elapsed times grow with the load, the CPU times much less.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data" / "pabulib"

PABUTOOLS_COMPATIBLE = {
    "rule": "mes",
    "utility": "cost",
    "completion": "add1-utilitarian",
    "add1_start": "exact",
    "add1_stop_when_exhaustive": True,
}


def _votecount_case(name: str, compatible: bool, queue: mp.Queue[object]) -> None:
    from votecount import TiePolicy, count, read_pb

    start = time.perf_counter()
    cpu = time.process_time()
    inst = read_pb(DATA / name)
    read_s = time.perf_counter() - start
    if compatible:
        out = count(
            inst, ties=TiePolicy.parse("min-cost,max-votes,id-order"), **PABUTOOLS_COMPATIBLE
        )
    else:
        out = count(inst, rule="mes", utility="cost", completion="add1-utilitarian")
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    add1 = out.details.get("add1", {})
    queue.put((total, read_s, peak_mb, sorted(out.selected), add1, cpu))


def _pabutools_case(name: str, queue: mp.Queue[object]) -> None:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )
    from pabutools.tiebreaking import TieBreakingRule

    start = time.perf_counter()
    cpu = time.process_time()
    instance, profile = parse_pabulib(str(DATA / name))
    tie = TieBreakingRule(lambda _i, prof, p: (p.cost, -prof.approval_score(p), p.name))
    result = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [
            {"sat_class": Cost_Sat, "voter_budget_increment": 1, "tie_breaking": tie},
            {"sat_class": Cost_Sat, "tie_breaking": tie},
        ],
    )
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((total, 0.0, peak_mb, sorted(p.name for p in result), {}, cpu))


def _in_child(
    target: object, *args: object
) -> tuple[float, float, float, list[str], object, float]:
    ctx = mp.get_context("spawn")
    queue: mp.Queue[object] = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))  # type: ignore[arg-type]
    proc.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty: check that the child is still alive
            if not proc.is_alive():
                raise SystemExit(
                    f"benchmark case {args} died (exit code {proc.exitcode})"
                ) from None
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"benchmark case {args} failed with exit code {proc.exitcode}")
    return result  # type: ignore[return-value]


REPEAT = int(os.environ.get("VOTECOUNT_BENCH_REPEAT", "5"))


def _median_run(
    target: object, *args: object
) -> tuple[float, float, float, list[str], object, float, list[float]]:
    """Run a votecount case REPEAT times, each in a fresh process: the median run's figures
    (by elapsed time), the largest peak memory of all, and every run's elapsed time."""
    runs = [_in_child(target, *args) for _ in range(REPEAT)]
    times = [run[0] for run in runs]
    middle = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    peak = max(run[2] for run in runs)
    return (middle[0], middle[1], peak, middle[3], middle[4], middle[5], times)


def _runs_text(times: list[float]) -> str:
    return "runs " + " ".join(f"{t:.3f}" for t in times)


def main() -> int:
    if not DATA.is_dir():
        print(f"Pabulib data not found at {DATA} (it is part of the repository)", file=sys.stderr)
        return 2
    import votecount

    print(f"votecount {votecount.__version__}, Python {sys.version.split()[0]}, data {DATA}")
    ratios = []
    vc_total = pb_total = vc_cpu = pb_cpu = 0.0
    peaks = []
    for name in ("Poland_Swiecie_2023.pb", "Poland_Wieliczka_2023_Green_Budget.pb"):
        vc = _median_run(_votecount_case, name, True)
        pb = _in_child(_pabutools_case, name)
        same = vc[3] == pb[3]
        vc_total += vc[0]
        pb_total += pb[0]
        vc_cpu += vc[5]
        pb_cpu += pb[5]
        peaks.append(vc[2])
        ratios.append(pb[0] / vc[0])
        print(
            f"{name}: votecount {vc[0]:.3f} s (median; CPU {vc[5]:.3f} s, read {vc[1]:.3f} s, "
            f"peak {vc[2]:.0f} MB; {_runs_text(vc[6])}), pabutools {pb[0]:.2f} s "
            f"(CPU {pb[5]:.2f} s, peak {pb[2]:.0f} MB), x{pb[0] / vc[0]:.0f} "
            f"(CPU x{pb[5] / vc[5]:.0f}), same winners: {same}; Add1 {vc[4]}"
        )
        if not same:
            print(f"  DIFFERENT WINNERS: votecount {vc[3]} pabutools {pb[3]}")
            return 1
    results = {}
    cpus = {}
    for key, name in (
        ("krakow2024_s", "Poland_Krakow_2024.pb"),
        ("warszawa2026_s", "Poland_Warszawa_2026.pb"),
    ):
        vc = _median_run(_votecount_case, name, False)
        results[key] = vc[0]
        cpus[key] = vc[5]
        peaks.append(vc[2])
        print(
            f"{name}: votecount {vc[0]:.2f} s (median; CPU {vc[5]:.2f} s, read {vc[1]:.2f} s, "
            f"peak {vc[2]:.0f} MB; {_runs_text(vc[6])}), {len(vc[3])} winners; Add1 {vc[4]}"
        )
    ratio = pb_total / vc_total
    print(
        f"RESULT krakow2024_s={results['krakow2024_s']:.2f} "
        f"warszawa2026_s={results['warszawa2026_s']:.2f} peak_mb={max(peaks):.0f} "
        f"ratio_vs_pabutools={ratio:.1f} krakow2024_cpu_s={cpus['krakow2024_s']:.2f} "
        f"warszawa2026_cpu_s={cpus['warszawa2026_s']:.2f} ratio_cpu={pb_cpu / vc_cpu:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
