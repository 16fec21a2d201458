"""Figures of one run, in one consistent matplotlib style (scenario 0 of a batch).

The labour figures (employment by major group, automation heatmap, flows, wage change,
exposure by education, occupations hit first and last, AI vs human workforce) and the AI R&D
figure are defined once in :mod:`sim.labor_figures` and drawn from here for ``sim run`` and by
``sim report``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.results import Results  # noqa: E402
from sim.run_data import WORK_SHARE_LINES, work_shares  # noqa: E402

STYLE = {
    "figure.dpi": 110, "savefig.dpi": 130, "font.size": 10, "axes.titlesize": 11,
    "axes.labelsize": 10, "legend.fontsize": 8.5, "axes.grid": True, "grid.alpha": 0.3,
    "axes.spines.top": False, "axes.spines.right": False,
}
SOURCE = "Source: ai-economy-sim, default scenario unless stated; see config.yaml in this folder."


def _finish(fig, path: Path, note: str = SOURCE) -> Path:
    fig.text(0.01, 0.005, note, fontsize=7.5, color="0.4", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)
    return path


def year_axis(ax, label: str = "year"):
    """Whole calendar years on the x axis (no 2022.5 ticks)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label)


#: Milestone markers of the share-of-work panel: name -> label.
MILESTONE_MARKERS = {"capable_95pct": "AI can automate 95%", "adopted_95pct": "95% automated"}


def _milestone_lines(ax, res: Results, b: int):
    for (name, label), style in zip(MILESTONE_MARKERS.items(), ("--", ":"), strict=True):
        year = res.milestones.get(name, [np.nan])[b]
        if np.isfinite(year):  # the label right of the line, where the lines seldom run
            ax.axvline(year, color="0.35", ls=style, lw=1)
            ax.annotate(label, (year, 0.42), xycoords=("data", "axes fraction"), rotation=90,
                        fontsize=7.5, color="0.3", ha="left", va="bottom")


def work_share_panel(ax, res: Results, b: int = 0) -> dict[str, np.ndarray]:
    """Draw the shares of wage-weighted work AI can help with, can automate, and does
    (:data:`sim.run_data.WORK_SHARE_LINES`) on ``ax``; returns the series drawn (fractions).
    """
    shares = work_shares(lambda name: res.aggregates[name][:, b])
    for line in WORK_SHARE_LINES:
        ax.plot(res.times, 100 * shares[line.key], color=line.color, ls=line.style, lw=1.8,
                label=line.label)
    for level in (20, 50, 95):
        ax.axhline(level, color="0.8", lw=0.8, zorder=0)
    _milestone_lines(ax, res, b)
    ax.set(title="Automation and augmentation of US work", ylabel="% of wage-weighted work "
           "(2021 wage bill)", ylim=(0, 102))
    year_axis(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8,
              frameon=False)  # below the axes: the lines fill the panel
    return shares


def compute_and_capability(res: Results, path: Path, b: int = 0) -> Path:
    """Training compute, installed compute and spending, algorithms and hardware, and the
    share of work AI can help with, can automate and does.
    """
    a, t = res.aggregates, res.times
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.2))
    ax = axes[0, 0]
    ax.semilogy(t, a["frontier_effective_flop"][:, b], label="frontier model, effective FLOP")
    ax.semilogy(t, a["largest_run_flop"][:, b], label="largest run, physical FLOP")
    ax.semilogy(t, a["open_weights_effective_flop"][:, b], label="open-weights model, effective")
    ax.set(title="Training compute of deployed models", ylabel="FLOP (2023-algorithm equiv.)")
    ax.legend()
    ax = axes[0, 1]
    ax.semilogy(t, a["global_compute_flop_per_s"][:, b], color="C0", label="installed compute")
    ax.set(title="AI compute and spending", ylabel="installed compute (peak FLOP/s)")
    ax2 = ax.twinx()
    ax2.semilogy(t, a["ai_capex_usd_per_yr"][:, b], color="C3", label="AI capex")
    ax2.semilogy(t, a["ai_revenue_usd_per_yr"][:, b], color="C2", label="AI revenue")
    ax2.set_ylabel("USD per year")
    ax2.grid(False)
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="upper left")
    ax = axes[1, 0]
    ax.semilogy(t, a["algorithmic_efficiency"][:, b], label="algorithmic efficiency")
    ax.semilogy(t, a["unhobbling"][:, b], label="unhobbling")
    chips = a["chip_flop_per_s_per_usd"][:, b]
    ax.semilogy(t, chips / chips[0], label="hardware: chip FLOP/s per USD")
    ax.set(title="Algorithms and hardware (levels; rates: the R&D figure)",
           ylabel="multiplier (2023 = 1)")
    ax.legend()
    work_share_panel(axes[1, 1], res, b)
    for ax in axes.flat:
        year_axis(ax)
    return _finish(fig, path, SOURCE + " Augmented work is still done by people, with AI "
                   "making them faster; automated work is done by AI end to end.")


