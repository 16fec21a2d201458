"""`sim analyze`: scenario discovery (PRIM) finds the parameter range that decides a condition,
delta and PAWN rank that parameter first on a Latin sample, small samples are warned about, bad
conditions are refused with one line, and the HTML report is self-contained.

The main sweep is a world where one parameter decides: 300 runs to 2030 over the adoption lag
(which sets how much of the work AI can do gets done by 2030) and two parameters that do not
touch adoption (the electricity price and human reading speed).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.sweep import load_sweep, run_sweep
from sim.sweep.analysis import analyze_sweep
from sim.sweep.discovery import Condition, parse_condition
from sim.sweep.sensitivity import sample_size_warning
from tests.sweep_helpers import summary, tiny_spec
from tests.test_bad_input import assert_one_message, run_cli

LAG = "market.adoption_lag_years"
IRRELEVANT = ("hardware.electricity_usd_per_kwh", "copies.human_words_per_minute")
KNOWN = f"""
name: known
seed: 3
sampler: latin
runs: 300
chunk_size: 300
set: ["time.end_year=2030"]
parameters:
  {LAG}: {{dist: uniform, low: 2, high: 12}}
  {IRRELEVANT[0]}: {{dist: uniform, low: 0.04, high: 0.2}}
  {IRRELEVANT[1]}: {{dist: uniform, low: 250, high: 500}}
outputs:
  years: [2030]
  aggregates: [adopted_share, unemployment_rate]
  milestones: true
