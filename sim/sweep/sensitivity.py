"""Sensitivity indices of a sweep's outputs to its parameters (SALib).

- **Sobol** first-order and total indices, for Saltelli samples only (they need its design).
- **Delta** (Borgonovo's moment-independent index, with a bootstrap 95% interval) and **PAWN**
  (the median Kolmogorov-Smirnov distance between the output's distribution with the input
  held in one of 10 slices and without), for any other sample: Latin, Monte Carlo, grid.
  Neither fits a regression or assumes a shape: an input that shifts the output's whole
  distribution, in any direction or only in part of its range, scores high. 0 means no
  influence. *Dummy* inputs (random numbers unrelated to the model, analysed beside the
  parameters) give each index's chance level at this sample size: the 95th percentile of
  their indices over all outputs.

Both work on ranks: each input and output is replaced by its rank (ties in random order, from
the sweep seed), which leaves these indices unchanged in theory and keeps delta's density
estimates sane for outputs that span orders of magnitude or pile up at one value (a share
stuck at 1, a milestone not reached, which counts as the year after the end). Rule of thumb:
at least 10 runs per parameter and 100 runs in all (so each PAWN slice holds 10 runs); fewer
gives a warning, and under 20 runs there are no indices.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sim.figures.style import STYLE, plt, save_figure
from sim.sweep.spec import SweepSpec

MIN_RUNS = 20
RUNS_PER_PARAMETER = 10
MIN_RUNS_ADVISED = 100
PAWN_SLICES = 10
#: Bootstrap resamples of delta's interval: each costs a density estimate per input and class
#: (20 keep 30 outputs of a 400-run sweep to ~25 s on one core).
DELTA_RESAMPLES = 20
#: Sobol indices from fewer base samples (runs / (parameters + 2)) have wide intervals.
SOBOL_MIN_BASE = 100
#: Dummy inputs (random numbers) analysed beside the parameters: at least this many dummy
#: indices over all outputs, from at most this many dummy columns, give each index's chance
#: level (their 95th percentile). On ranks every output's dummy index has one distribution.
MIN_DUMMY_VALUES = 20
MAX_DUMMIES = 5


def output_columns(df: pd.DataFrame, spec: SweepSpec) -> list[str]:
    """The summary's output columns (not the run's identity or parameters)."""
    skip = {"run", "seed", "status", "error", *spec.keys}
    return [c for c in df.columns if c not in skip]


def censored_years(values: np.ndarray, end_year: float) -> np.ndarray:
    """Milestone years with 'not reached' (NaN) counted as the year after the end."""
    return np.where(np.isnan(values), end_year + 1.0, values)


def output_label(col: str) -> str:
    """An output column in words: 'unemployment rate in 2040', 'can automate 95%'."""
    name, _, year = col.partition("@")
    if col == "milestone.automated_ai_researcher":
        return "automated AI researcher (95% of AI-research work)"
    if col.startswith("milestone."):
        label = col[len("milestone."):].replace("_", " ").replace("pct", "%")
        return label.replace("capable", "can automate").replace("adopted", "automated")
    return f"{name.replace('_', ' ')} in {year}" if year else name.replace("_", " ")


def short_names(keys, words: bool = True) -> dict[str, str]:
    """Each parameter's shortest dotted suffix that no other parameter shares
    ('software_returns', 'frontier_a.human_researchers'); for figures, the whole key with its
    name in words after its section, which says what kind of parameter it is
    ('algorithms: software returns', 'labs.frontier_a: human researchers').
    """
    keys = list(keys)
    out = {}
    for key in keys:
        parts = key.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if sum(k == tail or k.endswith("." + tail) for k in keys) == 1:
                break
        out[key] = (f"{'.'.join(parts[:-1])}: {parts[-1].replace('_', ' ')}"
                    if words and len(parts) > 1 else tail)
    return out


def panels(n: int, width: float = 4.6, height: float = 3.4):
    """A figure of ``n`` small panels, up to three per row; spare grid cells are hidden."""
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.6),
                             squeeze=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, axes


def _output_values(spec: SweepSpec, ok: pd.DataFrame, col: str, notes: list[str],
                   method: str) -> np.ndarray | None:
    """An output's values for the indices, or None (and a note) when it cannot have any."""
    end = spec.base["time"]["end_year"]
    y = ok[col].to_numpy(dtype=float)
    if col.startswith("milestone."):
        if np.isnan(y).all():
            notes.append(f"{col}: not reached in any run; no {method} indices")
            return None
        if np.isnan(y).any():
            notes.append(f"{col}: runs not reaching it count as {end + 1} in the {method} "
                         "indices")
        y = censored_years(y, end)
    if not np.isfinite(y).all() or np.ptp(y) <= 1e-9 * np.abs(y).max():
        notes.append(f"{col}: (nearly) the same in every run; no {method} indices")
        return None
    return y


