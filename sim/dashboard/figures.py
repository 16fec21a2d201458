"""The dashboard's charts and milestone table, drawn from a :class:`RunView`.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so the server can draw
them from any thread. The x axis always spans the whole run, so a run being played fills the
chart from the left; with a baseline, its paths are drawn faintly (grey, dashed) underneath.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from sim.dashboard.session import RunView
from sim.occupations import major_group, major_group_titles, sum_by_major_group
from sim.run_data import WORK_SHARE_LINES, work_shares

#: Chart size in inches at :data:`DPI`: the size of a SolaraViz grid cell on a laptop
#: screen, so the text is shown at its own size, not shrunk.
FIGSIZE = (5.1, 3.5)
DPI = 100
FONT = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 7.5,
        "xtick.labelsize": 8.5, "ytick.labelsize": 8.5}
BASE = {"color": "0.55", "lw": 1.0, "ls": "--", "alpha": 0.8}
#: Groups drawn separately in the employment chart; the rest are summed into one band.
TOP_GROUPS = 8

MILESTONES = (
    ("capable_20pct", "AI can automate 20% of work"),
    ("capable_50pct", "AI can automate 50% of work"),
    ("capable_95pct", "AI can automate 95% of work"),
    ("adopted_20pct", "20% of work automated"),
    ("adopted_50pct", "50% of work automated"),
    ("adopted_95pct", "95% of work automated"),
    ("automated_ai_researcher", "Automated AI researcher"),
)
#: Years of the milestone table's last rows: the share of work done with AI's help, and the
#: AI R&D progress multiplier (research input with AI over people alone, same compute).
TABLE_YEARS = (2025, 2030, 2040)
_YEARS = " / ".join(map(str, TABLE_YEARS))
YEAR_ROWS = (
    (f"Work done with AI's help (augmented), {_YEARS}", "augmented_share",
     lambda x: f"{100 * x:.0f}%"),
    (f"AI R&D progress multiplier, {_YEARS}", "ai_rd_multiplier", lambda x: f"x{x:.3g}"),
)
#: Milestones drawn as vertical markers on the workforce chart: name -> (short label, style).
MARKERS = {"capable_50pct": ("can automate 50%", ":"),
           "capable_95pct": ("can automate 95%", "--"),
           "adopted_50pct": ("50% automated", "-."),
           "automated_ai_researcher": ("AI researcher", "-")}


def _figure(ncols: int = 1, right: float = 0.98, bottom: float = 0.15) -> tuple[Figure, list]:
    """A figure with fixed margins: a layout engine would triple the drawing time."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.subplots_adjust(left=0.13 if ncols == 1 else 0.12, right=right, bottom=bottom,
                        top=0.9, wspace=0.42)
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=FONT["xtick.labelsize"])
    return fig, list(axes)


