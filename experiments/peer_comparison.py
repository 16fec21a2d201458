"""The peer presets beside their peers: Davidson's takeoff model (three presets) and the AI
Futures Project, each run to 2060 and set beside the peer's published figures.

    python experiments/peer_comparison.py [--data ../shared/peers]

Prints, per preset: the year AI can automate 20% and 100% (99.5%) of wage-weighted work and the
takeoff between them, the biggest training run at those dates, and the AI R&D progress
multiplier over time, each beside the peer's value; for the best guess also world output
growth beside Davidson's (the first year annual growth passes 5% and 20%, the doubling time
then, and the shortest doubling time before 2060; annual growth from year-end values, doubling
time ln 2 / ln(1 + growth)), with the gap between the years the two pass 5% (reported, not
checked: today's model passes it 7 years earlier, see OUTPUT_GROWTH_NOTE); then the checks (exit
code 1 when one fails): best guess 20% within 1.5 years of 2036, 100% within 2 years of
2040, takeoff within 2 years of 3.8; aggressive 100% before 2032; conservative not before
2060; AI Futures' automated AI researcher by 2030 with the multiplier past 10x within two
years of it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.config.peers import DEFAULT_DATA_DIR

END_YEAR = 2060
#: Davidson's model, headline results of its presets (peers/README.md; best guess from
#: peers/ftm_best_guess_summary.csv): 20% and 100% automation, biggest run at each.
FTM = {
    "ftm_best_guess": {"20%": 2036.1, "100%": 2040.0, "run_at_20%": 1.675e31,
                       "run_at_100%": 2.99e36},
    "ftm_aggressive": {"20%": 2027.1, "100%": 2027.2},
    "ftm_conservative": {"20%": 2061.7, "100%": None},  # not before 2100
}
#: AI Futures Project (AI 2027): superhuman coder medians 2028-2030; multipliers of 5x at the
#: superhuman coder rising to hundreds within about two years.
AI_FUTURES = {"researcher_by": 2030.0, "multiplier": 10.0, "within_years": 2.0}
#: World output growth thresholds compared with Davidson's best guess.
GROWTH_THRESHOLDS = (0.05, 0.20)
OUTPUT_GROWTH_NOTE = (
    "Likely reasons the model's world output growth passes 5% earlier than Davidson's: it "
    "counts AI that makes people faster on tasks it cannot do alone (augmentation) and "
    "tasks already within reach of 2023's models, both adopted within about a year under "
    "this preset (its augmented share passes 38% of work in 2026); in "
    "Davidson's model no goods-and-services task is automated before the mid-2030s and AI adds "
    "nothing short of automating a task. After full automation the model's growth falls back "
    "(capital is a complement to the task aggregate and accumulates at the 2023 investment "
    "share; AI work is bought from labs that price it toward its value) while Davidson's stays "
    "above 20%/yr, as compute, itself bought with output, substitutes for all labour.")


def run(preset: str) -> sim.Results:
    """One preset to ``END_YEAR``."""
    return sim.run(sim.load_config(scenario=preset, overrides=[f"time.end_year={END_YEAR}"]),
                   record_occupations=False).sim


def at(res: sim.Results, name: str, year: float | None) -> float:
    """An aggregate at a decimal year (NaN when the year is None or past the end)."""
    if year is None or not res.times[0] <= year <= res.times[-1]:
        return float("nan")
    return float(res.aggregates[name][int(np.searchsorted(res.times, year)), 0])


def milestones(res: sim.Results) -> dict:
    """Model's 20% and 100% years, takeoff and biggest run at each."""
    ms = res.summary()["milestones"]
    y20, y100 = ms.get("capable_20pct"), ms.get("capable_100pct")
    return {"20%": y20, "100%": y100,
            "takeoff": None if y20 is None or y100 is None else y100 - y20,
            "run_at_20%": at(res, "largest_run_flop", y20),
            "run_at_100%": at(res, "largest_run_flop", y100),
            "researcher": ms.get("automated_ai_researcher")}


