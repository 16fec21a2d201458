"""What a compare of runs says first: which milestones move and by how much against the first
run, which parameters differ, and how peak unemployment and output compare.

Every function takes :class:`sim.outputs.run_data.RunData` (a result folder or a run in memory); the
first run is the reference the others are measured against.
"""

from __future__ import annotations

import numpy as np

from sim.config.paramdoc import parameter_rows
from sim.figures import labour as lf
from sim.figures.common import milestone_year
from sim.outputs.results import year_month
from sim.outputs.run_data import RunData

#: Milestones closer than this (years) count as unchanged: half a year, six monthly steps.
MOVE_YEARS = 0.5
#: The largest moves named one by one in the findings, per run.
MOVES_NAMED = 5


def when(run: RunData, name: str) -> str:
    """A milestone's month in ``run`` (YYYY-MM), or "not by END"."""
    year = milestone_year(run, name)
    return year_month(year) if np.isfinite(year) else f"not by {run.end_year}"


def shift(first: RunData, other: RunData, name: str) -> float:
    """Years ``other`` reaches a milestone after ``first`` (negative: before); +inf when only
    ``first`` reaches it, -inf when only ``other`` does, NaN when neither does.
    """
    a, b = milestone_year(first, name), milestone_year(other, name)
    if np.isfinite(a) and np.isfinite(b):
        return b - a
    if np.isfinite(a):
        return np.inf
    return -np.inf if np.isfinite(b) else np.nan


def _move_text(first: RunData, other: RunData, name: str, years: float) -> str:
    label = lf.MILESTONE_LABELS[name]
    if np.isinf(years):
        return f"{label}: {when(other, name)} ('{first.label}': {when(first, name)})"
    return (f"{label}: {abs(years):.1f} years {'later' if years > 0 else 'earlier'} "
            f"({when(other, name)}; '{first.label}': {when(first, name)})")


def _at_end(run: RunData, name: str) -> float | None:
    return float(run.agg(name)[-1]) if name in run.aggregates else None


def key_findings(runs: list[RunData]) -> list[tuple[str, list[str]]]:
    """Per run after the first: a heading and the sentences that say how it differs from the
    first run, largest milestone moves first.
    """
    first = runs[0]
    out = []
    names = [n for n in lf.MILESTONE_LABELS if n in first.milestones]
    for other in runs[1:]:
        moves = {n: shift(first, other, n) for n in names}
        moved = sorted((n for n, d in moves.items() if np.isfinite(d) and abs(d) >= MOVE_YEARS
                        or np.isinf(d)), key=lambda n: -abs(moves[n]))
        lines = [_move_text(first, other, n, moves[n]) for n in moved[:MOVES_NAMED]]
        if len(moved) > MOVES_NAMED:
            lines.append(f"{len(moved) - MOVES_NAMED} more milestones move (table below)")
        same = [lf.MILESTONE_LABELS[n] for n, d in moves.items()
                if np.isfinite(d) and abs(d) < MOVE_YEARS]
        if same:
            lines.append(f"within {12 * MOVE_YEARS:.0f} months of '{first.label}': "
                         + "; ".join(same))
        lines.append(f"peak unemployment {lf.peak_text(other)} ('{first.label}': "
                     f"{lf.peak_text(first)})")
        output = [_at_end(r, "us_output_usd_per_yr") for r in (other, first)]
        share = [_at_end(r, "labour_share") for r in (other, first)]
        if None not in output and None not in share:
            lines.append(f"US output in {other.end_year} ${output[0] / 1e12:.0f}T, labour share "
                         f"{share[0]:.2f} ('{first.label}': ${output[1] / 1e12:.0f}T, "
                         f"{share[1]:.2f})")
        if len(other.codes) != len(first.codes):
            lines.append(f"occupation tables differ ({len(other.codes)} vs "
                         f"{len(first.codes)} occupations): occupations are compared by SOC "
                         "major group")
        out.append((f"'{other.label}' against '{first.label}'", lines))
    return out


def parameters(run: RunData) -> dict[str, object]:
    """Every parameter of a run's configuration by dotted name (labs and vendors by name, as
    ``sim params`` lists them); empty when the configuration is not known.
    """
    if run.config is None:
        return {}
    return {row["name"]: row["default"] for row in parameter_rows(instance=run.config)}


def _plain(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def parameter_differences(runs: list[RunData]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the parameters whose values differ between the runs (the seed
    included); a run whose configuration is not known shows "?".
    """
    flats = [parameters(r) for r in runs]
    keys = list(dict.fromkeys(k for f in flats for k in f))
    rows = []
    for key in keys:
        values = [(_plain(f.get(key)) if f else "?") for f in flats]
        if len({v for v in values if v != "?"}) > 1:
            rows.append([key, *values])
    return ["parameter", *[r.label for r in runs]], rows


def milestone_rows(runs: list[RunData]) -> tuple[list[str], list[list[str]]]:
    """The milestone table: month reached per run, later runs with their difference from the
    first; then :func:`sim.figures.labour.milestone_table`'s other rows.
    """
    first = runs[0]
    rows = []
    for name, label in lf.MILESTONE_LABELS.items():
        if name not in first.milestones:
            continue
        row = [label, when(first, name)]
        for other in runs[1:]:
            years = shift(first, other, name)
            delta = f" ({years:+.1f} yr)" if np.isfinite(years) else ""
            row.append(when(other, name) + delta)
        rows.append(row)
    rows.append(["Peak unemployment (unemployed + retraining)", *[lf.peak_text(r) for r in runs]])
    tables = [dict(lf.milestone_table(r)) for r in runs]
    for key in dict.fromkeys(k for t in tables for k in t):
        if key in lf.MILESTONE_LABELS.values() or key.startswith("Peak unemployment"):
            continue
        rows.append([key, *[t.get(key, "") for t in tables]])
    return ["milestone", *[r.label for r in runs]], rows
