"""The dashboard without a browser: controls -> config, validation messages, the stepped
model, chart data, the SOC grouping, the milestone table and the server command.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import socket

import numpy as np
import pytest

pytest.importorskip("plotly", reason="dashboard extra not installed (pip install -e '.[test]')")

from sim.config.schema import SimConfig  # noqa: E402
from sim.dashboard import controls
from sim.dashboard.serve import OFFLINE_ENV, server_command, server_env
from sim.dashboard.session import CONFIG_ENV, MONTHS_PER_STEP, Band, DashboardModel, RunView
from sim.errors import SimInputError
from sim.figures import dashboard as figures
from sim.outputs.run_data import WORK_SHARE_LINES, work_shares

SHORT = "time.end_year=2027"  # a 5-year run keeps these tests quick


def test_defaults_are_the_config_values():
    d = controls.defaults()
    cfg = SimConfig()
    assert d["adoption_lag"] == cfg.market.adoption_lag_years
    assert d["hardware_progress"] == cfg.hardware.price_performance_oom_per_yr
    assert d["training_cap"] == controls.NO_CAP
    assert controls.overrides(d) == []


def test_changed_controls_become_overrides():
    values = dict(controls.defaults(), adoption_lag=3.0, training_cap="1e27")
    assert controls.overrides(values) == ["market.adoption_lag_years=3.0",
                                          "training.max_training_flop=1e27"]
    cfg = controls.config_from_controls(values)
    assert cfg.market.adoption_lag_years == 3.0
    assert cfg.training.max_training_flop == 1e27
    back = dict(values, training_cap=controls.NO_CAP)
    assert math.isinf(controls.config_from_controls(back).training.max_training_flop)


def test_a_scenario_moves_the_controls_to_its_own_values():
    start = controls.start_values(None, "slow_adoption")
    assert start["adoption_lag"] == 15.0 and start["scenario"] == "slow_adoption"
    base = controls.scenario_config(None, "slow_adoption")
    assert controls.overrides(start, base) == []  # untouched: the scenario's values stand
    assert controls.config_from_controls(start).market.adoption_lag_years == 15.0
    moved = dict(start, adoption_lag=3.0)
    assert controls.overrides(moved, base) == ["market.adoption_lag_years=3.0"]
    assert controls.config_from_controls(moved).market.adoption_lag_years == 3.0
    boom = controls.start_values(None, "compute_boom")
    assert boom["investment_growth"] == 0.9
    assert controls.config_from_controls(boom).capital.wakeup_growth_per_yr == 0.9
    assert controls.start_values(None, "training_pause")["training_cap"] == "1e26"
    # a control missing from the values sets nothing either
    only = {"scenario": "compute_boom", "adoption_lag": 2.0}
    cfg = controls.config_from_controls(only)
    assert cfg.capital.wakeup_growth_per_yr == 0.9 and cfg.market.adoption_lag_years == 2.0


def test_a_slider_stopping_near_an_off_grid_scenario_value_keeps_it():
    hw = controls.SLIDER_BY_NAME["hardware_progress"]
    start = controls.start_values(None, "ftm_aggressive")["hardware_progress"]
    assert start == pytest.approx(0.1429)  # between the slider's 0.02 steps
    assert controls.snap(hw, 0.14, start) == start
    assert controls.snap(hw, 0.16, start) == 0.16


def test_sliders_write_their_numbers_and_units():
    by = controls.SLIDER_BY_NAME
    assert by["adoption_lag"].format(15.0) == "15.0 yr"
    assert by["hardware_progress"].format(0.24) == "0.24 OOM/yr (x1.74 a year)"
    assert by["investment_growth"].format(0.5) == "0.50/yr (x1.65 a year)"
    assert by["serial_speed"].format(2.0) == "2.0 x human"
    assert by["adoption_lag"].bounds(30.0) == (1.0, 30.0)  # widened for a scenario's value
    lines = controls.describe(controls.config_from_controls(
        controls.start_values(None, "slow_adoption")))
    assert "Adoption lag = 15.0 yr" in lines and lines[-1] == "Training-compute cap = none"
    assert len(lines) == len(controls.SLIDERS) + 1
    pause = controls.config_from_controls(controls.start_values(None, "training_pause"))
    assert controls.describe(pause)[-1] == "Training-compute cap = 1e26 FLOP"


def test_scenario_descriptions_come_from_the_files():
    assert "15 years" in controls.scenario_description("slow_adoption")
    assert "No overlay" in controls.scenario_description(controls.BASE_SCENARIO)
    assert controls.scenario_description("no_such_scenario") == ""


def test_saved_settings_are_a_config_sim_run_and_validate_accept(tmp_path, capsys):
    from sim.cli import main
    from sim.config.loading import load_config

    values = dict(controls.start_values(None, "slow_adoption"), serial_speed=2.0,
                  extra="market.open_weights_lag_years=2")
    cfg = controls.config_from_controls(values)
    text = controls.settings_yaml(cfg, values)
    assert text.startswith("# Saved from the what-if dashboard")
    assert "scenario: slow_adoption" in text and "copies.initial_serial_speed=2.0" in text
    path = tmp_path / controls.settings_filename(values)
    assert path.name == "dashboard-slow_adoption.yaml"
    path.write_text(text)
    assert load_config(path) == cfg
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("OK:")
    back = load_config(path)
    assert back.market.adoption_lag_years == 15.0 and back.copies.initial_serial_speed == 2.0


def test_the_keys_the_page_sets_stay_fixed_in_the_ensemble():
    from sim.dashboard.session import ensemble_ranges

    values = dict(controls.start_values(None, "compute_boom"),
                  extra="algorithms.software_returns=2; time.end_year=2027")
    fixed = controls.fixed_keys(values)
    assert {s.key for s in controls.SLIDERS} <= set(fixed)
    assert "capital.investor_growth_per_yr" in fixed  # set by the overlay
    assert "algorithms.software_returns" in fixed  # set in More settings
    cfg = controls.config_from_controls(values)
    _, ranges = ensemble_ranges(cfg, fixed)
    assert ranges and not set(ranges) & set(fixed)
    assert "tasks.automation.requirement_100pct_oom" in ranges
    _, everything = ensemble_ranges(cfg)
    assert set(everything) > set(ranges) and "capital.wakeup_growth_per_yr" in everything


def test_ensemble_band_keeps_the_run_and_spreads_the_rest():
    pytest.importorskip("sim.ensemble")
    from sim.dashboard.session import PERCENTILES, ensemble_band

    values = dict(controls.defaults(), extra=SHORT)
    cfg = controls.config_from_controls(values)
    band = ensemble_band(cfg, controls.fixed_keys(values), n=6)
    assert band.n == 6 and band.end_year == 2028.0 and len(band.times) == 60
    assert not set(band.drawn) & {s.key for s in controls.SLIDERS}
    for name in ("employed", "unemployment_rate", "can_automate", "automated", "idle"):
        lo, mid, hi = band.series[name]
        assert lo.shape == (60,) and np.all(lo <= mid) and np.all(mid <= hi), name
    assert np.any(band.series["frontier_effective_flop"][2]
                  > band.series["frontier_effective_flop"][0])  # the members differ
    lo, mid, hi, reached = band.milestones["capable_20pct"]
    assert 0.0 <= reached <= 1.0 and (lo <= mid <= hi or not np.isfinite(hi))
    assert PERCENTILES == (10, 50, 90)


def test_every_slider_range_is_valid_at_both_ends():
    for s in controls.SLIDERS:
        for value in (s.min, s.max):
            cfg = controls.config_from_controls({s.name: value, "extra": SHORT})
            node = cfg
            for part in s.key.split("."):
                node = getattr(node, part)
            assert node == pytest.approx(value)


def test_impossible_combination_is_a_readable_message():
    with pytest.raises(SimInputError) as exc:
        controls.config_from_controls({"extra": "training.run_months=48"})
    text = controls.error_text(exc.value)
    assert "training.run_months" in text and "max_run_years" in text
    assert "Traceback" not in text and "\n" not in text


@pytest.mark.parametrize("values, needle", [
    ({"extra": "training.run_months=48"}, "run_months"),
    ({"extra": "market.adoption_lag_years=-1"}, "adoption_lag_years"),
    ({"extra": "no_such.key=1"}, "unknown key"),
    ({"extra": "not an override"}, "dotted.key=value"),
    ({"scenario": "no_such_scenario"}, "no_such_scenario"),
    ({"adoption_lag": 0.0}, "adoption_lag_years"),
])
def test_bad_controls_leave_a_model_that_shows_the_error(values, needle):
    m = DashboardModel(**values)
    assert m.error is not None and needle in m.error
    assert not m.running and m.view() is None and m.n_steps == 0
    m.step()
    m.run_to_end()  # no-ops, no exceptions
    assert m.steps_done == 0


def test_step_play_and_run_to_end():
    m = DashboardModel(extra=SHORT)
    assert m.error is None and m.running and m.n_steps == 60
    m.step()
    assert m.steps_done == MONTHS_PER_STEP and m.steps == 1
    v = m.view()
    assert v.n == MONTHS_PER_STEP and v.times[0] == 2023.0 and v.end_year == 2028.0
    assert np.isnan(v.milestones["adopted_95pct"])
    m.run_to_end()
    assert m.steps_done == 60 and not m.running
    m.step()
    assert m.steps_done == 60


def test_a_failing_step_becomes_a_message():
    m = DashboardModel(extra=SHORT)

    def broken():
        raise FloatingPointError("overflow in the labour market")

    m.inner.step = broken
    m.step()
    assert not m.running and "overflow in the labour market" in m.error
    assert "step 0" in m.error


def _lines(fig):
    """Named lines of a plotly figure: name -> y values."""
    return {t.name: np.asarray(t.y, float) for t in fig.data if t.name and t.y is not None}


def test_charts_change_when_a_parameter_changes():
    fast = DashboardModel(adoption_lag=2.0, extra=SHORT)
    slow = DashboardModel(adoption_lag=15.0, extra=SHORT)
    fast.run_to_end()
    slow.run_to_end()
    a, b = fast.view(), slow.view()
    assert a.aggregates["adopted_share"][-1] > b.aggregates["adopted_share"][-1]
    fa = _lines(figures.compute_and_capability(a))
    fb = _lines(figures.compute_and_capability(b))
    assert not np.allclose(fa["automated by AI"], fb["automated by AI"])
    wa = _lines(figures.workforce(a))["US employed"]
    wb = _lines(figures.workforce(b))["US employed"]
    assert wa[-1] < wb[-1]
    np.testing.assert_allclose(wa, a.aggregates["employed"])


def _band(view: RunView, n_members: int = 5) -> Band:
    """A hand-made band around ``view``'s aggregates (x0.8, x1, x1.2)."""
    series = {k: np.stack([0.8 * v, v, 1.2 * v]) for k, v in view.aggregates.items()}
    series["idle"] = np.stack([0.8, 1.0, 1.2])[:, None] * (view.aggregates["unemployed"]
                                                          + view.aggregates["retraining"])
    series.update({k: np.stack([0.8 * v, v, 1.2 * v])
                   for k, v in work_shares(view.aggregates.__getitem__).items()})
    ms = {k: (v - 1, v, np.inf, 0.7) for k, v in view.milestones.items()}
    return Band(n_members, 0.1, view.times, series, ms, view.end_year, ("a.b",), "x.yaml")