def ftm_multiplier(data_dir: Path) -> pd.Series:
    """The FTM best guess's R&D automation multiplier by year."""
    ts = pd.read_csv(Path(data_dir) / "ftm_best_guess_timeseries.csv")
    return ts.set_index("timesteps")["automation_multiplier_rnd"]


def year_end_growth(years, values) -> dict[int, float]:
    """Annual growth of calendar year y, ``values[y] / values[y - 1] - 1``, from year-end
    values ``{year: value}``.
    """
    return {y: values[y] / values[y - 1] - 1.0 for y in years if y - 1 in values}


def model_world_growth(res: sim.Results) -> dict[int, float]:
    """The model's world output growth by calendar year (December to December)."""
    years = np.floor(res.times + 1e-9).astype(int)
    w = res.aggregates["world_output_usd_per_yr"][:, 0]
    ends = {int(y): float(w[np.flatnonzero(years == y)[-1]]) for y in np.unique(years)}
    return year_end_growth(sorted(ends), ends)


def ftm_world_growth(data_dir: Path) -> dict[int, float]:
    """Davidson's best guess: gwp growth by calendar year (value at the start of y + 1 over
    the start of y).
    """
    ts = pd.read_csv(Path(data_dir) / "ftm_best_guess_timeseries.csv")
    t, gwp = ts["timesteps"].to_numpy(), ts["gwp"].to_numpy()
    starts = {int(y): float(np.interp(y, t, gwp)) for y in range(int(np.ceil(t[0])),
                                                                  int(t[-1]) + 1)}
    ends = {y - 1: v for y, v in starts.items()}
    return year_end_growth(sorted(ends), ends)


def doubling_years(growth: float) -> float:
    """Doubling time at an annual growth rate, ln 2 / ln(1 + growth)."""
    return float(np.log(2.0) / np.log1p(growth)) if growth > 0 else float("inf")


def growth_milestones(growth: dict[int, float], start=2023, before=END_YEAR) -> dict:
    """First year growth passes each threshold, the doubling time then, and the shortest
    doubling time of the years before ``before``.
    """
    years = [y for y in sorted(growth) if start <= y < before]
    out = {}
    for th in GROWTH_THRESHOLDS:
        y = next((y for y in years if growth[y] > th), None)
        out[f">{th:.0%}"] = y
        out[f"doubling at >{th:.0%}"] = None if y is None else doubling_years(growth[y])
    fastest = max(years, key=lambda y: growth[y])
    out["shortest doubling"] = doubling_years(growth[fastest])
    out["shortest doubling year"] = fastest
    return out


def _fmt(x, kind="year"):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return f"not by {END_YEAR}" if kind == "year" else "-"
    return f"{x:.1f}" if kind == "year" else f"{x:.2g}"


