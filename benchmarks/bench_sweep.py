"""Sweep benchmark: 10,000 scenarios of the default model through ``sim sweep``'s runner, and
the same code one scenario at a time; optionally peak memory at 100,000 scenarios.

Usage::

    python benchmarks/bench_sweep.py [--runs 10000] [--workers 2] [--chunk-size 1000]
                                     [--singles 20] [--seed 7]
    python benchmarks/bench_sweep.py --memory [--runs 100000]   # peak memory, no singles

What is timed (``time.perf_counter``):

1. sweep: ``run_sweep`` of ``--runs`` Latin-hypercube scenarios of the default (22-group) model,
   2023-2050 monthly, keeping aggregates in 2030/2040/2050 and milestones (no paths), on
   ``--workers`` local processes. Wall time from the call to the summary table written: sampling,
   process start-up, config validation, stepping, Parquet chunks and the summary all count.
   Target: < 60 s for 10,000 scenarios on 2 cores.
2. singles: the first ``--singles`` of the same scenarios, each run alone through the same
   code (``run_chunk`` on a one-run chunk, in this process). Throughput ratio = sweep runs per
   second / single runs per second. Target: >= 30x. Their outputs are checked equal to the
   sweep's rows.
3. memory: peak resident memory of the sweep process plus its workers, sampled every 0.2 s
   (psutil), and each process's own peak (``ru_maxrss``). Target: < 2 GB at 100,000 scenarios.

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.sweep import run_sweep
from sim.sweep.runner import ChunkTask, run_chunk
from sim.sweep.sampling import sample_values
from sim.sweep.spec import load_sweep

SWEEP_TARGET_S = 60.0
RATIO_TARGET = 30.0
MEMORY_TARGET_MIB = 2048.0

SWEEP = """
name: bench
seed: {seed}
sampler: latin
runs: {runs}
chunk_size: {chunk}
parameters:
  capital.investor_growth_per_yr: {{dist: uniform, low: 0.2, high: 0.9}}
  algorithms.base_efficiency_oom_per_yr: {{dist: loguniform, low: 0.2, high: 0.6}}
  market.adoption_lag_years: {{dist: triangular, low: 3, mode: 6, high: 15}}
  robotics.growth_oom_per_yr: {{dist: uniform, low: 0.02, high: 0.3}}
  copies.speed_k: {{dist: uniform, low: 1, high: 5}}
  labour.reinstatement_share: {{dist: uniform, low: 0.0, high: 1.0}}
outputs:
  years: [2030, 2040, 2050]
  aggregates: [capable_share, adopted_share, unemployment_rate, ai_human_equivalent_workers,
               frontier_capability, ai_capex_usd_per_yr, rd_speedup]
  milestones: true
"""


class TreeMemory:
    """Peak of the summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, every_s: float = 0.2):
        import psutil
        self.proc = psutil.Process()
        self.every = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except Exception:  # noqa: BLE001 - a child that just exited
                pass
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def maxrss_mib(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def bench_singles(spec, n: int, summary: pd.DataFrame) -> dict:
    values = sample_values(spec)
    times, equal = [], True
    for run in range(n):
        task = ChunkTask(index=run, runs=np.array([run]), sweep_seed=spec.seed, keys=spec.keys,
                         values=[v[run:run + 1] for v in values], base=spec.base,
                         outputs=spec.outputs)
        t0 = time.perf_counter()
        cols = run_chunk(task)["columns"]
        times.append(time.perf_counter() - t0)
        for name, col in cols.items():
            if name in ("status", "error"):
                equal &= col[0] == summary.loc[run, name]
            elif np.issubdtype(np.asarray(col).dtype, np.number):
                a, b = float(col[0]), float(summary.loc[run, name])
                equal &= (a == b) or (np.isnan(a) and np.isnan(b))
    return {"n": n, "mean_s": float(np.mean(times)), "median_s": float(np.median(times)),
            "runs_per_s": 1.0 / float(np.mean(times)), "equal_to_sweep_rows": bool(equal)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=None, help="scenarios (default 10,000; "
                    "100,000 with --memory)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--singles", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--memory", action="store_true",
                    help="the 100,000-scenario memory check (no singles)")
    ap.add_argument("--out", default=None, help="sweep folder (default: a temporary one)")
    args = ap.parse_args(argv)
    runs = args.runs or (100_000 if args.memory else 10_000)

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    out = Path(args.out) if args.out else tmp / "sweep"
    path = tmp / "bench.yaml"
    path.write_text(SWEEP.format(seed=args.seed, runs=runs, chunk=args.chunk_size))
    spec = load_sweep(path)
    print(f"sim {sim.__version__} | Python {platform.python_version()} | numpy {np.__version__}"
          f" | {os.cpu_count()} CPUs | {runs} scenarios, chunks of {args.chunk_size}, "
          f"{args.workers} workers", flush=True)
    with TreeMemory() as mem:
        t0 = time.perf_counter()
        summary_path = run_sweep(spec, out, workers=args.workers, force=True,
                                 progress=sys.stderr.isatty())
        wall = time.perf_counter() - t0
    summary = pd.read_parquet(summary_path)
    result = {
        "runs": runs, "workers": args.workers, "chunk_size": args.chunk_size,
        "sweep_wall_s": wall, "sweep_runs_per_s": runs / wall,
        "status": summary["status"].value_counts().to_dict(),
        "peak_tree_rss_mib": mem.peak / 2**20,
        "peak_self_rss_mib": maxrss_mib(resource.RUSAGE_SELF),
        "peak_worker_rss_mib": maxrss_mib(resource.RUSAGE_CHILDREN),
        "summary_mib": summary_path.stat().st_size / 2**20,
    }
    print(f"  sweep wall                {wall:10.1f} s   ({runs / wall:.0f} runs/s)"
          + ("" if args.memory else f"   target < {SWEEP_TARGET_S:g} s "
             f"{'PASS' if wall < SWEEP_TARGET_S else 'FAIL'}"))
    print(f"  peak memory, all processes{mem.peak / 2**20:10.0f} MiB  (sweep process "
          f"{result['peak_self_rss_mib']:.0f}, largest worker "
          f"{result['peak_worker_rss_mib']:.0f})"
          + (f"   target < {MEMORY_TARGET_MIB:g} MiB "
             f"{'PASS' if mem.peak / 2**20 < MEMORY_TARGET_MIB else 'FAIL'}"
             if args.memory else ""))
    if not args.memory and args.singles:
        singles = bench_singles(spec, args.singles, summary)
        ratio = result["sweep_runs_per_s"] / singles["runs_per_s"]
        result.update({"singles": singles, "throughput_ratio": ratio})
        print(f"  single run (mean of {args.singles})  {singles['mean_s']:8.3f} s   "
              f"outputs equal to the sweep's rows: {singles['equal_to_sweep_rows']}")
        print(f"  throughput ratio           {ratio:9.1f}x   target >= {RATIO_TARGET:g}x "
              f"{'PASS' if ratio >= RATIO_TARGET else 'FAIL'}")
    if not args.out:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
