"""`sim report` and `sim compare`: self-contained HTML with every named figure embedded, tables
present, no external references; bad input exits 2 with one line; the figure data functions
aggregate correctly on a tiny hand-made run."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import EXIT_BAD_INPUT
from sim.figures import economy as ef
from sim.figures import labour as lf
from sim.figures.common import milestone_year
from sim.outputs.manifest import file_entry
from sim.outputs.output import write_run
from sim.outputs.run_data import RunData, load_run
from tests.test_bad_input import run_cli

FIGURE_NAMES = {spec.name for spec in lf.FIGURES}
#: The figures of a report: the labour figures and the Economy section's (a compare has the
#: labour figures alone).
REPORT_FIGURES = FIGURE_NAMES | {spec.name for spec in ef.FIGURES}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def short_dir(tmp_path_factory) -> Path:
    """A four-year run (2023-2026) written as Parquet."""
    cfg = sim.load_config(overrides=["time.end_year=2026"])
    out = tmp_path_factory.mktemp("report") / "short"
    return write_run(sim.run(cfg), out, plots=False, command="sim run --set time.end_year=2026")


def embedded_figures(html: str) -> dict[str, bytes]:
    """Figure name -> decoded PNG of every <img data-figure=...> in the page."""
    found = re.findall(r'<img data-figure="([^"]+)"[^>]*src="data:image/png;base64,([^"]*)"',
                       html)
    return {name: base64.b64decode(b64, validate=True) for name, b64 in found}


def assert_self_contained(html: str):
    for attr in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert attr.startswith(("data:image/png;base64,", "#")), attr[:60]
    lowered = html.lower()
    for bad in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert bad not in lowered, bad


def assert_figures_embedded(html: str, names: set[str] = REPORT_FIGURES):
    figures = embedded_figures(html)
    named = set(re.findall(r'<section id="fig-([^"]+)"', html))
    assert named == names
    assert set(figures) == names
    for name, png in figures.items():
        assert png.startswith(PNG_SIGNATURE), name
        width, height = struct.unpack(">II", png[16:24])
        assert width >= 800 and height >= 400, (name, width, height)
        assert len(png) > 20_000, name  # a blank figure compresses to a few kB


def test_report_embeds_every_figure(short_dir, capsys, tmp_path):
    out = tmp_path / "r.html"
    code, stdout, err = run_cli(capsys, "report", short_dir, "--out", out)
    assert code == 0, err
    assert str(out) in stdout
    html = out.read_text()
    assert_figures_embedded(html)
    assert_self_contained(html)
    assert html.count("<table") >= 6
    for heading in ("Headline milestones", "Ten most displaced occupations",
                    "Exposure by Job Zone", "How to read this"):
        assert heading in html
    assert "seed" in html and sim.__version__ in html
    assert not [p for p in tmp_path.iterdir() if p.name != "r.html"]  # no partial file left


def test_report_default_location_and_csv_folder(tmp_path, capsys):
    cfg = sim.load_config(overrides=["time.end_year=2024"])
    folder = write_run(sim.run(cfg), tmp_path / "csvrun", fmt="csv", plots=False,
                       command="sim run --scenario slow_adoption")
    code, _, err = run_cli(capsys, "report", folder)
    assert code == 0, err
    html = (folder / "report.html").read_text()
    assert_figures_embedded(html)
    assert "slow_adoption" in html  # the scenario named in the manifest's command
    run = load_run(folder)
    assert run.codes[0] == "11" and run.info["soc_major"].iloc[0] == "11"  # codes stay text


def test_compare_folder_and_scenario_name(short_dir, capsys, tmp_path):
    out = tmp_path / "cmp.html"
    code, stdout, err = run_cli(capsys, "compare", short_dir, "default", "--out", out)
    assert code == 0, err
    assert "AI can automate 50%" in stdout and "short" in stdout and "default" in stdout
    assert "done with AI's help" in stdout
    html = out.read_text()
    assert_figures_embedded(html, FIGURE_NAMES)
    assert_self_contained(html)
    assert "Milestones and peak unemployment" in html
    assert html.count("Ten most displaced") == 1
    assert html.count("share of start employment") == 2  # one displaced table per run


@pytest.mark.parametrize("args, names", [
    (["report", "{missing}"], "RUN_DIR"),
    (["report", "{empty}"], "manifest.json"),
    (["report", "{no_occupations}"], "occupations.parquet"),
    (["compare", "{short}"], "fewer than 2 runs"),
    (["compare", "{short}", "no_such_scenario"], "RUN 2"),
    (["report", "{short}", "--out", "{empty}"], "--out"),
])
def test_bad_input_exits_2_with_one_line(short_dir, tmp_path, capsys, args, names):
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken"
    shutil.copytree(short_dir, broken)
    (broken / "occupations.parquet").unlink()
    paths = {"missing": tmp_path / "nope", "empty": empty, "no_occupations": broken,
             "short": short_dir}
    code, _, err = run_cli(capsys, *[a.format(**paths) for a in args])
    assert code == EXIT_BAD_INPUT
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert names in lines[0] and "allowed" in lines[0]


def test_folder_without_the_augmentation_columns_is_refused(short_dir, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(short_dir, old)
    agg = pd.read_parquet(old / "aggregates.parquet")
    agg.drop(columns=["augmented_share", "augmentable_share", "ai_rd_multiplier"]).to_parquet(
        old / "aggregates.parquet", index=False)
    refresh_manifest(old, "aggregates.parquet")
    code, _, err = run_cli(capsys, "report", old)
    assert code == EXIT_BAD_INPUT
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: RUN_DIR"), err
    assert "augmentable_share" in lines[0] and "older version" in lines[0]
    assert "run it again" in lines[0] and not (old / "report.html").exists()


def test_report_shows_augmentation_and_the_rd_multiplier(short_dir, tmp_path, capsys):
    out = tmp_path / "r.html"
    code, _, err = run_cli(capsys, "report", short_dir, "--out", out)
    assert code == 0, err
    html = out.read_text()
    assert "rd_speedup" in FIGURE_NAMES and 'id="fig-rd_speedup"' in html
    assert "AI can automate 20% of wage-weighted work" in html
    assert "AI can do" not in html  # automation is named as such everywhere
    run = load_run(short_dir)
    label, value = [r for r in lf.milestone_table(run) if r[0] == lf.AUGMENTED_LABEL][0]
    share = run.agg("augmented_share")[run.step_of_year(2025)]
    assert value == f"{100 * share:.1f}% in 2025" and html.count(value) == 1
    assert "AI can help (augment or automate), first step" in html


def test_compare_runs_on_different_occupation_tables_by_major_group(short_dir, tmp_path,
                                                                   capsys):
    other = detailed_copy(short_dir, tmp_path / "detailed", per_group=3)
    code, stdout, err = run_cli(capsys, "compare", short_dir, other, "--out", tmp_path / "c.html")
    assert code == 0, err
    assert "occupation tables differ (66 vs 22 occupations)" in stdout
    html = (tmp_path / "c.html").read_text()
    assert_figures_embedded(html, FIGURE_NAMES)


def test_compare_tells_the_story_first(tmp_path, capsys):
    # a slower adoption moves the automation milestones years later; the compare says so
    # first, names the parameter that differs, gives months as YYYY-MM and each later run's
    # difference from the first, and flags a peak still rising at the end
    runs = []
    for name, lag in (("fast", 4), ("slow", 15)):
        cfg = sim.load_config(overrides=["time.end_year=2040", f"market.adoption_lag_years={lag}"])
        runs.append(write_run(sim.run(cfg), tmp_path / name, plots=False))
    code, stdout, err = run_cli(capsys, "compare", *runs, "--out", tmp_path / "c.html")
    assert code == 0, err
    findings, params, table = stdout.split("\n\n")[:3]
    assert findings.startswith("'slow' against 'fast':")
    first_move = findings.splitlines()[1]
    assert "years later" in first_move or "not by 2040" in first_move
    assert params.splitlines()[1:] == ["parameter                  fast  slow",
                                       "market.adoption_lag_years  4     15"]
    fast, slow = (load_run(r) for r in runs)
    year = milestone_year(slow, "adopted_20pct") - milestone_year(fast, "adopted_20pct")
    row = [line for line in table.splitlines() if line.startswith("20% of wage-weighted")][0]
    assert f"({year:+.1f} yr)" in row and re.search(r"\b20\d\d-\d\d\b", row)
    rising = [lf.peak(r)[2] for r in (fast, slow)]
    peaks = [line for line in table.splitlines() if line.startswith("Peak unemployment")][0]
    assert peaks.count("still rising at the end") == sum(rising)
    html = (tmp_path / "c.html").read_text()
    assert html.index("Key findings") < html.index("Parameters that differ") < html.index(
        "Milestones and peak unemployment")


# ----------------------------------------------------------------------------- data functions

def tiny_run() -> RunData:
    """Four occupations in two major groups over three steps, with round numbers."""
    info = pd.DataFrame({
        "occupation": ["11-0001", "11-0002", "43-0001", "43-0002"],
        "title": ["A", "B", "C", "D"], "soc_major": ["11", "11", "43", "43"],
        "soc_major_title": ["Management Occupations"] * 2 + ["Office Occupations"] * 2,
        "employment_start": [100.0, 300.0, 200.0, 400.0],
        "wage_usd_per_hour_start": [40.0, 10.0, 20.0, 30.0],
        "job_zone": [4.4, 2.2, 1.6, np.nan],
        "exposure_score": [0.5, 0.1, 0.3, 0.9],
    })
    steps = 3
    series = {
        "employed": [[100, 300, 200, 400], [90, 300, 150, 400], [80, 250, 100, 400]],
        "unemployed": [[0] * 4] * 3, "retraining": [[0] * 4] * 3,
        "wage_usd_per_hour": [[40, 10, 20, 30], [20, 10, 20, 30], [20, 5, 10, 60]],
        "automated_share": [[0.0, 0.1, 0.2, 0.0], [0.6, 0.2, 0.5, 0.0], [0.9, 0.4, 0.7, 0.1]],
        "capable_share": [[0.2, 0.0, 0.4, 0.6], [0.5, 0.2, 0.6, 0.8], [1, 1, 1, 1]],
        "augmentable_share": [[0.3, 0.5, 0.1, 0.0], [0.2, 0.4, 0.2, 0.1], [0, 0, 0, 0]],
        "displaced_total": [[0, 0, 0, 0], [10, 0, 50, 0], [20, 50, 100, 0]],
        "reemployed_total": [[0] * 4, [0] * 4, [5, 0, 10, 0]],
    }
    rows = []
    for t in range(steps):
        for o, code in enumerate(info["occupation"]):
            row = {"step": t, "year": 2023 + t, "occupation": code}
            row.update({k: float(v[t][o]) for k, v in series.items()})
            rows.append(row)
    agg = pd.DataFrame({"step": range(steps), "year": [2023.0, 2024.0, 2025.0],
                        "date": ["2023-01", "2024-01", "2025-01"],
                        "unemployment_rate": [0.0, 0.05, 0.1],
                        "displaced_total": [0.0, 60.0, 170.0], "unemployed": [0.0] * 3,
                        "retraining": [0.0] * 3,
                        "capable_share": [0.1, 0.4, 0.9], "adopted_share": [0.0, 0.1, 0.3],
                        "augmentable_share": [0.2, 0.3, 0.05],
                        "augmented_share": [0.01, 0.2, 0.15],
                        "rd_speedup": [1.0, 2.0, 4.0], "ai_rd_multiplier": [1.0, 3.0, 30.0],
                        "software_growth_oom_per_yr": [0.4, 0.8, 1.6],
                        "hardware_growth_oom_per_yr": [0.2, 0.25, 0.3],
                        "research_automation_share": [0.0, 0.5, 0.96]})
    return RunData("tiny", "memory", agg, pd.DataFrame(rows), info,
                   {"capable_50pct": 2024.0}, {"scenario": "t", "seed": 1, "version": "x"})


def test_bars_at_the_minimum_wage_are_marked():
    # occupation B earns $5/h in 2025: at a $5 floor its bin and Job Zone are hatched (the
    # floor, not the market, holds them), and the figure says so
    run = tiny_run()
    assert not lf.at_wage_floor(run, lf.wage_bins(run.info, 5), [2024, 2025]).any().any()
    run.config = sim.SimConfig(labour={"wage_floor_usd_per_hour": 5.0})
    marks = lf.at_wage_floor(run, lf.wage_bins(run.info, 5), [2024, 2025])
    assert marks[2025].to_dict() == {1: True, 3: False, 4: False, 5: False}
    assert not marks[2024].any()
    fig = lf.fig_wage_change([run])
    hatched = [bar for ax in fig.axes for bar in ax.patches if bar.get_hatch()]
    assert len(hatched) == 2  # its quintile's and its Job Zone's 2025 bars
    assert any("minimum" in t.get_text() for legend in fig.legends for t in legend.get_texts())


def test_wage_bins_follow_employment_weighted_start_wage():
    run = tiny_run()
    # sorted by wage: B $10 (300), C $20 (200), D $30 (400), A $40 (100) of 1000 workers;
    # middles of their workers at 0.15, 0.4, 0.7, 0.95
    bins = lf.wage_bins(run.info, 5)
    assert bins.to_dict() == {"11-0002": 1, "43-0001": 3, "43-0002": 4, "11-0001": 5}
    assert lf.n_wage_bins(4) == 5 and lf.n_wage_bins(800) == 10


def test_wage_change_is_start_employment_weighted():
    run = tiny_run()
    groups = pd.Series(["x", "x", "y", "y"], index=run.codes)
    change = lf.wage_change(run, groups, [2025])
    # x: (100*20 + 300*5) / (100*40 + 300*10) - 1; y: (200*10 + 400*60) / (200*20 + 400*30) - 1
    assert change.loc["x", 2025] == pytest.approx(3500 / 7000 - 1)
    assert change.loc["y", 2025] == pytest.approx(26000 / 16000 - 1)
    jz = lf.wage_change(run, lf.job_zones(run.info), [2024])
    assert list(jz.index) == [2.0, 4.0]  # 1.6 rounds to 2 with 2.2; unknown zone dropped
    assert jz.loc[4.0, 2024] == pytest.approx(-0.5)


def test_exposure_by_job_zone_weights_by_start_employment():
    tab = lf.exposure_by_job_zone(tiny_run())
    assert list(tab.index) == [2, 4]
    z2 = tab.loc[2]  # occupations B (300) and C (200)
    assert z2["employment_start"] == 500
    assert z2["capable_share_start"] == pytest.approx((300 * 0.0 + 200 * 0.4) / 500)
    assert z2["exposure_score"] == pytest.approx((300 * 0.1 + 200 * 0.3) / 500)
    assert z2["automated_share_end"] == pytest.approx((300 * 0.4 + 200 * 0.7) / 500)
    # AI can help = augmentable + capable, at the first step and at the end of 2025
    assert z2["can_help_share_start"] == pytest.approx((300 * 0.5 + 200 * 0.5) / 500)
    assert z2["can_help_share_early"] == pytest.approx(1.0)
    assert tab["employment_start"].sum() == 600  # D has no Job Zone


def test_work_share_data_has_automation_and_augmentation():
    run = tiny_run()
    data = lf.work_share_data(run)
    assert list(data.columns) == ["year"] + [line.key for line in lf.WORK_SHARE_LINES]
    assert data["can_help"].tolist() == pytest.approx([0.3, 0.7, 0.95])  # augment + automate
    assert data["augmented"].tolist() == [0.01, 0.2, 0.15]
    assert data["can_automate"].tolist() == [0.1, 0.4, 0.9]
    assert data["automated"].tolist() == [0.0, 0.1, 0.3]


def _drawn(fig) -> dict[str, np.ndarray]:
    return {line.get_label(): np.asarray(line.get_ydata(), float) for ax in fig.axes
            for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_work_share_figure_draws_every_line():
    run = tiny_run()
    fig = lf.fig_work_share([run])
    drawn = _drawn(fig)
    data = lf.work_share_data(run)
    for line in lf.WORK_SHARE_LINES:  # fails if an augmentation or automation line goes
        np.testing.assert_allclose(drawn[line.label], 100 * data[line.key])
    assert {"AI can help: augment or automate", "done with AI's help (augmented)"} <= set(drawn)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [line.label for line in lf.WORK_SHARE_LINES]
    other = RunData(**{**tiny_run().__dict__, "label": "other", "_cache": {}})
    compare = lf.fig_work_share([run, other])  # runs compared: one style per series
    styles = {h.get_linestyle() for h in compare.axes[0].get_legend().get_lines()}
    assert len(styles) == len(lf.WORK_SHARE_LINES)
    plt.close("all")


def test_rd_data_and_figure_show_the_multiplier_and_rates():
    run = tiny_run()
    data = lf.rd_data(run)
    assert data["ai_rd_multiplier"].tolist() == [1.0, 3.0, 30.0]
    assert data["software_growth_oom_per_yr"].tolist() == [0.4, 0.8, 1.6]
    assert data["hardware_growth_oom_per_yr"].tolist() == [0.2, 0.25, 0.3]
    assert data["research_automation_share"].tolist() == [0.0, 0.5, 0.96]
    assert data["software_base_rate"].tolist() == pytest.approx([0.4] * 3)  # 0.8 / 2.0 ...
    fig = lf.fig_rd([run])
    multiplier, rates, automation = fig.axes
    assert multiplier.get_yscale() == "log" and "people alone" in multiplier.get_ylabel()
    np.testing.assert_allclose(multiplier.get_lines()[0].get_ydata(), [1.0, 3.0, 30.0])
    drawn = _drawn(fig)
    for line in lf.RD_RATE_LINES:
        np.testing.assert_allclose(drawn[line.label], data[line.key])
    assert "OOM/yr" in rates.get_ylabel() and "software" in rates.get_title()
    assert "multiplier" in multiplier.get_title().lower()
    np.testing.assert_allclose(automation.get_lines()[0].get_ydata(), [0.0, 50.0, 96.0])
    plt.close("all")


def test_headline_table_gives_the_augmented_share():
    run = tiny_run()
    rows = dict(lf.milestone_table(run))
    assert rows[lf.AUGMENTED_LABEL] == "15.0% in 2025"  # 2030 and 2040 are past the run
    assert lf.augmented_at(run, (2024, 2025, 2030)) == {2024: 0.2, 2025: 0.15}
    assert all("automat" in k.lower() for k in lf.MILESTONE_LABELS.values())


def test_crossings_first_last_displaced_and_groups():
    run = tiny_run()
    years = lf.crossing_years(run, 0.5)
    assert years["11-0001"] == 2024 and years["43-0001"] == 2024
    assert np.isnan(years["11-0002"]) and np.isnan(years["43-0002"])
    early, late = lf.first_and_last(run, n=10, threshold=0.5)
    assert late == [] and early == ["11-0001", "43-0001", "11-0002", "43-0002"]
    top = lf.top_displaced(run, 2)
    assert top["occupation"].tolist() == ["43-0001", "11-0002"]
    assert top["share_of_start"].tolist() == pytest.approx([0.5, 50 / 300])
    emp = lf.employment_by_major(run)
    assert emp.columns.tolist() == ["43", "11"]  # larger group at the start first
    assert emp["11"].tolist() == [400, 390, 330]
    f = lf.flows(run)
    assert f["reemployed_cumulative"].tolist() == [0, 0, 15]
    shares = lf.group_automated_share(run)  # weighted by 2023 employment: 100/300, 200/400
    np.testing.assert_allclose(shares["11"], [0.075, 0.3, 0.525])
    np.testing.assert_allclose(shares["43"], [40 / 600, 100 / 600, 0.3])
    assert lf.most_affected(run) == ["11", "43"]
    assert lf.peak(run) == (0.1, 2025.0, True)  # the last value, up on a year before
    assert lf.peak_text(run) == "10.0% in 2025-01, still rising at the end"


# ----------------------------------------------------------------------------- ~800 occupations

def detailed_copy(src: Path, dst: Path, per_group: int) -> Path:
    """Fake a detailed-occupation folder: each major group split into ``per_group``
    occupations with 7-character codes, shifted automation and varied wages.
    """
    rng = np.random.default_rng(0)
    shutil.copytree(src, dst)
    info = pd.read_parquet(src / "occupation_info.parquet")
    occ = pd.read_parquet(src / "occupations.parquet")
    new_info, parts = [], []
    for _, g in info.iterrows():
        weights = rng.dirichlet(np.ones(per_group))
        base = occ[occ["occupation"] == g["occupation"]].sort_values("step")
        for k, w in enumerate(weights):
            code = f"{g['occupation']}-{1000 + 7 * k:04d}"
            title = f"{g['title'].replace(' Occupations', '')} specialists, kind {k}"
            f = base.copy()
            for col in ("employed", "unemployed", "retraining", "displaced_total",
                        "reemployed_total"):
                f[col] = f[col] * w
            f["wage_usd_per_hour"] *= 0.5 + k / per_group
            f["automated_share"] = np.clip(f["automated_share"] * rng.uniform(0.3, 1.5), 0, 1)
            f["occupation"], f["title"] = code, title
            parts.append(f)
            new_info.append({**g.to_dict(), "occupation": code, "title": title,
                             "employment_start": g["employment_start"] * w,
                             "wage_usd_per_hour_start": g["wage_usd_per_hour_start"]
                             * (0.5 + k / per_group),
                             "job_zone": float(1 + (k % 5))})
    pd.concat(parts).to_parquet(dst / "occupations.parquet", index=False)
    pd.DataFrame(new_info).to_parquet(dst / "occupation_info.parquet", index=False)
    refresh_manifest(dst, "occupations.parquet", "occupation_info.parquet")
    return dst


def refresh_manifest(folder: Path, *names: str) -> None:
    """Record rewritten files in the manifest, as a run that wrote them would have."""
    listed = json.loads((folder / "manifest.json").read_text())
    for name in names:
        listed["files"][name] = file_entry(folder / name)
    (folder / "manifest.json").write_text(json.dumps(listed))


def test_report_on_800_detailed_occupations(short_dir, tmp_path, capsys):
    folder = detailed_copy(short_dir, tmp_path / "detailed", per_group=36)
    run = load_run(folder)
    assert len(run.codes) == 22 * 36
    assert len(lf.most_affected(run)) == 22  # the heatmap's rows: major groups
    assert lf.employment_by_major(run).shape[1] == 22
    assert lf.wage_bins(run.info, 10).nunique() == 10
    early, late = lf.first_and_last(run)
    assert len(early) == len(late) == 10
    code, _, err = run_cli(capsys, "report", folder)
    assert code == 0, err
    html = (folder / "report.html").read_text()
    assert_figures_embedded(html)
    assert "decile 10" in html  # deciles, not quintiles, at this size
