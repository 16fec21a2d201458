"""Labour-displacement figures and the tables behind them, computed from a run's saved tables.

Every figure takes a list of runs: one run gives the report's figure, several give the compare
figure (lines overlaid in one colour per run; stacked areas and heatmaps as small multiples).
The data functions are separate from the drawing so they can be tested on their own, and they
work for the 22 SOC major groups as for ~800 detailed occupations.

An ensemble (a run whose :attr:`RunData.members` is set) is drawn as the median of its members
at each date over a shaded 10-90% band (:func:`band_data` gives the numbers); its occupation
figures show its median member, and the milestone table gives percentiles over members.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from sim.figures.common import (
    OUTSIDE,
    FigureSpec,
    draw_lines,
    draw_work_shares,
    milestone_year,
    source_note,
    work_share_handles,
)
from sim.figures.style import (
    RENDER_STYLE,
    band_handle,
    finish,
    mark_year,
    png_bytes,
    run_colors,
    share_levels,
    short_title,
    write_note,
    year_axis,
)
from sim.outputs.results import year_end_steps, year_month
from sim.outputs.run_data import (
    BANDED_SHARES,
    RD_RATE_LINES,
    WORK_SHARE_LINES,
    RunData,
    rd_series,
    work_shares,
)

#: Automated share of an occupation's task-hours that counts as "hit" in first-and-last.
HIT_THRESHOLD = 0.5
#: Years at which wage change is reported (the run's last year is added).
WAGE_YEARS = (2030, 2040)
#: Years of the headline row on work done with AI's help (those inside the run).
AUGMENTED_YEARS = (2025, 2030, 2040)
#: Below this many occupations, wage deciles are too coarse: quintiles are used instead.
MIN_OCCUPATIONS_FOR_DECILES = 40
JOB_ZONE_NAMES = {1: "little or no", 2: "some", 3: "medium", 4: "considerable", 5: "extensive"}


# ----------------------------------------------------------------------------- data functions

def employment_by_major(run: RunData) -> pd.DataFrame:
    """Employed workers per SOC major group (columns, largest at the start first) per step."""
    emp = pd.DataFrame(run.series("employed"), columns=run.info["soc_major"].astype(str))
    groups = emp.T.groupby(level=0).sum().T
    return groups[groups.iloc[0].sort_values(ascending=False).index]


def group_automated_share(run: RunData) -> pd.DataFrame:
    """Automated share of task-hours per SOC major group (columns) per step: its occupations'
    shares weighted by their 2023 employment (with the built-in table, the group's own).
    """
    weight = run.info["employment_start"].to_numpy(float)
    groups = run.info["soc_major"].astype(str).to_numpy()
    hours = pd.DataFrame(run.series("automated_share") * weight, columns=groups)
    return hours.T.groupby(level=0).sum().T / pd.Series(weight, index=groups).groupby(
        level=0).sum()


def group_titles(run: RunData) -> dict[str, str]:
    """SOC major group code -> title (without "Occupations")."""
    pairs = run.info[["soc_major", "soc_major_title"]].astype(str).drop_duplicates("soc_major")
    return {m: t.replace(" Occupations", "") for m, t in zip(pairs["soc_major"],
                                                            pairs["soc_major_title"],
                                                            strict=True)}


def most_affected(run: RunData) -> list[str]:
    """SOC major groups by their automated share averaged over the run (early and heavy
    automation both count), most affected first.
    """
    mean = group_automated_share(run).mean(axis=0)
    return mean.sort_values(ascending=False, kind="stable").index.tolist()


def automation_heatmap_data(run: RunData, groups: list[str]) -> pd.DataFrame:
    """Automated share of task-hours (fraction) at each year's end: rows ``groups`` (SOC major
    groups), columns calendar years.
    """
    years, steps = year_end_steps(run.times)
    shares = group_automated_share(run)
    return pd.DataFrame(shares[groups].to_numpy()[steps].T, index=groups, columns=years)


def flows(run: RunData) -> pd.DataFrame:
    """Cumulative displaced and re-employed workers, and the stocks unemployed and retraining,
    per step (workers).
    """
    return pd.DataFrame({
        "year": run.times,
        "displaced_cumulative": run.agg("displaced_total"),
        "reemployed_cumulative": np.nansum(run.series("reemployed_total"), axis=1),
        "unemployed": run.agg("unemployed"),
        "retraining": run.agg("retraining"),
    })


def flow_series(view) -> dict[str, np.ndarray]:
    """The flows figure's series, (T,) for a run or (T, N) for an ensemble's members
    (:attr:`RunData.view`): cumulative layoffs and re-hires, and the stocks unemployed and
    retraining (workers). Members hold no occupations, so their re-hires come from the pool
    identity (out of work now = out of work before the first step + layoffs - re-hires), which
    equals the sum over occupations to ~1e-13 relative.
    """
    if isinstance(view, RunData):
        f = flows(view)
        return {k: f[k].to_numpy(float) for k in f.columns if k != "year"}
    displaced = view.agg("displaced_total")
    out = view.agg("unemployed") + view.agg("retraining")
    return {"displaced_cumulative": displaced,
            "reemployed_cumulative": (out[0] - displaced[0]) + displaced - out,
            "unemployed": view.agg("unemployed"), "retraining": view.agg("retraining")}


def n_wage_bins(n_occupations: int) -> int:
    """Deciles when there are enough occupations to fill them, else quintiles."""
    return 10 if n_occupations >= MIN_OCCUPATIONS_FOR_DECILES else 5


def wage_bins(info: pd.DataFrame, n_bins: int) -> pd.Series:
    """Employment-weighted start-wage bin (1 = lowest paid) of every occupation: occupations
    sorted by start wage, each put in the bin that holds the middle of its workers.
    """
    wage = info["wage_usd_per_hour_start"].to_numpy(float)
    emp = info["employment_start"].to_numpy(float)
    order = np.argsort(wage, kind="stable")
    cum = np.cumsum(emp[order]) / emp.sum()
    mid = cum - emp[order] / emp.sum() / 2
    bins = np.empty(len(wage), dtype=int)
    bins[order] = np.minimum((mid * n_bins).astype(int) + 1, n_bins)
    return pd.Series(bins, index=info["occupation"].astype(str).to_numpy(), name="wage_bin")


def job_zones(info: pd.DataFrame) -> pd.Series:
    """Job Zone 1-5 of every occupation (rounded employment-weighted mean); NaN if unknown."""
    jz = pd.to_numeric(info["job_zone"], errors="coerce").round().clip(1, 5)
    return pd.Series(jz.to_numpy(), index=info["occupation"].astype(str).to_numpy(),
                     name="job_zone")


def wage_years(run: RunData) -> list[int]:
    """Years of the wage-change figure: 2030, 2040 and the last year, those inside the run."""
    start = int(np.floor(run.times[0] + 1e-9))
    years = [y for y in WAGE_YEARS if start < y < run.end_year] + [run.end_year]
    return sorted(set(years))


def wage_change(run: RunData, groups: pd.Series, years: list[int]) -> pd.DataFrame:
    """Change in mean hourly earnings (fraction) from the first step to the end of each year,
    per group, weighting occupations by their start employment (so the change is the wage
    change of the group's jobs, not a change in which jobs remain).
    """
    wage = run.series("wage_usd_per_hour")
    emp = run.info["employment_start"].to_numpy(float)
    g = groups.reindex(run.codes).to_numpy()
    out = {}
    for y in years:
        w_y = wage[run.step_of_year(y)]
        col = {}
        for key in sorted(pd.unique(g[~pd.isna(g)])):
            m = g == key
            col[key] = float((emp[m] * w_y[m]).sum() / (emp[m] * wage[0, m]).sum() - 1.0)
        out[y] = col
    return pd.DataFrame(out)


def at_wage_floor(run: RunData, groups: pd.Series, years: list[int]) -> pd.DataFrame:
    """Whether any of each group's occupations is paid the minimum wage at the end of each
    year (the floor, not the market, then sets its wage); all False if the floor is unknown.
    """
    wage = run.series("wage_usd_per_hour")
    g = groups.reindex(run.codes).to_numpy()
    keys = sorted(pd.unique(g[~pd.isna(g)]))
    out = {}
    for y in years:
        w_y = wage[run.step_of_year(y)]
        floor = run.wage_floor
        out[y] = {key: bool(floor is not None and (w_y[g == key] <= floor * (1 + 1e-9)).any())
                  for key in keys}
    return pd.DataFrame(out)


def bin_wage_ranges(info: pd.DataFrame, bins: pd.Series) -> dict[int, tuple[float, float]]:
    """Lowest and highest start wage (USD/h) of the occupations in each bin."""
    w = info.set_index(info["occupation"].astype(str))["wage_usd_per_hour_start"]
    return {int(b): (float(w[bins == b].min()), float(w[bins == b].max()))
            for b in sorted(bins.unique())}


def early_year(run: RunData) -> int:
    """Second full year after the start (2025 by default): AI can do little at the very first
    step, so the exposure figure also shows the share a couple of years in.
    """
    return min(int(np.floor(run.times[0] + 1e-9)) + 2, run.end_year)


def exposure_by_job_zone(run: RunData) -> pd.DataFrame:
    """Per Job Zone: start employment (workers), and start-employment-weighted share of
    task-hours AI can automate (``capable_*``) and can help with, augment or automate
    (``can_help_*``), at the first step (``*_start``) and at the end of :func:`early_year`
    (``*_early``), the data's exposure score, and the automated share at the end (fractions).
    """
    jz = job_zones(run.info).reindex(run.codes).to_numpy()
    emp = run.info["employment_start"].to_numpy(float)
    score = pd.to_numeric(run.info["exposure_score"], errors="coerce").to_numpy(float)
    early = run.step_of_year(early_year(run))
    capable = run.series("capable_share")
    can_help = capable + run.series("augmentable_share")
    capable0, capable_later = capable[0], capable[early]
    help0, help_later = can_help[0], can_help[early]
    automated_end = run.series("automated_share")[-1]
    rows = []
    for zone in sorted(pd.unique(jz[~pd.isna(jz)])):
        m = jz == zone
        w = emp[m]
        ok = m & np.isfinite(score)
        rows.append({"job_zone": int(zone), "occupations": int(m.sum()),
                     "employment_start": float(w.sum()),
                     "capable_share_start": float((w * capable0[m]).sum() / w.sum()),
                     "capable_share_early": float((w * capable_later[m]).sum() / w.sum()),
                     "can_help_share_start": float((w * help0[m]).sum() / w.sum()),
                     "can_help_share_early": float((w * help_later[m]).sum() / w.sum()),
                     "exposure_score": (float((emp[ok] * score[ok]).sum() / emp[ok].sum())
                                        if ok.any() else np.nan),
                     "automated_share_end": float((w * automated_end[m]).sum() / w.sum())})
    return pd.DataFrame(rows).set_index("job_zone")


def exposure_trend(table: pd.DataFrame, column: str = "capable_share_start") -> float:
    """Employment-weighted correlation of Job Zone with ``column`` (> 0: rises with education)."""
    if len(table) < 2:
        return float("nan")
    x = table.index.to_numpy(float)
    y = table[column].to_numpy(float)
    w = table["employment_start"].to_numpy(float)
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    cov = np.average((x - mx) * (y - my), weights=w)
    sd = np.sqrt(np.average((x - mx) ** 2, weights=w) * np.average((y - my) ** 2, weights=w))
    return float(cov / sd) if sd > 0 else float("nan")


#: Fewest occupations a Job Zone's bars stand for; thinner zones join their neighbour (the
#: 22 built-in groups put one group in Job Zone 1 and one in 3).
LEAST_OCCUPATIONS_PER_ZONE = 3


def merge_thin_zones(table: pd.DataFrame, least: int = LEAST_OCCUPATIONS_PER_ZONE
                     ) -> pd.DataFrame:
    """:func:`exposure_by_job_zone` rows with fewer than ``least`` occupations merged into the
    next zone (the last into the one before), shares weighted by start employment; the index
    becomes a label ("1-2"), with ``zones`` the Job Zones each row holds.
    """
    buckets: list[list[int]] = []
    for zone in table.index:
        if buckets and table.loc[buckets[-1], "occupations"].sum() < least:
            buckets[-1].append(zone)
        else:
            buckets.append([zone])
    if len(buckets) > 1 and table.loc[buckets[-1], "occupations"].sum() < least:
        buckets[-2] += buckets.pop()
    rows = {}
    for zones in buckets:
        part = table.loc[zones]
        w = part["employment_start"]
        row = {c: float((part[c] * w).sum() / w.sum()) for c in table.columns
               if c not in ("occupations", "employment_start")}
        row.update(occupations=int(part["occupations"].sum()), employment_start=float(w.sum()),
                   zones=tuple(zones))
        rows[f"{zones[0]}-{zones[-1]}" if len(zones) > 1 else str(zones[0])] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def crossing_years(run: RunData, threshold: float = HIT_THRESHOLD) -> pd.Series:
    """Year each occupation's automated share first reaches ``threshold`` (NaN if never)."""
    hit = run.series("automated_share") >= threshold
    first = np.argmax(hit, axis=0)
    years = np.where(hit.any(axis=0), run.times[first], np.nan)
    return pd.Series(years, index=run.codes, name="year")


def first_and_last(run: RunData, n: int = 10, threshold: float = HIT_THRESHOLD
                   ) -> tuple[list[str], list[str]]:
    """Codes of the ``n`` occupations hit first and the ``n`` hit last (never hit counts as
    last, closest to the threshold at the end first); with few occupations, all of them in
    order and no "last" block.
    """
    years = crossing_years(run, threshold)
    end_share = pd.Series(run.series("automated_share")[-1], index=run.codes)
    key = pd.DataFrame({"year": years.fillna(np.inf), "neg_end": -end_share})
    order = key.sort_values(["year", "neg_end"], kind="stable").index.tolist()
    if len(order) <= 2 * n + 4:
        return order, []
    return order[:n], order[-n:]


def top_displaced(run: RunData, n: int = 10) -> pd.DataFrame:
    """The ``n`` occupations with most cumulative layoffs by the end, with their share of start
    employment (can exceed 1 when re-employed workers are laid off again).
    """
    disp = run.series("displaced_total")[-1]
    emp0 = run.info["employment_start"].to_numpy(float)
    order = np.argsort(-disp, kind="stable")[:n]
    return pd.DataFrame({"occupation": [run.codes[i] for i in order],
                         "title": run.info["title"].astype(str).to_numpy()[order],
                         "displaced": disp[order], "share_of_start": disp[order] / emp0[order]})


#: A peak counts as still rising when the series' last value is at its maximum and above its
#: value a year earlier by more than this (relative).
RISING = 1e-3


def peak(run: RunData, name: str = "unemployment_rate") -> tuple[float, float, bool]:
    """The highest value of an aggregate (the median member's, for an ensemble), the year of
    its first month, and whether it is still rising at the end of the run.
    """
    values = run.agg(name)
    i = int(np.nanargmax(values))
    year_ago = max(0, len(values) - 1 - round(1.0 / max(np.diff(run.times[:2])[0], 1e-9)))
    rising = (values[-1] >= values[i] * (1 - 1e-12)
              and values[-1] > values[year_ago] * (1 + RISING))
    return float(values[i]), float(run.times[i]), bool(rising)


def peak_text(run: RunData, name: str = "unemployment_rate") -> str:
    """A peak as "10.2% in 2041-09", flagged when the series is still rising at the end."""
    value, year, rising = peak(run, name)
    return f"{100 * value:.1f}% in {year_month(year)}" + (
        ", still rising at the end" if rising else "")


MILESTONE_LABELS = {
    "capable_20pct": "AI can automate 20% of wage-weighted work",
    "capable_50pct": "AI can automate 50%", "capable_95pct": "AI can automate 95%",
    "capable_100pct": "AI can automate 100% (99.5%)",
    "adopted_20pct": "20% of wage-weighted work automated (AI does it)",
    "adopted_50pct": "50% automated", "adopted_95pct": "95% automated",
    "adopted_100pct": "100% automated (99.5%)",
    "automated_ai_researcher": "Automated AI researcher (AI does 95% of AI research)",
}
AUGMENTED_LABEL = "Work done with AI's help (augmented; share of wage-weighted work)"


def big_number(x: float) -> str:
    """A count in words: 239 billion, 109.0 million."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(x) >= scale:
            v = x / scale
            return f"{v:.3g} {word}" if v >= 100 else f"{v:.1f} {word}"
    return f"{x:,.0f}"


def augmented_at(run: RunData, years=AUGMENTED_YEARS) -> dict[int, float]:
    """Share of wage-weighted work people do with AI's help (fraction) at the end of each of
    ``years`` inside the run.
    """
    share = run.agg("augmented_share")
    start = int(np.floor(run.times[0] + 1e-9))
    return {y: float(share[run.step_of_year(y)]) for y in years if start <= y <= run.end_year}


def _year_text(y: float, end: int) -> str:
    return f"{y:.1f}" if np.isfinite(y) else f"not by {end}"


def ensemble_rows(run: RunData) -> list[list[str]]:
    """The headline table of an ensemble: per milestone or figure, its 10th percentile, median
    and 90th percentile over the members, and (milestones) the share of members that reach it
    by the end; a percentile that falls among the members that never reach it reads "not by
    END".
    """
    from sim.ensemble import censored_percentiles

    m, end = run.members, run.end_year
    rows = []
    for key, label in MILESTONE_LABELS.items():
        if key in m.milestones:
            p, share = censored_percentiles(m.milestones[key])
            rows.append([label, *(_year_text(v, end) for v in p), f"{100 * share:.0f}%"])
    for y in augmented_at(run):
        p = m.bands(m.agg("augmented_share")[run.step_of_year(y)])
        rows.append([f"{AUGMENTED_LABEL}, end of {y}", *(f"{100 * v:.1f}%" for v in p), ""])
    rate = m.agg("unemployment_rate")
    rows.append(["Peak unemployment rate (unemployed + retraining)",
                 *(f"{100 * v:.1f}%" for v in m.bands(rate.max(axis=0))), ""])
    rows.append(["Year of peak unemployment",
                 *(f"{v:.1f}" for v in m.bands(m.times[np.argmax(rate, axis=0)])), ""])
    for y in (2030, 2040, 2050):
        if y <= end:
            i = run.step_of_year(y)
            for name, what in (("ai_human_equivalent_workers", "AI workforce"),
                               ("employed", "US human employment")):
                rows.append([f"{what}, {y} (full-time equivalents)",
                             *(big_number(v) for v in m.bands(m.agg(name)[i])), ""])
    return rows


ENSEMBLE_HEADER = ["milestone or figure", "10th percentile", "median", "90th percentile",
                   "members that reach it"]


def milestone_table(run: RunData) -> list[tuple[str, str]]:
    """Headline rows: automation milestone years, the augmented share in
    :data:`AUGMENTED_YEARS`, peak unemployment, AI vs human workforce. For an ensemble each
    value is its median over members with the 10-90% range (see :func:`ensemble_rows`).
    """
    if run.members is not None:
        return [(r[0], f"{r[2]} (10-90%: {r[1]} to {r[3]}"
                 + (f"; {r[4]} of members reach it)" if r[4] else ")"))
                for r in ensemble_rows(run)]
    rows = []
    for key, label in MILESTONE_LABELS.items():
        if key in run.milestones:
            y = run.milestones[key]
            rows.append((label, year_month(y) if np.isfinite(y) else f"not by {run.end_year}"))
    augmented = augmented_at(run)
    if augmented:
        rows.append((AUGMENTED_LABEL, ", ".join(f"{100 * v:.1f}% in {y}"
                                                for y, v in augmented.items())))
    rows.append(("Peak unemployment (unemployed + retraining)", peak_text(run)))
    for y in (2030, 2040, 2050):
        if y <= run.end_year:
            i = run.step_of_year(y)
            rows.append((f"AI workforce vs US human employment, {y} (full-time equivalents)",
                         f"{big_number(run.agg('ai_human_equivalent_workers')[i])} AI vs "
                         f"{big_number(run.agg('employed')[i])} humans"))
    return rows


# ----------------------------------------------------------------------------- drawing

def work_share_data(run: RunData) -> pd.DataFrame:
    """The work-share figure's lines per step: the shares of wage-weighted work (fractions) AI
    can help with (augment or automate), people do with AI's help, AI can automate, and AI
    does (automated); columns named as in :data:`sim.outputs.run_data.WORK_SHARE_LINES`. For an
    ensemble, the lines of its median member (the bands: :func:`band_data`).
    """
    return pd.DataFrame({"year": run.times, **work_shares(run.agg)})


def band_data(run: RunData, fn: Callable) -> pd.DataFrame:
    """What a figure draws for one series ``fn(view)`` of an ensemble (``view``: its
    :class:`sim.outputs.run_data.Members`, ``agg`` (T, N)): per step, the 10th percentile, median
    (the line) and 90th percentile (the band's edges) across members; for a single run all
    three are its line.
    """
    y = np.asarray(fn(run.view), float)
    lo, mid, hi = run.members.bands(y) if y.ndim == 2 else (y, y, y)
    return pd.DataFrame({"year": run.times, "p10": lo, "p50": mid, "p90": hi})


def fig_work_share(runs: list[RunData]) -> plt.Figure:
    """Share of wage-weighted US work AI can help with, can automate, and does (automated or
    augmented), with the automation milestone levels.
    """
    many = len(runs) > 1
    legend_in = 2.9 if many else 0.0  # runs compared: the legends sit right of the axes
    fig, ax = plt.subplots(figsize=(10 + legend_in, 5.4))
    if many:
        draw_lines(ax, runs, [(line.label, lambda v, k=line.key: work_shares(v.agg)[k],
                               line.compare_style, line.key in BANDED_SHARES)
                              for line in WORK_SHARE_LINES], 100,
                   run_legend=OUTSIDE[0], style_legend=OUTSIDE[1], band_note="automation lines")
    else:
        run = runs[0]
        draw_work_shares(ax, run.times, work_shares(run.view.agg))
        year_axis(ax)
        ax.legend(handles=work_share_handles(ax, run.members.n if run.members else None),
                  loc="upper left")
    share_levels(ax, "0.75", labelled=True)
    ax.set(title="Automation and augmentation: share of wage-weighted US work",
           ylabel="% of US wage bill (2021 weights)", ylim=(0, 102))
    how = ("line styles" if many else "automation blue, augmentation green")
    return finish(fig, source_note(runs, f"Automation: AI does the work end to end. "
                                   "Augmentation: people do it, faster with AI (it at least "
                                   "halves the time); 'can help' counts work AI can augment or "
                                   f"automate ({how}). Milestone levels 20/50/95% are about "
                                   "automation. Weights: the BLS 2021 wage bill of each "
                                   "occupation."))


def rd_data(run: RunData) -> pd.DataFrame:
    """The AI R&D figure's series per step: ``ai_rd_multiplier`` (x people alone),
    ``software_growth_oom_per_yr`` and ``hardware_growth_oom_per_yr`` (OOM/yr),
    ``research_automation_share`` (fraction) and ``software_base_rate`` (OOM/yr, constant);
    see :func:`sim.outputs.run_data.rd_series`.
    """
    return pd.DataFrame({"year": run.times, **rd_series(run.agg)})


def fig_rd(runs: list[RunData]) -> plt.Figure:
    """AI R&D: the progress multiplier, software and hardware progress rates, and the share of
    AI-research work AI does.
    """
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.0))
    data = {id(r.view): rd_series(r.view.agg) for r in runs}
    ax = axes[0]
    draw_lines(ax, runs, [("AI R&D progress multiplier",
                           lambda v: data[id(v)]["ai_rd_multiplier"], "-")], log=True,
               legend="upper left", run_legend={"loc": "lower right"})
    ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
    ax.set(title="AI R&D progress multiplier (leading lab)",
           ylabel="research input with AI / people alone\n(same compute; log scale)")
    ax = axes[1]
    base = float(np.median(data[id(runs[0].view)]["software_base_rate"][0]))
    base_label = (f"software, 2023 base rate ({base:.2f} OOM/yr"
                  + (", median of members)" if runs[0].members else ")"))
    base_handle = (Line2D([], [], color="0.55", ls=":", lw=1, label=base_label),)
    draw_lines(ax, runs, [(line.label, lambda v, k=line.key: data[id(v)][k], line.compare_style)
                          for line in RD_RATE_LINES],
               one_run=[(line.color, line.style) for line in RD_RATE_LINES], legend="upper right",
               run_legend=None, style_legend={"loc": "upper right"},
               extra=base_handle if np.isfinite(base) else ())
    if np.isfinite(base):
        ax.axhline(base, color="0.55", ls=":", lw=1, zorder=0, label=base_label)
        if len(runs) == 1:
            ax.legend(loc="upper right")
    top = max(np.nanmax([_drawn_top(data[id(r.view)][line.key]) for line in RD_RATE_LINES])
              for r in runs)
    ax.set(title="Rates of progress: software and hardware",
           ylabel="orders of magnitude per year (OOM/yr)",
           ylim=(0, 1.45 * top if np.isfinite(top) and top > 0 else None))  # room for legend
    ax = axes[2]
    draw_lines(ax, runs, [("research automation",
                           lambda v: data[id(v)]["research_automation_share"], "-")], 100,
               run_legend=None)
    ax.set(title="Research automation (leading lab)",
           ylabel="% of AI-research work AI does", ylim=(0, 102))
    if len(runs) == 1 and runs[0].members is None:  # one line per panel: titles say what
        axes[0].get_legend().remove()
        axes[2].get_legend().remove()
    elif len(runs) == 1:  # an ensemble: keep only the band's entry, in one panel
        axes[0].legend(handles=[band_handle(runs[0].members.n)], loc="upper left")
        axes[2].get_legend().remove()
    year = milestone_year(runs[0], "automated_ai_researcher")
    for ax in axes:
        mark_year(ax, year, ("automated AI researcher" + (" (median)" if runs[0].members
                                                          else "")) if ax is axes[0] else None,
                  ls=":", at=0.97, ha="right", va="top")
    return finish(fig, source_note(runs, "Multiplier: the leading lab's research input with "
                                   "its AI researchers over its people alone, same experiment "
                                   "compute (1 = no help). Software rate over its 2023 base "
                                   "rate = the R&D speed-up (rd_speedup). Dotted vertical "
                                   "line: automated AI researcher in "
                                   f"'{runs[0].label}'"
                                   + (" (median over members)." if runs[0].members else ".")))


def _drawn_top(values: np.ndarray) -> float:
    """The highest value a figure draws of (T,) values, or of (T, N) values' 90% band."""
    values = np.asarray(values, float)
    return float(np.nanmax(values if values.ndim == 1 else np.percentile(values, 90, axis=1)))


#: Groups drawn as bands of their own in the employment figure, largest at the start first;
#: the rest share one band (more than ~10 colours cannot be told apart).
EMPLOYMENT_BANDS = 9
OTHER_GROUPS = "other"


def employment_bands(run: RunData, names: list[str]) -> tuple[pd.DataFrame, int]:
    """Employed workers per group in ``names`` and, summed, every other group (``other``);
    and how many groups that band holds.
    """
    emp = employment_by_major(run)
    rest = [c for c in emp.columns if c not in names]
    bands = emp[[c for c in names if c in emp.columns]].copy()
    if rest:
        bands[OTHER_GROUPS] = emp[rest].sum(axis=1)
    return bands, len(rest)


def _stack_panel(ax, run: RunData, names: list[str], colors: dict, show_ylabel: bool):
    bands, n_other = employment_bands(run, names)
    titles = group_titles(run)
    labels = [f"{n_other} smaller groups together" if c == OTHER_GROUPS
              else f"{c} {titles.get(c, c)}" for c in bands.columns]
    t = run.times
    ax.stackplot(t, (bands.to_numpy() / 1e6).T, colors=[colors[c] for c in bands.columns],
                 lw=0, labels=labels)
    base = bands.sum(axis=1).to_numpy() / 1e6
    unemp = run.agg("unemployed") / 1e6
    retr = run.agg("retraining") / 1e6
    ax.fill_between(t, base, base + retr, color="0.45", lw=0, label="retraining")
    ax.fill_between(t, base + retr, base + retr + unemp, color="0.82", lw=0, label="unemployed")
    ax.set(xlim=(t[0], t[-1]), xlabel="year", ylim=(0, None))
    if show_ylabel:
        ax.set_ylabel("million workers")


def fig_employment_by_group(runs: list[RunData]) -> plt.Figure:
    """Employment by SOC major group (stacked; the largest groups by name, the others as one
    band), with retraining and unemployed on top.
    """
    names = employment_by_major(runs[0]).columns[:EMPLOYMENT_BANDS].tolist()
    named = [c for i, c in enumerate(plt.cm.tab10.colors) if i != 7]  # no grey: the jobless
    colors = dict(zip(names, named[:len(names)], strict=True))
    colors[OTHER_GROUPS] = "#e6dcc1"  # pale khaki: set apart from the named bands
    n = len(runs)
    ncol = min(n, 2)
    nrow = (n + ncol - 1) // ncol
    size = (10.7, 5.6) if n == 1 else (4.3 + 4.2 * ncol, 0.6 + 4.4 * nrow)
    fig, axes = plt.subplots(nrow, ncol, figsize=size, squeeze=False, sharey=True)
    for k, run in enumerate(runs):
        ax = axes[k // ncol, k % ncol]
        _stack_panel(ax, run, names, colors, k % ncol == 0)
        ax.set_title((run.label if n > 1 else "US employment by SOC major group")
                     + (" (median member)" if run.members else ""))
    for k in range(n, nrow * ncol):
        axes[k // ncol, k % ncol].set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    # legend top to bottom in the order the bands are stacked, top band first
    legend_in = 3.6  # room on the right for the legend, inches
    width_in = fig.get_size_inches()[0]
    legend = fig.legend(handles[::-1], labels[::-1], loc="center left",
                        bbox_to_anchor=(1 - legend_in / width_in, 0.55), fontsize=8,
                        frameon=False, title="top band first", title_fontsize=8)
    for text in legend.get_texts():  # long titles on two lines, never cut
        text.set_text(textwrap.fill(text.get_text(), 44, subsequent_indent="   "))
    if n > 1:
        fig.suptitle("US employment by SOC major group, per run")
    fig = finish(fig, source_note(runs, f"Bands: employed workers of the {len(names)} largest "
                                  "SOC major groups in 2023 (detailed occupations summed to "
                                  "their group), largest at the bottom, and of the others "
                                  "together; dark grey: retraining; light grey: unemployed.",
                                  kind="member"), right=1 - legend_in / width_in)
    return fig


def fig_automation_heatmap(runs: list[RunData]) -> plt.Figure:
    """Share of task-hours automated, most affected occupations by year (one panel per run)."""
    first = runs[0]
    n_occ = len(first.codes)
    if len(runs) == 1:
        codes = most_affected(first)
    else:  # the same rows in every panel: most affected on average over the runs
        mean = sum(group_automated_share(r).mean(axis=0) for r in runs) / len(runs)
        codes = mean.sort_values(ascending=False, kind="stable").index.tolist()
    titles = group_titles(first)
    rows = len(codes)
    n = len(runs)
    ncol = min(n, 2)  # small multiples in at most two columns, so labels stay legible
    nrow = (n + ncol - 1) // ncol
    panel_in = 7.0 if n == 1 else 4.6
    fig = plt.figure(figsize=(3.8 + panel_in * ncol, 0.8 + (0.9 + 0.25 * rows) * nrow))
    grid = fig.add_gridspec(nrow, ncol + 1, width_ratios=[1.0] * ncol + [0.04], wspace=0.06,
                            hspace=1.0 / (0.25 * rows + 0.3))  # ~1 inch between rows
    cax = fig.add_subplot(grid[:, ncol])
    im = None
    for k, run in enumerate(runs):
        ax = fig.add_subplot(grid[k // ncol, k % ncol])
        data = automation_heatmap_data(run, codes)
        years = data.columns.to_numpy()
        im = ax.imshow(100 * data.to_numpy(), aspect="auto", cmap="magma_r", vmin=0, vmax=100,
                       interpolation="nearest")
        step = 5 if len(years) > 12 else 1
        ticks = [i for i, y in enumerate(years) if y % step == 0]
        ax.set_xticks(ticks, [str(years[i]) for i in ticks])
        ax.set_xlabel("year (value at year end)")
        ax.grid(False)
        ax.set_title(run.label if n > 1 else "")
        if k % ncol == 0:
            ax.set_yticks(range(rows), [f"{c} {short_title(titles[c], 46)}" for c in codes],
                          fontsize=8)
        else:
            ax.set_yticks(range(rows), [])
    cbar = fig.colorbar(im, cax=cax)
    cbar.set_label("% of the group's task-hours automated")
    cbar.ax.grid(False)
    which = ("SOC major groups" if rows == n_occ else
             f"SOC major groups, each the mean of its detailed occupations ({n_occ} in all) "
             "weighted by their 2023 employment")
    fig.suptitle("Share of task-hours automated by SOC major group, most affected first"
                 + (" (median member)" if n == 1 and first.members else ""))
    note = source_note(runs, f"Rows: {which}, by automated share averaged over the run, most "
                       "affected at the top. Automated share: task-hours AI does / the "
                       "demanded task-hours.", kind="member")
    width_in, height_in = fig.get_size_inches()
    lines = write_note(fig, note, "0.35")
    fig.subplots_adjust(left=2.9 / width_in, right=1 - 0.9 / width_in,
                        top=1 - (0.65 if n == 1 else 0.8) / height_in,
                        bottom=(0.75 + 0.14 * len(lines)) / height_in)
    return fig


def fig_flows(runs: list[RunData]) -> plt.Figure:
    """Cumulative displaced and re-employed workers; stocks unemployed and retraining."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    data = {id(r.view): flow_series(r.view) for r in runs}
    draw_lines(axes[0], runs, [
        ("displaced (cumulative layoffs)", lambda v: data[id(v)]["displaced_cumulative"], "-"),
        ("re-employed (cumulative)", lambda v: data[id(v)]["reemployed_cumulative"], "--")],
        1e-6)
    axes[0].set(title="Flows since the start", ylabel="million workers (cumulative)",
                xlabel="year", ylim=(0, None))
    draw_lines(axes[1], runs, [("unemployed", lambda r: r.agg("unemployed"), "-"),
                               ("retraining", lambda r: r.agg("retraining"), "--")], 1e-6)
    axes[1].set(title="Workers out of work at each date", ylabel="million workers",
                xlabel="year", ylim=(0, None))
    return finish(fig, source_note(runs, "US labour force, all occupations. Layoffs count every "
                                   "job loss, so a worker laid off twice counts twice."))


def _grouped_bars(ax, table: pd.DataFrame, labels: list[str], colors: list, scale=100.0,
                  hatched: pd.DataFrame | None = None):
    """Bars of ``table`` (rows: groups on the x axis, columns: series) side by side; bars
    True in ``hatched`` (same shape) are hatched.
    """
    n = table.shape[1]
    width = 0.8 / n
    x = np.arange(len(table))
    for j, col in enumerate(table.columns):
        bars = ax.bar(x + (j - (n - 1) / 2) * width, scale * table[col].to_numpy(float), width,
                      color=colors[j], label=labels[j])
        if hatched is not None:
            for bar, mark in zip(bars, hatched.iloc[:, j].to_numpy(bool), strict=True):
                if mark:
                    bar.set_hatch("///")
                    bar.set_edgecolor("0.15")
    ax.set_xticks(x)
    ax.axhline(0, color="0.3", lw=0.8)


def _wage_tables(run: RunData, years: list[int], n_bins: int | None = None):
    n_bins = n_bins or n_wage_bins(len(run.codes))
    bins = wage_bins(run.info, n_bins)
    by_bin = wage_change(run, bins, years)
    by_jz = wage_change(run, job_zones(run.info), years)
    floors = at_wage_floor(run, bins, years), at_wage_floor(run, job_zones(run.info), years)
    return n_bins, bins, by_bin, by_jz, floors


def fig_wage_change(runs: list[RunData]) -> plt.Figure:
    """Change in mean hourly earnings by start-wage decile (or quintile) and by Job Zone."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1.5, 1]})
    first = runs[0]
    if len(runs) == 1:
        years = wage_years(first)
        n_bins, bins, by_bin, by_jz, (floor_bin, floor_jz) = _wage_tables(first, years)
        labels = [f"{int(first.times[0])} to {y}" for y in years]
        colors = [plt.cm.Blues(v) for v in np.linspace(0.45, 0.9, len(years))]
    else:
        end = min(r.end_year for r in runs)
        common = min(n_wage_bins(len(r.codes)) for r in runs)  # tables may differ in size
        parts = [_wage_tables(r, [end], common) for r in runs]
        n_bins, bins = parts[0][0], parts[0][1]
        by_bin = pd.concat([p[2][end].rename(r.label) for p, r in zip(parts, runs,
                                                                      strict=True)], axis=1)
        by_jz = pd.concat([p[3][end].rename(r.label) for p, r in zip(parts, runs,
                                                                    strict=True)], axis=1)
        floor_bin, floor_jz = (pd.concat([p[4][i][end].rename(r.label) for p, r in
                                          zip(parts, runs, strict=True)], axis=1)
                               .fillna(False).astype(bool) for i in (0, 1))
        labels = [f"{r.label}, start to {end}" for r in runs]
        colors = run_colors(len(runs))
    kind = "decile" if n_bins == 10 else "quintile"
    ranges = bin_wage_ranges(first.info, bins)
    ax = axes[0]
    _grouped_bars(ax, by_bin, labels, colors, hatched=floor_bin)
    ax.set_xticklabels([f"{'D' if n_bins == 10 else 'Q'}{b}\n${ranges[b][0]:.0f}-"
                        f"{ranges[b][1]:.0f}" for b in by_bin.index], fontsize=8)
    ax.set(title=f"By start-wage {kind} (1 = lowest paid)", ylabel="% change in mean hourly "
           "earnings (2021 USD)", xlabel=f"employment-weighted {kind} of start wage "
           "(range of start wages, USD/h)")
    handles = ax.get_legend_handles_labels()[0]
    floored = bool(floor_bin.to_numpy().any() or floor_jz.to_numpy().any())
    if floored:
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="white", edgecolor="0.15", hatch="///",
                             label=f"some occupations at the ${first.wage_floor:.2f}/h minimum"))
    ax = axes[1]
    _grouped_bars(ax, by_jz, labels, colors, hatched=floor_jz)
    ax.set_xticklabels([f"{int(z)}\n{JOB_ZONE_NAMES.get(int(z), '')}" for z in by_jz.index],
                       fontsize=8)
    ax.set(title="By Job Zone (education and training)", ylabel="% change in mean hourly "
           "earnings", xlabel="O*NET Job Zone (preparation needed)")
    coarse = (f" Only {len(first.codes)} occupations, so quintiles, not deciles; each bin "
              "holds whole occupations, so bins are uneven"
              + (" and some are empty." if by_bin.shape[0] < n_bins else ".")
              if n_bins == 5 else "")
    floor_note = (f" Hatched: some of the bar's occupations are paid the minimum wage "
                  f"(labour.wage_floor_usd_per_hour, ${first.wage_floor:.2f}/h), which keeps "
                  "their wages, and the bar, from falling further." if floored else "")
    return finish(fig, source_note(runs, "Mean hourly earnings of each bin's occupations, "
                                   "weighted by start employment (real 2021 USD)." + coarse
                                   + floor_note, kind="member"), legend=handles)


def fig_exposure_by_education(runs: list[RunData]) -> plt.Figure:
    """Per Job Zone: the data's exposure score, the share of task-hours AI can help with
    (augment or automate) at the start and two years in, the share it can automate two years
    in, and the share automated by the end.
    """
    first = runs[0]
    base = exposure_by_job_zone(first)
    early = early_year(first)
    cols = {"exposure score (data, E1 + 0.5 E2)": base["exposure_score"],
            f"AI can help (augment or automate), first step ({first.aggregates['date'].iloc[0]})":
            base["can_help_share_start"],
            f"AI can help (augment or automate), end of {early}": base["can_help_share_early"],
            f"AI can automate, end of {early}": base["capable_share_early"]}
    for r in runs:
        tab = exposure_by_job_zone(r)
        name = f"automated by {r.end_year}" + (f", {r.label}" if len(runs) > 1 else "")
        cols[name] = tab["automated_share_end"]
    table = merge_thin_zones(pd.DataFrame(cols).assign(
        occupations=base["occupations"], employment_start=base["employment_start"]))
    drawn = table.drop(columns=["occupations", "employment_start", "zones"])
    fig, ax = plt.subplots(figsize=(10, 5.6))
    colors = ["0.6", "#a1d99b", "#31a354", "#2171b5"] + (
        ["C3"] if len(runs) == 1 else [plt.cm.Set2(i % 8) for i in range(len(runs))])
    _grouped_bars(ax, drawn, list(drawn.columns), colors)
    for bars in ax.containers:  # the values, so a bar too short to see still reads
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1, color="0.25")

    def zone_label(label, row):
        zones = row["zones"]
        prep = (f"{JOB_ZONE_NAMES.get(zones[0], '')} to {JOB_ZONE_NAMES.get(zones[-1], '')}"
                if len(zones) > 1 else JOB_ZONE_NAMES.get(zones[0], ""))
        return (f"Job Zone{'s' if len(zones) > 1 else ''} {label}\n{prep} preparation\n"
                f"{row['employment_start'] / 1e6:.1f}M workers, {row['occupations']} occ.")

    ax.set_xticklabels([zone_label(label, row) for label, row in table.iterrows()], fontsize=8)
    ax.set(title="Exposure by education: does it rise with the Job Zone?",
           ylabel="% of task-hours (employment-weighted)", ylim=(0, 109), xlabel="")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
              frameon=False)
    merged = [label for label in table.index if "-" in label]
    verdicts = []
    for col, what in (("can_help_share_early", f"the share AI can help with in {early}"),
                      ("capable_share_early", f"the share AI can automate in {early}"),
                      ("exposure_score", "the data's exposure score")):
        trend = exposure_trend(base, col)
        verdict = ("rises" if trend > 0.2 else "falls" if trend < -0.2 else
                   "has no clear trend")
        verdicts.append(f"{what} {verdict} with the Job Zone ({trend:+.2f})")
    text = "; ".join(verdicts)
    return finish(fig, source_note(runs, text[0].upper() + text[1:] + " (employment-"
                                   "weighted correlation). Help: AI augments (at least halves "
                                   "the time) or automates the task; the data's exposure "
                                   "score measures the same kind of help. Shares weighted by "
                                   "each occupation's start employment."
                                   + (f" Job Zones {', '.join(merged)} drawn together: fewer "
                                      f"than {LEAST_OCCUPATIONS_PER_ZONE} occupations in one "
                                      "of them." if merged else ""), kind="member"))


def fig_first_and_last(runs: list[RunData]) -> plt.Figure:
    """Year each of the occupations hit first and last reaches the automation threshold."""
    first = runs[0]
    early, late = first_and_last(first)
    codes = early + late
    titles = dict(zip(first.codes, first.info["title"].astype(str), strict=True))
    legend_in = 1.8  # the legend sits right of the axes; tight_layout makes room for it
    fig, ax = plt.subplots(figsize=(10 + legend_in, 1.8 + 0.26 * len(codes)))
    y = np.arange(len(codes))[::-1]
    end = max(r.end_year for r in runs) + 1
    colors = run_colors(len(runs)) if len(runs) > 1 else ["C0"]
    offsets = np.linspace(-0.2, 0.2, len(runs)) if len(runs) > 1 else [0.0]
    for run, c, off in zip(runs, colors, offsets, strict=True):
        years = crossing_years(run).reindex(codes).to_numpy()
        hit = np.isfinite(years)
        ax.scatter(years[hit], y[hit] + off, color=c, s=36, zorder=3,
                   label=run.label if len(runs) > 1 else f"reaches {HIT_THRESHOLD:.0%}")
        ax.scatter(np.full((~hit).sum(), end), y[~hit] + off, marker=">", facecolors="none",
                   edgecolors=c, s=40, zorder=3)
    if any(crossing_years(r).reindex(codes).isna().any() for r in runs):
        ax.scatter([], [], marker=">", facecolors="none", edgecolors="0.3", s=40,
                   label="not reached by the end")
    if late:
        ax.axhline(len(late) - 0.5, color="0.5", lw=0.8, ls="--")
        ax.annotate("hit first", (0.005, len(codes) - 0.6), xycoords=("axes fraction", "data"),
                    fontsize=8, color="0.35", va="top")
        ax.annotate("hit last", (0.005, len(late) - 0.6), xycoords=("axes fraction", "data"),
                    fontsize=8, color="0.35", va="top")
    ax.set_yticks(y, [short_title(titles[c]) for c in codes], fontsize=8)
    ax.set(title=f"Occupations hit first and last: year {HIT_THRESHOLD:.0%} of task-hours are "
           "automated", xlabel="year the automated share first reaches "
           f"{HIT_THRESHOLD:.0%}", xlim=(int(first.times[0]) - 0.5, end + 1))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    n = len(first.codes)
    which = (f"the {len(early)} earliest and {len(late)} latest of {n} occupations"
             if len(codes) < n else f"all {n} occupations, earliest at the top")
    return finish(fig, source_note(runs, f"Rows: {which} in '{first.label}'. Open arrows: "
                                   "threshold not reached by the end of the run.",
                                   kind="member"))


def fig_workforce(runs: list[RunData]) -> plt.Figure:
    """AI workforce (human-equivalent workers) against US human employment."""
    fig, ax = plt.subplots(figsize=(10, 5.2))
    draw_lines(ax, runs, [("AI, all copies (full-time human equivalents)",
                           lambda r: r.agg("ai_human_equivalent_workers"), "-"),
                          ("AI sold on the task market (world)",
                           lambda r: r.agg("ai_workers_in_market"), "-."),
                          ("US human employment", lambda r: r.agg("employed"), "--"),
                          ("US unemployed + retraining",
                           lambda r: r.agg("unemployed") + r.agg("retraining"), ":")], log=True)
    ax.set(title="AI workforce vs human workforce", ylabel="workers (full-time equivalents, "
           "log scale)", xlabel="year")
    return finish(fig, source_note(runs, "AI workers: copies x serial speed x 8,766 h/yr / "
                                   "2,000 h per full-time worker (world fleet; most of it idle "
                                   "or in R&D, the rest sold); humans: US."))


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("work_share", "Automation and augmentation: share of work",
               "Automation: the share of work AI can automate and the share it does, "
               "automated; where one crosses a grey level is that milestone's year. "
               "Augmentation: the share AI can help with, by augmenting or automating it, and "
               "the share people do with AI's help, which falls as that work gets automated. "
               "One run: automation blue, augmentation green; the share AI can automate or "
               "help with solid, the share automated or augmented dashed. Runs compared: one "
               "colour per run, and each series its own line style (the legend).",
               fig_work_share, needs_occupations=False),
    FigureSpec("rd_speedup", "AI R&D: progress multiplier and rates of progress",
               "Left: how many times the leading lab's research input is with its AI "
               "researchers compared with its people alone (log scale; 1 = no help). Middle: "
               "how fast software and hardware improve, in orders of magnitude per year. "
               "Right: the share of AI-research work AI does.", fig_rd,
               needs_occupations=False),
    FigureSpec("employment_by_group", "Employment by SOC major group",
               "Each band is one major group's employed workers; bands that thin out lose jobs. "
               "The grey bands on top are the workers out of work, so the top edge is the "
               "labour force.", fig_employment_by_group),
    FigureSpec("automation_heatmap", "Task-hours automated, by occupation and year",
               "Each row is an occupation, each column a year; darker means more of its "
               "task-hours are done by AI. Rows where dark arrives early were hit first.",
               fig_automation_heatmap),
    FigureSpec("flows", "Displaced, re-employed, retraining and unemployed",
               "Left: cumulative layoffs and re-hires since the start (the gap is people not "
               "yet back in work). Right: how many are unemployed or retraining at each date.",
               fig_flows),
    FigureSpec("wage_change", "Wage change by wage decile and by Job Zone",
               "Bars below zero: mean hourly earnings of those jobs fell from the start to the "
               "year shown; compare low- and high-paid, and low- and high-education jobs.",
               fig_wage_change),
    FigureSpec("exposure_by_education", "Exposure by education (Job Zone)",
               "If the green and blue bars grow from left to right, AI could help with (green) "
               "or automate (blue) more of the work of jobs that need more preparation: "
               "exposure rises with education. Compare the green bars with the grey exposure "
               "score of the data.",
               fig_exposure_by_education),
    FigureSpec("first_and_last", "Occupations hit first and last",
               f"Each dot is the year an occupation's automated share first reaches "
               f"{HIT_THRESHOLD:.0%}; top block hit first, bottom block hit last or not at all.",
               fig_first_and_last),
    FigureSpec("workforce", "AI workforce vs human workforce",
               "Log scale: each grid step is 10x. The vertical gap between the AI line and "
               "the human line is how many times more AI labour there is than US jobs.",
               fig_workforce, needs_occupations=False),
)


def render_all(runs: list[RunData]) -> dict[str, bytes]:
    """Every figure as PNG bytes, keyed by name, in the house style."""
    out = {}
    with plt.rc_context(RENDER_STYLE):
        for spec in FIGURES:
            out[spec.name] = png_bytes(spec.draw(runs))
    return out