def test_every_chart_draws_partial_full_with_baseline_and_band():
    m = DashboardModel(extra=SHORT)
    for name, build in figures.CHARTS.items():
        fig = build(m.view())  # nothing run yet
        assert fig.layout.title.text, name
    m.step()
    base = m.view()
    m.run_to_end()
    view = m.view()
    band = _band(view)
    for name, build in figures.CHARTS.items():
        fig = build(view, base, band)
        names = [t.name or "" for t in fig.data]
        assert any("baseline" in n for n in names), name
        assert any(n.startswith("ensemble of 5") for n in names), name
        assert any("ensemble median" in n for n in names), name
        assert any(t.fill == "tonexty" for t in fig.data), name  # the 10-90% band
        for t in fig.data:  # every line with a value says what it is on hover
            if t.hoverinfo != "skip" and t.y is not None and len(t.y) > 1:
                assert t.hovertemplate and "fullData.name" in t.hovertemplate, (name, t.name)
        assert fig.to_json()  # serialisable as the page sends it
    ens = [t for t in figures.unemployment_and_wages(view, None, band).data
           if t.name == "ensemble median" and t.text is not None][0]
    assert "10-90%" in ens.text[-1] and "%" in ens.text[-1]


def test_share_chart_draws_automation_and_augmentation():
    view = _monthly_view(18.0)
    fig = figures.compute_and_capability(view, _monthly_view(18.0))
    drawn = _lines(fig)
    shares = work_shares(view.aggregates.__getitem__)
    for line in WORK_SHARE_LINES:  # fails if an augmentation or automation line goes
        np.testing.assert_allclose(drawn[line.short], 100 * shares[line.key])
    np.testing.assert_allclose(drawn["AI can help"], 100 * (view.times - 2023.0) / 20 * 1.25)
    legend2 = [t.name for t in fig.data if t.legend == "legend2" and t.showlegend]
    assert legend2 == [line.short for line in WORK_SHARE_LINES]
    baseline = [t for t in fig.data if t.legend == "legend2" and t.name.startswith("baseline")]
    assert len(baseline) == len(WORK_SHARE_LINES)  # the baseline's four lines, in grey
    assert {t.line.color for t in baseline} == {figures.BASE["color"]}


