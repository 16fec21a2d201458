"""Scenario discovery: which boxes of parameter space make a condition on the outputs hold.

A condition names a summary column and a bound, ``unemployment_rate@2040 < 0.2``; several joined
by ``and`` must all hold. PRIM (the patient rule induction method, EMA Workbench's
implementation) peels the parameter space from the outside in, 5% of the runs at a time,
keeping the peel that raises the share of runs inside the box where the condition holds; each
step is one box of the *peeling trajectory*. Every box has a

- **coverage**: the share of the runs where the condition holds that fall inside it,
- **density**: the share of the runs inside it where the condition holds,
- **mass**: the share of all runs inside it.

The chosen box is the one with the best balance of the two (the highest harmonic mean of
coverage and density, as an F1 score), among those that restrict at least one parameter: it
says "inside these ranges the condition (nearly) always holds, and outside them it (nearly)
never does". Its restrictions whose quasi-p value (PRIM's one-sided binomial test of each
restriction) is above 0.05 are then dropped, weakest first, keeping at least one, unless
dropping one lowers the F1 score by more than 0.01: a restriction that chance explains as well,
and that does not pull its weight, is noise, not an answer. Only ok runs take part. A milestone
not reached by the end of the run (NaN) counts as later than any year:
``milestone.capable_95pct > 2045`` holds for it.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError, one_line
from sim.figures.style import STYLE, plt, save_figure
from sim.sweep.sensitivity import short_names
from sim.sweep.spec import SweepSpec

OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
MAX_CONDITIONS = 20
MAX_CLAUSES = 10
MAX_CONDITION_CHARS = 500
#: PRIM settings: peel 5% of the runs in the box at a time, stop at boxes of 5% of the runs
#: (EMA Workbench's defaults).
PEEL_ALPHA = 0.05
MASS_MIN = 0.05
#: A restriction whose quasi-p value is above this is likely chance: it is dropped from the
#: chosen box (one at a time, weakest first, keeping at least one restriction) ...
QP_MAX = 0.05
#: ... unless dropping it lowers the box's F1 score by more than this: it then pulls its weight.
F1_TOLERANCE = 0.01
#: Fewer runs than this on either side of a condition make a box that rests on a handful of
#: runs: a warning says so.
MIN_RUNS_PER_SIDE = 20
ARG = "--discover"
SYNTAX = ("COLUMN OP NUMBER, e.g. 'unemployment_rate@2040 < 0.2', with OP one of <, <=, >, >=; "
          "several joined by 'and' must all hold")
_CLAUSE = re.compile(r"\s*(?P<col>[^\s<>=!]+)\s*(?P<op><=|>=|==|!=|=<|=>|<|>|=)\s*"
                     r"(?P<num>\S+)\s*")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_AND = re.compile(r"\s+and\s+|\s*&&?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    """One comparison: ``column op value``."""

    column: str
    op: str
    value: float

    def text(self) -> str:
        """The clause as written back: ``unemployment_rate@2040 < 0.2``."""
        return f"{self.column} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Condition:
    """A checked condition: its clauses (all must hold) and the text it was given as."""

    text: str
    clauses: tuple[Clause, ...]

    def label(self) -> str:
        """The condition in canonical form."""
        return " and ".join(c.text() for c in self.clauses)

    def holds(self, df: pd.DataFrame) -> np.ndarray:
        """Where the condition holds, row by row; a NaN milestone counts as +infinity (not
        reached by the end: later than any year).
        """
        mask = np.ones(len(df), dtype=bool)
        for c in self.clauses:
            x = df[c.column].to_numpy(dtype=float)
            if c.column.startswith("milestone."):
                x = np.where(np.isnan(x), np.inf, x)
            mask &= OPERATORS[c.op](x, c.value)
        return mask


@dataclass
class Discovery:
    """PRIM's answer for one condition."""

    condition: Condition
    ok_runs: int
    holds: int  #: ok runs where the condition holds
    trajectory: pd.DataFrame  #: box, coverage, density, mass, restricted, runs, runs_holding, f1
    chosen: int  #: row of the chosen box in ``trajectory``
    limits: pd.DataFrame  #: per parameter: low, high, sample_min, sample_max, restricted, qp...
    best: int = 0  #: the box with the best F1 score, before weak restrictions were dropped
    dropped: list[tuple[str, float]] = field(default_factory=list)  #: (parameter, quasi-p)
    notes: list[str] = field(default_factory=list)

    @property
    def box(self) -> pd.Series:
        """The chosen box's row of the trajectory."""
        return self.trajectory.iloc[self.chosen]

    def restricted(self) -> pd.DataFrame:
        """The parameters the chosen box restricts."""
        return self.limits[self.limits["restricted"]]

    def summary(self) -> str:
        """One line: how often the condition holds and the chosen box's statistics."""
        b = self.box
        share = self.holds / self.ok_runs
        return (f"holds in {self.holds} of {self.ok_runs} ok runs ({share:.0%}); "
                f"chosen box {int(b['box'])} (of boxes 0-{len(self.trajectory) - 1} on the "
                f"trajectory): coverage {b['coverage']:.2f}, density {b['density']:.2f}, mass "
                f"{b['mass']:.2f} ({int(b['runs_holding'])} of the {int(b['runs'])} runs in "
                "the box hold)")

    def text_lines(self) -> list[str]:
        """The chosen box as indented lines of plain text."""
        lines = [f"Scenario discovery (PRIM): {self.condition.label()}", f"  {self.summary()}"]
        rows = self.restricted()
        if rows.empty:
            lines.append("  the box restricts no parameter")
        for r in rows.itertuples():
            qp = f"; quasi-p {r.qp:.2g}" if np.isfinite(r.qp) else ""
            lines.append(f"    {r.parameter}: {r.box_range} (sampled {r.sampled_range}{qp})")
        lines += [f"  note: {n}" for n in self.notes]
        return lines