# --- Sobol (Saltelli samples) ------------------------------------------------------------------
def sobol_indices(spec: SweepSpec, df: pd.DataFrame, notes: list[str],
                  warn: list[str] | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of every output (SALib), in run order."""
    from SALib.analyze import sobol

    problem = {"num_vars": len(spec.keys), "names": list(spec.keys),
               "bounds": [[0.0, 1.0]] * len(spec.keys)}
    if (df["status"] != "ok").any():
        notes.append(f"{int((df['status'] != 'ok').sum())} runs failed: Sobol indices need "
                     "every run of a Saltelli sample, so they are not computed")
        return pd.DataFrame()
    base = len(df) // (len(spec.keys) + 2)
    if warn is not None and base < SOBOL_MIN_BASE:
        warn.append(f"Sobol: {base} base samples (runs / (parameters + 2)); rule of thumb: at "
                    f"least {SOBOL_MIN_BASE}, below which the 95% intervals are often wider "
                    "than the indices")
    rows = []
    for col in output_columns(df, spec):
        y = _output_values(spec, df, col, notes, "Sobol")
        if y is None:
            continue
        with np.errstate(all="ignore"):
            res = sobol.analyze(problem, y, calc_second_order=False, print_to_console=False,
                                seed=spec.seed % 2**32)
        for j, key in enumerate(spec.keys):
            rows.append({"output": col, "parameter": key, "S1": res["S1"][j],
                         "S1_conf": res["S1_conf"][j], "ST": res["ST"][j],
                         "ST_conf": res["ST_conf"][j]})
    return pd.DataFrame(rows)


def _chosen_outputs(strength: pd.Series, max_outputs: int, prefer=()) -> list[str]:
    """The outputs to draw: those named in ``prefer`` first, then the strongest ones, with
    the 95% milestones and the last year's aggregates ahead of the rest.
    """
    outputs = [o for o in strength.index if strength[o] >= 0.05] or list(strength.index)
    first = [o for o in prefer if o in strength.index]
    preferred = [o for o in outputs if "95pct" in o or o.endswith(f"@{_last_year(outputs)}")]
    order = first + preferred + outputs
    return list(dict.fromkeys(order))[:max_outputs]


def _last_year(outputs) -> str:
    years = [o.split("@")[1] for o in outputs if "@" in o]
    return max(years) if years else ""


def sobol_figure(spec: SweepSpec, table: pd.DataFrame, path: Path, source: str,
                 max_outputs: int = 6) -> Path:
    """Bars of S1 and ST per parameter for the first outputs, one panel each."""
    strength = table.groupby("output", sort=False)["ST"].max()
    chosen = _chosen_outputs(strength, max_outputs)
    with plt.rc_context(STYLE):
        fig, axes = panels(len(chosen))
        x = np.arange(len(spec.keys))
        for ax, out in zip(axes.flat, chosen, strict=False):
            g = table[table["output"] == out].set_index("parameter").loc[list(spec.keys)]
            ax.bar(x - 0.2, g["S1"], 0.4, yerr=g["S1_conf"], label="first-order S1",
                   color="C0", capsize=2)
            ax.bar(x + 0.2, g["ST"], 0.4, yerr=g["ST_conf"], label="total ST", color="C1",
                   capsize=2)
            ax.set_xticks(x, list(short_names(spec.keys).values()), rotation=30, ha="right",
                          fontsize=7.5)
            top = float(np.nanmax(g[["S1", "ST"]].to_numpy() + g[["S1_conf", "ST_conf"]]
                                   .to_numpy()))
            low = float(np.nanmin(g[["S1", "ST"]].to_numpy() - g[["S1_conf", "ST_conf"]]
                                   .to_numpy()))
            ax.axhline(0, color="0.3", lw=0.8)
            ax.set(title=output_label(out), ylabel="share of output variance (index)",
                   ylim=(min(0.0, low) - 0.05, max(1.0, top) + 0.05))
        axes.flat[0].legend()
        fig.suptitle("Sensitivity: Sobol indices (SALib, Saltelli sample; bars: 95% "
                     "confidence)")
        return save_figure(fig, path, source)


# --- delta and PAWN (any sample) ----------------------------------------------------------------
def sample_size_warning(n_ok: int, n_params: int) -> str | None:
    """The rule-of-thumb warning for delta and PAWN, or None when the sample is big enough."""
    need = max(MIN_RUNS_ADVISED, RUNS_PER_PARAMETER * n_params)
    if n_ok >= need:
        return None
    if n_ok < MIN_RUNS:
        return (f"delta and PAWN: {n_ok} ok runs, fewer than the {MIN_RUNS} they need at all; "
                "no indices (rule of thumb: at least 10 runs per parameter and 100 in all)")
    return (f"delta and PAWN: {n_ok} ok runs for {n_params} parameters, under the rule of "
            f"thumb of 10 runs per parameter and 100 in all ({need} here, so each of PAWN's "
            f"{PAWN_SLICES} slices holds 10 runs); the indices are rough and weak parameters' "
            "ranks are noise")


def _ranks(values, rng: np.random.Generator) -> np.ndarray:
    """Ranks scaled into (0, 1), ties in random order; text values ranked by their sort
    order (their indices do not depend on it).
    """
    v = pd.Series(values)
    if not pd.api.types.is_numeric_dtype(v) or pd.api.types.is_bool_dtype(v):
        v = pd.Series(pd.Categorical(v.astype(str)).codes)
    order = np.lexsort((rng.random(len(v)), v.to_numpy(dtype=float)))
    ranks = np.empty(len(v))
    ranks[order] = np.arange(len(v))
    return (ranks + 0.5) / len(v)


@contextlib.contextmanager
def _salib_quiet():
    """SALib's delta changes process-wide state: the warning filters and format, and
    numpy's global random seed. This puts all three back, records its notices instead of
    printing them, and runs BLAS on one thread (its many small solves slow down ~10x when
    BLAS threads compete with other work for the cores).
    """
    from threadpoolctl import threadpool_limits

    fmt = warnings.formatwarning
    state = np.random.get_state()
    try:
        with warnings.catch_warnings(record=True), threadpool_limits(1), \
                np.errstate(all="ignore"):
            yield
    finally:
        warnings.formatwarning = fmt
        np.random.set_state(state)


def moment_independent(spec: SweepSpec, df: pd.DataFrame, notes: list[str],
                       warn: list[str]) -> pd.DataFrame:
    """Delta (with its 95% interval) and PAWN of every output to every parameter, over the ok
    runs, with the chance level of each index beside them; an empty table when there are
    too few runs.
    """
    from SALib.analyze import delta, pawn

    ok = df[df["status"] == "ok"].reset_index(drop=True)
    message = sample_size_warning(len(ok), len(spec.keys))
    if message:
        warn.append(message)
    if len(ok) < MIN_RUNS:
        return pd.DataFrame()
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 7]))
    outputs = {}
    for col in output_columns(df, spec):
        y = _output_values(spec, ok, col, notes, "delta and PAWN")
        if y is not None:
            outputs[col] = _ranks(y, rng)
    if not outputs:
        return pd.DataFrame()
    dummies = min(MAX_DUMMIES, max(1, -(-MIN_DUMMY_VALUES // len(outputs))))
    x = np.column_stack([_ranks(ok[k], rng) for k in spec.keys]
                        + [rng.random(len(ok)) for _ in range(dummies)])
    d = x.shape[1]
    problem = {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}
    seed = int(spec.seed % (2**32 - 1)) + 1  # SALib skips seeding on 0
    # delta resamples equal numbers of runs from equal-width slices of each input, 10 runs or
    # more from each: fewer slices for small samples (SALib's default of 10 fails below ~100)
    bins = {name: max(2, min(10, len(ok) // 11)) for name in problem["names"]}
    rows, chance_d, chance_p = [], [], []
    for col, y in outputs.items():
        try:
            with _salib_quiet():
                r = delta.analyze(problem, x, y, num_resamples=DELTA_RESAMPLES,
                                  conf_level=0.95, seed=seed, method="delta", bins_specs=bins)
                p = pawn.analyze(problem, x, y, S=PAWN_SLICES, seed=seed)
        except Exception as exc:  # noqa: BLE001 - SALib raises many kinds on degenerate data
            notes.append(f"{col}: delta and PAWN could not be estimated ({type(exc).__name__}: "
                         f"{str(exc)[:120]})")
            continue
        dl, dc = np.asarray(r["delta_raw"], float), np.asarray(r["delta_raw_conf"], float)
        if np.isnan(dl[:len(spec.keys)]).any():
            notes.append(f"{col}: SALib's delta failed for some parameters (left empty)")
        pm, px = np.asarray(p["median"], float), np.asarray(p["maximum"], float)
        chance_d += list(dl[len(spec.keys):])
        chance_p += list(pm[len(spec.keys):])
        for j, key in enumerate(spec.keys):
            rows.append({"output": col, "parameter": key, "delta": dl[j], "delta_conf": dc[j],
                         "pawn": pm[j], "pawn_max": px[j]})
    table = pd.DataFrame(rows)
    if not table.empty:
        table["delta_chance"] = float(np.nanpercentile(chance_d, 95))
        table["pawn_chance"] = float(np.nanpercentile(chance_p, 95))
        table["rank"] = (table.groupby("output", sort=False)["delta"]
                         .rank(ascending=False, method="first", na_option="bottom").astype(int))
        notes.append(f"chance level of delta {table['delta_chance'].iloc[0]:.2f} and of PAWN "
                     f"{table['pawn_chance'].iloc[0]:.2f}: the 95th percentile of "
                     f"{len(chance_d)} indices of dummy inputs (random numbers)")
    return table


def above_chance(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Rows whose delta, less its interval, exceeds delta's chance level; rows whose PAWN
    exceeds PAWN's.
    """
    return ((table["delta"] - table["delta_conf"]) > table["delta_chance"],
            table["pawn"] > table["pawn_chance"])


def text_lines(table: pd.DataFrame, top: int = 3) -> list[str]:
    """The strongest parameters of each output, as plain-text lines."""
    first = table.iloc[0]
    lines = [f"Sensitivity (delta with 95% interval, PAWN median; chance levels "
             f"{first['delta_chance']:.2f} and {first['pawn_chance']:.2f}; '~' marks a delta "
             "not above chance):"]
    strong, _ = above_chance(table)
    table = table.assign(strong=strong)
    for out, g in table.groupby("output", sort=False):
        g = g.sort_values("delta", ascending=False).head(top)
        parts = ", ".join(f"{r.parameter} delta={r.delta:.2f}+-{r.delta_conf:.2f}"
                          f"{'' if r.strong else '~'} PAWN={r.pawn:.2f}" for r in g.itertuples())
        lines.append(f"  {out}: {parts}")
    return lines


def indices_figure(spec: SweepSpec, table: pd.DataFrame, path: Path, source: str) -> Path:
    """A heatmap, outputs by parameters, coloured by delta; each cell gives delta with its
    95% interval and, below, PAWN. A value not above its chance level is greyed out.
    """
    outputs = list(dict.fromkeys(table["output"]))
    keys = list(spec.keys)
    n, d = len(outputs), len(keys)
    idx = table.set_index(["output", "parameter"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(1.15 * d + 3.6, 0.42 * n + 2.2))
        v = np.array([[idx.loc[(o, k), "delta"] for k in keys] for o in outputs])
        im = ax.imshow(np.clip(v, 0, 1), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for i, o in enumerate(outputs):
            for j, k in enumerate(keys):
                r = idx.loc[(o, k)]
                ink = "white" if r["delta"] > 0.55 else "black"
                strong = r["delta"] - r["delta_conf"] > r["delta_chance"]
                ax.text(j, i - 0.13, f"{r['delta']:.2f}±{r['delta_conf']:.2f}", ha="center",
                        va="center", fontsize=7.5, color=ink if strong else "0.55")
                ax.text(j, i + 0.22, f"PAWN {r['pawn']:.2f}", ha="center", va="center",
                        fontsize=6.5, color=ink if r["pawn"] > r["pawn_chance"] else "0.55")
        ax.set_xticks(range(d), list(short_names(keys).values()), rotation=30, ha="right",
                      fontsize=8.5)
        ax.set_yticks(range(n), outputs, fontsize=8)
        ax.grid(False)
        fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02, label="delta (0 = no influence)")
        ax.set_title("Sensitivity of each output to each parameter: delta ± its 95% interval,\n"
                     "PAWN below; grey: not above chance (what unrelated inputs reach)")
        return save_figure(fig, path, source)


def scatter_figure(spec: SweepSpec, df: pd.DataFrame, table: pd.DataFrame, path: Path,
                   source: str, prefer=(), max_outputs: int = 4, top: int = 3) -> Path:
    """The main outputs (rows) against their most influential parameters (columns), one dot
    per ok run, with the median of the output in ten slices of the parameter.
    """
    ok = df[df["status"] == "ok"]
    strength = table.groupby("output", sort=False)["delta"].max() - table["delta_chance"].iloc[0]
    chosen = _chosen_outputs(strength + 0.05, max_outputs, prefer)
    end = spec.base["time"]["end_year"]
    dists = {p.key: p.dist for p in spec.parameters}
    names = short_names(spec.keys)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(chosen), top, figsize=(4.2 * top, 3.0 * len(chosen) + 0.7),
                                 squeeze=False)
        for row, out in zip(axes, chosen, strict=True):
            g = table[table["output"] == out].sort_values("delta", ascending=False)
            for ax, r in zip(row, g.head(top).itertuples(), strict=False):
                _scatter_panel(ax, ok, r, out, end, dists[r.parameter], names[r.parameter])
            for ax in row[len(g.head(top)):]:
                ax.set_visible(False)
        fig.suptitle("Main outputs against their most influential parameters (one dot per run; "
                     "line: median in ten slices)")
        return save_figure(fig, path, source)


def _log_minor(v: float, _pos=None) -> str:
    """Minor tick labels of a log axis: only 2x, 3x and 5x a power of ten."""
    if v <= 0:
        return ""
    mantissa = round(v / 10 ** np.floor(np.log10(v)), 6)
    return f"{v:g}" if mantissa in (2.0, 3.0, 5.0) else ""


def _scatter_panel(ax, ok: pd.DataFrame, r, out: str, end: int, dist: str, name: str) -> None:
    x = ok[r.parameter]
    y = ok[out].to_numpy(dtype=float)
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    xv = x.to_numpy(dtype=float) if numeric else pd.Categorical(x.astype(str)).codes.astype(float)
    missed = np.isnan(y)
    ax.scatter(xv[~missed], y[~missed], s=6, alpha=0.35, color="C0", lw=0)
    if missed.any():
        ax.scatter(xv[missed], np.full(missed.sum(), end + 1.0), s=9, marker="x", color="0.5",
                   lw=0.7, label=f"not reached by {end}")
        ax.legend(loc="best", fontsize=7)
    yc = np.where(missed, end + 1.0, y)
    if len(np.unique(xv)) > 10:
        edges = np.unique(np.quantile(xv, np.linspace(0, 1, 11)))
        which = np.clip(np.searchsorted(edges, xv, side="right") - 1, 0, len(edges) - 2)
        mids = [np.median(xv[which == b]) for b in range(len(edges) - 1) if (which == b).any()]
        meds = [np.median(yc[which == b]) for b in range(len(edges) - 1) if (which == b).any()]
    else:
        mids = list(np.unique(xv))
        meds = [np.median(yc[xv == v]) for v in mids]
    ax.plot(mids, meds, color="C3", lw=1.6)
    if dist == "loguniform":
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 0.1, not 10^-1
        ax.xaxis.set_minor_formatter(FuncFormatter(_log_minor))
    if not numeric:
        cats = pd.Categorical(x.astype(str)).categories
        ax.set_xticks(range(len(cats)), list(cats), fontsize=7.5)
    reached = y[~missed]
    if len(reached) and reached.min() > 0 and reached.max() / reached.min() > 1e3:
        ax.set_yscale("log")
    ylabel = output_label(out)
    ax.set(xlabel=name,
           ylabel=f"year: {ylabel}" if out.startswith("milestone.") else ylabel,
           title=f"delta {r.delta:.2f}±{r.delta_conf:.2f}, PAWN {r.pawn:.2f}")
    ax.title.set_fontsize(9)
    ax.yaxis.label.set_fontsize(8.5)
