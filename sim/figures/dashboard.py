"""The dashboard's charts (plotly figures) and milestone table, drawn from a :class:`RunView`.

Every chart shows its values on hover (one box per month: every line's value that month) and
can be saved from its tool bar (camera icon: PNG) or as CSV (:func:`chart_csv`). The x axis
always spans the whole run. With a baseline, its paths are drawn in grey, dashed, underneath;
with an ensemble :class:`~sim.dashboard.session.Band`, its median (dotted) and 10-90% band
(shaded) are drawn under the run's own lines.

Building a figure imports no web library beyond plotly's Python package; plotly's JavaScript
ships inside that package and reaches the browser through the page's own connection.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.dashboard.session import Band, RunView
from sim.data.occupations import major_group, major_group_titles, sum_by_major_group
from sim.outputs.results import year_end_step as last_step_of_year
from sim.outputs.run_data import (
    BANDED_SHARES,
    SHARE_LEVELS,
    WORK_SHARE_LINES,
    growth_12m,
    work_shares,
)

#: Matplotlib's default colours, which the run's own figures and the report use.
PALETTE = {"C0": "#1f77b4", "C1": "#ff7f0e", "C2": "#2ca02c", "C3": "#d62728",
           "C4": "#9467bd", "C5": "#8c564b", "C6": "#e377c2", "C7": "#7f7f7f",
           "C8": "#bcbd22", "C9": "#17becf", "k": "#000000"}
DASH = {"-": "solid", "--": "dash", ":": "dot", "-.": "dashdot"}
BASE = {"color": "#8c8c8c", "width": 1.3, "dash": "dash"}
HEIGHT = 380
FONT = {"family": "Roboto, Arial, sans-serif", "size": 12}
#: Groups drawn separately in the employment chart; the rest are summed into one band.
TOP_GROUPS = 8
#: Plotly's tool bar: no logo (a link off this machine), no selection tools (nothing to
#: select); the camera button saves a PNG at twice the screen's resolution.
PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "modeBarButtonsToRemove": ["select2d", "lasso2d", "toggleSpikelines"],
               "toImageButtonOptions": {"format": "png", "scale": 2}}

#: Hover text of a line whose ``text`` holds its values already formatted.
NAMED_TEXT = "%{fullData.name}: %{text}<extra></extra>"

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
#: Milestones drawn as vertical markers on the workforce chart: name -> (short label, dash).
MARKERS = {"capable_50pct": ("can automate 50%", "dot"),
           "capable_95pct": ("can automate 95%", "dash"),
           "adopted_50pct": ("50% automated", "dashdot"),
           "automated_ai_researcher": ("AI researcher", "solid")}


# ----------------------------------------------------------------------------- helpers


def dates(times: np.ndarray) -> np.ndarray:
    """Decimal years (monthly steps from a January) as ISO dates ("2023-01-01"), for the x
    axis (text: the page's messages carry JSON, which has no date type).
    """
    months = np.round((np.asarray(times, float) - 1970.0) * 12).astype("int64")
    return np.datetime_as_string(months.astype("datetime64[M]").astype("datetime64[D]"))


def date_of(year: float) -> str:
    """A decimal year as an ISO date (to the day), for markers and axis ranges."""
    months = (year - 1970.0) * 12
    whole = int(np.floor(months))
    day = (np.datetime64(whole, "M").astype("datetime64[D]")
           + np.timedelta64(int(round((months - whole) * 30)), "D"))
    return str(day)


def people(n: float) -> str:
    """A head count in words: 163 million, 1.2 billion, 850 thousand."""
    if not np.isfinite(n):
        return "-"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"),
                       (1e3, "thousand")):
        if abs(n) >= size:
            return f"{n / size:.3g} {word}"
    return f"{n:.0f}"


def _rgba(color: str, alpha: float) -> str:
    color = PALETTE.get(color, color).lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


_GRID = {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zerolinecolor": "#ebf0f8",
         "showgrid": True, "automargin": True}
#: A small white template (plotly's own "plotly_white" is rebuilt and deep-copied for every
#: figure, which took a third of the redraw).
TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "font": {"color": "#2a3f5f"},
    "xaxis": _GRID, "yaxis": _GRID, "hoverlabel": {"align": "left"},
    "colorway": [PALETTE[f"C{i}"] for i in range(10)]})


def _figure(title: str, rows: int = 1, cols: int = 1, subtitles=None, **kw) -> go.Figure:
    fig = go.Figure(layout={"template": TEMPLATE})
    if rows * cols > 1:
        fig = make_subplots(rows, cols, subplot_titles=subtitles, horizontal_spacing=0.12,
                            vertical_spacing=0.16, figure=fig, **kw)
    fig.update_layout(
        title={"text": f"<b>{title}</b>", "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        height=HEIGHT, margin={"l": 60, "r": 20, "t": 60, "b": 45}, font=FONT,
        hovermode="x unified",
        legend={"font": {"size": 11}, "bgcolor": "rgba(255,255,255,0.7)"},
        hoverlabel={"namelength": -1})
    fig.update_xaxes(hoverformat="%b %Y", showspikes=False)
    return fig


def _legend_below(fig: go.Figure, rows: int = 1):
    """Legend in rows under the plot (the lines use the whole width)."""
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.12,
                              "yanchor": "top", "font": {"size": 11}},
                      height=HEIGHT + 22 * rows, margin={"b": 40 + 22 * rows})


def _xrange(fig: go.Figure, view: RunView):
    start = float(np.floor(view.times[0])) if view.n else view.end_year - 1
    fig.update_xaxes(range=[date_of(start), date_of(view.end_year)])


#: Legend order: the run's own lines first, then the baseline, then the ensemble.
RANK_BASELINE, RANK_ENSEMBLE = 1001, 1002


def _line(fig, x, y, name, line, text=None, fmt="%{y:.3g}", row=None, col=None,
          showlegend=True, legend=None, group=None, rank=None):
    kw = {} if row is None else {"row": row, "col": col}
    hover = "%{text}" if text is not None else fmt
    rank = rank or (RANK_BASELINE if line is BASE else 1000)
    fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", line=line, text=text,
                             hovertemplate=f"%{{fullData.name}}: {hover}<extra></extra>",
                             showlegend=showlegend, legend=legend, legendgroup=group,
                             legendrank=rank), **kw)


def _band(fig, band: Band | None, key: str, color: str, name: str, scale: float = 1.0,
          fmt=None, row=None, col=None):
    """An ensemble's 10-90% band (shaded, no hover of its own) and median (dotted, named
    ``name``; its hover gives the range). The legend gets one entry for all of them
    (:func:`_band_legend`).
    """
    if band is None or key not in band.series:
        return
    kw = {} if row is None else {"row": row, "col": col}
    lo, mid, hi = (scale * band.series[key][i] for i in range(3))
    x = dates(band.times)
    fmt = fmt or (lambda v: f"{v:.3g}")
    fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, hoverinfo="skip",
                             showlegend=False), **kw)
    fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=_rgba(color, 0.16), hoverinfo="skip",
                             showlegend=False), **kw)
    text = [f"{fmt(m)} (10-90%: {fmt(a)} to {fmt(b)})" for a, m, b in zip(lo, mid, hi,
                                                                          strict=True)]
    fig.add_trace(go.Scatter(x=x, y=mid, mode="lines", name=name, text=text,
                             line={"color": PALETTE.get(color, color), "width": 1.2,
                                   "dash": "dot"},
                             hovertemplate=NAMED_TEXT, showlegend=False), **kw)


def _band_legend(fig, band: Band | None, legend: str | None = None):
    """One legend entry saying what the ensemble's lines and bands are."""
    if band is not None and band.series:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", hoverinfo="skip",
                                 name=f"ensemble of {band.n}: median, 10-90%",
                                 line={"color": "#777", "dash": "dot", "width": 1.2},
                                 fill="toself", fillcolor="rgba(120,120,120,0.16)",
                                 legend=legend, legendrank=RANK_ENSEMBLE))


