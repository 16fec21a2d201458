"""What a finished sweep says: Sobol indices (Saltelli samples), fan charts, milestone CDFs.

Reads only the sweep folder (``summary.parquet``, ``paths/``, ``sweep.yaml``), so a sweep can be
analysed anywhere its folder is copied to. Figures use the style of :mod:`sim.plots`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError
from sim.files import staging
from sim.output import (
    cannot_write,
    check_target_name,
    check_writable,
    existing_kind,
    holds_anything,
    is_result_folder,
    publish,
)
from sim.plots import STYLE, _finish, plt
from sim.recorder import AGGREGATES
from sim.run_data import read_table
from sim.sweep import runner
from sim.sweep.runner import PATHS, SUMMARY_FILE
from sim.sweep.spec import SweepSpec

#: Irpan (2024) [002]: P(AGI by year), AGI = AI matching humans at 95%+ of valuable work.
IRPAN_2024 = ((2028, 0.10), (2035, 0.25), (2045, 0.50), (2070, 0.90))
PERCENTILES = (5, 25, 50, 75, 95)
#: What an analysis folder holds; an existing folder holding only these is replaced.
ANALYSIS_FILES = frozenset({"sobol_indices.csv", "sobol_indices.png", "fan_charts.png",
                            "milestone_cdfs.png"})
ALLOWED_SWEEP = "allowed: a finished sweep folder written by `sim sweep`"
STATUSES = ("ok", "failed", "invalid")


@dataclass
class AnalysisReport:
    """Where the analysis went and its headline numbers."""

    folder: Path
    runs: int
    ok: int
    sobol: pd.DataFrame | None = None
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """A short plain-text report."""
        lines = [f"Analysis of {self.runs} runs ({self.ok} ok): {self.folder}"]
        if self.sobol is not None and not self.sobol.empty:
            lines.append("Sobol indices (first-order S1, total ST) of the main outputs:")
            for out, g in self.sobol.groupby("output", sort=False):
                top = g.sort_values("ST", ascending=False).head(3)
                parts = ", ".join(f"{r.parameter} S1={r.S1:.2f} ST={r.ST:.2f}"
                                  for r in top.itertuples())
                lines.append(f"  {out}: {parts}")
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  figure: {p}" for p in self.figures]
        return "\n".join(lines)


def _source(spec: SweepSpec) -> str:
    return (f"Source: ai-economy-sim sweep '{spec.name}' ({spec.runs} runs, {spec.sampler} "
            f"sampler, seed {spec.seed}); see sweep.yaml in the sweep folder.")


def _label(col: str) -> str:
    name, _, year = col.partition("@")
    if col == "milestone.automated_ai_researcher":
        return "automated AI researcher (95% of AI-research work)"
    if col.startswith("milestone."):
        label = col[len("milestone."):].replace("_", " ").replace("pct", "%")
        return label.replace("capable", "can automate").replace("adopted", "automated")
    return f"{name.replace('_', ' ')} in {year}" if year else name.replace("_", " ")


def censored_years(values: np.ndarray, end_year: float) -> np.ndarray:
    """Milestone years with 'not reached' (NaN) counted as the year after the end."""
    return np.where(np.isnan(values), end_year + 1.0, values)


def sobol_indices(spec: SweepSpec, df: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """First-order and total Sobol indices of every output (SALib), in run order."""
    from SALib.analyze import sobol

    problem = {"num_vars": len(spec.keys), "names": list(spec.keys),
               "bounds": [[0.0, 1.0]] * len(spec.keys)}
    if (df["status"] != "ok").any():
        notes.append(f"{int((df['status'] != 'ok').sum())} runs failed: Sobol indices need "
                     "every run of a Saltelli sample, so they are not computed")
        return pd.DataFrame()
    end = spec.base["time"]["end_year"]
    rows = []
    for col in output_columns(df, spec):
        y = df[col].to_numpy(dtype=float)
        if col.startswith("milestone."):
            if np.isnan(y).all():
                continue
            if np.isnan(y).any():
                notes.append(f"{col}: runs not reaching it count as {end + 1} in the indices")
            y = censored_years(y, end)
        if not np.isfinite(y).all() or np.ptp(y) <= 1e-9 * np.abs(y).max():
            notes.append(f"{col}: (nearly) the same in every run; no indices")
            continue
        res = sobol.analyze(problem, y, calc_second_order=False, print_to_console=False,
                            seed=spec.seed % 2**32)
        for j, key in enumerate(spec.keys):
            rows.append({"output": col, "parameter": key, "S1": res["S1"][j],
                         "S1_conf": res["S1_conf"][j], "ST": res["ST"][j],
                         "ST_conf": res["ST_conf"][j]})
    return pd.DataFrame(rows)


def output_columns(df: pd.DataFrame, spec: SweepSpec) -> list[str]:
    """The summary's output columns (not the run's identity or parameters)."""
    skip = {"run", "seed", "status", "error", *spec.keys}
    return [c for c in df.columns if c not in skip]


def _panels(n: int):
    """A figure of ``n`` small panels, up to three per row; spare grid cells are hidden."""
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.4 * rows + 0.6), squeeze=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, axes


def sobol_figure(spec: SweepSpec, table: pd.DataFrame, path: Path, max_outputs: int = 6) -> Path:
    """Bars of S1 and ST per parameter for the first outputs, one panel each."""
    strength = table.groupby("output", sort=False)["ST"].max()
    outputs = [o for o in strength.index if strength[o] >= 0.05] or list(strength.index)
    preferred = [o for o in outputs if "95pct" in o or o.endswith("@2050")] or outputs
    chosen = (preferred + [o for o in outputs if o not in preferred])[:max_outputs]
    with plt.rc_context(STYLE):
        fig, axes = _panels(len(chosen))
        x = np.arange(len(spec.keys))
        for ax, out in zip(axes.flat, chosen, strict=False):
            g = table[table["output"] == out].set_index("parameter").loc[list(spec.keys)]
            ax.bar(x - 0.2, g["S1"], 0.4, yerr=g["S1_conf"], label="first-order S1",
                   color="C0", capsize=2)
            ax.bar(x + 0.2, g["ST"], 0.4, yerr=g["ST_conf"], label="total ST", color="C1",
                   capsize=2)
            ax.set_xticks(x, [k.split(".")[-1].replace("_", " ") for k in spec.keys],
                          rotation=30, ha="right", fontsize=7.5)
            top = float(np.nanmax(g[["S1", "ST"]].to_numpy() + g[["S1_conf", "ST_conf"]]
                                   .to_numpy()))
            low = float(np.nanmin(g[["S1", "ST"]].to_numpy() - g[["S1_conf", "ST_conf"]]
                                   .to_numpy()))
            ax.axhline(0, color="0.3", lw=0.8)
            ax.set(title=_label(out), ylabel="share of output variance (index)",
                   ylim=(min(0.0, low) - 0.05, max(1.0, top) + 0.05))
        axes.flat[0].legend()
        fig.suptitle("Sensitivity: Sobol indices (SALib, Saltelli sample; bars: 95% "
                     "confidence)")
        return _finish(fig, path, _source(spec))


def fan_chart(spec: SweepSpec, folder: Path, df: pd.DataFrame, path: Path) -> Path | None:
    """Percentile bands over time of each kept path (or of the aggregates at chosen years)."""
    ok_runs = df.loc[df["status"] == "ok", "run"].to_numpy()
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if spec.outputs.paths and (folder / PATHS).is_dir():
        series = read_paths(folder, spec.outputs.paths, ok_runs)
    else:
        ok = df[df["status"] == "ok"]
        for name in spec.outputs.aggregates:
            years = np.array(spec.outputs.years, dtype=float)
            if len(years) < 2:
                continue
            values = np.stack([ok[f"{name}@{y}"].to_numpy() for y in spec.outputs.years])
            series[name] = (years + 11 / 12, values)
    if not series:
        return None
    with plt.rc_context(STYLE):
        fig, axes = _panels(len(series))
        for ax, (name, (t, v)) in zip(axes.flat, series.items(), strict=False):
            q = np.nanpercentile(v, PERCENTILES, axis=1)
            ax.fill_between(t, q[0], q[4], color="C0", alpha=0.18, lw=0, label="5-95th pct")
            ax.fill_between(t, q[1], q[3], color="C0", alpha=0.38, lw=0, label="25-75th pct")
            ax.plot(t, q[2], color="C0", lw=1.6, label="median")
            unit = AGGREGATES[name][0]
            share = unit.startswith("fraction")  # shares read best on a linear 0-1 axis
            if not share and np.nanmin(v) > 0 and np.nanmax(v) / np.nanmin(v) > 1e3:
                ax.set_yscale("log")
            ax.set(title=name.replace("_", " "), xlabel="year",
                   ylabel=unit.replace("fraction of ", "share of ").replace(" AI ", "\nAI "))
        axes.flat[0].legend(loc="best")
        fig.suptitle(f"Fan charts across {len(ok_runs)} runs")
        return _finish(fig, path, _source(spec))


def read_paths(folder: Path, names, ok_runs: np.ndarray) -> dict:
    """The kept paths of the ok runs: name -> (years, values (years, runs)); unreadable or
    inconsistent chunk files raise :class:`SimInputError`.
    """
    import pyarrow.dataset as ds

    series = {}
    try:
        data = ds.dataset(folder / PATHS, format="parquet")
        for name in names:
            t = data.to_table(columns=["run", "year", name]).to_pandas()
            t = t[t["run"].isin(ok_runs)]
            wide = t.pivot(index="year", columns="run", values=name)
            series[name] = (wide.index.to_numpy(float), wide.to_numpy(float))
    except Exception as exc:  # noqa: BLE001 - pyarrow and pandas raise many kinds on bad bytes
        raise SimInputError(f"SWEEP_DIR {folder / PATHS}", [Problem(
            "paths", PATHS, f"unreadable ({type(exc).__name__}: "
            f"{str(exc).replace(str(folder), 'SWEEP_DIR')[:120]}); allowed: the chunk files as "
            "`sim sweep` wrote them")]) from None
    return series


def ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted reached years and the share of all runs reaching the milestone by each one
    (runs that never reach it keep the curve below 1).
    """
    reached = np.sort(values[np.isfinite(values)])
    return reached, np.arange(1, len(reached) + 1) / max(len(values), 1)


