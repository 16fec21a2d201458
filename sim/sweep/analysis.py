"""What a finished sweep says, and the HTML report that shows it.

- **Scenario discovery** (:mod:`sim.sweep.discovery`): for each ``--discover`` condition, the
  box of parameter ranges where it holds (PRIM), with its peeling trajectory.
- **Sensitivity** (:mod:`sim.sweep.sensitivity`): Sobol indices for Saltelli samples; delta and
  PAWN for any other sample, with a scatter of the main outputs against their strongest
  parameters.
- Fan charts of the kept paths and CDFs of the milestone years.
- ``report.html``: all of it in one self-contained page (figures embedded, no links out).

Reads only the sweep folder (``summary.parquet``, ``paths/``, ``sweep.yaml``), so a sweep can be
analysed anywhere its folder is copied to. Every input, conditions included, is checked before
anything is drawn, and the analysis folder is written under a temporary name and renamed into
place. Figures use the style of :mod:`sim.figures.run`; the report reuses
:mod:`sim.figures.report`'s page.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError
from sim.figures.report import _e, _img, _page, _table
from sim.figures.style import STYLE, plt, save_figure
from sim.files import staging
from sim.model.recorder import AGGREGATES
from sim.outputs.output import (
    cannot_write,
    check_target_name,
    check_writable,
    existing_kind,
    holds_anything,
    is_result_folder,
    publish,
    write_text_atomic,
)
from sim.outputs.run_data import read_table
from sim.sweep import discovery, runner, sensitivity
from sim.sweep.discovery import Discovery
from sim.sweep.runner import PATHS, SUMMARY_FILE
from sim.sweep.sensitivity import output_label as _label
from sim.sweep.sensitivity import panels as _panels
from sim.sweep.spec import SweepSpec

#: Irpan (2024) [002]: P(AGI by year), AGI = AI matching humans at 95%+ of valuable work.
IRPAN_2024 = ((2028, 0.10), (2035, 0.25), (2045, 0.50), (2070, 0.90))
PERCENTILES = (5, 25, 50, 75, 95)
REPORT = "report.html"
#: What an analysis folder holds; an existing folder holding only these is replaced.
ANALYSIS_FILES = frozenset({"sobol_indices.csv", "sobol_indices.png", "fan_charts.png",
                            "milestone_cdfs.png", "sensitivity_indices.csv",
                            "sensitivity_indices.png", "sensitivity_scatter.png",
                            "discovery_boxes.csv", "discovery_trajectories.csv", REPORT})
DISCOVERY_FIGURE = re.compile(r"discovery_\d+\.png")
ALLOWED_SWEEP = "allowed: a finished sweep folder written by `sim sweep`"
STATUSES = ("ok", "failed", "invalid")


def is_analysis_file(name: str) -> bool:
    """Whether ``sim analyze`` writes files of this name."""
    return name in ANALYSIS_FILES or bool(DISCOVERY_FIGURE.fullmatch(name))


@dataclass
class AnalysisReport:
    """Where the analysis went and its headline numbers."""

    folder: Path
    runs: int
    ok: int
    sobol: pd.DataFrame | None = None
    indices: pd.DataFrame | None = None  #: delta and PAWN (samples other than Saltelli)
    discoveries: list[Discovery] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    html: Path | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  #: samples too small for a method

    def text(self) -> str:
        """A short plain-text report (the warnings are apart, in ``warnings``)."""
        lines = [f"Analysis of {self.runs} runs ({self.ok} ok): {self.folder}"]
        for found in self.discoveries:
            lines += found.text_lines()
        if self.indices is not None and not self.indices.empty:
            lines += sensitivity.text_lines(self.indices)
        if self.sobol is not None and not self.sobol.empty:
            lines.append("Sobol indices (first-order S1, total ST) of the main outputs:")
            for out, g in self.sobol.groupby("output", sort=False):
                top = g.sort_values("ST", ascending=False).head(3)
                parts = ", ".join(f"{r.parameter} S1={r.S1:.2f} ST={r.ST:.2f}"
                                  for r in top.itertuples())
                lines.append(f"  {out}: {parts}")
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  table: {p}" for p in self.tables]
        lines += [f"  figure: {p}" for p in self.figures]
        if self.html is not None:
            lines.append(f"Report: {self.html}")
        return "\n".join(lines)


def _source(spec: SweepSpec) -> str:
    return (f"Source: ai-economy-sim sweep '{spec.name}' ({spec.runs} runs, {spec.sampler} "
            f"sampler, seed {spec.seed}); see sweep.yaml in the sweep folder.")


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
        return save_figure(fig, path, _source(spec))


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
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best", fontsize=7.5)
            else:
                ax.text(0.5, 0.5, f"no run reaches any of these by "
                        f"{spec.base['time']['end_year']}", ha="center", va="center",
                        transform=ax.transAxes, color="0.4")
        fig.suptitle(f"Milestone CDFs across {len(ok)} runs (runs not reaching a milestone "
                     f"by {spec.base['time']['end_year']} keep its curve below 1)")
        return save_figure(fig, path, _source(spec))


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
    if earlier and not all(is_analysis_file(p.name) for p in out.iterdir()):
        raise SimInputError("--out", [Problem("out", str(out), "folder holds files `sim "
                            "analyze` did not write; nothing was written there; allowed: a new "
                            "or empty folder, or an earlier analysis folder")])
    check_writable(out)
    return earlier


def _sensitivity(spec: SweepSpec, df: pd.DataFrame, out: Path, report: AnalysisReport,
                 prefer: list[str]) -> None:
    """Sobol indices of a Saltelli sample; delta and PAWN, and the scatter, of any other."""
    source = _source(spec)
    if spec.sampler == "saltelli":
        table = sensitivity.sobol_indices(spec, df, report.notes, report.warnings)
        report.sobol = table
        if not table.empty:
            table.to_csv(out / "sobol_indices.csv", index=False)
            report.tables.append(out / "sobol_indices.csv")
            report.figures.append(sensitivity.sobol_figure(spec, table,
                                                           out / "sobol_indices.png", source))
        return
    table = sensitivity.moment_independent(spec, df, report.notes, report.warnings)
    report.indices = table
    if table.empty:
        return
    table.to_csv(out / "sensitivity_indices.csv", index=False)
    report.tables.append(out / "sensitivity_indices.csv")
    report.figures.append(sensitivity.indices_figure(spec, table,
                                                     out / "sensitivity_indices.png", source))
    report.figures.append(sensitivity.scatter_figure(spec, df, table,
                                                     out / "sensitivity_scatter.png", source,
                                                     prefer=prefer))


def _discover(spec: SweepSpec, df: pd.DataFrame, conditions, out: Path,
              report: AnalysisReport) -> None:
    """PRIM's box for each condition, its figure, and the two tables of all of them."""
    for i, cond in enumerate(conditions, start=1):
        found = discovery.discover(spec, df, cond)
        message = discovery.small_sample_warning(found)
        if message:
            report.warnings.append(message)
        report.discoveries.append(found)
        report.figures.append(discovery.discovery_figure(spec, found, out / f"discovery_{i}.png",
                                                         _source(spec)))
    if report.discoveries:
        for name, table in (("discovery_boxes.csv", discovery.box_table),
                            ("discovery_trajectories.csv", discovery.trajectory_table)):
            table(report.discoveries).to_csv(out / name, index=False)
            report.tables.append(out / name)