# --- conditions -------------------------------------------------------------------------------
def _bad(text, why: str) -> SimInputError:
    return SimInputError(ARG, [Problem("condition", one_line(str(text), 200), why)])


def _columns_allowed(outputs: list[str]) -> str:
    """The output columns, compactly: NAME@YEAR for the names and years kept, and milestones."""
    names = list(dict.fromkeys(c.split("@")[0] for c in outputs if "@" in c))
    years = list(dict.fromkeys(c.split("@")[1] for c in outputs if "@" in c))
    stones = [c[len("milestone."):] for c in outputs if c.startswith("milestone.")]
    parts = []
    if names:
        parts.append(f"NAME@YEAR with NAME one of {', '.join(names)} and YEAR one of "
                     f"{', '.join(years)}")
    if stones:
        parts.append(f"milestone.NAME with NAME one of {', '.join(stones)}")
    return " or ".join(parts)


def _check_column(text: str, col: str, outputs: list[str], params: tuple[str, ...]) -> None:
    if col in outputs:
        return
    if col in params:
        raise _bad(text, f"{col} is a swept parameter, not an output (discovery finds the "
                   f"parameter ranges); allowed: an output column of this sweep: "
                   f"{_columns_allowed(outputs)}")
    name, at, year = col.partition("@")
    if at and any(c.startswith(name + "@") for c in outputs):
        kept = [c.split("@")[1] for c in outputs if c.startswith(name + "@")]
        raise _bad(text, f"{name} is not kept at {year}; allowed: years {', '.join(kept)} "
                   "(the sweep file's outputs.years)")
    close = difflib.get_close_matches(col, outputs, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise _bad(text, f"no such output column {col!r}{hint}; allowed: an output column of this "
               f"sweep: {_columns_allowed(outputs)}")


def parse_condition(text: str, outputs: list[str], params: tuple[str, ...]) -> Condition:
    """A condition checked against the summary's columns; a malformed one, or one naming an
    unknown column, raises :class:`SimInputError` (one problem).
    """
    if not isinstance(text, str) or not text.strip():
        raise _bad(text, f"empty; allowed: {SYNTAX}")
    if len(text) > MAX_CONDITION_CHARS:
        raise _bad(text, f"{len(text)} characters; allowed: at most {MAX_CONDITION_CHARS}")
    parts = _AND.split(text.strip())
    if len(parts) > MAX_CLAUSES:
        raise _bad(text, f"{len(parts)} comparisons; allowed: at most {MAX_CLAUSES}")
    clauses = []
    for part in parts:
        m = _CLAUSE.fullmatch(part)
        if not m:
            raise _bad(text, f"{part.strip()!r} is not a comparison; allowed: {SYNTAX}")
        col, op, num = m["col"], m["op"], m["num"]
        if op not in OPERATORS:
            raise _bad(text, f"unknown comparison {op!r}; allowed: <, <=, >, >= (a bound, "
                       "not an equality: outputs are continuous)")
        if not _NUMBER.fullmatch(num) or not math.isfinite(float(num)):
            raise _bad(text, f"{num!r} is not a finite number; allowed: {SYNTAX}")
        _check_column(text, col, outputs, params)
        clauses.append(Clause(col, op, float(num)))
    return Condition(text=text, clauses=tuple(clauses))


def _ranges(ok: pd.DataFrame, cond: Condition) -> str:
    parts = []
    for c in cond.clauses:
        x = ok[c.column].to_numpy(dtype=float)
        reached = x[np.isfinite(x)]
        if not len(reached):
            parts.append(f"{c.column} is not reached in any ok run")
            continue
        span = f"{c.column} ranges {reached.min():.4g} to {reached.max():.4g}"
        if len(reached) < len(x):
            span += f" ({len(x) - len(reached)} runs not reaching it count as later than any year)"
        parts.append(span)
    return "; ".join(parts)


def check_conditions(texts, ok: pd.DataFrame, outputs: list[str],
                     params: tuple[str, ...]) -> list[Condition]:
    """Parse every condition and refuse one that holds in no ok run or in every one (there
    is nothing to tell apart). Raises :class:`SimInputError` for the first bad condition.
    """
    texts = list(texts)
    if len(texts) > MAX_CONDITIONS:
        raise _bad(texts[MAX_CONDITIONS], f"{len(texts)} conditions; allowed: at most "
                   f"{MAX_CONDITIONS}")
    out = []
    for text in texts:
        cond = parse_condition(text, outputs, params)
        n = int(cond.holds(ok).sum())
        if n == 0 or n == len(ok):
            which = "none" if n == 0 else "every one"
            raise _bad(text, f"holds in {which} of the {len(ok)} ok runs ({_ranges(ok, cond)}); "
                       "allowed: a condition that holds in some runs and not in others")
        out.append(cond)
    return out


# --- PRIM ---------------------------------------------------------------------------------------
def _prim():
    """EMA Workbench's PRIM, imported on first use (about 1.5 s). Its import sets seaborn's
    palette and warning filters; both are put back as they were.
    """
    import warnings

    import matplotlib

    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns that optional parallel back-ends are absent
        from ema_workbench.analysis import prim
    return prim


def _inputs(spec: SweepSpec, ok: pd.DataFrame) -> pd.DataFrame:
    """The parameter columns as PRIM reads them: floats peel continuously, integers as
    discrete values, anything else (text, true/false) as categories.
    """
    x = pd.DataFrame(index=range(len(ok)))
    for key in spec.keys:
        col = ok[key].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            x[key] = col.astype(str)
        elif pd.api.types.is_integer_dtype(col):
            x[key] = col.astype(np.int64)
        else:
            x[key] = col.astype(np.float64)
    return x


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def _qp(qp: dict, key: str) -> float:
    """A restriction's quasi-p value: the smaller of its two ends' where both are restricted
    (PRIM marks an end that is not restricted with -1); NaN for an unrestricted parameter.
    """
    q = [v for v in qp.get(key, []) if v is not None and np.isfinite(v) and v >= 0]
    return float(min(q)) if q else float("nan")


def _limits(spec: SweepSpec, lims: pd.DataFrame, init: pd.DataFrame, qp: dict) -> pd.DataFrame:
    """One row per parameter: the box's range, the sampled range, whether the box restricts
    it, and PRIM's quasi-p value of the restriction (a one-sided binomial test: the chance of
    a restriction at least this good among runs outside it; small means not chance).
    """
    rows = []
    for key in spec.keys:
        lo, hi = lims[key].iloc[0], lims[key].iloc[1]
        lo0, hi0 = init[key].iloc[0], init[key].iloc[1]
        row = {"parameter": key, "qp": _qp(qp, key)}
        if isinstance(lo, (set, frozenset)):
            keep, every = sorted(map(str, lo)), sorted(map(str, lo0))
            restricted = len(keep) < len(every)
            row.update(low=np.nan, high=np.nan, sample_min=np.nan, sample_max=np.nan,
                       values=" | ".join(keep), restricted=restricted,
                       box_range="one of " + ", ".join(keep),
                       sampled_range="one of " + ", ".join(every))
        else:
            lo, hi, lo0, hi0 = float(lo), float(hi), float(lo0), float(hi0)
            restricted = lo > lo0 or hi < hi0
            if lo > lo0 and hi < hi0:
                text = f"{_fmt(lo)} to {_fmt(hi)}"
            elif lo > lo0:
                text = f">= {_fmt(lo)}"
            elif hi < hi0:
                text = f"<= {_fmt(hi)}"
            else:
                text = "any"
            row.update(low=lo, high=hi, sample_min=lo0, sample_max=hi0, values="",
                       restricted=restricted, box_range=text,
                       sampled_range=f"{_fmt(lo0)} to {_fmt(hi0)}")
        rows.append(row)
    out = pd.DataFrame(rows)
    return out[["parameter", "restricted", "low", "high", "sample_min", "sample_max", "values",
                "qp", "box_range", "sampled_range"]]


def _trajectory(ppt: pd.DataFrame) -> pd.DataFrame:
    """PRIM's peeling trajectory in this module's columns, with each box's F1 score."""
    ppt = ppt.reset_index(drop=True)
    traj = pd.DataFrame({
        "box": np.arange(len(ppt)), "coverage": ppt["coverage"].astype(float),
        "density": ppt["density"].astype(float), "mass": ppt["mass"].astype(float),
        "restricted": ppt["res_dim"].astype(int), "runs": ppt["n"].astype(int),
        "runs_holding": ppt["k"].astype(int)})
    c, d = traj["coverage"], traj["density"]
    traj["f1"] = np.where(c + d > 0, 2 * c * d / (c + d).where(c + d > 0, 1.0), 0.0)
    return traj


def _inside(x: pd.DataFrame, lims: pd.DataFrame) -> np.ndarray:
    """Which rows of ``x`` lie inside the box ``lims`` (rows: lower, upper; a category's
    cell holds the set of values kept).
    """
    mask = np.ones(len(x), dtype=bool)
    for key in x.columns:
        lo, hi = lims[key].iloc[0], lims[key].iloc[1]
        if isinstance(lo, (set, frozenset)):
            mask &= x[key].isin(lo).to_numpy()
        else:
            v = x[key].to_numpy(dtype=float)
            mask &= (v >= lo) & (v <= hi)
    return mask


def _f1(inside: np.ndarray, y: np.ndarray) -> float:
    k, n, total = int(y[inside].sum()), int(inside.sum()), int(y.sum())
    return 2 * k / (n + total) if n + total else 0.0  # = harmonic mean of k/total and k/n


def _drop_weak(box, x: pd.DataFrame, y: np.ndarray, i: int) -> tuple[int, list]:
    """Drop, one at a time and weakest first, the restrictions of box ``i`` that are likely
    chance: quasi-p above :data:`QP_MAX`, and dropping them costs at most
    :data:`F1_TOLERANCE` of the F1 score. At least one restriction stays; each drop adds a
    box to the trajectory. Returns the final box and the (parameter, quasi-p) dropped.
    """
    dropped = []
    while True:
        qp = {k: _qp(box.qp[i], k) for k in box.qp[i]}
        f1 = _f1(_inside(x, box.box_lims[i]), y)
        weak = {}
        for k, q in qp.items():
            if q > QP_MAX:
                lims = box.box_lims[i].copy()
                lims[k] = box.box_lims[0][k]
                if _f1(_inside(x, lims), y) >= f1 - F1_TOLERANCE:
                    weak[k] = q
        if not weak or len(weak) == len(qp):
            return i, dropped
        key = max(weak, key=weak.get)
        box.drop_restriction(key, i=i)
        dropped.append((key, weak[key]))
        i = len(box.box_lims) - 1


def choose_box(trajectory: pd.DataFrame) -> int:
    """The row of the box with the highest F1 score (harmonic mean of coverage and density)
    among the boxes that restrict a parameter; the first such box on a tie (the larger one).
    """
    f1 = trajectory["f1"].to_numpy()
    candidates = np.flatnonzero(trajectory["restricted"].to_numpy() > 0)
    if not len(candidates):
        return 0
    return int(candidates[np.argmax(f1[candidates])])


def discover(spec: SweepSpec, df: pd.DataFrame, cond: Condition) -> Discovery:
    """Run PRIM on the ok runs of a checked summary for one checked condition."""
    ok = df[df["status"] == "ok"].reset_index(drop=True)
    y = cond.holds(ok).astype(int)
    x = _inputs(spec, ok)
    prim = _prim()
    # The threshold separates runs of interest (y = 1) from the rest and admits any box that
    # holds one of them, so PRIM always returns its whole trajectory.
    alg = prim.Prim(x, y, threshold=0.5 / len(y), peel_alpha=PEEL_ALPHA, mass_min=MASS_MIN)
    with np.errstate(all="ignore"):  # PRIM's objective divides by empty peels' mass
        box = alg.find_box()
        peeled = len(box.box_lims)
        best = choose_box(_trajectory(box.peeling_trajectory))
        chosen, dropped = _drop_weak(box, x, y, best)
    traj = _trajectory(box.peeling_trajectory)
    traj["step"] = ["peel"] * peeled + ["drop"] * (len(traj) - peeled)
    traj["chosen"] = traj["box"] == chosen
    limits = _limits(spec, box.box_lims[chosen], alg.box_init, box.qp[chosen])
    result = Discovery(condition=cond, ok_runs=len(ok), holds=int(y.sum()), trajectory=traj,
                       chosen=chosen, limits=limits, best=best, dropped=dropped)
    if dropped:
        result.notes.append(f"box {best} (the best balance of coverage and density) less its "
                            f"restriction{'s' if len(dropped) > 1 else ''} on "
                            f"{', '.join(f'{k} (quasi-p {q:.2g})' for k, q in dropped)}: "
                            f"quasi-p above {QP_MAX}, likely chance, and the box is as good "
                            "without")
    weak = limits[limits["restricted"] & ~(limits["qp"] <= QP_MAX)]
    if not weak.empty:
        result.notes.append(f"the box's restriction on {', '.join(weak['parameter'])} has a "
                            f"quasi-p above {QP_MAX}: it may be chance")
    if any(c.column.startswith("milestone.") for c in cond.clauses):
        result.notes.append("a milestone not reached by the end of the runs "
                            f"({spec.base['time']['end_year']}) counts as later than any year")
    return result


def small_sample_warning(found: Discovery) -> str | None:
    """A warning when too few runs hold (or fail) the condition for a trustworthy box."""
    fewest = min(found.holds, found.ok_runs - found.holds)
    if fewest >= MIN_RUNS_PER_SIDE:
        return None
    side = "holds" if found.holds == fewest else "fails"
    return (f"discovery '{found.condition.label()}': the condition {side} in only {fewest} "
            f"runs (rule of thumb: at least {MIN_RUNS_PER_SIDE} on each side); the box rests "
            "on a handful of runs")


def box_table(results: list[Discovery]) -> pd.DataFrame:
    """Every condition's chosen box, one row per restricted parameter (a row with parameter
    '(none)' for a box that restricts nothing), with the box's statistics on each row.
    """
    rows = []
    for r in results:
        b = r.box
        stats = {"condition": r.condition.label(), "box": int(b["box"]),
                 "coverage": b["coverage"], "density": b["density"], "mass": b["mass"],
                 "runs_in_box": int(b["runs"]), "runs_holding_in_box": int(b["runs_holding"]),
                 "runs_holding": r.holds, "ok_runs": r.ok_runs}
        lim = r.restricted()
        if lim.empty:
            rows.append({**stats, "parameter": "(none)"})
        for row in lim.drop(columns=["restricted", "box_range", "sampled_range"]).to_dict(
                "records"):
            rows.append({**stats, **row})
    order = ["condition", "parameter", "low", "high", "values", "sample_min", "sample_max", "qp",
             "coverage", "density", "mass", "runs_in_box", "runs_holding_in_box", "runs_holding",
             "ok_runs", "box"]
    return pd.DataFrame(rows).reindex(columns=order)


def trajectory_table(results: list[Discovery]) -> pd.DataFrame:
    """Every condition's peeling trajectory, one row per box."""
    return pd.concat([r.trajectory.assign(condition=r.condition.label()) for r in results],
                     ignore_index=True)[["condition", "box", "coverage", "density", "mass",
                                         "restricted", "runs", "runs_holding", "f1", "chosen"]]


# --- figure -------------------------------------------------------------------------------------
def discovery_figure(spec: SweepSpec, found: Discovery, path: Path, source: str) -> Path:
    """Left: the peeling trajectory (coverage against density, colour: parameters restricted),
    the chosen box ringed. Right: each parameter's sampled range and the chosen box's range.
    """
    t = found.trajectory
    b = found.box
    with plt.rc_context(STYLE):
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8),
                                     gridspec_kw={"width_ratios": [1, 1.15]})
        for k in sorted(t["restricted"].unique()):
            s = t[t["restricted"] == k]
            ax.scatter(s["coverage"], s["density"], s=22, color=f"C{k - 1}" if k else "0.3",
                       zorder=3, label=f"{k} parameter{'s' if k != 1 else ''} restricted",
                       marker="o")
        peel = t[t["step"] == "peel"]
        ax.plot(peel["coverage"], peel["density"], color="0.7", lw=0.8, zorder=2)
        if found.dropped:
            best = t.iloc[found.best]
            ax.annotate("", (b["coverage"], b["density"]), (best["coverage"], best["density"]),
                        arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1})
            ax.scatter([best["coverage"]], [best["density"]], s=90, facecolors="none",
                       edgecolors="C3", linewidths=1, linestyle="--", zorder=4,
                       label="best box before dropping\nrestrictions likely due to chance")
        ax.scatter([b["coverage"]], [b["density"]], s=190, facecolors="none",
                   edgecolors="C3", linewidths=2, zorder=4,
                   label=f"chosen box: coverage {b['coverage']:.2f},\ndensity "
                         f"{b['density']:.2f}, mass {b['mass']:.2f}")
        base = found.holds / found.ok_runs
        ax.axhline(base, color="0.4", ls=":", lw=1, label=f"all runs ({base:.0%} hold)")
        ax.set(xlim=(max(0.0, t["coverage"].min() - 0.1) - 0.02, 1.02),
               ylim=(max(0.0, min(base, t["density"].min()) - 0.1), 1.02),
               xlabel="coverage (share of the runs where it holds that are in the box)",
               ylabel="density (share of the box's runs\nwhere it holds)",
               title="Peeling trajectory (PRIM)")
        ax.legend(loc="best", fontsize=7.5)
        _box_panel(bx, found, {p.key for p in spec.parameters if p.dist == "loguniform"})
        fig.suptitle(f"Where does {found.condition.label()} hold? "
                     f"({found.holds} of {found.ok_runs} runs)")
        return save_figure(fig, path, source)


