"""Figures of one run, in one consistent matplotlib style (scenario 0 of a batch; for an
ensemble, the median of its members over a 10-90% band, and its median member's occupations).

The labour figures (employment by major group, automation heatmap, flows, wage change,
exposure by education, occupations hit first and last, AI vs human workforce) and the AI R&D
figure are defined once in :mod:`sim.figures.labour` and drawn from here for ``sim run`` and by
``sim report``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sim.figures import economy, labour
from sim.figures.common import draw_work_shares, median_year, source_note, work_share_handles
from sim.figures.style import (
    RENDER_STYLE,
    STYLE,
    draw_series,
    mark_year,
    plain_log_labels,
    plt,
    png_bytes,
    save_figure,
    share_levels,
    short_title,
    year_axis,
)
from sim.files import interrupts_deferred
from sim.forks import ForkedCall, fork, stop, wait
from sim.outputs.results import Results
from sim.outputs.run_data import RunData, work_shares

SOURCE = "Source: ai-economy-sim, default scenario unless stated; see config.yaml in this folder."

def series(res: Results, name: str, b: int = 0) -> np.ndarray:
    """An aggregate of scenario ``b`` (T,), or of every member of an ensemble (T, N)."""
    return res.aggregates[name] if res.ensemble is not None else res.aggregates[name][:, b]


def source_text(res: Results) -> str:
    """The source line of the run figures; for an ensemble, what its lines and bands are."""
    if res.ensemble is None:
        return SOURCE
    e = res.ensemble
    return (f"Source: ai-economy-sim, ensemble of {e.n} members around the scenario of "
            f"config.yaml, {len(e.ranges.parameters)} parameters drawn from "
            f"{Path(e.ranges.source).name} (seed {e.seed}): lines are the median of the "
            "members at each date, shaded the 10th to 90th percentile.")


#: Milestone markers of the share-of-work panel: name -> label.
MILESTONE_MARKERS = {"capable_95pct": "AI can automate 95%", "adopted_95pct": "95% automated"}


def milestone_year(res: Results, name: str, b: int = 0) -> float:
    """A milestone's year in scenario ``b``; for an ensemble, the median over its members
    (:func:`sim.figures.common.median_year`).
    """
    years = res.milestones.get(name)
    if years is None or res.ensemble is not None:
        return median_year(years)
    return float(years[b])


def _milestone_lines(ax, res: Results, b: int):
    suffix = " (median)" if res.ensemble is not None else ""
    for (name, label), style in zip(MILESTONE_MARKERS.items(), ("--", ":"), strict=True):
        # the label right of the line, where the lines seldom run
        mark_year(ax, milestone_year(res, name, b), label + suffix, ls=style)


def work_share_panel(ax, res: Results, b: int = 0) -> dict[str, np.ndarray]:
    """Draw the shares of wage-weighted work AI can help with, can automate, and does
    (:data:`sim.outputs.run_data.WORK_SHARE_LINES`) on ``ax``; returns the series drawn (fractions).
    """
    shares = work_shares(lambda name: series(res, name, b))
    draw_work_shares(ax, res.times, shares)
    share_levels(ax, "0.8")
    _milestone_lines(ax, res, b)
    ax.set(title="Automation and augmentation of US work", ylabel="% of wage-weighted work "
           "(2021 wage bill)", ylim=(0, 102))
    year_axis(ax)
    handles = work_share_handles(ax, res.n_scenarios if res.ensemble is not None else None)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
              fontsize=8, frameon=False)  # below the axes: the lines fill the panel
    return shares


def compute_and_capability(res: Results, path: Path, b: int = 0, note: str | None = None
                           ) -> Path:
    """Training compute, installed compute and spending, algorithms and hardware, and the
    share of work AI can help with, can automate and does. ``note``: the source line naming
    the run (default: :func:`source_text`).
    """
    t = res.times

    def a(name):
        return series(res, name, b)

    fig, axes = plt.subplots(2, 2, figsize=(11, 8.2))
    ax = axes[0, 0]
    draw_series(ax, t, a("frontier_effective_flop"), log=True,
                label="frontier model, effective FLOP")
    draw_series(ax, t, a("largest_run_flop"), log=True, label="largest run, physical FLOP")
    draw_series(ax, t, a("open_weights_effective_flop"), log=True,
                label="open-weights model, effective")
    ax.set(title="Training compute of deployed models", ylabel="FLOP (2023-algorithm equiv.)")
    ax.legend()
    ax = axes[0, 1]
    draw_series(ax, t, a("global_compute_flop_per_s"), log=True, color="C0",
                label="installed compute (left axis)")
    ax.set(title="AI compute and spending", ylabel="installed compute (peak FLOP/s)")
    ax2 = ax.twinx()
    draw_series(ax2, t, a("ai_capex_usd_per_yr"), log=True, color="C3",
                label="AI capex (right axis)")
    draw_series(ax2, t, a("ai_revenue_usd_per_yr"), log=True, color="C2",
                label="AI revenue (right axis)")
    ax2.set_ylabel("USD per year (capex, revenue)")
    ax2.grid(False)
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="upper left")
    ax = axes[1, 0]
    draw_series(ax, t, a("algorithmic_efficiency"), log=True, label="algorithmic efficiency")
    unhobbling = a("unhobbling")
    draw_series(ax, t, unhobbling, log=True, label="unhobbling")
    _mark_cap(ax, t, unhobbling, 10.0 ** res.configs[min(b, len(res.configs) - 1)]
              .algorithms.max_unhobbling_oom, "at its cap "
              "(algorithms.max_unhobbling_oom)")
    chips = a("chip_flop_per_s_per_usd")
    draw_series(ax, t, chips / chips[0], log=True, label="hardware: chip FLOP/s per USD")
    ax.set(title="Algorithms and hardware (levels; rates: the R&D figure)",
           ylabel="multiplier (2023 = 1)")
    ax.legend()
    work_share_panel(axes[1, 1], res, b)
    for ax in axes.flat:
        year_axis(ax)
    plain_log_labels(fig)
    note = (note or source_text(res)).rstrip()
    return save_figure(fig, path, note + " Augmented work is still done by people, with AI making "
                   "them faster; automated work is done by AI end to end.")


def _mark_cap(ax, t, values, cap: float, label: str) -> None:
    """Name the cap a series runs along once it reaches it (the median line, for a band)."""
    line = np.asarray(values, float)
    line = line if line.ndim == 1 else np.median(line, axis=1)
    if np.any(line >= cap * (1 - 1e-9)):  # below the line's end, where no other line runs
        ax.annotate(label, (t[-1], cap), xytext=(0, -5), textcoords="offset points",
                    fontsize=7.5, color="C1", ha="right", va="top")


def wages(res: Results, path: Path, b: int = 0, note: str | None = None) -> Path:
    """Mean wage, and wage change by group."""
    occ, t = res.occupations, res.times
    if res.ensemble is not None:  # the bars: the median member, whose occupations are held
        b = res.median_member
    j = res.occupation_index(b)
    w = occ["wage_usd_per_hour"][:, j, :]
    titles = list(res.occupation_titles)
    if len(titles) > 30:  # detailed occupations: one bar per SOC major group, start-job weights
        from sim.data.occupations import major_group_titles, sum_by_major_group

        emp0 = occ["employed"][0, j, :]
        keys, paid = sum_by_major_group(res.occupation_codes, w * emp0)
        _, weight = sum_by_major_group(res.occupation_codes, emp0[None, :])
        w = paid / weight
        titles = [major_group_titles().get(m, m) for m in keys]
    change = 100 * (w[-1] / w[0] - 1)
    order = np.argsort(change)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), gridspec_kw={"width_ratios": [1, 1.2]})
    ax = axes[0]
    draw_series(ax, t, series(res, "mean_wage_usd_per_hour", b), color="k", lw=2)
    ax.set(title="Mean hourly earnings of the employed", ylabel="USD per hour (2021 dollars)")
    year_axis(ax)
    ax = axes[1]
    ax.barh([short_title(titles[i], width=60) for i in order], change[order],
            color=np.where(change[order] < 0, "C3", "C2"))
    member = (f"\n(median member: #{b}, whose automated share stays closest to the "
              "ensemble's median)" if res.ensemble is not None else "")
    ax.set(title=f"Wage change {int(t[0])}-{int(t[-1])} by SOC major group{member}",
           xlabel="% change")
    ax.tick_params(axis="y", labelsize=7.5)
    return save_figure(fig, path, note or source_text(res))


FIGURES = {
    "compute_and_capability": compute_and_capability,
    "wages": wages,
}
#: Figures of :mod:`sim.figures.labour` written beside these (``work_share`` repeats a panel of
#: the first figure, so it is left out); ``rd_speedup`` is the AI R&D figure.
LABOR_FIGURES = ("rd_speedup", "workforce", "employment_by_group", "automation_heatmap",
                 "flows", "wage_change", "exposure_by_education", "first_and_last")
#: Figures of :mod:`sim.figures.economy` written beside these (drawn from the aggregates alone).
ECON_FIGURES = ("output_and_growth", "factor_shares", "ar_decomposition")


#: Relative drawing time of each figure (measured), to share them out among processes.
COST = {"compute_and_capability": 3.0, "rd_speedup": 1.4, "wages": 1.0, "workforce": 1.1,
        "employment_by_group": 1.0, "wage_change": 1.1, "first_and_last": 1.1,
        "automation_heatmap": 0.8, "flows": 0.9, "exposure_by_education": 0.8,
        "output_and_growth": 1.0, "factor_shares": 0.7, "ar_decomposition": 0.9}
#: The figures of an ensemble drawn from its members' aggregates alone (bands), which can be
#: drawn while its median member's occupations are still being recorded (:func:`draw_ahead`).
BAND_FIGURES = ("compute_and_capability", "rd_speedup", "workforce", "flows",
                "output_and_growth", "factor_shares")


def figure_workers() -> int:
    """Processes that draw a run's figures: one per core, at most 4 (``$SIM_FIGURE_WORKERS``
    overrides; 1 draws them all in the calling process).
    """
    env = os.environ.get("SIM_FIGURE_WORKERS", "")
    if env.isdigit() and int(env) >= 1:
        return int(env)
    return max(1, min(os.cpu_count() or 1, 4))


def _jobs(res: Results, scenario: int, label: str, source: str,
          names: tuple[str, ...] | None = None) -> list[tuple[str, object]]:
    """(name, draw) of every figure of ``res`` (or of ``names``); ``draw()`` gives PNG bytes."""
    import io

    one = res.ensemble is not None or res.n_scenarios == 1  # an ensemble: all members
    run = RunData.from_results(res if one else res.scenario(scenario), label=label,
                               source=source)
    note = source_note([run])

    def run_figure(fn):
        buf = io.BytesIO()
        fn(res, buf, scenario, note)
        return buf.getvalue()

    jobs = [(name, lambda fn=fn: run_figure(fn)) for name, fn in FIGURES.items()
            if (name != "wages" or res.occupations) and (names is None or name in names)]
    drawn_here = LABOR_FIGURES + ECON_FIGURES
    specs = [spec for spec in _labor_specs() if spec.name in drawn_here and (
        spec.name in names if names is not None
        else res.occupations or not spec.needs_occupations)]
    jobs += [(spec.name, lambda spec=spec: png_bytes(spec.draw([run]), dpi=STYLE["savefig.dpi"]))
             for spec in specs]
    return jobs


def make_figures(res: Results, folder: Path | str, scenario: int = 0,
                 label: str | None = None, workers: int | None = None,
                 ahead=None) -> list[Path]:
    """Write every figure as PNG into ``folder``; returns the paths.

    The figures are shared out among ``workers`` processes (default :func:`figure_workers`;
    forked, so they read the results without copying them); each PNG is the same whichever
    process draws it, and a worker that fails has its figures drawn again here. ``ahead``:
    figures already being drawn (:func:`draw_ahead`), taken from it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = _jobs(res, scenario, label or "this run", str(folder))
    drawn = {name for name, _ in jobs}
    names = [name for name in FIGURES if name in drawn] + [
        spec.name for spec in _labor_specs() if spec.name in drawn]
    later = [job for job in jobs if ahead is not None and job[0] in ahead.names]
    jobs = [job for job in jobs if job not in later]
    workers = figure_workers() if workers is None else workers
    with plt.rc_context(RENDER_STYLE):
        if workers > 1 and len(jobs) > 1 and hasattr(os, "fork") and ahead is None:
            _draw_shared(jobs, workers, folder)
        else:
            for name, draw in jobs:
                (folder / f"{name}.png").write_bytes(draw())
        done = (ahead.result() or {}) if ahead is not None else {}
        for name, draw in later:  # drawn meanwhile; here only if that process failed
            (folder / f"{name}.png").write_bytes(done[name] if name in done else draw())
    return [folder / f"{name}.png" for name in names]


