"""When can AI do 95% of wage-weighted work? A Monte Carlo over the uncertain drivers, set
beside Irpan's 2024 forecast [002].

    python experiments/agi_arrival.py [--runs 1000] [--workers 2] [--out results/agi_arrival]
                                      [--scheduler ADDRESS]

Runs ``configs/sweeps/agi_arrival.yaml`` (ranges from their sources, 2023-2070), then prints
the share of runs in which AI can automate 95% of wage-weighted work by each of Irpan's years,
next to his probabilities, the Spearman correlation of every swept parameter with that year,
and the spread of the 20% year; plots the CDF with his points (``agi_arrival.png`` in the sweep
folder). Checks (exit code 1 when one fails): every probability within 10 points of Irpan's,
no parameter with |Spearman| above 0.7 with the 95% year, and a 10-90% range of the 20% year of
at least 5 years.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.figures.style import STYLE, plt, save_figure
from sim.sweep import load_sweep, run_sweep
from sim.sweep.analysis import ecdf

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ROOT / "configs" / "sweeps" / "agi_arrival.yaml"
MILESTONE = "milestone.capable_95pct"
FIRST = "milestone.capable_20pct"
MAX_GAP, MAX_SPEARMAN, MIN_SPREAD_YEARS = 0.10, 0.7, 5.0
#: Irpan's P(AGI by year) [002]: 2024 forecast, and his 2020 one (no 2028 point then).
IRPAN_2024 = {2028: 0.10, 2035: 0.25, 2045: 0.50, 2070: 0.90}
IRPAN_2020 = {2035: 0.10, 2045: 0.50, 2070: 0.90}


def probability_by(years: np.ndarray, year: int) -> float:
    """Share of runs that reach the milestone by the end of ``year`` (NaN = not reached)."""
    return float(np.mean(np.nan_to_num(years, nan=np.inf) < year + 1))


def comparison(years: np.ndarray) -> pd.DataFrame:
    """Model vs forecast at Irpan's years."""
    rows = [{"year": y, "model": probability_by(years, y), "irpan_2024": p,
             "irpan_2020": IRPAN_2020.get(y, np.nan)} for y, p in IRPAN_2024.items()]
    df = pd.DataFrame(rows)
    df["model_minus_2024"] = df["model"] - df["irpan_2024"]
    return df


def sensitivities(runs: pd.DataFrame, keys) -> pd.Series:
    """Spearman correlation of each swept parameter with the 95% year (not reached = last)."""
    from scipy.stats import spearmanr

    years = runs[MILESTONE].fillna(np.inf).rank()
    return pd.Series({k: spearmanr(runs[k], years).statistic for k in keys}).sort_values(
        key=np.abs, ascending=False)


def _not_reached_last(years: np.ndarray) -> np.ndarray:
    """Years with runs that never reach the milestone placed after every other (2100)."""
    return np.where(np.isfinite(years), years, 2100.0)


def checks(table: pd.DataFrame, rho: pd.Series, first_years: np.ndarray) -> list[tuple]:
    """(what, value, passed) for each acceptance check."""
    p10, p90 = np.percentile(_not_reached_last(first_years), [10, 90])
    spread = p90 - p10
    out = [(f"P(by {r.year}) within {MAX_GAP:.0%} of Irpan 2024", f"{r.model_minus_2024:+.0%}",
            abs(r.model_minus_2024) <= MAX_GAP + 1e-12) for r in table.itertuples()]
    out.append((f"largest |Spearman| with the 95% year <= {MAX_SPEARMAN}",
                f"{rho.index[0]} {rho.iloc[0]:+.2f}", abs(rho.iloc[0]) <= MAX_SPEARMAN))
    out.append((f"10-90% range of the 20% year >= {MIN_SPREAD_YEARS:g} years",
                f"{spread:.1f} years", spread >= MIN_SPREAD_YEARS))
    return out