def _box_panel(ax, found: Discovery, logs: set[str]) -> None:
    """Horizontal bars: each parameter's sampled range (grey, scaled to 0-1; on a log scale
    for the parameters in ``logs``) and the chosen box's part of it (colour), restricted
    parameters first, labelled in their own units.
    """
    lim = found.limits.sort_values("restricted", ascending=False, kind="stable")
    n = len(lim)
    for i, r in enumerate(lim.itertuples()):
        yy = n - 1 - i
        ax.barh(yy, 1.0, left=0.0, height=0.5, color="0.88", zorder=1)
        if r.values:  # a category: the box keeps some values
            lo, hi = 0.0, 1.0
        else:
            f = np.log if r.parameter in logs and r.sample_min > 0 else (lambda v: v)
            span = (f(r.sample_max) - f(r.sample_min)) or 1.0
            lo, hi = (f(r.low) - f(r.sample_min)) / span, (f(r.high) - f(r.sample_min)) / span
        if r.restricted:
            ax.barh(yy, hi - lo, left=lo, height=0.5, color="C0", zorder=2)
        if not r.values:
            ax.text(-0.01, yy, _fmt(r.sample_min), ha="right", va="center", fontsize=7.5,
                    color="0.35")
            ax.text(1.01, yy, _fmt(r.sample_max), ha="left", va="center", fontsize=7.5,
                    color="0.35")
        label = r.box_range if r.restricted else "not restricted"
        if r.restricted and np.isfinite(r.qp):
            label += f"  (quasi-p {r.qp:.2g})"
        ax.text(0.5, yy + 0.3, label, ha="center", va="bottom", fontsize=8,
                color="C0" if r.restricted else "0.4")
    names = short_names(found.limits["parameter"])
    ax.set_yticks(range(n), [names[p] for p in lim["parameter"]][::-1], fontsize=8.5)
    ax.set_xticks([])
    ax.set_xlim(-0.16, 1.16)
    ax.set_ylim(-0.6, n - 0.1)
    ax.grid(False)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set_title("Chosen box (blue) within each parameter's sampled range (grey)")
    if logs & set(lim["parameter"]):
        ax.set_xlabel("log scale for the parameters sampled log-uniformly", fontsize=8,
                      color="0.35")
