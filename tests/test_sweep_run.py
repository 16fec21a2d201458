"""Running sweeps: the same sweep file and seed give the same summary table whatever the
workers, chunk size or interruptions; chunks are written atomically; failing runs are recorded
and the rest completes.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.sweep import run_sweep
from sim.sweep.analysis import analyze_sweep
from sim.sweep.runner import CHUNKS, build_config, chunk_path, finished_chunks
from sim.sweep.sampling import run_seeds, sample_values
from tests.sweep_helpers import paths, summary, tiny_spec
from tests.test_bad_input import run_cli


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny sweep run in this process, chunks of 3."""
    tmp = tmp_path_factory.mktemp("ref")
    spec = tiny_spec(tmp)
    run_sweep(spec, tmp / "ref", workers=1, progress=False)
    return spec, tmp / "ref"


def test_summary_has_one_row_per_run_with_units(reference):
    spec, folder = reference
    df = summary(folder)
    assert list(df["run"]) == list(range(12)) and (df["status"] == "ok").all()
    assert list(df.columns[:4]) == ["run", "seed", "status", "error"]
    for key, values in zip(spec.keys, sample_values(spec), strict=True):
        np.testing.assert_array_equal(df[key], values)
    units = json.loads((folder / "units.json").read_text())
    assert all(c in units for c in df.columns)
    assert units["market.adoption_lag_years"] == "yr"
    assert units["unemployment_rate@2025"].startswith("fraction")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == {"ok": 12, "failed": 0, "invalid": 0}
    assert "base_config:" in (folder / "sweep.yaml").read_text()


def test_a_run_equals_the_same_config_run_alone(reference):
    spec, folder = reference
    df = summary(folder)
    values = sample_values(spec)
    for run in (0, 7):
        seed = int(run_seeds(spec.seed, np.array([run]))[0])
        cfg = build_config(spec.base, spec.keys, [v[run] for v in values], seed)
        alone = sim.run(cfg, record_occupations=False)
        assert df.loc[run, "seed"] == cfg.seed
        assert df.loc[run, "unemployment_rate@2025"] == alone.value_at("unemployment_rate", 2025)
        assert df.loc[run, "capable_share@2024"] == alone.value_at("capable_share", 2024)
        ms = alone.milestones["adopted_20pct"][0]
        got = df.loc[run, "milestone.adopted_20pct"]
        assert (np.isnan(ms) and np.isnan(got)) or ms == got
        p = paths(folder)
        np.testing.assert_array_equal(p.loc[p["run"] == run, "adopted_share"],
                                      alone.aggregates["adopted_share"][:, 0])


def test_same_results_whatever_the_workers_and_chunk_size(reference, tmp_path):
    spec, folder = reference
    run_sweep(dataclasses.replace(spec, chunk_size=5), tmp_path / "b", workers=2,
              progress=False)
    pd.testing.assert_frame_equal(summary(folder), summary(tmp_path / "b"), check_exact=True)
    pd.testing.assert_frame_equal(paths(folder), paths(tmp_path / "b"), check_exact=True)


def test_interrupted_sweep_resumes_to_identical_results(reference, tmp_path):
    spec, folder = reference
    out = tmp_path / "cut"

    def stop_after_two(index):
        if len(finished_chunks(out)) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, workers=1, progress=False, on_chunk=stop_after_two)
    assert len(list((out / CHUNKS).glob("chunk-*.parquet"))) == 2
    assert not (out / "summary.parquet").exists()
    # a chunk being written when the process died: a temporary file, never a complete name
    (out / CHUNKS / ".chunk-00003.parquet.tmp-99999").write_bytes(b"PAR1 partial")
    written = []
    run_sweep(None, out, resume=True, workers=1, progress=False, on_chunk=written.append)
    assert sorted(written) == [2, 3]  # only the missing chunks ran
    assert not list((out / CHUNKS).glob(".chunk-*"))
    pd.testing.assert_frame_equal(summary(folder), summary(out), check_exact=True)


