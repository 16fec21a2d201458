"""What the report's and compare's figures (:mod:`sim.figures.labour`,
:mod:`sim.figures.economy`) and the run's figures (:mod:`sim.figures.run`) share beyond their
look (:mod:`sim.figures.style`): a figure's spec, the source note naming the runs, lines of one
run or of runs compared, a milestone's year (an ensemble's median), and the lines of the
share of work AI can do and does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from sim.figures.style import (
    band_handle,
    draw_series,
    run_colors,
    year_axis,
)
from sim.outputs.run_data import BANDED_SHARES, WORK_SHARE_LINES, RunData


@dataclass(frozen=True)
class FigureSpec:
    """A figure of the report: title, a how-to-read line, and how to draw it."""

    name: str
    title: str
    how_to_read: str
    draw: Callable[[list[RunData]], plt.Figure]
    needs_occupations: bool = True  #: False: drawn from the aggregates alone




def ensemble_note(runs: list[RunData], kind: str = "band") -> str:
    """What an ensemble's figure shows: ``kind`` "band" (medians over a 10-90% band) or
    "member" (its median member's occupations); empty when no run is an ensemble.
    """
    parts = []
    for r in runs:
        m = r.members
        if m is None:
            continue
        ranges = str(m.info.get("ranges_from", "?")).replace("\\", "/").rsplit("/", 1)[-1]
        if kind == "band":
            drawn = len(m.info.get("parameters", []))
            parts.append(f"'{r.label}' is an ensemble of {m.n} members ({drawn} parameters "
                         f"drawn from {ranges}): lines are the median of its members at each "
                         "date, shaded the 10th to 90th percentile.")
        else:
            k = m.median_member
            parts.append(f"'{r.label}' is an ensemble of {m.n} members: shown is its median "
                         f"member, #{k} (model seed {m.seeds[k]}), whose share of work "
                         "automated stays closest to the members' median; the spread is in "
                         "the line figures.")
    return " ".join(parts)


def source_note(runs: list[RunData], extra: str = "", kind: str = "band") -> str:
    """Source line naming the package version and every run (scenario, seed), and for an
    ensemble what is drawn (``kind``: see :func:`ensemble_note`).
    """
    who = "; ".join(f"'{r.label}' (scenario {r.identity['scenario']}, seed "
                    f"{r.identity.get('seed', '?')})" if r.identity.get("scenario") else
                    f"'{r.label}' (seed {r.identity.get('seed', '?')}; see the run folder's "
                    "config.yaml)" for r in runs)
    version = runs[0].identity.get("version", "?")
    note = ensemble_note(runs, kind)
    return (f"Source: ai-economy-sim {version}, run{'s' if len(runs) > 1 else ''} {who}. "
            + (f"{note} " if note else "") + extra)






#: Where the legends of :func:`draw_lines` go when runs are compared (``Axes.legend`` keywords).
RUN_LEGEND = {"loc": "upper left"}
STYLE_LEGEND = {"loc": "lower right"}
#: Both legends right of the axes, for charts whose lines fill the panel.
OUTSIDE = ({"loc": "upper left", "bbox_to_anchor": (1.06, 1.0), "frameon": False},
           {"loc": "upper left", "bbox_to_anchor": (1.06, 0.55), "frameon": False})


def draw_lines(ax, runs: list[RunData], series: list[tuple],
           scale: float = 1.0, log: bool = False, one_run: list[tuple[str, str]] | None = None,
           legend: str = "best", run_legend: dict | None = RUN_LEGEND,
           style_legend: dict | None = STYLE_LEGEND, extra: tuple = (), band_note: str = ""):
    """Plot ``series`` (label, fn(view) -> y per step, linestyle[, band]) for every run (the
    view: :attr:`RunData.view`; an ensemble's series are drawn as a median over a 10-90% band,
    unless the series' ``band`` is False): one colour per series for one run (``one_run``:
    its (colour, line style) per series; default solid lines in C0, C1, ...), with a legend
    at ``legend``; one colour per run and one line style per series for several, with a
    legend of the runs (``run_legend``, None: none) and one of the series and the ``extra``
    handles (``style_legend``; left out for a single series). ``band_note``: which lines have
    a band, in the band's legend entry, when not all do.
    """
    many = len(runs) > 1
    colors = run_colors(len(runs))
    for r, run in enumerate(runs):
        for s, (label, fn, style, *band) in enumerate(series):
            y = np.asarray(fn(run.view), float) * scale  # (T, N) for an ensemble: a band
            if log:
                y = np.where(y > 0, y, np.nan) if y.ndim == 1 else y
            color, ls = (colors[r], style) if many else (one_run[s] if one_run else
                                                          (f"C{s}", "-"))
            draw_series(ax, run.times, y, log=log, band=band[0] if band else True,
                        color=color, ls=ls, lw=1.8, label=None if many else label)
    year_axis(ax)
    ensembles = [r for r in runs if r.members]
    sizes = {r.members.n for r in ensembles}
    bands = [band_handle(sizes.pop() if len(sizes) == 1 else None, band_note)
             ] if ensembles else []
    if not many:
        ax.legend(handles=ax.get_legend_handles_labels()[0] + bands, loc=legend)
        return
    style_handles = [Line2D([], [], color="0.25", ls=st, lw=1.5, label=lab)
                     for lab, _, st, *_ in series] if len(series) > 1 or extra else []
    style_handles += list(extra) + bands
    if run_legend is not None:
        run_handles = [Line2D([], [], color=c, lw=2.5, label=r.label)
                       for c, r in zip(colors, runs, strict=True)]
        leg = ax.legend(handles=run_handles, title="run", fontsize=8, **run_legend)
        if style_handles and style_legend is not None:
            ax.add_artist(leg)
    if style_handles and style_legend is not None:
        ax.legend(handles=style_handles, fontsize=8, **style_legend)


def median_year(years) -> float:
    """The median year of a milestone over an ensemble's members ((N,) years, NaN for a member
    that never reaches it, which counts as later than any year); NaN when fewer than half
    reach it, or when ``years`` is None (not recorded).
    """
    if years is None:
        return np.nan
    from sim.ensemble import censored_percentiles

    median = censored_percentiles(years, (50,))[0][0]
    return float(median) if np.isfinite(median) else np.nan


def milestone_year(run: RunData, name: str) -> float:
    """A milestone's year in ``run``; for an ensemble the median over its members
    (:func:`median_year`).
    """
    if run.members is None:
        return float(run.milestones.get(name, np.nan))
    return median_year(run.members.milestones.get(name))


def draw_work_shares(ax, times, shares: dict) -> None:
    """The lines of :data:`sim.outputs.run_data.WORK_SHARE_LINES` (``shares``: fractions, (T,) each,
    or (T, N) for an ensemble's members) in %, in their colours and styles; the automation
    lines (:data:`~sim.outputs.run_data.BANDED_SHARES`) with an ensemble's band.
    """
    for line in WORK_SHARE_LINES:
        draw_series(ax, times, 100 * np.asarray(shares[line.key], float),
                    band=line.key in BANDED_SHARES, color=line.color, ls=line.style, lw=1.8,
                    label=line.label)


def work_share_handles(ax, members: int | None) -> list:
    """The legend entries of the lines on ``ax`` (:func:`draw_work_shares`), and for an
    ensemble of ``members`` (None: one run) its band's, which only the automation lines have.
    """
    return ax.get_legend_handles_labels()[0] + (
        [band_handle(members, "automation lines")] if members else [])
