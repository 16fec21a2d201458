"""The economy side of the run's figures, the report and the dashboard: annual growth from
year-end values, the factor shares, the Acemoglu-Restrepo bars adding up to their total line,
wage deciles, the Economy section of the report, and the output-and-growth chart.
"""

from __future__ import annotations

import re
from html import escape as html_escape

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import sim
from sim.figures import economy as ef
from sim.figures import run as run_figures
from sim.figures.report import report_html
from sim.figures.report_tables import (
    DECILES,
    ECONOMY_HEADER,
    economy_rows,
    economy_years,
    wage_decile_rows,
    weighted_quantiles,
)
from sim.outputs.run_data import RunData, growth_12m


@pytest.fixture(scope="module")
def short_results():
    """A three-year run (2023-2025) in memory."""
    return sim.run(sim.load_config(overrides=["time.end_year=2025"])).sim


@pytest.fixture(scope="module")
def short_run(short_results) -> RunData:
    return RunData.from_results(short_results, label="short", source="memory")


def monthly_run(years: int = 3, seed: int = 0) -> RunData:
    """A hand-made run of ``years`` years of monthly steps: output growing 5% a year, random
    Acemoglu-Restrepo effects, factor shares that add up to 1.
    """
    rng = np.random.default_rng(seed)
    n = 12 * years
    t = 2023 + np.arange(n) / 12
    output = 27e12 * 1.05 ** (t - 2023)
    labour = np.linspace(0.55, 0.4, n)
    ai = np.linspace(0.0, 0.2, n)
    agg = pd.DataFrame({"step": range(n), "year": t, "date": [f"{int(y)}-{1 + i % 12:02d}"
                                                             for i, y in enumerate(t)],
                        "us_output_usd_per_yr": output, "labour_share": labour,
                        "ai_share": ai, "capital_income_usd_per_yr": (1 - labour - ai) * output,
                        **{f"ar_{k}": rng.normal(0, 0.1, n) for k, _, _ in ef.AR_EFFECTS}})
    return RunData("hand", "memory", agg, pd.DataFrame(), pd.DataFrame(), {},
                   {"scenario": "t", "seed": 1, "version": "x"})


# ----------------------------------------------------------------------------- data helpers

def test_annual_growth_from_year_end_values():
    run = monthly_run(4)
    years, growth = ef.annual_growth(run.times, run.agg("us_output_usd_per_yr"))
    assert list(years) == [2023, 2024, 2025, 2026]
    np.testing.assert_allclose(growth, 0.05, rtol=1e-12)  # the first year annualised too
    # (T, N): one column per member, each its own growth
    y = run.agg("us_output_usd_per_yr")
    both = np.stack([y, 2 * y * 1.1 ** (run.times - 2023)], axis=1)
    _, g2 = ef.annual_growth(run.times, both)
    assert g2.shape == (4, 2)
    np.testing.assert_allclose(g2[:, 1], 1.05 * 1.1 - 1, rtol=1e-12)
    # year end over year end, exactly
    assert growth[2] == pytest.approx(y[35] / y[23] - 1)


def test_growth_over_12_months_matches_the_year_end_growth():
    run = monthly_run(3)
    y = run.agg("us_output_usd_per_yr")
    g = growth_12m(run.times, y)
    assert np.isnan(g[:12]).all()
    np.testing.assert_allclose(g[12:], 0.05, rtol=1e-12)
    _, annual = ef.annual_growth(run.times, y)
    assert g[23] == pytest.approx(annual[1]) and g[35] == pytest.approx(annual[2])


def test_factor_shares_add_up_to_one():
    run = monthly_run()
    shares = ef.factor_shares(run.agg)
    np.testing.assert_allclose(sum(shares.values()), 1.0, rtol=1e-12)
    assert [k for k, _, _ in ef.SHARE_LINES] == list(shares)


def test_decomposition_bars_sum_to_the_total_line():
    run = monthly_run(5, seed=3)
    table = ef.ar_by_year(run)
    keys = [k for k, _, _ in ef.AR_EFFECTS]
    assert list(table.index) == [2023, 2024, 2025, 2026, 2027]
    np.testing.assert_allclose(table[keys].sum(axis=1), table["total"], atol=1e-15)
    # a year's effect: the mean of its 12 monthly values
    assert table.loc[2024, "displacement"] == pytest.approx(
        run.agg("ar_displacement")[12:24].mean())
    # the drawn stack: positive bars up from zero, negative ones down; their signed heights
    # add up to the total line's value in every year
    values = table[keys].to_numpy().T
    bottoms = ef.stack_bottoms(values)
    tops = bottoms + values
    np.testing.assert_allclose(values.sum(axis=0), table["total"], atol=1e-15)
    # no two bars of a year overlap: each starts where the one before of its sign ended
    for sign in (1, -1):
        for y in range(values.shape[1]):
            mine = [k for k in range(len(keys)) if sign * values[k, y] > 0]
            for a, b in zip(mine, mine[1:], strict=False):
                assert bottoms[b, y] == pytest.approx(tops[a, y])


