"""`sim run --ensemble N`: members drawn from sourced ranges around the run's own config, stepped
as one batch and each equal to the same config run alone; the folder, the report's bands and
percentile table, and bad input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import sim
from sim import ensemble
from sim.cli import EXIT_BAD_INPUT, main
from sim.figures import economy as ef
from sim.figures import labour as lf
from sim.outputs.manifest import MANIFEST, file_entry
from sim.outputs.run_data import load_run
from sim.sweep import load_sweep
from tests.test_bad_input import run_cli

MEMBERS = 12
END = 2032
SHORT = [f"time.end_year={END}"]


@pytest.fixture(scope="module")
def base():
    """The default scenario over 2023-2032, with one parameter of its own set."""
    return sim.load_config(overrides=[*SHORT, "market.adoption_lag_years=4"], seed=5)


@pytest.fixture(scope="module")
def ens_dir(tmp_path_factory) -> Path:
    """`sim run --ensemble 12` of that scenario, with figures, as CSV."""
    out = tmp_path_factory.mktemp("ensemble") / "ens"
    with pytest.raises(SystemExit) as exc:
        main(["run", "--ensemble", str(MEMBERS), "--seed", "5", "--set", SHORT[0],
              "--set", "market.adoption_lag_years=4", "--format", "csv", "--quiet",
              "--out", str(out)])
    assert exc.value.code in (0, None)
    return out


# ----------------------------------------------------------------------------- drawing


def test_draw_configs_replace_only_the_drawn_parameters(base):
    configs = ensemble.draw_configs(base, 6, seed=11)
    spec = load_sweep(ensemble.DEFAULT_RANGES)
    assert len(configs) == 6 and len(spec.parameters) == 16
    seeds = [c.seed for c in configs]
    assert len(set(seeds)) == 6 and base.seed not in seeds
    dumped = [c.model_dump(mode="python") for c in configs]
    plain = base.model_dump(mode="python")
    for c, d in zip(configs, dumped, strict=True):
        assert c.time == base.time  # the run's time axis, not the sweep file's 2070
        assert c.market.adoption_lag_years == 4  # the scenario's own value, not drawn
        for p in spec.parameters:
            lo, hi = (v for _, v in p.support())
            value = _get(d, p.key)
            assert lo <= value <= hi, p.key
        for key in ("labs", "hardware.vendors", "occupations", "tasks.bins"):
            assert _get(d, key) == _get(plain, key)
    # each drawn parameter varies over the members
    for p in spec.parameters:
        assert len({_get(d, p.key) for d in dumped}) == 6, p.key


def _get(data, key):
    from sim.sweep.spec import get_path

    return get_path(data, key)


def test_draws_are_reproducible_and_do_not_depend_on_n(base):
    a = ensemble.draw_configs(base, 5, seed=11)
    b = ensemble.draw_configs(base, 8, seed=11)
    assert [c.model_dump() for c in a] == [c.model_dump() for c in b[:5]]
    c = ensemble.draw_configs(base, 5, seed=12)
    assert [x.seed for x in c] != [x.seed for x in a]


def test_draw_configs_takes_a_file_or_a_mapping(base, tmp_path):
    ranges = {"market.adoption_lag_years": {"dist": "uniform", "low": 2.0, "high": 9.0}}
    configs = ensemble.draw_configs(base, 4, seed=1, ranges=ranges)
    lags = [c.market.adoption_lag_years for c in configs]
    assert all(2.0 <= v <= 9.0 for v in lags) and len(set(lags)) == 4
    assert {c.algorithms.software_returns for c in configs} == {base.algorithms.software_returns}
    path = tmp_path / "lag.yaml"
    path.write_text("name: lag\nsampler: latin\nruns: 10\nset: [\"time.end_year=2070\"]\n"
                    "parameters:\n  market.adoption_lag_years:   # a source\n"
                    "    {dist: uniform, low: 2.0, high: 9.0}   # and its second line\n")
    from_file = ensemble.draw_configs(base, 4, seed=1, ranges=path)
    assert [c.model_dump() for c in from_file] == [c.model_dump() for c in configs]
    plan = ensemble.plan(base, 4, 1, path)
    assert plan.ranges.notes == {"market.adoption_lag_years": "a source and its second line"}
    assert plan.ranges.unused == ("set",)


def test_percentiles_count_members_that_never_reach_a_milestone_as_later():
    p, share = ensemble.censored_percentiles(np.array([2030.0, np.nan, 2034.0, 2032.0, np.nan]))
    assert share == pytest.approx(0.6)
    assert p[0] == pytest.approx(2030.8)  # linear between the sorted members, as np.percentile
    assert p[1] == pytest.approx(2034.0)
    assert p[2] == np.inf
    finite = np.array([2031.0, 2035.0, 2033.0, 2040.0])
    np.testing.assert_allclose(ensemble.censored_percentiles(finite)[0],
                               np.percentile(finite, [10, 50, 90]))
    series = np.array([[0.0, 0.1, 0.5], [0.2, 0.3, 0.9], [0.4, 0.5, 1.0]])
    assert ensemble.median_member(series) == 1


# ----------------------------------------------------------------------------- equivalence


def test_members_equal_the_same_draws_run_alone(base, ens_dir):
    """Bit for bit: members of the batch (as written to the folder) and each draw run alone."""
    configs = ensemble.draw_configs(base, MEMBERS, seed=5)
    table = pd.read_csv(ens_dir / "aggregates.csv")
    milestones = pd.read_csv(ens_dir / "milestones.csv")
    members = pd.read_csv(ens_dir / "members.csv")
    median = json.loads((ens_dir / "ensemble.json").read_text())["median_member"]["scenario"]
    assert members["seed"].tolist() == [c.seed for c in configs]
    for i in sorted({0, median, MEMBERS - 1}):
        with np.errstate(all="ignore"):
            alone = sim.run(configs[i], record_occupations=False).sim
        rows = table[table["scenario"] == i]
        for name, values in alone.aggregates.items():
            np.testing.assert_array_equal(rows[name].to_numpy(), values[:, 0], err_msg=name)
        years = milestones[milestones["scenario"] == i].set_index("milestone")["year"]
        for name, v in alone.milestones.items():
            np.testing.assert_array_equal(years[name], v[0], err_msg=name)


def test_ensemble_members_are_the_rows_of_its_sweep(base, tmp_path):
    """The folder's ensemble.yaml, run by `sim sweep`, gives the members' milestones."""
    from sim.sweep import run_sweep

    plan = ensemble.plan(base, 4, 9)
    res = ensemble.run_ensemble(base, 4, plan_=plan).sim
    spec = load_sweep(tmp_path / "e.yaml", text=plan.spec.to_yaml())
    summary = pd.read_parquet(run_sweep(spec, tmp_path / "sweep", workers=1, progress=False))
    assert summary["seed"].tolist() == [c.seed for c in res.configs]
    for name, years in res.milestones.items():
        np.testing.assert_array_equal(summary[f"milestone.{name}"].to_numpy(), years)


# ----------------------------------------------------------------------------- the folder


def test_folder_holds_every_member_and_the_median_members_occupations(ens_dir, base):
    names = {p.name for p in ens_dir.iterdir()}
    assert {"aggregates.csv", "occupations.csv", "occupation_info.csv", "milestones.csv",
            "members.csv", "ensemble.json", "ensemble.yaml", "config.yaml", "seed.txt",
            "summary.json", "units.json", "manifest.json", "record.nc", "figures"} == names
    manifest = json.loads((ens_dir / MANIFEST).read_text())
    assert manifest["scenarios"] == MEMBERS and manifest["seed"] == 5
    assert (ens_dir / "seed.txt").read_text().strip() == "5"
    info = json.loads((ens_dir / "ensemble.json").read_text())
    assert info["members"] == MEMBERS and info["ranges_from"].endswith("agi_arrival.yaml")
    assert len(info["parameters"]) == 16 and all(p["source"] for p in info["parameters"])
    lag = {p["key"]: p for p in info["parameters"]}["algorithms.software_returns"]
    assert lag["dist"] == "loguniform" and lag["scenario_value"] == base.algorithms.software_returns
    for m in info["milestones"].values():
        assert set(m) == {"p10", "p50", "p90", "share_reached"}
    assert len(json.loads((ens_dir / "summary.json").read_text())) == MEMBERS
    k = info["median_member"]["scenario"]
    occ = pd.read_csv(ens_dir / "occupations.csv")
    assert set(occ["scenario"]) == {k}
    agg = pd.read_csv(ens_dir / "aggregates.csv")
    assert sorted(set(agg["scenario"])) == list(range(MEMBERS))
    # the config written is the scenario's own (the base), which reruns the ensemble
    cfg = sim.load_config(ens_dir / "config.yaml")
    assert cfg.model_dump() == base.model_dump()
    assert len(list((ens_dir / "figures").glob("*.png"))) == 13


def test_report_draws_bands_and_gives_percentiles(ens_dir, capsys, tmp_path):
    out = tmp_path / "r.html"
    code, _, err = run_cli(capsys, "report", ens_dir, "--out", out)
    assert code == 0, err
    html = out.read_text()
    for text in ("10th percentile", "90th percentile", "members that reach it",
                 f"{MEMBERS} members", "uncertain parameters", "median member",
                 "Davidson (2023)"):
        assert text in html, text
    assert len(re.findall(r'<img data-figure="', html)) == len(lf.FIGURES) + len(ef.FIGURES)
    economy = html[html.index('<section id="economy">'):]
    assert "10th to 90th" in economy and re.search(r"\d\.\d% \(\S+ to \S+\)", economy)

    run = load_run(ens_dir)
    assert run.members is not None and run.members.n == MEMBERS
    agg = pd.read_csv(ens_dir / "aggregates.csv").sort_values(["scenario", "step"])
    capable = agg["capable_share"].to_numpy().reshape(MEMBERS, -1).T
    data = lf.band_data(run, lambda v: v.agg("capable_share"))
    np.testing.assert_allclose(data["p10"], np.percentile(capable, 10, axis=1))
    np.testing.assert_allclose(data["p50"], np.median(capable, axis=1))
    np.testing.assert_allclose(data["p90"], np.percentile(capable, 90, axis=1))
    assert (data["p90"] - data["p10"]).max() > 0.01  # a real spread, not one member's line

    fig = lf.fig_work_share([run])
    ax = fig.axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "AI can automate (end to end)")
    np.testing.assert_allclose(line.get_ydata(), 100 * data["p50"])
    assert has_band(ax, run.times, 100 * data["p10"], 100 * data["p90"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"10-90% of {MEMBERS} members" in t for t in legend)
    plt.close("all")

    rows = lf.ensemble_rows(run)
    capable_20 = next(r for r in rows if r[0] == lf.MILESTONE_LABELS["capable_20pct"])
    years = pd.read_csv(ens_dir / "milestones.csv")
    y = years[years["milestone"] == "capable_20pct"]["year"].to_numpy()
    p, share = ensemble.censored_percentiles(y)
    assert capable_20[1:] == [f"{v:.1f}" if np.isfinite(v) else f"not by {END}" for v in p] \
        + [f"{100 * share:.0f}%"]


def has_band(ax, t, lo, hi) -> bool:
    """True if ``ax`` holds a shaded polygon through every (t, lo) and (t, hi) point."""
    want = {(round(float(x), 6), round(float(y), 6)) for x, y in
            [*zip(t, lo, strict=True), *zip(t, hi, strict=True)]}
    for c in ax.collections:
        if isinstance(c, PolyCollection):
            got = {(round(float(x), 6), round(float(y), 6)) for p in c.get_paths()
                   for x, y in p.vertices}
            if want <= got:
                return True
    return False


def test_every_band_figure_draws_a_band(ens_dir):
    run = load_run(ens_dir)
    for spec in lf.FIGURES:
        fig = spec.draw([run])
        bands = [c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)]
        if spec.needs_occupations and spec.name != "flows":
            assert "median member" in fig.texts[-1].get_text(), spec.name
        else:
            assert bands, spec.name
        plt.close(fig)


def test_single_run_report_has_no_ensemble_parts(tmp_path, capsys):
    out = tmp_path / "one"
    code, _, err = run_cli(capsys, "run", "--set", "time.end_year=2025", "--no-plots",
                           "--quiet", "--out", out)
    assert code == 0, err
    assert not (out / "ensemble.json").exists()
    code, _, err = run_cli(capsys, "report", out)
    html = (out / "report.html").read_text()
    assert code == 0 and "percentile" not in html and "median member" not in html


def test_damaged_ensemble_folder_is_refused(ens_dir, tmp_path, capsys):
    bad = tmp_path / "bad"
    shutil.copytree(ens_dir, bad)
    (bad / "ensemble.json").write_text(json.dumps({"members": 3}))
    manifest = json.loads((bad / MANIFEST).read_text())
    manifest["files"]["ensemble.json"] = file_entry(bad / "ensemble.json")
    (bad / MANIFEST).write_text(json.dumps(manifest))
    code, _, err = run_cli(capsys, "report", bad)
    lines = err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(lines) == 1 and "ensemble.json" in lines[0]
    assert "allowed" in lines[0]


# ----------------------------------------------------------------------------- bad input


def _sweep(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


BAD = {
    "zero": (["--ensemble", "0"], "--ensemble"),
    "one": (["--ensemble", "1"], "--ensemble"),
    "huge": (["--ensemble", str(ensemble.MAX_MEMBERS + 1)], "--ensemble"),
    "enormous": (["--ensemble", "99999999999999999999"], "--ensemble"),
    "negative": (["--ensemble", "-3"], "--ensemble"),
    "text": (["--ensemble", "many"], "--ensemble"),
    "from without n": (["--ensemble-from", "{good}"], "--ensemble-from"),
    "missing file": (["--ensemble", "4", "--ensemble-from", "{tmp}/nope.yaml"], "nope.yaml"),
    "not yaml": (["--ensemble", "4", "--ensemble-from", "{broken}"], "broken.yaml"),
    "unknown parameter": (["--ensemble", "4", "--ensemble-from", "{unknown}"], "no.such"),
    "range out of schema": (["--ensemble", "4", "--ensemble-from", "{wide}"],
                            "adoption_lag_years"),
    "range invalid for this run": (["--ensemble", "4", "--ensemble-from", "{lab}", "--set",
                                    "labs.frontier_a.max_training_share=0.2"],
                                   "max_training_share"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_exits_2_with_one_line(case, tmp_path, capsys):
    args, names = BAD[case]
    lag = "  market.adoption_lag_years: {dist: uniform, low: %s, high: 9.0}\n"
    texts = {
        "good": "runs: 4\nparameters:\n" + lag % "2.0",
        "broken": "parameters: {market.adoption_lag_years: [unclosed\n",
        "unknown": "runs: 4\nparameters:\n  no.such.key: {dist: uniform, low: 1.0, high: 2.0}\n",
        "wide": "runs: 4\nparameters:\n" + lag % "-5.0",
        "lab": "runs: 4\nparameters:\n  labs.frontier_a.initial_training_share:\n"
               "    {dist: uniform, low: 0.05, high: 0.3}\n",
    }
    files = {name: _sweep(tmp_path, name, text) for name, text in texts.items()}
    fmt = {k: str(v) for k, v in files.items()} | {"tmp": str(tmp_path)}
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "run", *[a.format(**fmt) for a in args], "--quiet",
                                "--no-plots", "--set", "time.end_year=2024", "--out", out)
    lines = err.strip().splitlines()
    assert code == EXIT_BAD_INPUT, (case, err)
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:") and "allowed" in lines[0], lines[0]
    assert names in lines[0], lines[0]
    assert "Traceback" not in err and not out.exists()
