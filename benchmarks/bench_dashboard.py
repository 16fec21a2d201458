"""Dashboard redraw benchmark: what the page does after a slider change.

Usage::

    python benchmarks/bench_dashboard.py [--repeats 5] [--compare] [--ensemble]

Timed (``time.perf_counter``), ``--repeats`` times after one untimed warm-up, median and min:

1. build: ``DashboardModel(**controls)`` (config from the controls, validated; model built);
2. run: ``run_to_end()``, the full default run (2023-2050, 336 monthly steps, 22 groups);
3. draw: every chart (``figures.CHARTS``) built as a plotly figure and pushed into a plotly
   figure widget as the page does (its data serialised for the browser), plus the milestone
   table (with the baseline drawn too if ``--compare``);
4. total = build + run + draw. Target: < 2 s.

``--ensemble`` also times the ensemble band the page adds when its toggle is on
(``session.ensemble_band``: 50 members drawn by ``sim.ensemble.draw_configs`` and run in one
batch) and the charts redrawn with it. The browser adds the transfer and drawing in
JavaScript; ``tests/test_dashboard_browser.py`` prints the click-to-redraw time it sees. The
last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from plotly.graph_objs import FigureWidget

from sim.dashboard import controls
from sim.dashboard.session import ENSEMBLE_MEMBERS, DashboardModel, baseline_view, ensemble_band
from sim.figures import dashboard as figures

TARGET_S = 2.0
WIDGETS = {name: FigureWidget() for name in figures.CHARTS}


def draw(view, base, band) -> None:
    """Build every chart and hand it to its widget, as ``app.Plot`` does."""
    for name, build in figures.CHARTS.items():
        fig = build(view, base, band)
        widget = WIDGETS[name]
        with widget.batch_update():
            widget.layout = fig.layout
            n = len(widget.data)
            widget.add_traces(fig.data)
            widget.data = widget.data[n:]
    figures.milestone_html(view, base, band)


def one(values: dict, compare: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    model = DashboardModel(**values)
    t1 = time.perf_counter()
    model.run_to_end()
    t2 = time.perf_counter()
    draw(model.view(), model.baseline() if compare else None, None)
    t3 = time.perf_counter()
    assert model.error is None and not model.running
    return {"build_s": t1 - t0, "run_s": t2 - t1, "draw_s": t3 - t2, "total_s": t3 - t0}


def ensemble(values: dict) -> dict[str, float]:
    model = DashboardModel(**values)
    model.run_to_end()
    t0 = time.perf_counter()
    band = ensemble_band(model.config, controls.fixed_keys(values), ENSEMBLE_MEMBERS)
    t1 = time.perf_counter()
    draw(model.view(), None, band)
    t2 = time.perf_counter()
    return {"ensemble_run_s": t1 - t0, "ensemble_draw_s": t2 - t1, "ensemble_total_s": t2 - t0}


def _summary(runs: list[dict], out: dict) -> None:
    for key in runs[0]:
        values = [r[key] for r in runs]
        out[key] = {"median": statistics.median(values), "min": min(values)}
        print(f"{key[:-2]:>16}: median {out[key]['median']:.3f} s   min {out[key]['min']:.3f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--compare", action="store_true", help="draw the baseline too")
    ap.add_argument("--ensemble", action="store_true", help="also time the ensemble band")
    args = ap.parse_args()
    if args.compare:
        baseline_view(None)  # cached once per page, as on the page
    one({"adoption_lag": 3.0}, args.compare)  # warm-up: imports, caches, compiled kernels
    runs = [one({"adoption_lag": 3.0 + 0.5 * i}, args.compare) for i in range(args.repeats)]
    out = {"python": platform.python_version(), "repeats": args.repeats,
           "compare": args.compare, "target_s": TARGET_S}
    _summary(runs, out)
    ok = out["total_s"]["median"] < TARGET_S
    print(f"redraw after a slider change: {out['total_s']['median']:.2f} s (target < "
          f"{TARGET_S:g} s): {'OK' if ok else 'SLOW'}")
    if args.ensemble:
        ens = [ensemble({"adoption_lag": 3.0 + 0.5 * i}) for i in range(max(1, args.repeats // 2))]
        _summary(ens, out)
        print(f"ensemble band ({ENSEMBLE_MEMBERS} members) after the run: "
              f"{out['ensemble_total_s']['median']:.2f} s")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