def _empty_note(fig: go.Figure, view: RunView):
    if not view.n:
        fig.add_annotation(text="not run yet", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font={"color": "#888"})


# ----------------------------------------------------------------------------- charts


def workforce(view: RunView, base: RunView | None = None, band: Band | None = None
              ) -> go.Figure:
    """AI workforce (human-equivalent workers) against US human employment, with milestones."""
    fig = _figure("AI workforce vs human employment")
    series = (("ai_human_equivalent_workers", "AI, all copies (human-equivalent)", "C0", 2.2),
              ("employed", "US employed", "k", 2.2),
              ("idle", "US unemployed + retraining", "C3", 1.6))
    for name, label, color, _ in series:
        _band(fig, band, name, color, f"{label}: ensemble median", fmt=people)
    _band_legend(fig, band)
    if base is not None and base.n:
        for i, (name, label, _, _) in enumerate(series):
            y = np.maximum(workforce_series(base, name), 1.0)
            _line(fig, dates(base.times), y, "baseline" if i == 0 else f"baseline: {label}",
                  BASE, text=[people(v) for v in y], showlegend=i == 0, group="baseline")
    if view.n:
        for name, label, color, lw in series:
            y = np.maximum(workforce_series(view, name), 1.0)
            _line(fig, dates(view.times), y, label, {"color": PALETTE[color], "width": lw},
                  text=[people(v) for v in y])
    for i, (name, (short, dash)) in enumerate(MARKERS.items()):
        year = view.milestones.get(name, np.nan)
        if np.isfinite(year):  # labels staggered in height so close dates do not overlap
            x = date_of(year)
            fig.add_vline(x=x, line={"color": "#555", "dash": dash, "width": 1})
            fig.add_annotation(x=x, y=0.02 + 0.2 * i, yref="paper", text=f"{short} ({year:.1f})",
                               showarrow=False, textangle=-90, xanchor="right",
                               yanchor="bottom", font={"size": 10, "color": "#444"})
    fig.update_yaxes(type="log", title="full-time workers (log)", exponentformat="power",
                     dtick=1)
    _legend_below(fig, 2)
    _xrange(fig, view)
    _empty_note(fig, view)
    return fig