def test_occupation_chart_and_search():
    from sim.dashboard.app import matches

    m = DashboardModel(extra=SHORT)
    m.run_to_end()
    view = m.view()
    i = view.codes.index("15")
    fig = figures.occupation(view, i)
    assert "Computer and Mathematical" in fig.layout.title.text
    lines = _lines(fig)
    np.testing.assert_allclose(lines["employed"], view.occupations["employed"][:, i])
    np.testing.assert_allclose(lines["automated"], 100 * view.occupations["automated_share"][:, i])
    np.testing.assert_allclose(lines["wage"], view.occupations["wage_usd_per_hour"][:, i])
    assert "baseline" in _lines(figures.occupation(view, i, dataclasses.replace(view)))
    assert [view.codes[j] for j in matches(view, "COMPUT")] == ["15"]
    assert [view.codes[j] for j in matches(view, "15-1252")] == ["15"]  # a detailed code
    assert matches(view, "no such job") == []
    every = matches(view, "")
    assert len(every) == 22
    emp = view.occupations["employed"][0]
    assert list(emp[every]) == sorted(emp, reverse=True)  # largest first


def test_chart_csv_has_a_column_per_line():
    view = _monthly_view(2.0, end_year=2025.0)
    text = figures.chart_csv(figures.compute_and_capability(view))
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[0] == "date" and "AI can automate" in header and "automated by AI" in header
    assert "frontier model, effective" in header  # quoted: names hold commas
    assert len(rows) == 1 + 24 and rows[1][0] == "2023-01-01"
    col = header.index("AI can automate")
    assert float(rows[13][col]) == pytest.approx(100 * 12 / 12 / 20.0)


