"""Economy figures of a run: US output and its growth, the factor shares of output, and the
Acemoglu-Restrepo decomposition of the change in the wage bill.

As in :mod:`sim.figures.labour`, the data functions are separate from the drawing so they can
be tested on their own; each figure takes a list of runs (the report draws one). An ensemble
is drawn as the median of its members at each date over a 10-90% band, except the
decomposition's bars, which are its median member's (medians of the parts would not add up to
the median of the whole).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator

from sim.figures.common import FigureSpec, draw_lines, source_note
from sim.figures.style import (
    RENDER_STYLE,
    band_handle,
    draw_series,
    finish,
    png_bytes,
    year_axis,
)
from sim.outputs.results import year_end_steps
from sim.outputs.run_data import RunData

#: The factor shares of US output: (key, label, colour); they add up to 1 every month (the
#: national-accounts identity of the model: output = labour + AI + capital income).
SHARE_LINES = (("labour_share", "labour (wages)", "C0"),
               ("ai_share", "AI (payments to AI labs)", "C3"),
               ("capital_share", "capital and profits", "0.55"))
#: The Acemoglu-Restrepo effects: (suffix of ``ar_*``, label, colour).
AR_EFFECTS = (("productivity", "productivity (output growth)", "C2"),
              ("displacement", "displacement (AI takes over tasks)", "C3"),
              ("reinstatement", "reinstatement (new tasks for people)", "C0"),
              ("other", "other (substitution, capital, composition)", "0.65"))
#: Output range (max / min) above which output is drawn on a log scale.
LOG_OUTPUT_RANGE = 20.0


# ----------------------------------------------------------------------------- data functions

def annual_growth(times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Growth per year (fraction) of ``values`` ((T,) or (T, N)) from year-end values: a
    year's growth is its last step's value over the previous year's last step, less 1. The
    first year has no year before it: its growth runs from the first step to its year end,
    annualised (likewise a last year the run ends inside). Returns (years, growth) with
    growth (Y,) or (Y, N).
    """
    times = np.asarray(times, float)
    values = np.asarray(values, float)
    years, idx = year_end_steps(times)
    base = np.concatenate([[0], idx[:-1]])
    span = times[idx] - times[base]
    span = np.where(span > 0, span, np.nan)
    if values.ndim == 2:
        span = span[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (values[idx] / values[base]) ** (1.0 / span) - 1.0
    return years, growth


def output_growth(view) -> tuple[np.ndarray, np.ndarray]:
    """US output growth per year (fraction, from year-end values) of a run or an ensemble's
    members (``view``: :attr:`RunData.view`): (years, (Y,) or (Y, N)).
    """
    return annual_growth(view.times, view.agg("us_output_usd_per_yr"))


def factor_shares(get) -> dict[str, np.ndarray]:
    """The shares of US output (fractions; (T,) or (T, N)) going to labour, AI and capital,
    keyed as in :data:`SHARE_LINES`; ``get(name)`` returns a recorded aggregate. Capital's
    share is its income over output, so the three add up to 1 wherever the incomes do.
    """
    output = np.asarray(get("us_output_usd_per_yr"), float)
    return {"labour_share": np.asarray(get("labour_share"), float),
            "ai_share": np.asarray(get("ai_share"), float),
            "capital_share": np.asarray(get("capital_income_usd_per_yr"), float) / output}


def ar_by_year(run: RunData) -> pd.DataFrame:
    """The Acemoglu-Restrepo decomposition per calendar year (log change of the task wage
    bill, per year): each effect's mean over the year's steps (each step's value is already
    per year, so the mean is the year's change), and ``total``, their sum: the log change of
    the wage bill over the year. For an ensemble, its median member's. Index: years.
    """
    t = run.times
    years = np.floor(t + 1e-9).astype(int)
    frame = pd.DataFrame({key: run.agg(f"ar_{key}") for key, _, _ in AR_EFFECTS})
    table = frame.groupby(years).mean()
    table["total"] = table[[key for key, _, _ in AR_EFFECTS]].sum(axis=1)
    table.index.name = "year"
    return table


def stack_bottoms(values: np.ndarray) -> np.ndarray:
    """Where each bar of a diverging stack starts: (K, Y) ``values`` stacked, positive ones up
    from zero and negative ones down from zero, in row order; returns (K, Y) bottoms.
    """
    values = np.asarray(values, float)
    up = np.cumsum(np.where(values > 0, values, 0.0), axis=0)
    down = np.cumsum(np.where(values < 0, values, 0.0), axis=0)
    pos = np.vstack([np.zeros(values.shape[1]), up[:-1]])
    neg = np.vstack([np.zeros(values.shape[1]), down[:-1]])
    return np.where(values > 0, pos, neg)


# ----------------------------------------------------------------------------- drawing

def _trillions(v, _pos=None) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:,.3g}"