def test_chunk_files_are_written_under_a_temporary_name(reference, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    spec, _ = reference
    seen = []
    real = pq.write_table

    def spy(table, where, **kw):
        seen.append(getattr(where, "name", str(where)))
        return real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", spy)
    run_sweep(dataclasses.replace(spec, runs=3), tmp_path / "a", workers=1, progress=False)
    assert seen and all(".tmp-" in name for name in seen)
    assert chunk_path(tmp_path / "a", 0).is_file()


def test_failing_runs_are_recorded_and_the_rest_completes(reference, tmp_path):
    spec, folder = reference
    clean = summary(folder)
    for kind in ("raise", "nan"):
        fault = {"parameter": "capital.investor_growth_per_yr", "above": 0.75, "kind": kind}
        out = tmp_path / kind
        run_sweep(dataclasses.replace(spec, inject_fault=fault), out, workers=1,
                  progress=False)
        df = summary(out)
        bad = clean["capital.investor_growth_per_yr"] > 0.75
        assert 0 < bad.sum() < len(df)
        assert (df.loc[bad, "status"] == "failed").all()
        expected = "injected fault" if kind == "raise" else "non-finite output"
        assert df.loc[bad, "error"].str.contains(expected).all()
        assert df.loc[bad, "unemployment_rate@2025"].isna().all()
        pd.testing.assert_frame_equal(df[~bad], clean[~bad], check_exact=True)


def test_a_run_rejected_by_the_schema_is_recorded_as_invalid(tmp_path):
    spec = tiny_spec(tmp_path, runs=4, chunk=4)
    # make one value invalid after the checks, as a stale definition could
    values = sample_values(spec)
    values[0][2] = -5.0
    from sim.sweep.runner import ChunkTask, run_chunk
    task = ChunkTask(index=0, runs=np.arange(4), sweep_seed=spec.seed, keys=spec.keys,
                     values=values, base=spec.base, outputs=spec.outputs)
    cols = run_chunk(task)["columns"]
    assert list(cols["status"]) == ["ok", "ok", "invalid", "ok"]
    assert "capital.investor_growth_per_yr" in cols["error"][2]


def test_analyze_saltelli_sweep_writes_indices_and_figures(tmp_path):
    spec = tiny_spec(tmp_path, runs=40, chunk=10, sampler="saltelli")
    run_sweep(spec, tmp_path / "s", workers=1, progress=False)
    report = analyze_sweep(tmp_path / "s")
    table = pd.read_csv(tmp_path / "s" / "analysis" / "sobol_indices.csv")
    assert set(table["parameter"]) == set(spec.keys)
    u = table[table["output"] == "unemployment_rate@2025"].set_index("parameter")
    # adoption speed drives unemployment in the first years, investment growth hardly at all
    assert u.loc["market.adoption_lag_years", "ST"] > u.loc["capital.investor_growth_per_yr",
                                                              "ST"]
    names = {p.name for p in report.figures}
    assert names == {"sobol_indices.png", "fan_charts.png", "milestone_cdfs.png"}


def test_cli_sweep_and_analyze(tmp_path, capsys):
    spec = tiny_spec(tmp_path, runs=6, chunk=3)
    path = tmp_path / "tiny-latin-6-3-2025.yaml"
    out = tmp_path / "cli-out"
    code, stdout, err = run_cli(capsys, "sweep", path, "--out", out, "--workers", "1",
                                "--quiet")
    assert code == 0, err
    assert len(summary(out)) == spec.runs
    code, _, err = run_cli(capsys, "sweep", path, "--out", out, "--workers", "1", "--quiet")
    assert code == 2 and "--resume" in err  # refuses to overwrite
    code, stdout, err = run_cli(capsys, "analyze", out)
    assert code == 0, err
    assert "milestone_cdfs.png" in stdout


def test_a_worker_frees_each_chunks_model(tmp_path):
    import gc

    from sim.model import AIEconomyModel
    from sim.sweep.runner import ChunkTask, run_chunk

    spec = tiny_spec(tmp_path, runs=4, chunk=2)
    values = sample_values(spec)
    for lo in (0, 2):
        run_chunk(ChunkTask(index=lo // 2, runs=np.arange(lo, lo + 2), sweep_seed=spec.seed,
                            keys=spec.keys, values=[v[lo:lo + 2] for v in values],
                            base=spec.base, outputs=spec.outputs))
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, AIEconomyModel)]
