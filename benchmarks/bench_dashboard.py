"""Dashboard redraw benchmark: what the page does after a slider change and "Run to end".

Usage::

    python benchmarks/bench_dashboard.py [--repeats 5] [--compare]

Timed (``time.perf_counter``), ``--repeats`` times after one untimed warm-up, median and min:

1. build: ``DashboardModel(**controls)`` (config from the controls, validated; model built);
2. run: ``run_to_end()``, the full default run (2023-2050, 336 monthly steps, 22 groups);
3. draw: every chart (``figures.CHARTS``) built and encoded as PNG as the page sends it,
   plus the milestone table (with the baseline drawn under it if ``--compare``);
4. total = build + run + draw. Target: < 2 s.

The browser adds the transfer and display of the PNGs; ``tests/test_dashboard_browser.py``
measures the whole click-to-redraw in the browser and prints it. The last line printed is one
JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from sim.dashboard import figures
from sim.dashboard.session import DashboardModel, baseline_view

TARGET_S = 2.0


def one(values: dict, compare: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    model = DashboardModel(**values)
    t1 = time.perf_counter()
    model.run_to_end()
    t2 = time.perf_counter()
    view, base = model.view(), (model.baseline() if compare else None)
    for build in figures.CHARTS.values():
        figures.png(build(view, base))
    figures.milestone_markdown(view, base)
    t3 = time.perf_counter()
    assert model.error is None and not model.running
    return {"build_s": t1 - t0, "run_s": t2 - t1, "draw_s": t3 - t2, "total_s": t3 - t0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--compare", action="store_true", help="draw the baseline too")
    args = ap.parse_args()
    if args.compare:
        baseline_view(None)  # cached once per page, as on the page
    one({"adoption_lag": 3.0}, args.compare)  # warm-up: imports, fonts, caches
    runs = [one({"adoption_lag": 3.0 + 0.5 * i}, args.compare) for i in range(args.repeats)]
    out = {"python": platform.python_version(), "repeats": args.repeats,
           "compare": args.compare, "target_s": TARGET_S}
    for key in ("build_s", "run_s", "draw_s", "total_s"):
        values = [r[key] for r in runs]
        out[key] = {"median": statistics.median(values), "min": min(values)}
        print(f"{key[:-2]:>6}: median {out[key]['median']:.3f} s   min {out[key]['min']:.3f} s")
    ok = out["total_s"]["median"] < TARGET_S
    print(f"redraw after a slider change: {out['total_s']['median']:.2f} s (target < "
          f"{TARGET_S:g} s): {'OK' if ok else 'SLOW'}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
