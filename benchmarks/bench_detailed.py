"""Detailed-mode benchmark: the full default run on the ~780 detailed occupations.

Usage::

    python benchmarks/bench_detailed.py [--data ../shared/data/onet_exposure] [--repeats 5]

What is timed (``time.perf_counter``, one process):

1. loading: reading and joining the O*NET x BLS folder into the detailed table (a build into an
   empty temporary cache), then the same load from that disk cache. Reported only.
2. stepping: the default scenario on the detailed table, 2023-2050 monthly (336 steps),
   recording occupations as ``sim run`` does; ``build_model`` excluded, ``model.run()`` timed
   ``--repeats`` times after one untimed warm-up; median and min. Target: median < 3 s.
3. the same for the built-in 22 groups, for the ratio (detailed / built-in).

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import sim
from sim.data import detailed
from sim.data.occupations import task_bins
from sim.runner import build_model

TARGET_S = 3.0
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "onet_exposure"


def step_times(config, repeats: int) -> list[float]:
    """Seconds of ``model.run()`` for ``repeats`` fresh models after one warm-up."""
    times = []
    for i in range(repeats + 1):
        model = build_model([config])
        gc.collect()
        t0 = time.perf_counter()
        model.run()
        if i:
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    config = sim.load_config(overrides=["occupations.source=detailed",
                                        f"occupations.data_dir={json.dumps(str(args.data))}"])
    with tempfile.TemporaryDirectory() as cache:  # time a real build, then the cached load
        os.environ["SIM_CACHE_DIR"] = cache
        t0 = time.perf_counter()
        table, report = detailed.load_detailed(args.data, task_bins(config))
        load_s = time.perf_counter() - t0
        detailed._cached.cache_clear()
        t0 = time.perf_counter()
        detailed.load_detailed(args.data, task_bins(config))
        cached_s = time.perf_counter() - t0
    detail = step_times(config, args.repeats)
    builtin = step_times(sim.load_config(), args.repeats)
    med, med_b = statistics.median(detail), statistics.median(builtin)
    figures = {
        "benchmark": "bench_detailed", "python": platform.python_version(),
        "occupations": table.n_occupations, "task_bins": report["task_bins"],
        "load_s": round(load_s, 3), "cached_load_s": round(cached_s, 3),
        "detailed_step_median_s": round(med, 3),
        "detailed_step_min_s": round(min(detail), 3), "builtin_step_median_s": round(med_b, 3),
        "ratio_detailed_to_builtin": round(med / med_b, 2), "target_s": TARGET_S,
        "pass": med < TARGET_S,
    }
    print(f"detailed table: {table.n_occupations} occupations, {report['task_bins']:,} task "
          f"bins, built in {load_s:.2f} s (from the disk cache: {cached_s:.2f} s)")
    print(f"full default run, 2023-2050 monthly ({config.time.n_steps} steps), stepping only, "
          f"{args.repeats} repeats:")
    print(f"  detailed   median {med:.3f} s  min {min(detail):.3f} s   target < {TARGET_S:g} s: "
          f"{'PASS' if med < TARGET_S else 'FAIL'}")
    print(f"  built-in   median {med_b:.3f} s  min {min(builtin):.3f} s   "
          f"(detailed / built-in = {med / med_b:.1f}x)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