def test_baseline_is_the_default_run():
    m = DashboardModel(adoption_lag=3.0)
    base = m.baseline()
    assert base.n == SimConfig().time.n_steps
    assert 2028 < base.milestones["adopted_50pct"] < 2040
    assert m.baseline() is base  # computed once per page config


def test_soc_grouping_by_first_two_characters():
    codes = ("15-1252", "15-1211", "11-1011", "43-4051")
    titles = ("Software Developers", "Analysts", "Chief Executives", "Customer Service")
    values = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    groups, names, out = figures.by_major_group(codes, titles, values)
    assert groups == ["11", "15", "43"]
    assert names == ["Management Occupations", "Computer and Mathematical Occupations",
                     "Office and Administrative Support Occupations"]
    np.testing.assert_array_equal(out, [[3.0, 3.0, 4.0], [30.0, 30.0, 40.0]])


def test_soc_grouping_of_the_builtin_table_is_the_identity():
    m = DashboardModel(extra=SHORT)
    m.step()
    v = m.view()
    groups, names, out = figures.by_major_group(v.codes, v.titles, v.occupations["employed"])
    assert groups == sorted(v.codes) and len(groups) == 22
    order = [v.codes.index(g) for g in groups]
    np.testing.assert_array_equal(out, v.occupations["employed"][:, order])
    assert names == [v.titles[i] for i in order]