def _labor_specs():
    """The figures of :mod:`sim.figures.labour` and :mod:`sim.figures.economy`, in that order."""
    return labour.FIGURES + economy.FIGURES


def _draw_shared(jobs: list[tuple], workers: int, folder: Path) -> None:
    """Draw ``jobs`` (name, draw) into ``folder/NAME.png`` in this process and
    ``workers - 1`` forked ones, the costliest first to the least loaded.
    """
    shares: list[list[int]] = [[] for _ in range(min(workers, len(jobs)))]
    loads = [0.0] * len(shares)
    for i in sorted(range(len(jobs)), key=lambda i: -COST.get(jobs[i][0], 1.0)):
        k = loads.index(min(loads))
        shares[k].append(i)
        loads[k] += COST.get(jobs[i][0], 1.0)

    def draw(share):
        for i in share:
            name, fn = jobs[i]
            (folder / f"{name}.png").write_bytes(fn())

    warm_up()  # fonts and text layout loaded once, before the workers inherit them
    children, failed = {}, []
    try:
        for share in shares[1:]:
            with interrupts_deferred():  # a worker is noted for stopping as soon as it starts
                children[fork(lambda share=share: draw(share))] = share
        draw(shares[0])
        failed = [share for pid, share in children.items() if wait(pid) != 0]
        children = {}
    finally:  # an error or Ctrl-C here: stop the workers before the folder is cleaned up
        for pid in children:
            stop(pid)
    for share in failed:  # drawn here instead
        draw(share)


def draw_ahead(res: Results, names: tuple[str, ...], label: str, source: str = ""):
    """Start drawing the figures ``names`` of ``res`` (PNG bytes by name) in a forked process
    (:class:`sim.forks.ForkedCall`, with ``names`` set), to be collected by
    :func:`make_figures` (``ahead``) once it has drawn the others; None where there is no
    ``fork``.
    """
    def draw():
        with plt.rc_context(RENDER_STYLE):
            return {name: fn() for name, fn in _jobs(res, 0, label, source, names)}

    call = ForkedCall.start(draw)
    if call is not None:
        call.names = tuple(names)
    return call


def warm_up() -> None:
    """Load fonts and text layout once (the first figure of a process takes ~0.3 s more);
    forked processes inherit them.
    """
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("warm-up 10")
    ax.semilogy([1, 2], [1, 1e3])
    fig.text(0, 0, "note")
    fig.canvas.draw()
    plt.close(fig)