def _analyze(spec: SweepSpec, folder: Path, df: pd.DataFrame, out: Path, conditions,
             command: str | None) -> AnalysisReport:
    """Tables, figures and the HTML report of a checked summary, written into ``out``."""
    report = AnalysisReport(folder=out, runs=len(df), ok=int((df["status"] == "ok").sum()))
    _discover(spec, df, conditions, out, report)
    prefer = [c.column for cond in conditions for c in cond.clauses]
    _sensitivity(spec, df, out, report, prefer)
    for fn, name in ((fan_chart, "fan_charts.png"), (milestone_cdfs, "milestone_cdfs.png")):
        args = (spec, folder, df, out / name) if fn is fan_chart else (spec, df, out / name)
        p = fn(*args)
        if p is not None:
            report.figures.append(p)
    report.html = write_text_atomic(out / REPORT, report_html(spec, folder, df, report, command))
    return report


def analyze_sweep(folder: Path | str, out: Path | str | None = None, discover=(),
                  command: str | None = None) -> AnalysisReport:
    """Write the discovery boxes of the ``discover`` conditions, sensitivity indices, fan
    charts, milestone CDFs and ``report.html`` for a sweep folder.

    Everything, the conditions included, is checked before any figure is drawn, and the
    analysis folder is written under a temporary name and renamed into place, so it is never
    half-written.
    """
    folder = Path(folder)
    spec = load_spec(folder)
    df = load_summary(folder, spec)
    conditions = discovery.check_conditions(
        discover, df[df["status"] == "ok"], sensitivity.output_columns(df, spec), spec.keys)
    out = Path(out) if out else folder / "analysis"
    replace = _check_out(out)
    try:
        with staging(out, folder=True) as tmp:
            report = _analyze(spec, folder, df, tmp, conditions, command)
            publish(tmp, out, replace=replace)
    except OSError as exc:
        raise cannot_write("--out", out, exc) from None
    report.folder = out
    report.figures = [out / p.name for p in report.figures]
    report.tables = [out / p.name for p in report.tables]
    report.html = out / REPORT
    return report