def milestone_cdfs(spec: SweepSpec, df: pd.DataFrame, path: Path) -> Path | None:
    """CDFs of every milestone's year across the ok runs; Irpan's 2024 points on the 95% one."""
    ok = df[df["status"] == "ok"]
    cols = [c for c in df.columns if c.startswith("milestone.") and ok[c].notna().any()]
    if not cols:
        return None
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
        for ax, kind in zip(axes, ("capable", "adopted"), strict=True):
            for i, c in enumerate(x for x in cols if kind in x or
                                  (kind == "capable" and "researcher" in x)):
                yrs, p = ecdf(ok[c].to_numpy(dtype=float))
                ax.step(yrs, p, where="post", color=f"C{i}", label=_label(c))
            if kind == "capable":
                px, py = zip(*IRPAN_2024, strict=True)
                ax.plot(px, py, "k*", ms=9, label="Irpan 2024 forecast (AGI, 95% of work)")
            ax.set(title=f"When AI {'can automate' if kind == 'capable' else 'automates'} a "
                   "share of wage-weighted work", xlabel="year reached",
                   ylabel="share of runs (cumulative)", ylim=(0, 1.02))
            ax.legend(loc="best", fontsize=7.5)
        fig.suptitle(f"Milestone CDFs across {len(ok)} runs (runs not reaching a milestone "
                     f"by {spec.base['time']['end_year']} keep its curve below 1)")
        return _finish(fig, path, _source(spec))