def workforce_series(v: RunView, name: str) -> np.ndarray:
    """One line of the workforce chart: a recorded aggregate, or "idle" (unemployed plus
    retraining).
    """
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


def employment_by_group(view: RunView, base: RunView | None = None, band: Band | None = None
                        ) -> go.Figure:
    """Stacked US employment by SOC major group (largest groups; the rest summed)."""
    fig = _figure("US employment by SOC major group")
    if view.n and view.occupations:
        _, names, emp = by_major_group(view.codes, view.titles, view.occupations["employed"])
        order = np.argsort(-emp[0])
        top, rest = order[:TOP_GROUPS], order[TOP_GROUPS:]
        bands = [emp[:, i] for i in top] + ([emp[:, rest].sum(axis=1)] if rest.size else [])
        labels = [_short(names[i]) for i in top] + ([f"{rest.size} other groups"]
                                                     if rest.size else [])
        colors = [PALETTE[f"C{i}"] for i in range(len(top))] + ["#cccccc"]
        x = dates(view.times)
        for i, (y, label, color) in enumerate(zip(bands, labels, colors, strict=True)):
            fig.add_trace(go.Scatter(x=x, y=y / 1e6, name=label, mode="lines", stackgroup="emp",
                                     line={"width": 0.5, "color": color}, fillcolor=color,
                                     text=[people(v) for v in y], hovertemplate=NAMED_TEXT,
                                     legendrank=100 - i))  # listed as stacked, top first
        total = emp.sum(axis=1)
        _line(fig, x, total / 1e6, "all employed", {"color": "#000", "width": 1.2},
              text=[people(v) for v in total], rank=1)
    if base is not None and base.n:
        y = base.aggregates["employed"]
        _line(fig, dates(base.times), y / 1e6, "baseline: all employed", BASE,
              text=[people(v) for v in y])
    _band(fig, band, "employed", "k", "all employed: ensemble median", scale=1e-6,
          fmt=lambda v: people(v * 1e6))
    _band_legend(fig, band)
    fig.update_yaxes(title="million workers", rangemode="tozero")
    fig.update_layout(legend={"x": 1.01, "y": 0.5, "yanchor": "middle", "font": {"size": 10}},
                      margin={"r": 10})
    _xrange(fig, view)
    _empty_note(fig, view)
    return fig