# --- the HTML report ---------------------------------------------------------------------------
HOW_DISCOVERY = (
    "PRIM peels the parameter space from the outside in, a few runs at a time, always removing "
    "the slice that most raises the share of runs left in the box where the condition holds. "
    "Left: every box of that peeling trajectory; coverage is the share of the runs where the "
    "condition holds that are inside the box, density the share of the box's runs where it "
    "holds. Far right is the whole sample; moving left, boxes get purer but miss more runs. The "
    "chosen box (ringed) has the best balance of the two (highest harmonic mean) among boxes "
    "that restrict some parameter. Right: each parameter's sampled range (grey) and the part "
    "the chosen box keeps (blue). A quasi-p value is the chance of a restriction at least this "
    "good by luck (a one-sided binomial test); above ~0.05, do not read much into it.")
HOW_INDICES = (
    "Each cell says how much the output's whole distribution shifts when the parameter is "
    "known: 0 = not at all, 1 = the parameter alone decides it. Delta (Borgonovo) compares "
    "densities, with a bootstrap 95% interval (±); PAWN takes the median, over ten slices of "
    "the parameter's range, of the largest gap between the output's distribution in the slice "
    "and overall (Kolmogorov-Smirnov). Neither assumes a linear or monotone effect. Dummy "
    "inputs of random numbers are analysed beside the parameters: the chance level of an index "
    "is the 95th percentile of theirs, and values not above it are greyed out. Both rank the "
    "parameters; unlike Sobol indices, they do not split the variance into shares that add "
    "up.")
HOW_SCATTER = (
    "One dot per run: the output (rows) against its three most influential parameters "
    "(columns, by delta). The red line is the output's median in ten equal-count slices of the "
    "parameter. A flat cloud means little influence; a steep line or a cloud that narrows or "
    "shifts means much. Milestones not reached are drawn as grey crosses one year after the "
    "end.")
HOW_SOBOL = (
    "Sobol indices split the output's variance: S1 is the share the parameter explains alone, "
    "ST the share it explains including its interactions with the others. Bars show 95% "
    "confidence intervals (SALib's bootstrap).")
HOW_FAN = (
    "The median (line) and the 25-75th and 5-95th percentile bands of each kept output across "
    "the ok runs, month by month (or at the years kept when no paths were kept).")