def test_milestone_table():
    nan = float("nan")
    view = RunView(np.array([2023.0]), {}, {}, (), (), {"capable_20pct": 2024.25,
                                                         "adopted_95pct": nan}, 2051.0)
    rows = figures.milestone_rows(view)
    assert rows[0] == {"milestone": "AI can automate 20% of work", "this run": "2024.2"}
    assert {r["this run"] for r in rows[1:len(figures.MILESTONES)]} == {"-"}
    assert {r["this run"] for r in rows[len(figures.MILESTONES):]} == {"- / - / -"}
    with_base = figures.milestone_rows(view, view)
    assert all("baseline" in r for r in with_base)
    md = figures.milestone_markdown(view, view)
    assert md.splitlines()[0] == "| milestone | this run | baseline |"
    assert len(md.splitlines()) == 2 + len(figures.MILESTONES) + len(figures.YEAR_ROWS)
    band = Band(50, 1.0, np.array([2023.0]), {}, {"capable_20pct": (2024.0, 2025.5, np.inf,
                                                                     0.8),
                                                   "adopted_95pct": (np.inf,) * 3 + (0.2,)},
                2051.0)
    rows = figures.milestone_rows(view, None, band)
    assert rows[0][figures.ENSEMBLE_COLUMN] == "2025.5 (2024.0 to later)"
    assert rows[5][figures.ENSEMBLE_COLUMN] == "- (20% of runs reach it)"
    html = figures.milestone_html(view, view, band)
    assert html.count("<tr>") == 1 + len(rows) and "ensemble median" in html


def _monthly_view(years: float, end_year: float = 2041.0) -> RunView:
    """A hand-made view of ``years`` of monthly steps from 2023 with ramps as aggregates."""
    t = 2023.0 + np.arange(round(12 * years)) / 12
    ramp = (t - 2023.0) / 20.0
    aggs = {"capable_share": ramp, "adopted_share": ramp / 2, "augmentable_share": ramp / 4,
            "augmented_share": ramp / 3, "ai_rd_multiplier": 1.0 + 10 * ramp,
            "frontier_effective_flop": 10 ** (25 + 10 * ramp),
            "largest_run_flop": 10 ** (25 + ramp)}
    return RunView(t, aggs, {}, (), (), {}, end_year)


def test_milestone_table_gives_augmentation_and_the_rd_multiplier_at_year_ends():
    full = _monthly_view(18.0)  # 2023-01 to 2040-12
    rows = {r["milestone"]: r["this run"] for r in figures.milestone_rows(full)}
    augmented, multiplier = (rows[label] for label, _, _ in figures.YEAR_ROWS)
    ramp = {y: (y + 11 / 12 - 2023.0) / 20.0 for y in figures.TABLE_YEARS}  # at December
    assert augmented == " / ".join(f"{100 * ramp[y] / 3:.0f}%" for y in figures.TABLE_YEARS)
    assert multiplier == " / ".join(f"x{1 + 10 * ramp[y]:.3g}" for y in figures.TABLE_YEARS)
    partial = _monthly_view(7.5)  # to mid-2030: 2030 is not over yet
    assert figures.year_end_step(partial, 2025) == 35
    assert figures.year_end_step(partial, 2030) is None
    assert figures.year_end_step(_monthly_view(3.0, end_year=2026.0), 2025) == 35
    assert figures.year_end_step(_monthly_view(3.0, end_year=2026.0), 2030) is None


def test_server_is_loopback_and_offline_by_default(tmp_path):
    cmd = server_command("127.0.0.1", 8123)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "8123" and "sim.dashboard.app" in cmd
    assert "--no-check-version" in cmd  # no PyPI look-up on start
    env = server_env(None)
    assert all(env[k] == v for k, v in OFFLINE_ENV.items()) and CONFIG_ENV not in env
    cfg = tmp_path / "c.yaml"
    cfg.write_text("market:\n  adoption_lag_years: 9\n")
    assert server_env(str(cfg))[CONFIG_ENV] == str(cfg)