def _log_y(ax):
    """Log y axis with decade ticks only (minor ticks cost drawing time, add little)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
    ax.yaxis.set_minor_locator(NullLocator())


def _xrange(ax, view: RunView):
    start = view.times[0] if view.n else view.end_year - 1
    ax.set_xlim(np.floor(start), view.end_year)
    ax.set_xlabel("year", fontsize=FONT["axes.labelsize"])


def _title(ax, text: str):
    ax.set_title(text, fontsize=FONT["axes.titlesize"], loc="left")


def _label(ax, text: str):
    ax.set_ylabel(text, fontsize=FONT["axes.labelsize"])


def _legend(ax, **kw):
    ax.legend(fontsize=FONT["legend.fontsize"], frameon=False, **kw)


def _baseline_handle(ax, base: RunView | None):
    if base is not None:
        ax.plot([], [], label="baseline", **BASE)


def workforce(view: RunView, base: RunView | None = None) -> Figure:
    """AI workforce (human-equivalent workers) against US human employment, with milestones."""
    fig, (ax,) = _figure(right=0.66)
    t = view.times
    series = (("ai_human_equivalent_workers", "AI, all copies", "C0", 2.0),
              ("employed", "US employed", "k", 2.0),
              ("idle", "US unemployed\n+ retraining", "C3", 1.5))
    for name, label, color, lw in series:
        for v, style in ((base, BASE), (view, {"color": color, "lw": lw})):
            if v is None or not v.n:
                continue
            y = _workforce_series(v, name)
            ax.plot(v.times, np.maximum(y, 1.0) / 1e6, **style,
                    label=label if v is view else None)
    _log_y(ax)
    _baseline_handle(ax, base)
    for i, (name, (short, ls)) in enumerate(MARKERS.items()):
        year = view.milestones.get(name, np.nan)
        if np.isfinite(year):  # labels staggered in height so close dates do not overlap
            ax.axvline(year, color="0.3", ls=ls, lw=0.9)
            ax.annotate(short, (year, 0.03 + 0.22 * i), xycoords=("data", "axes fraction"),
                        rotation=90, fontsize=7.5, color="0.25", ha="right", va="bottom")
    _title(ax, "AI workforce vs human employment")
    _label(ax, "million full-time workers (log)")
    _xrange(ax, view)
    if t.size:  # outside the axes: the milestone markers run the full height
        _legend(ax, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def _workforce_series(v: RunView, name: str) -> np.ndarray:
    a = v.aggregates
    if name == "idle":
        return a["unemployed"] + a["retraining"]
    return a[name]


def by_major_group(codes, titles, values: np.ndarray) -> tuple[list[str], list[str], np.ndarray]:
    """Sum per-occupation ``values`` (T, O) into SOC major groups (T, G), with their titles."""
    order, out = sum_by_major_group(codes, values)
    known = major_group_titles()
    own = {major_group(c): t for c, t in zip(codes, titles, strict=True) if len(str(c)) <= 2}
    names = [own.get(g) or known.get(g) or f"SOC {g}" for g in order]
    return order, names, out


def _short(title: str) -> str:
    return (title.replace(" Occupations", "").replace(" and ", " & ")
            .replace("Administrative", "Admin.").replace("Transportation", "Transport")
            .replace(" & Technical", "").replace("Preparation", "Prep.")
            .replace(" & Serving Related", " & Serving"))


def employment_by_group(view: RunView, base: RunView | None = None) -> Figure:
    """Stacked US employment by SOC major group (largest groups; the rest summed)."""
    fig, (ax,) = _figure(right=0.6)
    if view.n and view.occupations:
        _, names, emp = by_major_group(view.codes, view.titles, view.occupations["employed"])
        emp = emp / 1e6
        order = np.argsort(-emp[0])
        top, rest = order[:TOP_GROUPS], order[TOP_GROUPS:]
        bands = [emp[:, i] for i in top] + ([emp[:, rest].sum(axis=1)] if rest.size else [])
        labels = [_short(names[i]) for i in top] + ([f"{rest.size} other groups"]
                                                     if rest.size else [])
        colors = [f"C{i}" for i in range(len(top))] + ["0.8"]
        ax.stackplot(view.times, np.array(bands), labels=labels, colors=colors, lw=0,
                     alpha=0.9)
        if base is not None and base.n:
            ax.plot(base.times, base.aggregates["employed"] / 1e6, **BASE,
                    label="baseline: all employed")
        handles, names_ = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names_[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5),
                  fontsize=FONT["legend.fontsize"], frameon=False)
    _title(ax, "US employment by SOC major group")
    _label(ax, "million workers")
    _xrange(ax, view)
    ax.set_ylim(bottom=0)
    return fig


def unemployment_and_wages(view: RunView, base: RunView | None = None) -> Figure:
    """Unemployment rate and mean hourly earnings of the employed."""
    fig, (ax1, ax2) = _figure(2)
    for v, style in ((base, BASE), (view, {"color": "C3", "lw": 2})):
        if v is not None and v.n:
            ax1.plot(v.times, 100 * v.aggregates["unemployment_rate"], **style)
    for v, style in ((base, BASE), (view, {"color": "k", "lw": 2})):
        if v is not None and v.n:
            ax2.plot(v.times, v.aggregates["mean_wage_usd_per_hour"], **style)
    _title(ax1, "Unemployment (incl. retraining)")
    _label(ax1, "% of labour force")
    ax1.set_ylim(bottom=0)
    _title(ax2, "Mean hourly earnings")
    _label(ax2, "USD per hour (2021 $)")
    for ax in (ax1, ax2):
        _xrange(ax, view)
    _baseline_handle(ax1, base)
    if base is not None:
        _legend(ax1, loc="upper left")
    return fig


def compute_and_capability(view: RunView, base: RunView | None = None) -> Figure:
    """Frontier training compute, and the share of work AI can help with (augment or
    automate), can automate, and does (:data:`sim.run_data.WORK_SHARE_LINES`).
    """
    fig, (ax1, ax2) = _figure(2, bottom=0.28)  # the shares' legend goes under their panel
    for v, styles in ((base, (BASE, BASE)), (view, ({"color": "C0", "lw": 2},
                                                    {"color": "C1", "lw": 1.5}))):
        if v is None or not v.n:
            continue
        own = v is view
        ax1.plot(v.times, v.aggregates["frontier_effective_flop"], **styles[0],
                 label="frontier model, effective" if own else None)
        ax1.plot(v.times, v.aggregates["largest_run_flop"], **styles[1],
                 label="largest run, physical" if own else None)
    _log_y(ax1)
    _baseline_handle(ax1, base)
    _title(ax1, "Training compute")
    _label(ax1, "FLOP (effective: 2023 algorithms)")
    for v in (base, view):
        if v is None or not v.n:
            continue
        shares = work_shares(v.aggregates.__getitem__)
        for line in WORK_SHARE_LINES:
            style = BASE if v is base else {"color": line.color, "ls": line.style, "lw": 1.6}
            ax2.plot(v.times, 100 * shares[line.key], **style,
                     label=line.short if v is view else None)
    for level in (20, 50, 95):
        ax2.axhline(level, color="0.85", lw=0.8, zorder=0)
    _title(ax2, "Share of US work")
    _label(ax2, "% of 2021 wage bill")
    ax2.set_ylim(0, 102)
    for ax in (ax1, ax2):
        _xrange(ax, view)
    if view.n:
        _legend(ax1, loc="upper left")
        _legend(ax2, loc="lower center", bbox_to_anchor=(0.71, 0.0),
                bbox_transform=fig.transFigure, ncol=2, handlelength=1.8, columnspacing=0.8,
                labelspacing=0.3)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, as the page shows it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


#: Chart name -> builder, in the order the page shows them.
CHARTS = {
    "workforce": workforce,
    "employment_by_group": employment_by_group,
    "unemployment_and_wages": unemployment_and_wages,
    "compute_and_capability": compute_and_capability,
}


def _year(y: float | None) -> str:
    return "-" if y is None or not np.isfinite(y) else f"{y:.1f}"


def year_end_step(view: RunView | None, year: int) -> int | None:
    """Index of the last step of ``year`` if the view has recorded that whole year (None: not
    so far, or outside the run).
    """
    if view is None or view.n < 2 or year + 1 > view.end_year + 1e-9:
        return None
    idx = int(np.searchsorted(view.times, year + 1.0 - 1e-9)) - 1
    dt = view.times[1] - view.times[0]
    return idx if idx >= 0 and view.times[-1] + dt >= year + 1.0 - 1e-9 else None


def at_year_ends(view: RunView | None, name: str, fmt) -> str:
    """Aggregate ``name`` at the end of each of :data:`TABLE_YEARS`, formatted by ``fmt`` and
    joined as "2% / 25% / 10%" ("-": not reached so far, or outside the run).
    """
    out = []
    for y in TABLE_YEARS:
        idx = year_end_step(view, y)
        out.append("-" if idx is None else fmt(view.aggregates[name][idx]))
    return " / ".join(out)


def milestone_rows(view: RunView | None, base: RunView | None = None) -> list[dict]:
    """The milestone table: label, year in this run, year in the baseline (all about
    automation); then :data:`YEAR_ROWS`, values at the end of :data:`TABLE_YEARS`.
    """
    rows = []
    for name, label in MILESTONES:
        row = {"milestone": label,
               "this run": _year(view.milestones.get(name) if view else None)}
        if base is not None:
            row["baseline"] = _year(base.milestones.get(name))
        rows.append(row)
    for label, name, fmt in YEAR_ROWS:
        row = {"milestone": label, "this run": at_year_ends(view, name, fmt)}
        if base is not None:
            row["baseline"] = at_year_ends(base, name, fmt)
        rows.append(row)
    return rows


def milestone_markdown(view: RunView | None, base: RunView | None = None) -> str:
    """The milestone table as Markdown (years; "-" = not reached so far)."""
    rows = milestone_rows(view, base)
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    return "\n".join(lines)
