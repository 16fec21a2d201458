"""Running sweeps: the same sweep file and seed give the same summary table whatever the
workers, chunk size or interruptions; chunks are written atomically; failing runs are recorded
and the rest completes.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import psutil
import pytest

import sim
from sim.errors import SimInputError
from sim.sweep import load_sweep, run_sweep
from sim.sweep.analysis import analyze_sweep
from sim.sweep.runner import (
    CHUNKS,
    CORRUPT,
    SWEEP_FILE,
    SweepInterrupted,
    build_config,
    chunk_path,
    finished_chunks,
    load_folder,
    validated,
)
from sim.sweep.sampling import run_seeds, sample_values
from tests.sweep_helpers import paths, summary, tiny_spec
from tests.test_bad_input import assert_one_message, run_cli


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
        alone = sim.run(cfg, record_occupations=False).sim
        assert df.loc[run, "seed"] == cfg.seed
        assert df.loc[run, "unemployment_rate@2025"] == alone.value_at("unemployment_rate", 2025)
        assert df.loc[run, "capable_share@2024"] == alone.value_at("capable_share", 2024)
        ms = alone.milestones["adopted_20pct"][0]
        got = df.loc[run, "milestone.adopted_20pct"]
        assert (np.isnan(ms) and np.isnan(got)) or ms == got
        p = paths(folder)
        np.testing.assert_array_equal(p.loc[p["run"] == run, "adopted_share"],
                                      alone.aggregates["adopted_share"][:, 0])


def test_configs_built_on_the_validated_base_equal_those_validated_in_full():
    """Sections no key changes are reused from the validated base; every other part is
    validated as usual, so the config, and a bad value's message, are the same.
    """
    from sim.config.schema import SimConfig

    base = SimConfig().model_dump(mode="python")
    keys = ("market.adoption_lag_years", "labs.frontier_a.research_share", "tasks.bins.e0")
    ready = validated(base)
    for row in ([6.0, 0.5, 4], [3.0, 0.2, 2], [15.0, 0.1, 1]):
        fast = build_config(base, keys, row, 11, ready)
        full = build_config(base, keys, row, 11)
        assert fast == full and fast.model_dump() == full.model_dump()
        assert fast.capital is ready.capital   # reused, not validated again
        assert fast.market is not ready.market
    for row in ([-1.0, 0.5, 4], [6.0, 0.5, 0]):
        with pytest.raises(SimInputError) as fast_error:
            build_config(base, keys, row, 11, ready)
        with pytest.raises(SimInputError) as full_error:
            build_config(base, keys, row, 11)
        assert str(fast_error.value) == str(full_error.value)
    assert validated({**base, "time": {"start_year": 1900}}) is None


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


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_a_chunk_is_written_stops_the_sweep_after_the_chunk(tmp_path,
                                                                          monkeypatch, sig):
    """A signal landing inside the NetCDF writer (a half-built file object printed errors as
    it was cleared away) waits for the chunk, then stops the sweep.
    """
    from sim.outputs import record
    from sim.sweep import runner

    spec = tiny_spec(tmp_path, runs=2, chunk=2)
    task = runner.ChunkTask(index=0, runs=np.arange(2), sweep_seed=spec.seed, keys=spec.keys,
                            values=sample_values(spec), base=spec.base, outputs=spec.outputs)
    result = runner.run_chunk(task)
    real_write = record.write

    def write(ds, path):
        signal.raise_signal(sig)  # lands inside the writer
        return real_write(ds, path)

    monkeypatch.setattr(record, "write", write)
    out = tmp_path / "out"
    (out / CHUNKS).mkdir(parents=True)
    with pytest.raises(KeyboardInterrupt), runner._stop_on_sigterm():
        runner.write_chunk(out, result)
    assert finished_chunks(out) == {0}
    assert sorted(p.name for p in (out / CHUNKS).iterdir()) == ["chunk-00000.parquet"]
    assert sorted(p.name for p in (out / runner.RECORDS).iterdir()) == ["chunk-00000.nc"]


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
    assert report.indices is None  # a Saltelli sample gets Sobol indices, not delta and PAWN
    assert any("Sobol: 8 base samples" in w for w in report.warnings), report.warnings
    page = (tmp_path / "s" / "analysis" / "report.html").read_text()
    assert "Sobol indices" in page and page.count("data:image/png;base64,") == 3


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
    assert "milestone_cdfs.png" in stdout and "report.html" in stdout
    assert "warning: delta and PAWN: 6 ok runs, fewer than the 20" in err  # too few: said


def test_a_worker_frees_each_chunks_model(tmp_path):
    import gc

    from sim.model.model import AIEconomyModel
    from sim.sweep.runner import ChunkTask, run_chunk

    spec = tiny_spec(tmp_path, runs=4, chunk=2)
    values = sample_values(spec)
    for lo in (0, 2):
        run_chunk(ChunkTask(index=lo // 2, runs=np.arange(lo, lo + 2), sweep_seed=spec.seed,
                            keys=spec.keys, values=[v[lo:lo + 2] for v in values],
                            base=spec.base, outputs=spec.outputs))
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, AIEconomyModel)]


# --- defects found by testing: resume, damaged folders, kills, chunk-size independence ------
def _cut_after(spec, out, chunks: int):
    """Run ``spec`` into ``out`` and stop it (as Ctrl-C would) once ``chunks`` are written."""
    def stop(index):
        if len(finished_chunks(out)) == chunks:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as exc:
        run_sweep(spec, out, workers=1, progress=False, on_chunk=stop)
    assert exc.value.done == chunks and exc.value.total == spec.n_chunks
    assert "--resume" in exc.value.message()


def test_resume_refuses_another_seed_or_chunk_size_and_accepts_the_same(reference, tmp_path,
                                                                        capsys):
    spec, folder = reference
    out = tmp_path / "cut"
    _cut_after(spec, out, 1)
    for flag, value, stored in (("--seed", 12, 11), ("--chunk-size", 4, 3)):
        code, _, err = run_cli(capsys, "sweep", "--resume", out, flag, value, "--quiet")
        assert_one_message(code, err, f"{flag} = {value}", f"{flag} {stored}", "leave it out")
    assert len(finished_chunks(out)) == 1  # nothing ran
    code, _, err = run_cli(capsys, "sweep", "--resume", out, "--seed", 11, "--chunk-size", 3,
                           "--workers", 1, "--quiet")
    assert code == 0, err
    pd.testing.assert_frame_equal(summary(folder), summary(out), check_exact=True)


def test_resume_refuses_a_definition_cut_short_or_edited(reference, tmp_path):
    spec, _ = reference
    out = tmp_path / "cut"
    _cut_after(spec, out, 1)
    text = (out / SWEEP_FILE).read_text()
    assert text.splitlines()[-1].startswith("# sha256: ")
    assert load_folder(out).to_yaml() == spec.to_yaml()
    middle = text.index("base_config:") + (len(text) - text.index("base_config:")) // 2
    for damaged, why in ((text[:text.index("\n", middle) + 1], "no checksum line"),
                         (text.replace("end_year: 2025", "end_year: 2026"), "does not match")):
        (out / SWEEP_FILE).write_text(damaged)
        with pytest.raises(SimInputError) as exc:
            run_sweep(None, out, resume=True, workers=1, progress=False)
        assert exc.value.file == str(out / SWEEP_FILE) and why in str(exc.value)
    assert len(finished_chunks(out)) == 1


def test_damaged_chunks_are_set_aside_and_computed_again(reference, tmp_path):
    spec, folder = reference
    out = tmp_path / "damaged"
    run_sweep(spec, out, workers=1, progress=False)
    good = chunk_path(out, 0).read_bytes()
    chunk_path(out, 0).write_bytes(good[: len(good) // 2])  # cut short
    chunk_path(out, 1).write_bytes(b"not parquet at all " * 40)  # garbage
    chunk_path(out, 2).write_bytes(chunk_path(out, 3).read_bytes())  # another chunk's runs
    chunk_path(out, 3, "paths").unlink()  # its table without its paths
    (out / CHUNKS / "chunk-00099.parquet").write_bytes(good)  # not a chunk of this sweep
    notes, written = [], []
    run_sweep(None, out, resume=True, workers=1, progress=False, note=notes.append,
              on_chunk=written.append)
    assert sorted(written) == [0, 1, 2, 3]
    assert len(notes) == 5 and all("set aside in" in n for n in notes)
    assert "unreadable" in notes[0] and "runs 6..8" in notes[2] and "paths" in notes[3]
    assert len(list((out / CORRUPT).iterdir())) == 8  # 5 tables, the paths of chunks 0-2
    pd.testing.assert_frame_equal(summary(folder), summary(out), check_exact=True)
    pd.testing.assert_frame_equal(paths(folder), paths(out), check_exact=True)


def test_cli_notes_a_damaged_chunk_in_one_line(reference, tmp_path, capsys):
    spec, _ = reference
    out = tmp_path / "damaged"
    run_sweep(dataclasses.replace(spec, runs=6), out, workers=1, progress=False)
    chunk_path(out, 1).write_bytes(b"PAR1 garbage")
    code, _, err = run_cli(capsys, "sweep", "--resume", out, "--workers", 1, "--quiet")
    assert code == 0, err
    [line] = err.splitlines()
    assert line.startswith("note: ") and "chunk-00001.parquet" in line and "again" in line


def test_force_replaces_a_sweep_folder_only(reference, tmp_path, capsys):
    spec, _ = reference
    small = dataclasses.replace(spec, runs=3)
    run_sweep(small, tmp_path / "s", workers=1, progress=False)
    (tmp_path / "s" / "stray.txt").write_text("old")
    run_sweep(small, tmp_path / "s", workers=1, progress=False, force=True)
    assert not (tmp_path / "s" / "stray.txt").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    with pytest.raises(SimInputError, match="will not delete"):
        run_sweep(small, tmp_path / "mine", workers=1, progress=False, force=True)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "years of work"


KILL_SWEEP = """
name: kill
seed: 3
sampler: montecarlo
runs: 400
chunk_size: 2
set: ["time.end_year=2030"]
parameters:
  market.adoption_lag_years: {dist: uniform, low: 2, high: 12}