def short_title(title: str, width: int = 38) -> str:
    """A title short enough for an axis label."""
    t = title.replace(" Occupations", "").replace(" and ", " & ").replace(", All Other", "")
    return t if len(t) <= width else t[: width - 1].rstrip(" ,&") + "…"


def wages(res: Results, path: Path, b: int = 0) -> Path:
    """Mean wage, and wage change by group."""
    occ, a, t = res.occupations, res.aggregates, res.times
    w = occ["wage_usd_per_hour"][:, b, :]
    titles = list(res.occupation_titles)
    if len(titles) > 30:  # detailed occupations: one bar per SOC major group, start-job weights
        from sim.occupations import major_group_titles, sum_by_major_group

        emp0 = occ["employed"][0, b, :]
        keys, paid = sum_by_major_group(res.occupation_codes, w * emp0)
        _, weight = sum_by_major_group(res.occupation_codes, emp0[None, :])
        w = paid / weight
        titles = [major_group_titles().get(m, m) for m in keys]
    change = 100 * (w[-1] / w[0] - 1)
    order = np.argsort(change)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), gridspec_kw={"width_ratios": [1, 1.2]})
    ax = axes[0]
    ax.plot(t, a["mean_wage_usd_per_hour"][:, b], color="k", lw=2)
    ax.set(title="Mean hourly earnings of the employed", ylabel="USD per hour (2021 dollars)")
    year_axis(ax)
    ax = axes[1]
    ax.barh([short_title(titles[i], width=60) for i in order], change[order],
            color=np.where(change[order] < 0, "C3", "C2"))
    ax.set(title=f"Wage change {int(t[0])}-{int(t[-1])} by SOC major group", xlabel="% change")
    ax.tick_params(axis="y", labelsize=7.5)
    return _finish(fig, path)


FIGURES = {
    "compute_and_capability": compute_and_capability,
    "wages": wages,
}
#: Figures of :mod:`sim.labor_figures` written beside these (``work_share`` repeats a panel of
#: the first figure, so it is left out); ``rd_speedup`` is the AI R&D figure.
LABOR_FIGURES = ("rd_speedup", "workforce", "employment_by_group", "automation_heatmap",
                 "flows", "wage_change", "exposure_by_education", "first_and_last")


def make_figures(res: Results, folder: Path | str, scenario: int = 0,
                 label: str | None = None) -> list[Path]:
    """Write every figure as PNG into ``folder``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with plt.rc_context(STYLE):
        for name, fn in FIGURES.items():
            if name == "wages" and not res.occupations:
                continue
            out.append(fn(res, folder / f"{name}.png", scenario))
        out += _labor_figures(res, folder, scenario, label or "this run")
    return out


def _labor_figures(res: Results, folder: Path, scenario: int, label: str) -> list[Path]:
    from sim import labor_figures as lf
    from sim.run_data import RunData

    run = RunData.from_results(res.scenario(scenario) if res.n_scenarios > 1 else res,
                               label=label, source=str(folder))
    out = []
    for spec in lf.FIGURES:
        if spec.name in LABOR_FIGURES and (res.occupations or not spec.needs_occupations):
            path = folder / f"{spec.name}.png"
            path.write_bytes(lf.png_bytes(spec.draw([run]), dpi=STYLE["savefig.dpi"]))
            out.append(path)
    return out