def plot(years: np.ndarray, end_year: int, n: int, path: Path) -> Path:
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 5))
        x, p = ecdf(years)
        ax.step(np.r_[2023, x, end_year + 1], np.r_[0, p, p[-1] if len(p) else 0],
                where="post", color="C0", lw=1.8, label=f"model: {n} Monte Carlo runs")
        ax.plot(list(IRPAN_2024), list(IRPAN_2024.values()), "k*", ms=11,
                label="Irpan 2024 forecast")
        ax.plot(list(IRPAN_2020), list(IRPAN_2020.values()), "o", mfc="none", mec="0.4",
                ms=8, label="Irpan 2020 forecast")
        reached = np.isfinite(years).mean()
        ax.axhline(reached, color="0.6", ls=":", lw=1)
        ax.annotate(f"{100 * (1 - reached):.0f}% of runs: not by {end_year}", (2024, reached),
                    xytext=(0, 4), textcoords="offset points", fontsize=8, color="0.35")
        ax.set(title="Year AI can do 95% of wage-weighted US work (Irpan's AGI bar)",
               xlabel="year", ylabel="probability reached by then (share of runs)",
               xlim=(2023, end_year + 1), ylim=(0, 1.02))
        ax.legend(loc="upper left")
        note = ("Source: ai-economy-sim, configs/sweeps/agi_arrival.yaml (ranges from the seed "
                "articles); Irpan's forecasts as reported in [002].")
        return save_figure(fig, path, note)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=None, help="Monte Carlo runs (default: file)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--out", default="results/agi_arrival")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--no-check", action="store_true", help="exit 0 even when a check fails "
                    "(for small trial runs)")
    args = ap.parse_args(argv)

    spec = load_sweep(SWEEP)
    if args.runs:
        spec = dataclasses.replace(spec, runs=args.runs)
    out = Path(args.out)
    summary = pd.read_parquet(run_sweep(spec, out, workers=args.workers,
                                        scheduler=args.scheduler, force=True,
                                        progress=not args.quiet))
    ok = summary[summary["status"] == "ok"]
    years = ok[MILESTONE].to_numpy(dtype=float)
    end = spec.base["time"]["end_year"]
    table = comparison(years)
    table.to_csv(out / "agi_arrival.csv", index=False)
    fig = plot(years, end, len(ok), out / "agi_arrival.png")
    print(f"AI can do 95% of wage-weighted work: {len(ok)} runs "
          f"({len(summary) - len(ok)} failed), {spec.sampler} over {len(spec.keys)} parameters")
    if np.isfinite(years).any():
        q = np.nanpercentile(years, [10, 50, 90])
        print(f"  among runs reaching it by {end}: 10th pct {q[0]:.1f}, median {q[1]:.1f}, "
              f"90th pct {q[2]:.1f}; reached by {end}: {np.isfinite(years).mean():.0%}")
    print(f"  {'by year':>8} {'model':>8} {'Irpan 2024':>11} {'Irpan 2020':>11} {'model-2024':>11}")
    for r in table.itertuples():
        i2020 = "" if np.isnan(r.irpan_2020) else f"{r.irpan_2020:.0%}"
        print(f"  {r.year:>8} {r.model:>8.0%} {r.irpan_2024:>11.0%} {i2020:>11} "
              f"{r.model_minus_2024:>+11.0%}")
    rho = sensitivities(ok, spec.keys)
    rho.rename("spearman_with_95pct_year").to_csv(out / "agi_arrival_spearman.csv")
    print("  Spearman correlation with the 95% year (strongest first):")
    for key, value in rho.items():
        print(f"    {key:45s} {value:+.2f}")
    first = ok[FIRST].to_numpy(dtype=float)
    q20 = np.percentile(_not_reached_last(first), [10, 50, 90])
    print(f"  20% year: 10th pct {q20[0]:.1f}, median {q20[1]:.1f}, 90th pct {q20[2]:.1f}")
    print(f"  figure: {fig}")
    failed = 0
    for what, value, passed in checks(table, rho, first):
        print(f"  {'PASS' if passed else 'FAIL'}  {what}: {value}")
        failed += not passed
    return 1 if failed and not args.no_check else 0


if __name__ == "__main__":
    sys.exit(main())