def test_page_starts_from_the_given_config(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("market:\n  adoption_lag_years: 9\ntime:\n  end_year: 2026\n")
    m = DashboardModel(config_path=str(cfg))
    assert m.config.market.adoption_lag_years == 9 and m.n_steps == 48
    assert controls.defaults(controls.base_config(str(cfg)))["adoption_lag"] == 9


def test_cli_dashboard_rejects_a_bad_config(tmp_path, capsys):
    from sim.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("market:\n  adoption_lag_years: -3\n")
    with pytest.raises(SystemExit) as exc:
        main(["dashboard", str(bad)])
    assert exc.value.code == 2
    assert "adoption_lag_years" in capsys.readouterr().err


def test_app_serves_plotly_from_this_server_and_runs_the_controls():
    pytest.importorskip("solara")
    from solara.server import settings

    from sim.dashboard import app

    assert (app.PLOTLY_BUNDLE_DIR / app.PLOTLY_BUNDLE).is_file()  # inside plotly's package
    assert str(app.PLOTLY_BUNDLE_DIR) in settings.assets.extra_locations
    assert app.bundle_url({"host": ["127.0.0.1:8765"]}) == \
        "http://127.0.0.1:8765/static/assets/widgetbundle.js"
    assert app.bundle_url({}) is None and app.bundle_url(None) is None
    assert app.widget_class(None) is app._FigureWidget
    assert app.widget_class("http://h/x.js")._esm == "http://h/x.js"
    out = app.run_controls(dict(controls.defaults(), extra=SHORT), None)
    assert out.model.steps_done == 60 and out.view.n == 60 and out.seconds > 0
    assert app.run_controls({"extra": SHORT}, None, should_stop=lambda: True) is None
    bad = app.run_controls({"extra": "no_such.key=1"}, None)
    assert bad.view is None and "unknown key" in bad.model.error


@pytest.mark.slow
def test_sim_dashboard_serves_on_loopback_and_stops_with_its_server():
    pytest.importorskip("solara_assets")
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sim_exe = shutil.which("sim", path=os.path.dirname(sys.executable))
    proc = subprocess.Popen([sim_exe, "dashboard", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "no answer within 60 s"
                time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    with pytest.raises(OSError):  # the solara server went with it
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


# ---------------------------------------------------------------- bad input to the page


def _bomb(levels: int) -> str:
    """A one-line billion-laughs value: item i holds 9 aliases of item i-1."""
    return "[" + ", ".join(["&l0 lol"] + [f"&l{i} [{','.join([f'*l{i - 1}'] * 9)}]"
                                          for i in range(1, levels + 1)]) + "]"


def test_a_bomb_in_more_settings_gives_a_short_message_quickly():
    import time

    t0 = time.perf_counter()
    with pytest.raises(SimInputError) as exc:
        controls.config_from_controls({"extra": "seed=" + _bomb(8)})
    text = controls.error_text(exc.value)
    assert time.perf_counter() - t0 < 1.0
    assert "too many values" in text and len(text) < 600 and "\n" not in text
    m = DashboardModel(extra="seed=" + _bomb(8))  # the page's own path
    assert m.error == text and not m.running


def test_error_text_bounds_what_it_quotes():
    from sim.errors import Problem

    huge = [list(range(1000))] * 1000  # a value whose repr would be megabytes
    exc = SimInputError("--set x=...", [Problem("k" * 5000, huge, "allowed: " + "z" * 5000)])
    text = controls.error_text(exc)
    assert len(text) < 700 and "\n" not in text
    assert len(controls.error_text(RuntimeError("e" * 100_000))) <= 400


@pytest.mark.parametrize("extra", ["tasks.name=../../path/x", "tasks.name=" + "a" * 300,
                                   "tasks.name=/etc/passwd"],
                         ids=["relative_path", "300_characters", "absolute_path"])
def test_rules_paths_are_refused_from_the_page(extra):
    m = DashboardModel(extra=extra)
    assert m.error is not None and "tasks.name" in m.error and "one of" in m.error
    assert not m.running and len(m.error) < 600


def test_more_settings_is_bounded():
    too_long = DashboardModel(extra="x" * (controls.MAX_EXTRA_CHARS + 1))
    assert "More settings" in too_long.error and "characters" in too_long.error
    too_many = DashboardModel(extra="seed=1;" * (controls.MAX_EXTRA_SETTINGS + 1))
    assert "More settings" in too_many.error and "settings" in too_many.error
    ok = controls.extra_settings("seed=1;" * controls.MAX_EXTRA_SETTINGS)
    assert len(ok) == controls.MAX_EXTRA_SETTINGS


# ---------------------------------------------------------------- --host and --port


@pytest.mark.parametrize("host", ["not a host", "example.com", "8.8.8.8", ""],
                         ids=["spaces", "a_name", "not_this_machine", "empty"])
def test_cli_dashboard_refuses_a_bad_host(capsys, host):
    from sim.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["dashboard", "--host", host])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1, err
    assert err.startswith("error: sim dashboard: --host = ") and "allowed: an IP address" in err


def test_good_hosts_pass_the_check():
    from sim.dashboard.serve import check_address

    with socket.socket() as s:  # a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for host in ("127.0.0.1", "localhost", "0.0.0.0"):
        check_address(host, port)  # no exception


def test_cli_dashboard_refuses_a_port_in_use(capsys):
    from sim.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exc:
            main(["dashboard", "--port", str(port)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"--port = {port}" in err and "in use" in err, err
