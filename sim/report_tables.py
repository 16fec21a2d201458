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

from sim.run_data import RunData

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