def _bad(where: Path | str, field: str, value, why: str) -> SimInputError:
    return SimInputError(f"SWEEP_DIR {where}", [Problem(field, value, why)])


def load_spec(folder: Path) -> SweepSpec:
    """The sweep definition of a sweep folder; a run folder, a file or a foreign folder is an
    input error that says what it is.
    """
    try:
        if not folder.is_dir():
            raise _bad(folder, "SWEEP_DIR", str(folder), f"not a folder; {ALLOWED_SWEEP}")
        if not (folder / runner.SWEEP_FILE).is_file():
            what = ("a result folder of `sim run` (read it with `sim report`)"
                    if is_result_folder(folder) else "no sweep.yaml: not a sweep folder")
            raise _bad(folder, "SWEEP_DIR", str(folder), f"{what}; {ALLOWED_SWEEP}")
        return runner.load_folder(folder)
    except OSError as exc:
        raise _bad(folder, runner.SWEEP_FILE, "(unreadable)", f"cannot be read ({exc.strerror}); "
                   f"{ALLOWED_SWEEP}") from None


def _check_summary_columns(df: pd.DataFrame, spec: SweepSpec, where: Path) -> None:
    """Every column the analysis reads is there, with the right kind of values."""
    outputs = runner.output_columns(spec.outputs, spec.base["milestones"]["levels"])
    for col in ("run", "status", "error", *spec.keys, *outputs):
        if col not in df:
            raise _bad(where, f"column {col}", "(missing)", "no such column; allowed: the "
                       "summary as `sim sweep` wrote it (run, seed, status, error, the "
                       "parameters, the outputs)")
    for col in ("run", *outputs):
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            raise _bad(where, f"column {col}", df[col].iloc[0] if len(df) else "(empty)",
                       f"{df[col].dtype} values; allowed: numbers")
    unknown = ~df["status"].isin(STATUSES)
    if unknown.any():
        raise _bad(where, "column status", df.loc[unknown, "status"].iloc[0], "unknown status; "
                   f"allowed: {', '.join(STATUSES)}")