def fig_output_and_growth(runs: list[RunData]) -> plt.Figure:
    """US output (trillion 2023 USD per year) and its growth per year from year-end values."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.0), sharex=True)
    ax = axes[0]
    top = max(np.nanmax(r.view.agg("us_output_usd_per_yr")) for r in runs)
    low = min(np.nanmin(r.view.agg("us_output_usd_per_yr")) for r in runs)
    log = top / low > LOG_OUTPUT_RANGE
    draw_lines(ax, runs, [("US output", lambda v: v.agg("us_output_usd_per_yr"), "-")], 1e-12,
               log=log, legend="upper left", run_legend={"loc": "upper left"})
    if log:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.yaxis.set_major_formatter(FuncFormatter(_trillions))
    ax.set(title="US output (GDP)", ylabel="trillion USD per year (2023 dollars)"
           + (", log scale" if log else ""), ylim=(None if log else 0, None))
    if len(runs) == 1 and runs[0].members is None:
        ax.get_legend().remove()
    ax = axes[1]
    many = len(runs) > 1
    colors = plt.cm.tab10.colors
    for k, run in enumerate(runs):
        years, growth = output_growth(run.view)
        x = years + 0.5  # the middle of the year the growth is over
        draw_series(ax, x, 100 * growth, color=colors[k % 10] if many else "C2", lw=1.8,
                    marker="o", ms=3.5, label=run.label if many else "growth over the year")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set(title="US output growth per year", ylabel="% per year (year end over year end)")
    ax.tick_params(axis="x", labelbottom=True)
    year_axis(ax)
    handles = ax.get_legend_handles_labels()[0]
    if any(r.members for r in runs):
        handles.append(band_handle(runs[0].members.n if len(runs) == 1 else None))
    if many or any(r.members for r in runs):
        ax.legend(handles=handles, loc="upper left", fontsize=8)
    start = int(np.floor(runs[0].times[0] + 1e-9))
    return finish(fig, source_note(runs, "Output: US real output per year at each month, "
                                   "2023 dollars. Growth: a year's last month over the year "
                                   f"before's last month; {start}, the first year, from its "
                                   "first month, annualised. Growth is plotted at mid-year."))


def fig_factor_shares(runs: list[RunData]) -> plt.Figure:
    """Labour, AI and capital shares of US output over time: stacked for one run, lines (an
    ensemble: medians over a 10-90% band) otherwise.
    """
    fig, ax = plt.subplots(figsize=(10, 5.2))
    stacked = len(runs) == 1 and runs[0].members is None
    if stacked:
        run = runs[0]
        shares = factor_shares(run.agg)
        ax.stackplot(run.times, *(100 * shares[k] for k, _, _ in SHARE_LINES),
                     labels=[label for _, label, _ in SHARE_LINES],
                     colors=[c for _, _, c in SHARE_LINES], alpha=0.85, lw=0)
        year_axis(ax)
        ax.set_xlim(run.times[0], run.times[-1])
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False, title="share of output (top band first)", title_fontsize=8)
        for level in (25, 50, 75):
            ax.axhline(level, color="white", lw=0.6, alpha=0.7)
        ax.set_ylim(0, 100)
    else:
        draw_lines(ax, runs, [(label, lambda v, k=key: factor_shares(v.agg)[k], style)
                              for (key, label, _), style in zip(SHARE_LINES, ("-", "--", ":"),
                                                                strict=True)], 100,
                   one_run=[(c, "-") for _, _, c in SHARE_LINES], legend="upper left",
                   run_legend={"loc": "upper left", "bbox_to_anchor": (1.01, 1.0),
                               "frameon": False},
                   style_legend={"loc": "upper left", "bbox_to_anchor": (1.01, 0.55),
                                 "frameon": False})
        if len(runs) == 1:
            ax.legend(handles=ax.get_legend_handles_labels()[0] + [
                band_handle(runs[0].members.n)], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                frameon=False)
        ax.set_ylim(0, 100)
    ax.set(title="Who is paid for US output: labour, AI and capital",
           ylabel="% of US output")
    return finish(fig, source_note(runs, "Shares of US output at each month: wages of "
                                   "people (labour), US customers' payments to AI labs (AI), "
                                   "and the rest, the income of capital and profits; they add "
                                   "up to 100%."))


def fig_ar_decomposition(runs: list[RunData]) -> plt.Figure:
    """Acemoglu-Restrepo decomposition of the change in the wage bill of task work, by year:
    stacked bars of the four effects and a line for their total (the first run; an
    ensemble's median member).
    """
    run = runs[0]
    table = ar_by_year(run)
    years = table.index.to_numpy()
    keys = [key for key, _, _ in AR_EFFECTS]
    values = 100 * table[keys].to_numpy(float).T  # (K, Y), % per year
    bottoms = stack_bottoms(values)
    fig, ax = plt.subplots(figsize=(12, 5.6))
    for k, (_, label, color) in enumerate(AR_EFFECTS):
        ax.bar(years, values[k], 0.8, bottom=bottoms[k], color=color, label=label, lw=0)
    ax.plot(years, 100 * table["total"].to_numpy(float), color="k", marker="o", ms=4, lw=1.6,
            label="total: change of the wage bill")
    ax.axhline(0, color="0.3", lw=0.8)
    year_axis(ax)
    ax.set(title="Why the wage bill changes: Acemoglu-Restrepo decomposition"
           + (" (median member)" if run.members else ""),
           ylabel="% per year (log change of the wage bill)")
    handles = ([Line2D([], [], color="k", marker="o", ms=4, lw=1.6,
                       label="total: change of the wage bill")]
               + [Patch(color=c, label=label) for _, label, c in AR_EFFECTS])
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize=8)
    return finish(fig, source_note(runs[:1], "Bars: each effect's mean over the year's "
                                   "months (log change per year, x100); positive effects are "
                                   "stacked up from zero, negative ones down. The line is their "
                                   "sum, the log change of the wage bill of task work. Method: "
                                   "Acemoglu and Restrepo (2019), 'Automation and New Tasks', "
                                   "J. Econ. Perspectives 33(2).", kind="member"))


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("output_and_growth", "US output and growth",
               "Left: US output per year (trillion 2023 dollars). Right: its growth over each "
               "calendar year, from the last month of one year to the last month of the next "
               "(about 2% a year before AI; faster growth means AI is adding to output). An "
               "ensemble: its median, shaded 10-90% of its members.",
               fig_output_and_growth, needs_occupations=False),
    FigureSpec("factor_shares", "Factor shares: labour, AI and capital",
               "How US output is paid out: to people as wages (labour), to AI labs for AI's "
               "work, and to capital and profits. A falling blue band (or line) means labour "
               "gets a smaller slice of the pie, even if the pie grows.",
               fig_factor_shares, needs_occupations=False),
    FigureSpec("ar_decomposition", "Acemoglu-Restrepo decomposition of the wage bill",
               "Each bar splits one year's change in the wage bill into its causes: growth of "
               "output (green), AI taking over tasks people did (red; below zero when AI "
               "takes tasks, above when tasks return to people), new tasks for people (blue) "
               "and the rest: substitution between tasks, capital and the mix of spending "
               "(grey). Bars above zero add to the wage bill, bars below take from it; the "
               "black line is the total: above zero, the wage bill grew that year.",
               fig_ar_decomposition, needs_occupations=False),
)


def render_all(runs: list[RunData]) -> dict[str, bytes]:
    """Every economy figure as PNG bytes, keyed by name, in the house style."""
    with plt.rc_context(RENDER_STYLE):
        return {spec.name: png_bytes(spec.draw(runs)) for spec in FIGURES}
