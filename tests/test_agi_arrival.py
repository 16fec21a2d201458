"""The AGI-arrival experiment runs end to end and compares like with like."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("agi_arrival",
                                                  ROOT / "experiments" / "agi_arrival.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_probability_by_counts_unreached_runs_as_not_yet():
    mod = _load()
    years = np.array([2030.5, 2040.0, np.nan, np.nan])
    assert mod.probability_by(years, 2030) == 0.25
    assert mod.probability_by(years, 2070) == 0.5
    assert list(mod.comparison(years)["year"]) == [2028, 2035, 2045, 2070]


def test_experiment_writes_table_and_figure(tmp_path, capsys):
    mod = _load()
    assert mod.main(["--runs", "4", "--workers", "1", "--out", str(tmp_path), "--quiet",
                     "--no-check"]) == 0
    table = pd.read_csv(tmp_path / "agi_arrival.csv")
    assert list(table["irpan_2024"]) == [0.10, 0.25, 0.50, 0.90]
    assert table["model"].is_monotonic_increasing
    assert (tmp_path / "agi_arrival.png").is_file()
    out = capsys.readouterr().out
    assert "Irpan 2024" in out and "Spearman" in out and "20% year" in out
    assert out.count("PASS") + out.count("FAIL") == 6


def test_checks_fail_on_a_far_forecast_and_a_dominant_parameter():
    mod = _load()
    table = mod.comparison(np.array([2026.0] * 10))   # everything by 2026: far from Irpan
    rho = pd.Series({"robotics.capability_coupling": -0.9})
    results = mod.checks(table, rho, np.array([2030.0] * 10))
    assert [passed for *_, passed in results] == [False, False, False, True, False, False]