def checks(models: dict) -> list[tuple[str, str, bool]]:
    """(what, value, passed) for each acceptance check."""
    best, aggr, cons = (models[k] for k in ("ftm_best_guess", "ftm_aggressive",
                                            "ftm_conservative"))
    aif = models["ai_futures"]

    def near(x, target, tol):
        return x is not None and abs(x - target) <= tol

    out = [("ftm_best_guess: 20% within 1.5 years of 2036.1", _fmt(best["20%"]),
            near(best["20%"], 2036.1, 1.5)),
           ("ftm_best_guess: 100% within 2 years of 2040.0", _fmt(best["100%"]),
            near(best["100%"], 2040.0, 2.0)),
           ("ftm_best_guess: takeoff within 2 years of 3.8", _fmt(best["takeoff"]),
            near(best["takeoff"], 3.8, 2.0)),
           ("ftm_aggressive: 100% before 2032", _fmt(aggr["100%"]),
            aggr["100%"] is not None and aggr["100%"] < 2032),
           ("ftm_conservative: 100% not before 2060", _fmt(cons["100%"]),
            cons["100%"] is None or cons["100%"] >= 2060)]
    r = aif["researcher"]
    out.append((f"ai_futures: automated AI researcher by {AI_FUTURES['researcher_by']:g}",
                _fmt(r), r is not None and r <= AI_FUTURES["researcher_by"]))
    later = aif["multiplier_later"]
    out.append((f"ai_futures: R&D multiplier past {AI_FUTURES['multiplier']:g}x within "
                f"{AI_FUTURES['within_years']:g} years of it", _fmt(later, "x"),
                np.isfinite(later) and later >= AI_FUTURES["multiplier"]))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="peer records folder")
    args = ap.parse_args(argv)
    models, results = {}, {}
    for preset in (*FTM, "ai_futures"):
        results[preset] = res = run(preset)
        models[preset] = milestones(res)
    aif, res = models["ai_futures"], results["ai_futures"]
    aif["multiplier_later"] = at(res, "ai_rd_multiplier", None if aif["researcher"] is None
                                 else aif["researcher"] + AI_FUTURES["within_years"])

    print(f"{'preset':18s} {'':12s} {'model':>12s} {'peer':>12s}")
    for preset, peer in FTM.items():
        m = models[preset]
        for key, kind in (("20%", "year"), ("100%", "year"), ("run_at_20%", "x"),
                          ("run_at_100%", "x")):
            peer_value = peer.get(key, float("nan"))
            shown = ("not by 2100" if kind == "year" and key in peer and peer[key] is None
                     else _fmt(peer_value, kind))
            print(f"{preset:18s} {key:12s} {_fmt(m[key], kind):>12s} {shown:>12s}")
        print(f"{preset:18s} {'takeoff (yr)':12s} {_fmt(m['takeoff']):>12s}"
              f" {_fmt(peer['100%'] - peer['20%']) if peer['100%'] else '-':>12s}")
    model_growth = growth_milestones(model_world_growth(results["ftm_best_guess"]))
    peer_growth = growth_milestones(ftm_world_growth(args.data))
    print("\nftm_best_guess: world output growth (annual, year-end values; doubling time "
          "ln 2 / ln(1 + growth), years)")
    print(f"{'':26s} {'model':>12s} {'Davidson':>12s}")
    for key in peer_growth:
        kind = "year" if key.startswith(">") or key.endswith("year") else "x"
        m, d = model_growth[key], peer_growth[key]
        shown = [(f"not by {END_YEAR}" if kind == "year" else "-") if v is None
                 else (f"{v:d}" if kind == "year" else f"{v:.2f}") for v in (m, d)]
        print(f"{key:26s} {shown[0]:>12s} {shown[1]:>12s}")
    y5m, y5d = model_growth[">5%"], peer_growth[">5%"]
    gap = None if y5m is None or y5d is None else y5m - y5d
    print(f"gap, model minus Davidson, year growth passes 5%: "
          f"{'-' if gap is None else f'{gap:+d} years'} (not a check; a 4-year tolerance "
          f"{'holds' if gap is not None and abs(gap) <= 4 else 'does not hold'})")
    if gap is not None and gap < -4:
        print(OUTPUT_GROWTH_NOTE)
    mult = ftm_multiplier(args.data)
    print("\nAI R&D progress multiplier (model: research input with AI / people alone; FTM: its "
          "R&D automation multiplier)")
    print(f"{'year':>6s} {'ftm_best_guess':>15s} {'FTM':>10s} {'ai_futures':>12s} "
          f"{'default':>10s}")
    default = sim.run(sim.load_config(overrides=[f"time.end_year={END_YEAR}"]),
                      record_occupations=False).sim
    for year in range(2025, END_YEAR + 1, 5):
        ftm = mult.iloc[int(np.argmin(np.abs(mult.index - year)))]
        print(f"{year:>6d} {at(results['ftm_best_guess'], 'ai_rd_multiplier', year):>15.3g} "
              f"{ftm:>10.3g} {at(res, 'ai_rd_multiplier', year):>12.3g} "
              f"{at(default, 'ai_rd_multiplier', year):>10.3g}")
    print(f"\nai_futures: automated AI researcher {_fmt(aif['researcher'])}; multiplier "
          f"{AI_FUTURES['within_years']:g} years later {_fmt(aif['multiplier_later'], 'x')}")
    failed = 0
    for what, value, passed in checks(models):
        print(f"  {'PASS' if passed else 'FAIL'}  {what}: {value}")
        failed += not passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