def test_decomposition_figure_draws_bars_and_the_total():
    run = monthly_run(4, seed=5)
    fig = ef.fig_ar_decomposition([run])
    ax = fig.axes[0]
    table = ef.ar_by_year(run)
    bars = [p for p in ax.patches if p.get_width() > 0]
    assert len(bars) == 4 * len(table)
    heights = np.array([p.get_height() for p in bars]).reshape(4, -1)
    np.testing.assert_allclose(heights.sum(axis=0), 100 * table["total"], atol=1e-9)
    line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("total"))
    np.testing.assert_allclose(line.get_ydata(), 100 * table["total"])
    plt.close(fig)


def test_weighted_quantiles():
    v = np.array([30.0, 10.0, 20.0, 40.0])
    w = np.array([1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(weighted_quantiles(v, w, (0.25, 0.5, 0.75, 1.0)),
                                  [10, 20, 30, 40])
    np.testing.assert_array_equal(weighted_quantiles(v, [0, 1, 1, 8], (0.1, 0.2, 0.25, 0.5)),
                                  [10, 20, 40, 40])  # 30 has no weight: never a quantile
    assert np.isnan(weighted_quantiles(v, np.zeros(4), (0.5,))).all()


# ----------------------------------------------------------------------------- on a real run

def test_run_figures_include_the_economy(short_results, tmp_path):
    paths = run_figures.make_figures(short_results, tmp_path, workers=1)
    names = {p.stem for p in paths}
    assert {"output_and_growth", "factor_shares", "ar_decomposition"} <= names
    for name in ("output_and_growth", "factor_shares", "ar_decomposition"):
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, name


def test_economy_table_and_wage_deciles(short_run):
    assert economy_years(short_run) == [2023, 2025]
    rows = economy_rows(short_run)
    assert [r[0] for r in rows] == ["2023", "2025"] and len(rows[0]) == len(ECONOMY_HEADER)
    out = short_run.agg("us_output_usd_per_yr")
    assert rows[-1][1] == f"{out[-1] / 1e12:,.1f}"
    assert rows[-1][2] == f"{100 * (out[-1] / out[-13] - 1):+.1f}%"
    assert rows[0][3] == f"{100 * short_run.agg('labour_share')[11]:.1f}%"
    deciles = wage_decile_rows(short_run)
    assert [r[0] for r in deciles] == [f"P{round(100 * q)}" for q in DECILES]
    start = [float(r[1]) for r in deciles]
    assert start == sorted(start)


def test_report_has_the_economy_section(short_run):
    html = report_html(short_run)
    section = html[html.index('<section id="economy">'):html.index('<section id="occupations">')]
    assert "<h2>Economy</h2>" in section and 'href="#economy"' in html
    for head in ECONOMY_HEADER:
        assert head in section, head
    assert "Wage deciles at the start and end" in section and "P50" in section
    for spec in ef.FIGURES:
        assert f'data-figure="{spec.name}"' in section
        assert html_escape(spec.how_to_read) in section
    # the table's cells: one row per year, numbers in every cell
    table = section[section.index("<table"):section.index("</table>")]
    assert len(re.findall("<tr>", table)) == 1 + len(economy_years(short_run))
    assert "n/a" not in table


# ----------------------------------------------------------------------------- dashboard

def test_dashboard_output_chart_with_and_without_baseline_and_band():
    pytest.importorskip("plotly")
    from sim.dashboard.session import Band, DashboardModel
    from sim.figures import dashboard as figures

    m = DashboardModel(extra="time.end_year=2026")
    assert "output_and_growth" in figures.CHARTS
    empty = figures.output_and_growth(m.view())
    assert empty.layout.title.text and empty.to_json()
    m.step()
    base = m.view()
    m.run_to_end()
    view = m.view()
    fig = figures.output_and_growth(view)
    lines = {t.name: np.asarray(t.y, float) for t in fig.data if t.name}
    out = view.aggregates["us_output_usd_per_yr"]
    np.testing.assert_allclose(lines["US output"], out / 1e12)
    np.testing.assert_allclose(lines["growth, past 12 months"][12:],
                               100 * (out[12:] / out[:-12] - 1))
    assert not any("baseline" in n or "ensemble" in n for n in lines)
    series = {k: np.stack([0.9 * v, v, 1.1 * v]) for k, v in
              (("us_output_usd_per_yr", out),
               ("output_growth_12m", growth_12m(view.times, out)))}
    band = Band(5, 0.1, view.times, series, {}, view.end_year)
    fig = figures.output_and_growth(view, base, band)
    names = [t.name or "" for t in fig.data]
    assert any("baseline" in n for n in names)
    assert any(n.startswith("ensemble of 5") for n in names)
    assert sum(t.fill == "tonexty" for t in fig.data) == 2  # a band in each panel
    assert fig.to_json() and "growth" in figures.chart_csv(fig)
