"""Core performance benchmark: stepping one run, and a batch of scenarios vs one at a time.

Usage::

    python benchmarks/bench_core.py [--batch 1000] [--singles 40] [--repeats 5] [--seed 12345]
    python benchmarks/bench_core.py --profile [--batch 1000]   # cProfile instead of timings

What is timed (``time.perf_counter``; configs are built and validated before any timing):

1. single run: the built-in default scenario (2023-2050, monthly, 336 steps), recording
   occupations as ``sim run`` does. ``build_model`` is excluded; only ``model.run()`` is timed,
   ``--repeats`` times after one untimed warm-up; median and min. Target: < 1 s.
2. batch vs singles: ``--batch`` default-structure scenarios with different parameters and seeds
   stepped in one model (``record_occupations=False``), against the first ``--singles`` of the
   same scenarios each run alone through the same code (``build_model([cfg])`` + ``run()``).
   Per-scenario times and the speed-up (single per-scenario / batch per-scenario), stepping only
   and including build. Target: >= 30x (stepping only).
3. peak memory of the process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) at the end.

Everything runs in one process so the batch/single ratio compares like with like. The last line
printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import sim
from sim.runner import build_model

SINGLE_TARGET_S = 1.0
SPEEDUP_TARGET = 30.0

#: parameter -> (low, high), drawn uniformly per scenario
VARIED = {
    "market.adoption_lag_years": (2.0, 12.0),
    "algorithms.base_efficiency_oom_per_yr": (0.25, 0.55),
    "capital.investor_growth_per_yr": (0.2, 0.8),
    "copies.speed_k": (1.0, 5.0),
}


def make_scenarios(n: int, seed: int) -> list[sim.SimConfig]:
    """``n`` validated default-structure configs with different parameters and seeds."""
    rng = np.random.default_rng(seed)
    configs = []
    for _ in range(n):
        overrides = [f"{key}={rng.uniform(lo, hi):.6g}" for key, (lo, hi) in VARIED.items()]
        configs.append(sim.load_config(overrides=overrides, seed=int(rng.integers(0, 2**31))))
    return configs


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB else


def timed_build_and_run(configs, record_occupations: bool):
    """(build seconds, run seconds, model) for one model over ``configs``."""
    gc.collect()
    t0 = time.perf_counter()
    model = build_model(configs, record_occupations=record_occupations)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, model


def bench_single(repeats: int) -> dict:
    """Stepping the default single run: ``model.run()`` only."""
    config = sim.SimConfig()
    build_model([config]).run()  # warm-up, untimed (first-call caches, page faults)
    builds, runs = [], []
    n_steps = None
    for _ in range(repeats):
        b, r, model = timed_build_and_run([config], record_occupations=True)
        builds.append(b)
        runs.append(r)
        n_steps = model.n_steps
    median = statistics.median(runs)
    return {
        "n_steps": n_steps,
        "repeats": repeats,
        "run_median_s": median,
        "run_min_s": min(runs),
        "run_max_s": max(runs),
        "runs_s": runs,
        "build_median_s": statistics.median(builds),
        "target_s": SINGLE_TARGET_S,
        "pass": median < SINGLE_TARGET_S,
    }


def bench_batch_vs_singles(configs, n_singles: int) -> dict:
    """One model stepping all ``configs`` vs the first ``n_singles`` of them one at a time."""
    n_batch = len(configs)
    n_singles = min(n_singles, n_batch)

    single_build, single_run, single_frontier = [], [], []
    for cfg in configs[:n_singles]:
        b, r, model = timed_build_and_run([cfg], record_occupations=False)
        single_build.append(b)
        single_run.append(r)
        single_frontier.append(model.frontier_history[0].copy())
        del model
    rss_after_singles = peak_rss_mib()

    batch_build, batch_run, model = timed_build_and_run(configs, record_occupations=False)
    # Sanity check that the batch did the same work: a scenario alone equals it inside a batch.
    identical = all(np.array_equal(f, model.frontier_history[i])
                    for i, f in enumerate(single_frontier))
    del model
    gc.collect()

    s_run = sum(single_run) / n_singles
    s_total = (sum(single_build) + sum(single_run)) / n_singles
    b_run = batch_run / n_batch
    b_total = (batch_build + batch_run) / n_batch
    speedup = s_run / b_run
    return {
        "n_batch": n_batch,
        "n_singles": n_singles,
        "batch_build_s": batch_build,
        "batch_run_s": batch_run,
        "batch_total_s": batch_build + batch_run,
        "batch_run_per_scenario_s": b_run,
        "batch_total_per_scenario_s": b_total,
        "singles_build_s": sum(single_build),
        "singles_run_s": sum(single_run),
        "singles_total_s": sum(single_build) + sum(single_run),
        "single_run_per_scenario_s": s_run,
        "single_run_per_scenario_median_s": statistics.median(single_run),
        "single_total_per_scenario_s": s_total,
        "speedup_run": speedup,
        "speedup_total": s_total / b_total,
        "target_speedup": SPEEDUP_TARGET,
        "pass": speedup >= SPEEDUP_TARGET,
        "batch_equals_singles": identical,
        "peak_rss_after_singles_mib": rss_after_singles,
    }


def source_digest() -> str:
    """Short SHA-256 of the ``sim`` package's sources: which code version was measured."""
    root = Path(sim.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sim": sim.__version__,
        "sim_source_sha256": source_digest(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else None,
    }


def _row(label: str, value: str, note: str = "") -> str:
    return f"  {label:<44} {value:>14}  {note}"


def report(env, single, batch, peak_mib, configs_s) -> None:
    verdict = {True: "PASS", False: "FAIL"}
    print(f"sim {env['sim']} (sources {env['sim_source_sha256']}) | Python {env['python']} | "
          f"numpy {env['numpy']} | {env['cpus']} CPUs | {env['platform']}")
    print(f"(building and validating {batch['n_batch']} configs took {configs_s:.2f} s, "
          "not timed below)")
    print()
    print(f"1. Default single run ({single['n_steps']} steps, model.run() only, "
          f"{single['repeats']} repeats)")
    print(_row("run median", f"{single['run_median_s']:.3f} s",
               f"target < {SINGLE_TARGET_S:g} s  {verdict[single['pass']]}"))
    print(_row("run min / max", f"{single['run_min_s']:.3f} / {single['run_max_s']:.3f} s"))
    print(_row("build_model (not counted)", f"{single['build_median_s']:.3f} s"))
    print()
    b = batch
    print(f"2. Batch of {b['n_batch']} vs {b['n_singles']} singles "
          "(record_occupations=False)")
    print(_row("batch build", f"{b['batch_build_s']:.3f} s"))
    print(_row("batch run", f"{b['batch_run_s']:.3f} s"))
    print(_row("batch run per scenario", f"{b['batch_run_per_scenario_s'] * 1e3:.2f} ms"))
    print(_row("batch build+run per scenario", f"{b['batch_total_per_scenario_s'] * 1e3:.2f} ms"))
    print(_row("singles build (total)", f"{b['singles_build_s']:.3f} s"))
    print(_row("singles run (total)", f"{b['singles_run_s']:.3f} s"))
    print(_row("single run per scenario (mean)", f"{b['single_run_per_scenario_s'] * 1e3:.2f} ms",
               f"median {b['single_run_per_scenario_median_s'] * 1e3:.2f} ms"))
    print(_row("single build+run per scenario",
               f"{b['single_total_per_scenario_s'] * 1e3:.2f} ms"))
    print(_row("speed-up, run only", f"{b['speedup_run']:.1f}x",
               f"target >= {SPEEDUP_TARGET:g}x  {verdict[b['pass']]}"))
    print(_row("speed-up, including build", f"{b['speedup_total']:.1f}x"))
    print(_row("batch results == singles (frontier)", str(b["batch_equals_singles"])))
    print()
    print("3. Memory")
    print(_row("peak RSS after singles", f"{b['peak_rss_after_singles_mib']:.0f} MiB"))
    print(_row("peak RSS at end (ru_maxrss)", f"{peak_mib:.0f} MiB"))
    print()


def profile(configs, top: int = 15) -> None:
    """cProfile of ``model.run()`` for the default single run and for the batch."""
    cases = [("default single run (record_occupations=True)", [sim.SimConfig()], True),
             (f"batch of {len(configs)} (record_occupations=False)", configs, False)]
    for title, cfgs, rec in cases:
        model = build_model(cfgs, record_occupations=rec)
        prof = cProfile.Profile()
        prof.enable()
        model.run()
        prof.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(order).print_stats(top)
            text = out.getvalue()
            body = text[text.find("   ncalls"):] if "   ncalls" in text else text
            print(f"=== {title}: top {top} by {order} ===")
            print(body.rstrip())
            print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1000, help="scenarios in the batch")
    ap.add_argument("--singles", type=int, default=40, help="scenarios run one at a time")
    ap.add_argument("--repeats", type=int, default=5, help="repeats of the default single run")
    ap.add_argument("--seed", type=int, default=12345, help="seed of the parameter draws")
    ap.add_argument("--profile", action="store_true",
                    help="print cProfile tables (single run, batch) instead of timings")
    args = ap.parse_args(argv)

    env = environment()  # first: the sources hashed are the ones just imported
    t0 = time.perf_counter()
    configs = make_scenarios(args.batch, args.seed)
    configs_s = time.perf_counter() - t0
    if args.profile:
        print(f"sim sources {env['sim_source_sha256']} | {env['cpus']} CPUs")
        profile(configs)
        return 0

    single = bench_single(args.repeats)
    batch = bench_batch_vs_singles(configs, args.singles)
    peak = peak_rss_mib()
    report(env, single, batch, peak, configs_s)
    print(json.dumps({
        "environment": env,
        "args": vars(args),
        "config_build_s": configs_s,
        "single": single,
        "batch": batch,
        "peak_rss_mib": peak,
        "pass": single["pass"] and batch["pass"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