@dataclass(frozen=True)
class Panel:
    """One panel of a two-panel chart (:func:`two_panels`): its title, the run's line (values,
    name, style, hover format), the baseline's name, the ensemble band's series (key, colour,
    scale to the line's units, hover format) and the panel's y axis settings.
    """

    title: str
    values: Callable[[RunView], np.ndarray]  #: the line's values, in the panel's units
    name: str
    line: dict
    hover: str
    base_name: str
    band_key: str
    band_color: str
    band_scale: float
    band_fmt: Callable[[float], str]
    yaxis: dict
    zero_line: bool = False  #: a grey line at 0 (growth can be negative)


def runs_drawn(view: RunView, base: RunView | None):
    """The runs a chart draws, baseline first (under the run): each with whether it is the run
    itself and its dates; a run not run yet is left out.
    """
    for v in (base, view):
        if v is not None and v.n:
            yield v, v is view, dates(v.times)


def two_panels(title: str, panels: tuple[Panel, Panel], view: RunView,
               base: RunView | None = None, band: Band | None = None) -> go.Figure:
    """A chart of two panels side by side, each one line of the run over its baseline (grey,
    dashed; one legend entry for both panels) and its ensemble band.
    """
    fig = _figure(title, 1, 2, tuple(p.title for p in panels))
    for col, p in enumerate(panels, 1):
        _band(fig, band, p.band_key, p.band_color, "ensemble median", scale=p.band_scale,
              fmt=p.band_fmt, row=1, col=col)
    _band_legend(fig, band)
    for v, own, x in runs_drawn(view, base):
        for col, p in enumerate(panels, 1):
            _line(fig, x, p.values(v), p.name if own else p.base_name, p.line if own else BASE,
                  fmt=p.hover, row=1, col=col, showlegend=own or col == 1,
                  group=None if own else "baseline")
    for col, p in enumerate(panels, 1):
        if p.zero_line:
            fig.add_hline(y=0, line={"color": "#999", "width": 1}, row=1, col=col)
        fig.update_yaxes(**p.yaxis, row=1, col=col)
    _legend_below(fig)
    _subtitle_size(fig)
    _xrange(fig, view)
    _empty_note(fig, view)
    return fig