outputs:
  years: [2025]
  aggregates: [capable_share]
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_killing_sim_sweep_ends_its_workers(tmp_path, how):
    """The workers of a killed `sim sweep` end within 10 s; SIGTERM also says what is kept."""
    path = tmp_path / "kill.yaml"
    path.write_text(KILL_SWEEP)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", "from sim.cli import main; main()",
                             "sweep", path, "--out", out, "--workers", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        workers = _running_workers(proc, out)
        proc.send_signal(getattr(signal, how))
        code = proc.wait(timeout=10)
        err = proc.stderr.read().decode()
    finally:
        proc.kill()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [w for w in alive if _alive(w)]
    assert not alive, f"workers {[w.pid for w in alive]} outlived `sim sweep` by 10 s"
    if how == "SIGTERM":
        assert not list((out / CHUNKS).glob(".chunk-*"))  # no half-written chunk
        assert code == 128 + signal.SIGTERM
        assert len(err.splitlines()) == 1, err
        [line] = err.splitlines()
        assert "stopped by SIGTERM" in line and "--resume" in line and str(out) in line
        assert len(finished_chunks(out)) >= 1
        load_folder(out)  # the definition is intact for --resume
    else:
        assert code == -signal.SIGKILL


def _running_workers(proc, out) -> list:
    """The sweep's two worker processes, once they have written a chunk between them."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        kids = psutil.Process(proc.pid).children(recursive=True)
        if len(kids) >= 2 and (out / CHUNKS).is_dir() and finished_chunks(out):
            return kids
        time.sleep(0.05)
    raise AssertionError("the sweep's workers never wrote a chunk")


def _alive(process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


CHUNKING_SWEEP = """
name: chunking
seed: 21
sampler: latin
runs: 6
set: ["time.end_year=2026"]
parameters:
  hardware.vendors.leader.capacity_lead_time_months: {dist: uniform, low: 1, high: 60}
  milestones.full_automation_share: {dist: uniform, low: 0.9, high: 1.0}
  research.automated_researcher_share: {dist: uniform, low: 0.5, high: 1.0}
  market.adoption_lag_years: {dist: uniform, low: 2, high: 12}
outputs:
  years: [2024, 2026]
  aggregates: [capable_share, adopted_share, unemployment_rate, ai_capex_usd_per_yr,
               vendor_capacity_chips_per_month]
  milestones: true
"""


def test_rows_do_not_depend_on_the_chunk_size(tmp_path):
    """A run's row is the same whether its chunk holds 1, 3 or all the runs (a per-vendor
    lead time once was maxed over the batch).
    """
    path = tmp_path / "chunking.yaml"
    path.write_text(CHUNKING_SWEEP)
    spec = load_sweep(path)
    assert spec.parameters[0].integer
    tables = {}
    for size in (1, 3, spec.runs):
        out = tmp_path / f"c{size}"
        run_sweep(dataclasses.replace(spec, chunk_size=size), out, workers=1, progress=False)
        tables[size] = summary(out)
    assert (tables[1]["status"] == "ok").all()
    assert tables[1][spec.keys[0]].nunique() > 1
    for size in (3, spec.runs):
        pd.testing.assert_frame_equal(tables[1], tables[size], check_exact=True)
