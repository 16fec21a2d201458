"""Figures of one run, in one consistent matplotlib style (scenario 0 of a batch).

The labour figures (employment by major group, automation heatmap, flows, wage change,
exposure by education, occupations hit first and last, AI vs human workforce) are defined once
in :mod:`sim.labor_figures` and drawn from here for ``sim run`` and by ``sim report``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.results import Results  # noqa: E402

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


def _milestone_lines(ax, res: Results, b: int, names=("capable_95pct", "adopted_95pct")):
    for name, style in zip(names, ("--", ":"), strict=False):
        year = res.milestones.get(name, [np.nan])[b]
        if np.isfinite(year):
            ax.axvline(year, color="0.35", ls=style, lw=1)
            ax.annotate(name.replace("_", " ").replace("pct", "%"), (year, 0.02),
                        xycoords=("data", "axes fraction"), rotation=90, fontsize=7.5,
                        color="0.3", ha="right", va="bottom")


def compute_and_capability(res: Results, path: Path, b: int = 0) -> Path:
    """Training compute, installed compute and spending, algorithms, share of work."""
    a, t = res.aggregates, res.times
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    ax = axes[0, 0]
    ax.semilogy(t, a["frontier_effective_flop"][:, b], label="frontier model, effective FLOP")
    ax.semilogy(t, a["largest_run_flop"][:, b], label="largest run, physical FLOP")
    ax.semilogy(t, a["open_weights_effective_flop"][:, b], label="open-weights model, effective")
    ax.set(title="Training compute of deployed models", ylabel="FLOP (2023-algorithm equiv.)",
           xlabel="year")
    ax.legend()
    ax = axes[0, 1]
    ax.semilogy(t, a["global_compute_flop_per_s"][:, b], color="C0", label="installed compute")
    ax.set(title="AI compute and spending", ylabel="installed compute (peak FLOP/s)",
           xlabel="year")
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
    ax.semilogy(t, a["rd_speedup"][:, b], label="R&D speed-up (x base rate)")
    ax.set(title="Algorithms", ylabel="multiplier (2023 = 1)", xlabel="year")
    ax.legend()
    ax = axes[1, 1]
    ax.plot(t, 100 * a["capable_share"][:, b], label="AI can do (capability)")
    ax.plot(t, 100 * a["adopted_share"][:, b], label="AI does (adopted)")
    for level in (20, 50, 95):
        ax.axhline(level, color="0.8", lw=0.8, zorder=0)
    _milestone_lines(ax, res, b)
    ax.set(title="Share of wage-weighted US work", ylabel="% of wage bill (2021 weights)",
           xlabel="year", ylim=(0, 102))
    ax.legend(loc="upper left")
    return _finish(fig, path)


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
    ax.set(title="Mean hourly earnings of the employed", ylabel="USD per hour (2021 dollars)",
           xlabel="year")
    ax = axes[1]
    ax.barh([short_title(titles[i], width=60) for i in order], change[order],
            color=np.where(change[order] < 0, "C3", "C2"))
    ax.set(title=f"Wage change {int(t[0])}-{int(t[-1])} by SOC major group", xlabel="% change")
    ax.tick_params(axis="y", labelsize=7.5)
    return _finish(fig, path)


def rd_speedup(res: Results, path: Path, b: int = 0) -> Path:
    """R&D speed-up and the research automation that drives it."""
    a, t = res.aggregates, res.times
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    ax = axes[0]
    ax.plot(t, a["rd_speedup"][:, b], lw=2)
    ax.set(title="AI R&D speed-up (leading lab)", ylabel="x base rate of algorithmic progress",
           xlabel="year")
    year = res.milestones["automated_ai_researcher"][b]
    if np.isfinite(year):
        ax.axvline(year, color="0.35", ls="--", lw=1)
        ax.annotate("automated AI researcher", (year, 0.95), xycoords=("data", "axes fraction"),
                    fontsize=8, ha="right", va="top", rotation=90)
    ax = axes[1]
    ax.plot(t, 100 * a["research_automation_share"][:, b], lw=2)
    ax.set(title="Share of AI-research work AI does", ylabel="%", xlabel="year", ylim=(0, 102))
    return _finish(fig, path)


FIGURES = {
    "compute_and_capability": compute_and_capability,
    "wages": wages,
    "rd_speedup": rd_speedup,
}
#: Labour figures written beside these (``work_share`` repeats a panel of the first figure).
LABOR_FIGURES = ("workforce", "employment_by_group", "automation_heatmap", "flows",
                 "wage_change", "exposure_by_education", "first_and_last")


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