#: The panels of :func:`unemployment_and_wages`.
UNEMPLOYMENT_AND_WAGES = (
    Panel("Unemployed + retraining, % of labour force",
          lambda v: 100 * v.aggregates["unemployment_rate"], "unemployment",
          {"color": PALETTE["C3"], "width": 2.2}, "%{y:.1f}%", "baseline",
          "unemployment_rate", "C3", 100, lambda v: f"{v:.1f}%",
          {"rangemode": "tozero", "ticksuffix": "%"}),
    Panel("Mean hourly earnings, USD (2021)", lambda v: v.aggregates["mean_wage_usd_per_hour"],
          "mean wage", {"color": "#000", "width": 2.2}, "$%{y:.2f}", "baseline: wage",
          "mean_wage_usd_per_hour", "k", 1.0, lambda v: f"${v:.2f}", {"tickprefix": "$"}),
)
#: The panels of :func:`output_and_growth`.
OUTPUT_AND_GROWTH = (
    Panel("US output, trillion USD/yr (2023 dollars)",
          lambda v: v.aggregates["us_output_usd_per_yr"] / 1e12, "US output",
          {"color": PALETTE["C0"], "width": 2.2}, "$%{y:,.1f}T", "baseline",
          "us_output_usd_per_yr", "C0", 1e-12, lambda v: f"${v:,.1f}T",
          {"rangemode": "tozero", "tickprefix": "$", "ticksuffix": "T"}),
    Panel("Output growth over the past 12 months, %",
          lambda v: 100 * growth_12m(v.times, v.aggregates["us_output_usd_per_yr"]),
          "growth, past 12 months", {"color": PALETTE["C2"], "width": 2.0}, "%{y:+.1f}%",
          "baseline: growth", "output_growth_12m", "C2", 100, lambda v: f"{v:+.1f}%",
          {"ticksuffix": "%"}, zero_line=True),
)


def unemployment_and_wages(view: RunView, base: RunView | None = None,
                           band: Band | None = None) -> go.Figure:
    """Unemployment rate and mean hourly earnings of the employed."""
    return two_panels("Unemployment and wages", UNEMPLOYMENT_AND_WAGES, view, base, band)


def compute_and_capability(view: RunView, base: RunView | None = None,
                           band: Band | None = None) -> go.Figure:
    """Frontier training compute, and the share of work AI can help with (augment or
    automate), can automate, and does (:data:`sim.outputs.run_data.WORK_SHARE_LINES`).
    """
    fig = _figure("Training compute and the share of US work AI can do", 1, 2,
                  ("Training compute, FLOP (log)", "Share of US work, % of 2021 wage bill"))
    flop = "%{y:.2e} FLOP"
    _band(fig, band, "frontier_effective_flop", "C0", "frontier: ensemble median",
          fmt=lambda f: f"{f:.2e}", row=1, col=1)
    for line in WORK_SHARE_LINES:
        if line.key in BANDED_SHARES:
            _band(fig, band, line.key, line.color, f"{line.short}: ensemble median",
                  scale=100, fmt=lambda v: f"{v:.1f}%", row=1, col=2)
    _band_legend(fig, band)
    for v, own, x in runs_drawn(view, base):
        group = None if own else "baseline"
        styles = ((BASE, BASE) if not own else ({"color": PALETTE["C0"], "width": 2.2},
                                                {"color": PALETTE["C1"], "width": 1.7}))
        _line(fig, x, v.aggregates["frontier_effective_flop"],
              "frontier model, effective" if own else "baseline", styles[0], fmt=flop, row=1,
              col=1, group=group)
        _line(fig, x, v.aggregates["largest_run_flop"],
              "largest run, physical" if own else "baseline: largest run", styles[1], fmt=flop,
              row=1, col=1, showlegend=own, group=group)
        shares = work_shares(v.aggregates.__getitem__)
        for line in WORK_SHARE_LINES:
            style = (BASE if not own else
                     {"color": PALETTE[line.color], "dash": DASH[line.style], "width": 1.9})
            _line(fig, x, 100 * shares[line.key],
                  line.short if own else f"baseline: {line.short}", style, fmt="%{y:.1f}%",
                  row=1, col=2, showlegend=own, legend="legend2", group=group)
    for level in SHARE_LEVELS:
        fig.add_hline(y=level, line={"color": "#dddddd", "width": 1}, row=1, col=2)
    fig.update_yaxes(type="log", exponentformat="power", dtick=2, row=1, col=1)
    fig.update_yaxes(range=[0, 102], ticksuffix="%", row=1, col=2)
    _legend_below(fig, 4)  # one column under each panel
    fig.update_layout(legend={"orientation": "v"},
                      legend2={"orientation": "v", "x": 0.56, "y": -0.12, "yanchor": "top",
                               "font": {"size": 11}})
    _subtitle_size(fig)
    _xrange(fig, view)
    _empty_note(fig, view)
    return fig