"""
OUTPUT = "adopted_share@2030"


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """The sweep where the adoption lag decides, its summary, the condition (adopted share in
    2030 above its median) and the analysis of it.
    """
    tmp = tmp_path_factory.mktemp("known")
    (tmp / "known.yaml").write_text(KNOWN)
    run_sweep(load_sweep(tmp / "known.yaml"), tmp / "sweep", workers=1, progress=False)
    df = summary(tmp / "sweep")
    threshold = float(df[OUTPUT].median())
    condition = f"{OUTPUT} > {threshold:.6g}"
    report = analyze_sweep(tmp / "sweep", discover=[condition])
    return tmp / "sweep", df, condition, report


def true_threshold(lag: np.ndarray, holds: np.ndarray) -> float:
    """The lag t for which 'lag < t' best reproduces where the condition holds."""
    cuts = np.sort(lag)
    errors = [np.mean((lag < t) != holds) for t in cuts]
    return float(cuts[int(np.argmin(errors))])


def test_discovery_finds_the_deciding_parameter_and_its_threshold(known):
    folder, df, condition, report = known
    holds = df[OUTPUT].to_numpy() > float(condition.split(">")[1])
    lag = df[LAG].to_numpy()
    truth = true_threshold(lag, holds)
    assert np.mean((lag < truth) == holds) > 0.9  # the world is as built: the lag decides
    boxes = pd.read_csv(folder / "analysis" / "discovery_boxes.csv")
    assert list(boxes["parameter"]) == [LAG], boxes  # restricts the lag, not the irrelevant two
    box = boxes.iloc[0]
    assert box["low"] == pytest.approx(lag.min())  # open below: short lags all qualify
    assert abs(box["high"] - truth) < 0.5, (box["high"], truth)  # within 5% of the range
    assert box["coverage"] > 0.9 and box["density"] > 0.9
    assert box["mass"] == pytest.approx(box["runs_in_box"] / len(df))
    assert box["qp"] < 1e-6
    found = report.discoveries[0]
    assert found.holds == holds.sum() and found.ok_runs == len(df)
    text = report.text()
    assert f"Scenario discovery (PRIM): {condition}" in text
    assert re.search(rf"{re.escape(LAG)}: <= {box['high']:.4g} \(sampled", text), text
    trajectory = pd.read_csv(folder / "analysis" / "discovery_trajectories.csv")
    chosen = trajectory[trajectory["chosen"]]
    assert len(chosen) == 1 and chosen["coverage"].iloc[0] == pytest.approx(box["coverage"])
    assert trajectory["coverage"].iloc[0] == 1.0  # the trajectory starts from all runs
    assert (folder / "analysis" / "discovery_1.png").stat().st_size > 10_000


def test_delta_and_pawn_rank_the_deciding_parameter_first(known):
    folder, _, _, report = known
    table = pd.read_csv(folder / "analysis" / "sensitivity_indices.csv")
    assert set(table["parameter"]) == {LAG, *IRRELEVANT}
    for output in (OUTPUT, "unemployment_rate@2030"):
        g = table[table["output"] == output].set_index("parameter")
        assert g["delta"].idxmax() == LAG and g["pawn"].idxmax() == LAG, g
        assert g.loc[LAG, "delta"] - g.loc[LAG, "delta_conf"] > g.loc[LAG, "delta_chance"]
        assert g.loc[LAG, "delta"] > 3 * g.loc[list(IRRELEVANT), "delta"].max()
        assert g.loc[LAG, "rank"] == 1
        assert (g["delta_conf"] > 0).all()
    assert report.indices is not None and not report.warnings  # 300 runs: no warning
    names = {p.name for p in report.figures}
    assert {"sensitivity_indices.png", "sensitivity_scatter.png", "discovery_1.png"} <= names


def test_the_html_report_is_self_contained_and_lists_everything(known):
    folder, _, condition, report = known
    page = (folder / "analysis" / "report.html").read_text()
    assert report.html == folder / "analysis" / "report.html"
    assert "<script" not in page and "<link" not in page and "http" not in page
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert len(images) == len(report.figures)  # every figure, embedded
    assert condition.replace(">", "&gt;") in page
    assert "Strongest parameters of each output" in page and "adoption_lag_years" in page
    assert "Scenario discovery" in page and "Sensitivity" in page


BAD_CONDITIONS = [
    ("malformed", "adopted_share@2030 about 0.1", "is not a comparison"),
    ("unknown_column", "adopted_shar@2030 < 0.1", "did you mean adopted_share@2030"),
    ("year_not_kept", "adopted_share@2040 < 0.1", "not kept at 2040"),
    ("a_parameter", f"{LAG} < 5", "a swept parameter, not an output"),
    ("equality", "adopted_share@2030 == 0.1", "unknown comparison '=='"),
    ("not_a_number", "adopted_share@2030 < abc", "'abc' is not a finite number"),
    ("nan", "adopted_share@2030 < nan", "'nan' is not a finite number"),
    ("empty", "  ", "empty"),
    ("holds_nowhere", "adopted_share@2030 > 5", "holds in none of the 300 ok runs"),
    ("holds_everywhere", "adopted_share@2030 < 5", "holds in every one of the 300 ok runs"),
    ("milestone_never_before", "milestone.capable_95pct < 2040", "holds in none"),
    ("second_clause_bad", "adopted_share@2030 > 0.01 and unemployment_rate < 1",
     "no such output column 'unemployment_rate'"),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in BAD_CONDITIONS],
                         ids=[c[0] for c in BAD_CONDITIONS])
def test_a_bad_condition_exits_2_with_one_line_and_writes_nothing(known, capsys, tmp_path,
                                                                   text, expected):
    folder = known[0]
    before = sorted(p.name for p in folder.iterdir())
    out = tmp_path / "analysis"
    code, stdout, err = run_cli(capsys, "analyze", folder, "--discover", text, "--out", out)
    assert_one_message(code, err, "--discover", expected)
    assert not out.exists() and sorted(p.name for p in folder.iterdir()) == before


def test_conditions_parse_join_with_and_and_count_milestones_not_reached_as_late():
    outputs = ["unemployment_rate@2040", "milestone.capable_95pct"]
    cond = parse_condition("unemployment_rate@2040<0.2 and milestone.capable_95pct >= 2045",
                           outputs, ("market.adoption_lag_years",))
    assert isinstance(cond, Condition) and len(cond.clauses) == 2
    assert cond.label() == "unemployment_rate@2040 < 0.2 and milestone.capable_95pct >= 2045"
    df = pd.DataFrame({"unemployment_rate@2040": [0.1, 0.1, 0.3, 0.1],
                       "milestone.capable_95pct": [2050.0, np.nan, np.nan, 2040.0]})
    assert list(cond.holds(df)) == [True, True, False, False]
    late = parse_condition("milestone.capable_95pct > 2045", outputs, ())
    early = parse_condition("milestone.capable_95pct <= 2045", outputs, ())
    assert list(late.holds(df)) == [True, True, True, False]
    assert list(early.holds(df)) == [False, False, False, True]


def test_sample_size_rule_of_thumb():
    assert sample_size_warning(400, 6) is None
    assert "10 runs per parameter" in sample_size_warning(60, 3)  # under 100 in all
    assert "(160 here" in sample_size_warning(120, 16)  # under 10 per parameter
    assert "no indices" in sample_size_warning(12, 3)


def test_a_small_sample_warns_on_stderr_and_still_analyses(tmp_path, capsys):
    spec = tiny_spec(tmp_path, runs=30, chunk=30)
    run_sweep(spec, tmp_path / "s", workers=1, progress=False)
    middle = float(summary(tmp_path / "s")["unemployment_rate@2025"].median())
    code, stdout, err = run_cli(capsys, "analyze", tmp_path / "s", "--discover",
                                f"unemployment_rate@2025 > {middle:.9g}")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert any("delta and PAWN: 30 ok runs for 3 parameters" in w for w in warnings), err
    assert "Sensitivity (delta" in stdout and "Report: " in stdout
    assert (tmp_path / "s" / "analysis" / "sensitivity_indices.csv").is_file()


GRID = """
name: grid
seed: 5
sampler: grid
set: ["time.end_year=2025", "tasks.automation.requirement_100pct_oom=30.0"]
parameters:
  market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: 5}
  capital.investor_growth_per_yr: {dist: uniform, low: 0.2, high: 0.9, levels: 5}
outputs:
  years: [2025]
  aggregates: [unemployment_rate]
  milestones: false
"""


def test_grid_sample_gets_delta_and_pawn(tmp_path):
    (tmp_path / "grid.yaml").write_text(GRID)
    run_sweep(load_sweep(tmp_path / "grid.yaml"), tmp_path / "g", workers=1, progress=False)
    report = analyze_sweep(tmp_path / "g")
    g = report.indices.set_index("parameter")
    assert list(report.indices["output"].unique()) == ["unemployment_rate@2025"]
    assert g["delta"].idxmax() == LAG and g["pawn"].idxmax() == LAG
    assert any("25 ok runs" in w for w in report.warnings)
    assert Path(report.html).is_file()


def test_figure_labels_keep_the_parameter_section():
    from sim.sweep.sensitivity import short_names

    keys = ["algorithms.software_returns", "labs.0.human_researchers",
            "labs.1.human_researchers"]
    assert short_names(keys) == {"algorithms.software_returns": "algorithms: software returns",
                                 "labs.0.human_researchers": "labs.0: human researchers",
                                 "labs.1.human_researchers": "labs.1: human researchers"}
    assert short_names(keys, words=False)["algorithms.software_returns"] == "software_returns"
