"""The dashboard without a browser: controls -> config, validation messages, the stepped
model, chart data, the SOC grouping, the milestone table and the server command.
"""

from __future__ import annotations

import math
import socket

import numpy as np
import pytest

from sim.config import SimConfig
from sim.dashboard import controls, figures
from sim.dashboard.serve import OFFLINE_ENV, server_command, server_env
from sim.dashboard.session import CONFIG_ENV, MONTHS_PER_STEP, DashboardModel, RunView
from sim.errors import SimInputError
from sim.run_data import WORK_SHARE_LINES, work_shares

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


def test_scenario_keeps_its_values_under_untouched_sliders():
    cfg = controls.config_from_controls(dict(controls.defaults(), scenario="compute_boom"))
    assert cfg.capital.wakeup_growth_per_yr == 0.9  # the overlay's, not the slider's 0.5
    moved = dict(controls.defaults(), scenario="compute_boom", investment_growth=0.3)
    assert controls.config_from_controls(moved).capital.wakeup_growth_per_yr == 0.3


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
    return {line.get_label(): np.asarray(line.get_ydata()) for ax in fig.axes
            for line in ax.get_lines() if not line.get_label().startswith("_")}


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
    assert figures.png(figures.workforce(a)) != figures.png(figures.workforce(b))


def test_every_chart_draws_partial_full_and_with_baseline(monkeypatch):
    m = DashboardModel(extra=SHORT)
    for name, build in figures.CHARTS.items():
        fig = build(m.view())  # nothing run yet
        assert fig.axes and all(ax.get_title(loc="left") for ax in fig.axes), name
    m.step()
    base = m.view()
    m.run_to_end()
    for name, build in figures.CHARTS.items():
        fig = build(m.view(), base)
        assert any(line.get_label() and "baseline" in line.get_label()
                   for ax in fig.axes for line in ax.get_lines()), name
        for ax in fig.axes:  # every axis says what it shows and in what unit
            assert ax.get_ylabel() and ax.get_xlabel() == "year", (name, ax.get_title(loc="left"))
        assert figures.png(fig)[:4] == b"\x89PNG"


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


def test_share_chart_draws_automation_and_augmentation():
    view = _monthly_view(18.0)
    fig = figures.compute_and_capability(view, _monthly_view(18.0))
    drawn = _lines(fig)
    shares = work_shares(view.aggregates.__getitem__)
    for line in WORK_SHARE_LINES:  # fails if an augmentation or automation line goes
        np.testing.assert_allclose(drawn[line.short], 100 * shares[line.key])
    np.testing.assert_allclose(drawn["AI can help"], 100 * (view.times - 2023.0) / 20 * 1.25)
    share_axis = fig.axes[1]
    legend = [t.get_text() for t in share_axis.get_legend().get_texts()]
    assert legend == [line.short for line in WORK_SHARE_LINES]
    baseline = [ln for ln in share_axis.get_lines() if ln.get_color() == figures.BASE["color"]]
    assert len(baseline) == len(WORK_SHARE_LINES)  # the baseline's four lines, in grey


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


def test_app_module_builds_its_controls():
    pytest.importorskip("solara")
    from sim.dashboard import app

    params = app.model_params(None)
    names = set(params) - {"config_path"}
    assert {s.name for s in controls.SLIDERS} <= names
    assert {"training_cap", "scenario", "extra"} <= names
    assert params["scenario"]["values"][0] == controls.BASE_SCENARIO
    assert "compute_boom" in params["scenario"]["values"]
    assert len(app.COMPONENTS) == 2 + len(figures.CHARTS)


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