def output_and_growth(view: RunView, base: RunView | None = None,
                      band: Band | None = None) -> go.Figure:
    """US output (trillion 2023 USD per year) and its growth over the past 12 months."""
    return two_panels("US output and growth", OUTPUT_AND_GROWTH, view, base, band)


def _subtitle_size(fig: go.Figure):
    for ann in fig.layout.annotations:
        if ann.text and not ann.text.startswith("not run"):
            ann.font = {"size": 12}


def occupation(view: RunView, index: int, base: RunView | None = None) -> go.Figure:
    """One occupation's paths: the share of its task-hours AI can automate and has
    automated, its employment (and the unemployed or retraining who left it), its wage.
    """
    code, title = view.codes[index], view.titles[index]
    fig = _figure(f"{title} (SOC {code})", 1, 3,
                  ("Its task-hours: AI can automate, automated", "Workers",
                   "Wage, USD per hour (2021)"))
    for v, own, x in runs_drawn(view, base):
        if not v.occupations:
            continue
        occ = {k: a[:, index] for k, a in v.occupations.items()}

        def style(color, dash="solid", own=own):
            return {"color": PALETTE[color], "dash": dash, "width": 2} if own else BASE

        first = len(fig.data)
        _line(fig, x, 100 * occ["capable_share"], "AI can automate", style("C0"),
              fmt="%{y:.1f}%", row=1, col=1)
        _line(fig, x, 100 * occ["automated_share"], "automated", style("C0", "dash"),
              fmt="%{y:.1f}%", row=1, col=1)
        _line(fig, x, occ["employed"], "employed", style("k"),
              text=[people(e) for e in occ["employed"]], row=1, col=2)
        idle = occ["unemployed"] + occ["retraining"]
        _line(fig, x, idle, "unemployed + retraining", style("C3"),
              text=[people(e) for e in idle], row=1, col=2)
        _line(fig, x, occ["wage_usd_per_hour"], "wage", style("C4"), fmt="$%{y:.2f}", row=1,
              col=3)
        if not own:  # one legend entry for all the baseline's lines
            for i, trace in enumerate(fig.data[first:]):
                trace.name = f"baseline: {trace.name}"
                trace.legendgroup = "baseline"
                trace.showlegend = i == 0
            fig.data[first].name = "baseline"
    fig.update_yaxes(range=[0, 102], ticksuffix="%", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    fig.update_yaxes(tickprefix="$", row=1, col=3)
    _legend_below(fig)
    _subtitle_size(fig)
    _xrange(fig, view)
    return fig


#: Chart name -> builder, in the order the page shows them.
CHARTS = {
    "workforce": workforce,
    "employment_by_group": employment_by_group,
    "unemployment_and_wages": unemployment_and_wages,
    "compute_and_capability": compute_and_capability,
    "output_and_growth": output_and_growth,
}


def chart_csv(fig: go.Figure) -> str:
    """A chart's lines as CSV: a ``date`` column, then one column per named line (stacked
    bands give each group's own value, not the stack's height).
    """
    columns: dict[str, dict] = {}
    for trace in fig.data:
        if not trace.name or trace.x is None or trace.y is None:
            continue
        name, n = trace.name, 2
        while name in columns:
            name, n = f"{trace.name} ({n})", n + 1
        columns[name] = dict(zip((str(x)[:10] for x in trace.x), trace.y, strict=True))
    when = sorted({d for col in columns.values() for d in col})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", *columns])
    for d in when:
        writer.writerow([d, *(_csv_value(col.get(d)) for col in columns.values())])
    return out.getvalue()


def _csv_value(v) -> str:
    return "" if v is None else f"{float(v):.6g}"


# ----------------------------------------------------------------------------- milestones


def _year(y: float | None) -> str:
    return "-" if y is None or not np.isfinite(y) else f"{y:.1f}"


def year_end_step(view: RunView | None, year: int) -> int | None:
    """Index of the last step of ``year`` if the view has recorded that whole year (None: not
    so far, or outside the run).
    """
    if view is None or view.n < 2 or year + 1 > view.end_year + 1e-9:
        return None
    dt = view.times[1] - view.times[0]
    if view.times[0] >= year + 1.0 - 1e-9 or view.times[-1] + dt < year + 1.0 - 1e-9:
        return None
    return last_step_of_year(view.times, year)


def at_year_ends(view: RunView | None, name: str, fmt) -> str:
    """Aggregate ``name`` at the end of each of :data:`TABLE_YEARS`, formatted by ``fmt`` and
    joined as "2% / 25% / 10%" ("-": not reached so far, or outside the run).
    """
    out = []
    for y in TABLE_YEARS:
        idx = year_end_step(view, y)
        out.append("-" if idx is None else fmt(view.aggregates[name][idx]))
    return " / ".join(out)


def _band_years(band: Band, name: str) -> str:
    lo, mid, hi, reached = band.milestones[name]
    if reached < 0.5:
        return f"- ({100 * reached:.0f}% of runs reach it)"
    return f"{_year(mid)} ({_year(lo)} to {_year(hi) if np.isfinite(hi) else 'later'})"


def _band_year_ends(band: Band, name: str, fmt) -> str:
    if name not in band.series:
        return "-"
    median = RunView(band.times, {name: band.series[name][1]}, {}, (), (), {}, band.end_year)
    return at_year_ends(median, name, fmt)


ENSEMBLE_COLUMN = "ensemble median (10-90%)"


def milestone_rows(view: RunView | None, base: RunView | None = None,
                   band: Band | None = None) -> list[dict]:
    """The milestone table: label, year in this run, year in the baseline, the ensemble's
    median year and 10-90% range (all about automation); then :data:`YEAR_ROWS`, values at
    the end of :data:`TABLE_YEARS`.
    """
    rows = []
    for name, label in MILESTONES:
        row = {"milestone": label,
               "this run": _year(view.milestones.get(name) if view else None)}
        if base is not None:
            row["baseline"] = _year(base.milestones.get(name))
        if band is not None:
            row[ENSEMBLE_COLUMN] = (_band_years(band, name) if name in band.milestones
                                    else "-")
        rows.append(row)
    for label, name, fmt in YEAR_ROWS:
        row = {"milestone": label, "this run": at_year_ends(view, name, fmt)}
        if base is not None:
            row["baseline"] = at_year_ends(base, name, fmt)
        if band is not None:
            row[ENSEMBLE_COLUMN] = "median " + _band_year_ends(band, name, fmt)
        rows.append(row)
    return rows


def milestone_markdown(view: RunView | None, base: RunView | None = None,
                       band: Band | None = None) -> str:
    """The milestone table as Markdown (years; "-" = not reached so far)."""
    rows = milestone_rows(view, base, band)
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def milestone_html(view: RunView | None, base: RunView | None = None,
                   band: Band | None = None) -> str:
    """The milestone table as an HTML table (the page shows it; every cell escaped)."""
    rows = milestone_rows(view, base, band)
    cols = list(rows[0])
    cell = "padding: 3px 10px; border-bottom: 1px solid #eee; text-align: {};"
    head = "".join(f'<th style="{cell.format("left" if i == 0 else "right")}">'
                   f"{html.escape(c)}</th>" for i, c in enumerate(cols))
    body = "".join("<tr>" + "".join(
        f'<td style="{cell.format("left" if i == 0 else "right")}">{html.escape(r[c])}</td>'
        for i, c in enumerate(cols)) + "</tr>" for r in rows)
    return (f'<table style="border-collapse: collapse; font-size: 13px">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