HOW_CDF = (
    "For each milestone, the share of runs that reached it by each year. A curve that ends "
    "below 1 means some runs never reach the milestone within the simulated years. The stars "
    "are Irpan's 2024 forecast of AGI (AI matching humans at 95% of valuable work).")
FIGURE_TEXT = {  # file name -> (title, how to read it)
    "sensitivity_indices.png": ("Sensitivity indices: delta and PAWN", HOW_INDICES),
    "sensitivity_scatter.png": ("Main outputs against their most influential parameters",
                                HOW_SCATTER),
    "sobol_indices.png": ("Sobol indices", HOW_SOBOL),
    "fan_charts.png": ("Fan charts", HOW_FAN),
    "milestone_cdfs.png": ("Milestone CDFs", HOW_CDF),
}


def _distribution(p) -> str:
    if p.dist == "choice":
        return "choice of " + ", ".join(map(str, p.values))
    if p.dist == "normal":
        cut = "" if p.low is None and p.high is None else f", cut to [{p.low}, {p.high}]"
        return f"normal, mean {p.mean:g}, sd {p.sd:g}{cut}"
    mode = f", mode {p.mode:g}" if p.mode is not None else ""
    return f"{p.dist} {p.low:g} to {p.high:g}{mode}"


def _identity(spec: SweepSpec, folder: Path, df: pd.DataFrame, command: str | None) -> str:
    from sim import __version__

    counts = ", ".join(f"{int((df['status'] == s).sum())} {s}" for s in STATUSES)
    t = spec.base["time"]
    rows = [["sweep folder", str(folder)], ["sweep", spec.name],
            ["description", spec.description or "-"],
            ["sample", f"{spec.sampler}, {spec.runs} runs ({counts}), seed {spec.seed}"],
            ["simulated", f"{t['start_year']:g} to {t['end_year']}"],
            ["package version", __version__],
            ["written (UTC)", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())]]
    if command:
        rows.append(["command", command])
    params = [[p.key, _distribution(p)] for p in spec.parameters]
    return (_table(None, rows, cls="ident") + "<h3>Parameters swept</h3>"
            + _table(["parameter", "distribution"], params))


def _figure(path: Path, title: str, how: str) -> str:
    return (f"<h3>{_e(title)}</h3><p class=\"how\"><b>How to read this:</b> {_e(how)}</p>"
            + _img(path.stem, title, path.read_bytes()))


def _discovery_html(report: AnalysisReport, figures: dict[str, Path]) -> str:
    if not report.discoveries:
        return ("<p>No condition was asked. <code>sim analyze SWEEP_DIR --discover "
                "\"unemployment_rate@2040 &lt; 0.2\"</code> finds the parameter ranges where a "
                "condition on the outputs holds (repeat --discover for more).</p>")
    parts = [f'<p class="how"><b>How to read this:</b> {_e(HOW_DISCOVERY)}</p>']
    for i, found in enumerate(report.discoveries, start=1):
        rows = [[r.parameter, r.box_range, r.sampled_range,
                 f"{r.qp:.2g}" if np.isfinite(r.qp) else "-"]
                for r in found.restricted().itertuples()] or [["(none)", "", "", ""]]
        parts.append(f"<h3>{i}. Where does {_e(found.condition.label())} hold?</h3>"
                     f"<p>{_e(found.summary())}.</p>"
                     + _table(["parameter", "chosen box", "sampled range", "quasi-p"], rows)
                     + "".join(f"<p class=note>{_e(n)}</p>" for n in found.notes))
        fig = figures.get(f"discovery_{i}.png")
        if fig is not None:
            parts.append(_img(fig.stem, f"discovery {i}", fig.read_bytes()))
    return "".join(parts)


