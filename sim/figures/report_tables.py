"""A searchable table of every occupation of a run, for the HTML report.

One row per occupation (the 22 major groups, or the ~780 detailed occupations): code, title,
major group, employment at the start and at the end, the automated share of its task-hours
and its mean hourly wage at the end, and the data's exposure score. A search box above it
hides the rows that do not match every word typed (code, title or major group). The filter is
a few lines of script held in the box's ``oninput`` attribute: no script element, nothing
loaded from outside the file, and without script the whole table still shows.
"""

from __future__ import annotations

import html

import numpy as np

from sim.outputs.run_data import RunData

#: Columns of :func:`occupation_rows`; the last five are right-aligned numbers.
HEADER = ("code", "title", "major group", "employment, start", "employment, end",
          "automated share, end", "wage, end (USD/h)", "exposure score (data)")
NUMERIC_FROM = 3

#: Filter of the search box: every word typed must occur in the row's code, title or major
#: group (case-insensitive); the count of rows shown is updated.
FILTER_SCRIPT = (
    "var w=this.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;"
    "for(var r of document.getElementById('occ-all').tBodies[0].rows){"
    "var c=r.cells,s=(c[0].textContent+' '+c[1].textContent+' '+c[2].textContent)"
    ".toLowerCase(),k=w.every(function(x){return s.indexOf(x)>=0;});r.hidden=!k;n+=k;}"
    "document.getElementById('occ-shown').textContent=n;"
)


def _number(x: float, fmt: str) -> str:
    return format(x, fmt) if np.isfinite(x) else "n/a"


def occupation_rows(run: RunData) -> list[list[str]]:
    """One row of text per occupation, in the run's order (by code), columns of
    :data:`HEADER`.
    """
    info = run.info
    employed = run.series("employed")[-1]
    automated = run.series("automated_share")[-1]
    wage = run.series("wage_usd_per_hour")[-1]
    score = info["exposure_score"].to_numpy(float)
    start = info["employment_start"].to_numpy(float)
    rows = []
    for o, r in enumerate(info.itertuples(index=False)):
        rows.append([str(r.occupation), str(r.title), f"{r.soc_major} {r.soc_major_title}",
                     _number(start[o], ",.0f"), _number(employed[o], ",.0f"),
                     _number(100 * automated[o], ".1f") + "%",
                     _number(wage[o], ",.2f"), _number(100 * score[o], ".1f") + "%"])
    return rows


def occupation_section(run: RunData) -> str:
    """The section of the report: heading, how to read it, search box and table."""
    rows = occupation_rows(run)
    n = len(rows)
    e = html.escape
    head = "".join(f'<th style="position:sticky;top:0">{e(h)}</th>' for h in HEADER)
    cell = ['<td style="white-space:nowrap">', "<td>", "<td>"] + ["<td class=num>"] * (
        len(HEADER) - NUMERIC_FROM)
    body = "".join("<tr>" + "".join(f"{cell[j]}{e(v)}</td>" for j, v in enumerate(row))
                   + "</tr>" for row in rows)
    return (
        '<section id="occupations"><h2>All occupations</h2>'
        '<p class="how"><b>How to read this:</b> every occupation of the run, by code. '
        f"Employment at the start and at the end of {run.end_year}; the share of its "
        "task-hours automated and its mean hourly wage (real 2021 USD) at the end; the data's "
        "exposure score (E1 + 0.5 E2 of its tasks, Eloundou et al. 2023; n/a where unknown). "
        "Type words to keep only the rows whose code, title or major group contain all of "
        "them (e.g. <i>15-12</i>, <i>nurse</i>, <i>sales</i>).</p>"
        f'<p><input type="search" id="occ-search" size="40" aria-label="filter occupations" '
        f'placeholder="filter by code, title or major group" oninput="{e(FILTER_SCRIPT)}"> '
        f'<span class="note"><span id="occ-shown">{n}</span> of {n} occupations shown</span>'
        "</p>"
        '<div style="max-height:40em;overflow:auto">'
        f'<table id="occ-all"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</div></section>"
    )


# ----------------------------------------------------------------------------- economy tables

#: Years of the economy table besides the first and the last of the run (those inside it).
ECONOMY_YEARS = (2030, 2040, 2050)
#: Columns of :func:`economy_rows`; all but the first are numbers.
ECONOMY_HEADER = ("year (value at year end)", "US output (trillion 2023 USD/yr)",
                  "output growth that year", "labour share of output", "AI share of output",
                  "mean wage (2021 USD/h)", "unemployment (incl. retraining)",
                  "Gini of labour income")
#: Quantiles of :func:`wage_decile_rows`: the nine decile boundaries.
DECILES = tuple(k / 10 for k in range(1, 10))


