"""How the economy's outcomes move with its parameters: a one-at-a-time sensitivity table for
the default scenario (2023-2050).

    python experiments/economy_sensitivity.py [--out experiments/output/economy_sensitivity.md]

Each parameter in ``RANGES`` is moved, alone, to the low and then the high end of a plausible
range (the range and its source are written beside it); all runs step together as one batch.
Outcomes per run: unemployment in 2040 and its monthly peak (and the year of the peak), US
output in 2040 and 2050, the first year annual US output growth exceeds 5% and 20% (growth from
December to December), the labour share in 2040 and 2050, the mean wage in 2040 relative to
2023, and the cumulative Acemoglu-Restrepo displacement and reinstatement effects over
2025-2045 (the sum of each year's mean effect, in log points of the task wage bill). Levels in
a year are that year's 12-month mean.

Prints a Markdown table (the base row first, then the low and high run of each parameter) and
writes it to ``--out``. Checks (exit code 1 when one fails): every outcome is finite (a growth
threshold not crossed by 2050 is reported as such, not as a number), and the base row of the
batch equals a fresh run of the default scenario alone.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import sim

ROOT = Path(__file__).resolve().parent.parent
END_YEAR = 2050
#: parameter -> (low, high, source of the range)
RANGES: dict[str, tuple[float, float, str]] = {
    "economy.task_substitution_rho": (
        -1.0, -0.2, "Davidson (2023) presets: aggressive -0.2, best guess -0.5 (the default), "
        "conservative -2; -1 (elasticity 0.5) is halfway to the conservative one in "
        "elasticity"),
    "economy.capital_substitution_rho": (
        -1.0, -0.05, "capital-labour elasticity 0.5 (Oberfield & Raval 2021 ~0.5-0.7; "
        "Chirinko 2008 survey 0.4-0.6) to 0.95, near Cobb-Douglas; Davidson (2023) -0.4 best "
        "guess, -0.2 aggressive"),
    "economy.tfp_growth_per_yr": (
        0.005, 0.015, "US TFP growth (Fernald, San Francisco Fed): ~0.5%/yr 2005-2019 to "
        "~1.5%/yr over 1947-1973; Davidson (2023) 1%"),
    "economy.investment_share": (
        0.18, 0.25, "gross private and government investment, share of GDP, BEA NIPA "
        "1970-2023 lows (2009-2010) to highs (late 1970s, 2006)"),
    "labour.reinstatement_share": (
        0.0, 1.0, "Acemoglu & Restrepo (2019): reinstatement ~0.5x displacement in 1987-2017, "
        "~1x in 1947-1987; 0 is no new tasks"),
    "labour.wage_flexibility": (
        0.1, 2.0, "assumption: sticky wages (flat wage Phillips curves) to wages that close "
        "most of a gap within a year"),
    "labour.separation_rate_per_month": (
        0.007, 0.015, "CPS employment-to-unemployment flow, tight (late 2010s, 2022-23) to "
        "slack (2009) labour markets, approximate"),
    "labour.job_finding_rate_per_month": (
        0.15, 0.35, "CPS unemployment-to-employment flow, ~0.15 (2010) to ~0.30 (2000, 2019), "
        "approximate; upper end widened"),
    "labour.wage_floor_usd_per_hour": (
        0.0, 15.0, "no floor to $15/h (state minimums of 2023-2025, the Raise the Wage Act)"),
    "market.markup": (
        0.1, 0.9, "assumption: near-Bertrand competition among labs to a near-monopolist "
        "taking most of the customer's surplus"),
    "market.adoption_lag_years": (
        2.0, 12.0, "Bass diffusion half-times: generative AI's fast uptake (Bick, Blandin & "
        "Deming 2024) to general-purpose technologies' decades (Comin & Hobijn 2010)"),
    "capital.max_ai_spend_share_of_gdp": (
        0.02, 0.2, "Davidson (2023) compute ceiling of world output: conservative 0.03, best "
        "guess 0.1, aggressive 0.3; low end below his conservative"),
}
NEEDED = ("unemployment_rate", "us_output_usd_per_yr", "labour_share",
          "mean_wage_usd_per_hour", "ar_displacement", "ar_reinstatement")
COLUMNS = ("unemp_2040", "unemp_peak", "peak_year", "output_2040_T", "output_2050_T",
           "growth_5pct_year", "growth_20pct_year", "labour_share_2040", "labour_share_2050",
           "wage_2040_vs_2023", "displacement_2025_45", "reinstatement_2025_45")
#: years: None = not reached by END_YEAR (not a failure)
YEAR_COLUMNS = ("peak_year", "growth_5pct_year", "growth_20pct_year")


def year_mean(res: sim.Results, name: str, year: int) -> float:
    """The 12-month mean of an aggregate in a calendar year."""
    mask = np.floor(res.times + 1e-9) == year
    return float(res.aggregates[name][mask, 0].mean())


def year_end(res: sim.Results, name: str) -> dict[int, float]:
    """An aggregate's December value, by calendar year."""
    years = np.floor(res.times + 1e-9).astype(int)
    return {int(y): float(res.aggregates[name][np.flatnonzero(years == y)[-1], 0])
            for y in np.unique(years)}