def _indices_html(report: AnalysisReport) -> str:
    t = report.indices
    strong, _ = sensitivity.above_chance(t)
    t = t.assign(strong=strong)
    names = sensitivity.short_names(t["parameter"].unique(), words=False)
    rows = []
    for out, g in t.groupby("output", sort=False):
        g = g.sort_values("delta", ascending=False)
        cells = [f"{names[r.parameter]} {r.delta:.2f} ± {r.delta_conf:.2f}"
                 f"{'' if r.strong else ' ~'} ({r.pawn:.2f})" for r in g.head(3).itertuples()]
        rows.append([out] + cells + [""] * (3 - len(cells)))
    return ("<h3>Strongest parameters of each output</h3><p class=note>delta ± its 95% "
            "interval (PAWN), each parameter named by the end of its key; chance levels: "
            f"delta {t['delta_chance'].iloc[0]:.2f}, PAWN {t['pawn_chance'].iloc[0]:.2f}; "
            "~ marks a delta not above chance. Every value is in sensitivity_indices.csv.</p>"
            + _table(["output", "1st", "2nd", "3rd"], rows))


def _sobol_html(report: AnalysisReport) -> str:
    rows = []
    names = sensitivity.short_names(report.sobol["parameter"].unique(), words=False)
    for out, g in report.sobol.groupby("output", sort=False):
        top = g.sort_values("ST", ascending=False).head(3)
        rows.append([out] + [f"{names[r.parameter]}: S1 {r.S1:.2f}, ST {r.ST:.2f}"
                             for r in top.itertuples()])
    width = max(len(r) for r in rows)
    return ("<h3>Strongest parameters of each output</h3>"
            + _table(["output", "1st", "2nd", "3rd"][:width], rows))


def report_html(spec: SweepSpec, folder: Path, df: pd.DataFrame, report: AnalysisReport,
                command: str | None = None) -> str:
    """The analysis as one self-contained HTML page: figures embedded, CSS inline."""
    figures = {p.name: p for p in report.figures}
    sections = [("discovery", "Scenario discovery", _discovery_html(report, figures))]
    sens = []
    if report.indices is not None and not report.indices.empty:
        sens.append(_indices_html(report))
    if report.sobol is not None and not report.sobol.empty:
        sens.append(_sobol_html(report))
    for name in ("sensitivity_indices.png", "sensitivity_scatter.png", "sobol_indices.png"):
        if name in figures:
            sens.append(_figure(figures[name], *FIGURE_TEXT[name]))
    if not sens:
        sens.append("<p>No indices: see the warnings and notes above.</p>")
    sections.append(("sensitivity", "Sensitivity", "".join(sens)))
    dist = "".join(_figure(figures[n], *FIGURE_TEXT[n]) for n in ("fan_charts.png",
                                                                  "milestone_cdfs.png")
                   if n in figures)
    if dist:
        sections.append(("distributions", "Distributions of the outputs", dist))
    files = [p.name for p in report.tables]
    if files:
        sections.append(("files", "Tables in this folder",
                         "<ul>" + "".join(f"<li><code>{_e(f)}</code></li>" for f in files)
                         + "</ul>"))
    warn = "".join(f"<p class=how><b>Warning:</b> {_e(w)}</p>" for w in report.warnings)
    notes = ("<h3>Notes</h3><ul class=note>" + "".join(f"<li>{_e(n)}</li>"
                                                       for n in report.notes) + "</ul>"
             if report.notes else "")
    nav = "<nav><ol>" + "".join(f'<li><a href="#{k}">{_e(t)}</a></li>'
                                for k, t, _ in sections) + "</ol></nav>"
    body = (f"<h1>Sweep analysis: {_e(spec.name)}</h1>"
            f'<p class="note">{report.ok} ok runs of {report.runs}. Everything below is model '
            "output under the sampled assumptions, not a forecast.</p>"
            + _identity(spec, folder, df, command) + warn + notes + nav
            + "".join(f'<section id="{k}"><h2>{_e(t)}</h2>{html}</section>'
                      for k, t, html in sections))
    return _page(f"Sweep analysis: {spec.name}", body)