def _check_summary_rows(df: pd.DataFrame, spec: SweepSpec, where: Path) -> None:
    """One row per run of the sweep, in order, with finite outputs where the run is ok."""
    runs = df["run"].to_numpy(float)
    if len(df) != spec.runs or not np.array_equal(runs, np.arange(spec.runs)):
        raise _bad(where, "rows", len(df), f"not one row per run 0..{spec.runs - 1} of "
                   f"sweep.yaml; {ALLOWED_SWEEP} (finish it with `sim sweep --resume`)")
    ok = df[df["status"] == "ok"]
    for col in runner.output_columns(spec.outputs, spec.base["milestones"]["levels"]):
        x = ok[col].to_numpy(float)
        bad = np.isinf(x) if col.startswith("milestone.") else ~np.isfinite(x)
        if bad.any():
            row = int(np.argmax(bad))
            raise _bad(where, f"column {col}", float(x[row]), f"not finite in ok run "
                       f"{int(ok['run'].iloc[row])}; allowed: finite numbers for ok runs (NaN "
                       "only for a milestone not reached)")


def _no_run_succeeded(df: pd.DataFrame, where: Path) -> SimInputError:
    counts = ", ".join(f"{int((df['status'] == s).sum())} {s}" for s in STATUSES[1:])
    first = str(df["error"].iloc[0]) if len(df) else ""
    return _bad(where, "runs", len(df), f"no run succeeded ({counts}; first error: "
                f"{first[:100]}); allowed: a sweep with at least one ok run (fix what the "
                "errors name and run it again)")


def load_summary(folder: Path, spec: SweepSpec) -> pd.DataFrame:
    """The summary table, checked against the sweep definition; a sweep with no ok run is an
    input error (there is nothing to analyse).
    """
    path = folder / SUMMARY_FILE
    if not path.is_file():
        raise _bad(folder, SUMMARY_FILE, "(missing)", "the sweep has not finished; allowed: a "
                   "finished sweep (run `sim sweep --resume` first)")
    df = read_table(path, "SWEEP_DIR", ALLOWED_SWEEP)
    _check_summary_columns(df, spec, path)
    _check_summary_rows(df, spec, path)
    if not (df["status"] == "ok").any():
        raise _no_run_succeeded(df, path)
    return df


def _check_out(out: Path) -> bool:
    """Refuse, before any work, an output that cannot be written or is a folder holding
    other files; True if it holds an earlier analysis (to be replaced).
    """
    check_target_name(out)
    if existing_kind(out) == "file":
        raise SimInputError("--out", [Problem("out", str(out), "is a file; nothing was written "
                                              "there; allowed: a folder")])
    earlier = holds_anything(out)
    if earlier and not {p.name for p in out.iterdir()} <= ANALYSIS_FILES:
        raise SimInputError("--out", [Problem("out", str(out), "folder holds files `sim "
                            "analyze` did not write; nothing was written there; allowed: a new "
                            "or empty folder, or an earlier analysis folder")])
    check_writable(out)
    return earlier


def _analyze(spec: SweepSpec, folder: Path, df: pd.DataFrame, out: Path) -> AnalysisReport:
    """Tables and figures of a checked summary, written into ``out``."""
    report = AnalysisReport(folder=out, runs=len(df), ok=int((df["status"] == "ok").sum()))
    if spec.sampler == "saltelli":
        table = sobol_indices(spec, df, report.notes)
        report.sobol = table
        if not table.empty:
            table.to_csv(out / "sobol_indices.csv", index=False)
            report.figures.append(sobol_figure(spec, table, out / "sobol_indices.png"))
    else:
        report.notes.append(f"{spec.sampler} sample: Sobol indices need the saltelli sampler")
    for fn, name in ((fan_chart, "fan_charts.png"), (milestone_cdfs, "milestone_cdfs.png")):
        args = (spec, folder, df, out / name) if fn is fan_chart else (spec, df, out / name)
        p = fn(*args)
        if p is not None:
            report.figures.append(p)
    return report


def analyze_sweep(folder: Path | str, out: Path | str | None = None) -> AnalysisReport:
    """Write indices (Saltelli sweeps), fan charts and milestone CDFs for a sweep folder.

    Everything is checked before any figure is drawn, and the analysis folder is written
    under a temporary name and renamed into place, so it is never half-written.
    """
    folder = Path(folder)
    spec = load_spec(folder)
    df = load_summary(folder, spec)
    out = Path(out) if out else folder / "analysis"
    replace = _check_out(out)
    try:
        with staging(out, folder=True) as tmp:
            report = _analyze(spec, folder, df, tmp)
            publish(tmp, out, replace=replace)
    except OSError as exc:
        raise cannot_write("--out", out, exc) from None
    report.folder = out
    report.figures = [out / p.name for p in report.figures]
    return report