def first_growth_year(res: sim.Results, threshold: float, name="us_output_usd_per_yr"):
    """First calendar year whose December-to-December growth exceeds ``threshold``."""
    ends = year_end(res, name)
    for y in sorted(ends)[1:]:
        if ends[y] / ends[y - 1] - 1.0 > threshold:
            return y
    return None


def outcomes(res: sim.Results) -> dict:
    """The table's outcomes for one run."""
    a, t = res.aggregates, res.times
    unemp = a["unemployment_rate"][:, 0]
    peak = int(np.argmax(unemp))
    cumulative = {}
    for effect in ("displacement", "reinstatement"):
        cumulative[effect] = sum(year_mean(res, f"ar_{effect}", y) for y in range(2025, 2046))
    return {
        "unemp_2040": year_mean(res, "unemployment_rate", 2040),
        "unemp_peak": float(unemp[peak]),
        "peak_year": int(math.floor(t[peak] + 1e-9)),
        "output_2040_T": year_mean(res, "us_output_usd_per_yr", 2040) / 1e12,
        "output_2050_T": year_mean(res, "us_output_usd_per_yr", 2050) / 1e12,
        "growth_5pct_year": first_growth_year(res, 0.05),
        "growth_20pct_year": first_growth_year(res, 0.20),
        "labour_share_2040": year_mean(res, "labour_share", 2040),
        "labour_share_2050": year_mean(res, "labour_share", 2050),
        "wage_2040_vs_2023": year_mean(res, "mean_wage_usd_per_hour", 2040)
        / year_mean(res, "mean_wage_usd_per_hour", 2023),
        "displacement_2025_45": cumulative["displacement"],
        "reinstatement_2025_45": cumulative["reinstatement"],
    }


def _cell(column: str, value) -> str:
    if value is None:
        return f"not by {END_YEAR}"
    if column in YEAR_COLUMNS:
        return str(value)
    if column.startswith("unemp"):
        return f"{100 * value:.1f}%"
    if column.startswith("labour_share"):
        return f"{value:.3f}"
    if column.startswith("output"):
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown(rows: list[tuple[str, str, dict]]) -> str:
    """The table: parameter, value, then every outcome."""
    head = ["parameter", "value", *COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, value, out in rows:
        lines.append("| " + " | ".join([name, value, *(_cell(c, out[c]) for c in COLUMNS)])
                     + " |")
    return "\n".join(lines)


def ranges_text() -> str:
    return "\n".join(f"- `{k}`: {lo:g} to {hi:g} ({src})" for k, (lo, hi, src)
                     in RANGES.items())


def finite(out: dict) -> bool:
    return all(out[c] is None if out[c] is None else math.isfinite(out[c]) for c in COLUMNS)


def same(a: dict, b: dict, rtol=1e-9) -> bool:
    for c in COLUMNS:
        x, y = a[c], b[c]
        if (x is None) != (y is None):
            return False
        if x is not None and not math.isclose(x, y, rel_tol=rtol, abs_tol=1e-12):
            return False
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "experiments" / "output"
                                         / "economy_sensitivity.md"))
    args = ap.parse_args(argv)

    end = [f"time.end_year={END_YEAR}"]
    base = sim.load_config(overrides=end)
    labels = [("base (default)", "")]
    configs = [base]
    for key, (lo, hi, _) in RANGES.items():
        current = base
        for part in key.split("."):
            current = getattr(current, part)
        for tag, value in (("low", lo), ("high", hi)):
            configs.append(sim.load_config(overrides=[*end, f"{key}={value!r}"]))
            labels.append((key, f"{tag} {value:g} (base {current:g})"))

    start = time.perf_counter()
    batch = sim.run_batch(configs, record_occupations=False, record_aggregates=NEEDED).sim
    batch_s = time.perf_counter() - start
    rows = [(name, value, outcomes(batch.scenario(i))) for i, (name, value) in enumerate(labels)]
    start = time.perf_counter()
    alone = outcomes(sim.run(base, record_occupations=False).sim)
    alone_s = time.perf_counter() - start

    table = markdown(rows)
    text = (f"# Economy sensitivity, default scenario 2023-{END_YEAR}\n\n"
            f"One parameter at a time at the low and high end of its range; {len(configs)} "
            f"runs in one batch.\n\n{table}\n\nRanges and sources:\n\n{ranges_text()}\n")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(table)
    print(f"\n{len(configs)} runs in one batch: {batch_s:.1f} s; the base run alone: "
          f"{alone_s:.1f} s. Table written to {out}")

    checks = [("every outcome finite (thresholds not crossed count as 'not by "
               f"{END_YEAR}')", ", ".join(f"{n} {v}" for n, v, o in rows if not finite(o))
               or "all", all(finite(o) for _, _, o in rows)),
              ("base row equals a fresh single run", "", same(rows[0][2], alone))]
    failed = 0
    for what, value, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {what}{': ' + value if value else ''}")
        failed += not passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