def economy_years(run: RunData) -> list[int]:
    """The first year of the run, :data:`ECONOMY_YEARS` inside it, and its last year."""
    start = int(np.floor(run.times[0] + 1e-9))
    return sorted({start, *(y for y in ECONOMY_YEARS if start < y < run.end_year),
                   run.end_year})


def economy_values(run: RunData) -> dict[str, np.ndarray]:
    """The economy table's series at each of :func:`economy_years` (its last step), keyed by
    :data:`ECONOMY_HEADER`'s numeric columns in order: (Y,) for a run, (Y, N) for an
    ensemble's members. Output in trillion USD; growth over the year from year-end values
    (:func:`sim.figures.economy.annual_growth`); the rest as recorded (fractions, USD/h).
    """
    from sim.figures.economy import annual_growth

    view = run.view
    years = economy_years(run)
    steps = [run.step_of_year(y) for y in years]
    all_years, growth = annual_growth(view.times, view.agg("us_output_usd_per_yr"))
    rows = [int(np.flatnonzero(all_years == y)[0]) for y in years]
    return {"output": view.agg("us_output_usd_per_yr")[steps] / 1e12,
            "growth": growth[rows],
            "labour_share": view.agg("labour_share")[steps],
            "ai_share": view.agg("ai_share")[steps],
            "mean_wage": view.agg("mean_wage_usd_per_hour")[steps],
            "unemployment": view.agg("unemployment_rate")[steps],
            "gini": view.agg("labour_income_gini")[steps]}


def _percent(v: float) -> str:
    return "<0.1%" if 0 < v < 0.0005 else f"{100 * v:.1f}%"


_ECONOMY_FORMATS = {"output": lambda v: f"{v:,.1f}", "growth": lambda v: f"{100 * v:+.1f}%",
                    "labour_share": _percent, "ai_share": _percent,
                    "mean_wage": lambda v: f"{v:,.2f}",
                    "unemployment": lambda v: f"{100 * v:.1f}%",
                    "gini": lambda v: f"{v:.3f}"}


def _cell(values, fmt) -> str:
    """One value as text; an ensemble's members as "median (10th to 90th percentile)"."""
    values = np.asarray(values, float)
    if values.ndim == 0:
        return fmt(float(values)) if np.isfinite(values) else "n/a"
    lo, mid, hi = np.nanpercentile(values, (10, 50, 90))
    return f"{fmt(mid)} ({fmt(lo)} to {fmt(hi)})"


def economy_rows(run: RunData) -> list[list[str]]:
    """The economy table: one row per year of :func:`economy_years`, columns of
    :data:`ECONOMY_HEADER`; an ensemble's cells give the median and 10-90% of its members.
    """
    values = economy_values(run)
    return [[str(y)] + [_cell(values[k][i], _ECONOMY_FORMATS[k]) for k in _ECONOMY_FORMATS]
            for i, y in enumerate(economy_years(run))]


def weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                       qs: tuple[float, ...] = DECILES) -> np.ndarray:
    """Quantiles of ``values`` with ``weights`` (e.g. workers): for each ``q``, the smallest
    value at or below which at least ``q`` of the weight lies (no interpolation: each quantile
    is a value some weight has). NaN values and weights <= 0 are left out.
    """
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    keep = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if not values.size:
        return np.full(len(qs), np.nan)
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    idx = np.searchsorted(cum, np.asarray(qs, float) - 1e-12)
    return values[order][np.minimum(idx, len(values) - 1)]


def wage_deciles(run: RunData) -> tuple[np.ndarray, np.ndarray]:
    """The decile boundaries (:data:`DECILES`) of hourly wages across employed workers, each
    worker at their occupation's mean wage, weighted by the occupation's employment then: at
    the first step and at the last (for an ensemble, its median member). USD/h (2021).
    """
    wage, emp = run.series("wage_usd_per_hour"), run.series("employed")
    return weighted_quantiles(wage[0], emp[0]), weighted_quantiles(wage[-1], emp[-1])


def wage_decile_header(run: RunData) -> list[str]:
    """Header of :func:`wage_decile_rows`."""
    first, last = run.aggregates["date"].iloc[0], run.aggregates["date"].iloc[-1]
    return ["wage decile (share of workers paid at most this)", f"start, {first} (USD/h)",
            f"end, {last} (USD/h)", "change"]


def wage_decile_rows(run: RunData) -> list[list[str]]:
    """One row per decile boundary: P10 ... P90 at the start and end, and its change."""
    start, end = wage_deciles(run)
    return [[f"P{round(100 * q)}", _number(a, ",.2f"), _number(b, ",.2f"),
             _number(100 * (b / a - 1), "+.1f") + "%" if a > 0 else "n/a"]
            for q, a, b in zip(DECILES, start, end, strict=True)]
