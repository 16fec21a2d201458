"""The result folder of ``sim run``: complete, self-describing, reproducible, never clobbered, and
never half-written (a killed run leaves no folder under the target name)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sim
from sim import files
from sim.cli import EXIT_BAD_INPUT, main
from sim.outputs import output
from sim.outputs.manifest import is_complete

EXPECTED_FILES = {"aggregates.csv", "occupations.csv", "occupation_info.csv",
                  "milestones.csv", "config.yaml",
                  "seed.txt", "summary.json", "manifest.json", "units.json", "record.nc"}
SEED = 7


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Call the CLI in-process; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    code = exc.value.code
    return (0 if code is None else code), out, err


def run_csv(capsys, out_dir: Path, *extra) -> tuple[int, str, str]:
    return run_cli(capsys, "run", *extra, "--no-plots", "--quiet", "--format", "csv",
                   "--out", out_dir)


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``folder`` with its size, mtime and content."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """One default run (seed 7) written as CSV, shared by the read-only checks."""
    out_dir = tmp_path_factory.mktemp("runs") / "first"
    with pytest.raises(SystemExit) as exc:
        main(["run", "--seed", str(SEED), "--no-plots", "--quiet", "--format", "csv",
              "--out", str(out_dir)])
    assert exc.value.code in (0, None)
    return out_dir


def test_folder_has_every_file(run_dir):
    assert {p.name for p in run_dir.iterdir()} == EXPECTED_FILES
    assert is_complete(run_dir)
    assert not any(p.name.startswith(".") for p in run_dir.parent.iterdir())


def test_manifest_lists_the_files(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    listed = set(manifest["files"])
    assert listed == EXPECTED_FILES - {"manifest.json"}
    for name, meta in manifest["files"].items():
        assert (run_dir / name).stat().st_size == meta["bytes"]
        assert len(meta["sha256"]) == 64
    assert manifest["seed"] == SEED
    assert manifest["format"] == "csv"
    assert manifest["scenarios"] == 1


def test_seed_and_summary(run_dir):
    assert (run_dir / "seed.txt").read_text().strip() == str(SEED)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert "milestones" in summary
    units = json.loads((run_dir / "units.json").read_text())
    assert units
    for name in ("aggregates", "occupations", "milestones"):
        assert len(pd.read_csv(run_dir / f"{name}.csv")) > 0


def test_is_complete_detects_damage(run_dir, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    assert is_complete(copy)
    with open(copy / "aggregates.csv", "a") as f:
        f.write("extra\n")
    assert not is_complete(copy)
    (copy / "aggregates.csv").unlink()
    assert not is_complete(copy)
    (copy / "manifest.json").unlink()
    assert not is_complete(copy)


def test_config_round_trips_and_reproduces(run_dir, tmp_path, capsys):
    saved = sim.load_config(run_dir / "config.yaml")
    assert saved == sim.load_config(seed=SEED)
    assert saved.seed == SEED

    again = tmp_path / "again"
    code, _, err = run_csv(capsys, again, run_dir / "config.yaml")
    assert code == 0, err
    assert is_complete(again)
    for name in ("aggregates", "milestones", "occupations"):
        assert_frame_equal(pd.read_csv(again / f"{name}.csv"),
                           pd.read_csv(run_dir / f"{name}.csv"), check_exact=True)
    assert (again / "config.yaml").read_text() == (run_dir / "config.yaml").read_text()


def test_existing_folder_is_refused_then_forced(tmp_path, capsys):
    out_dir = tmp_path / "res"
    code, _, err = run_csv(capsys, out_dir, "--seed", "1")
    assert code == 0, err
    before = snapshot(out_dir)

    code, out, err = run_csv(capsys, out_dir, "--seed", "2")
    assert code == EXIT_BAD_INPUT
    assert "Traceback" not in err
    assert str(out_dir) in err and "--force" in err and "allowed" in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert snapshot(out_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]

    code, _, err = run_csv(capsys, out_dir, "--seed", "2", "--force")
    assert code == 0, err
    assert is_complete(out_dir)
    assert (out_dir / "seed.txt").read_text().strip() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no .old-* or .partial-*


def test_empty_existing_folder_is_used(tmp_path, capsys):
    out_dir = tmp_path / "res"
    out_dir.mkdir()
    code, _, err = run_csv(capsys, out_dir)
    assert code == 0, err
    assert is_complete(out_dir)


# ---------------------------------------------------------------- killed runs


def _partials(parent: Path, name: str) -> list[Path]:
    return list(parent.glob(f".{name}.partial-*"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_killed_run_leaves_no_folder(tmp_path, sig):
    parent = tmp_path / "results"
    parent.mkdir()
    out_dir = parent / "run"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "--quiet",
                             "--out", str(out_dir)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Kill while the folder is being written (the figures take seconds): wait for the
        # hidden partial folder to appear.
        deadline = time.monotonic() + 60
        while not _partials(parent, "run") and proc.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail("no partial folder appeared within 60 s")
            time.sleep(0.01)
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.skip(f"the run ended (rc={proc.returncode}) before it could be killed "
                        f"while writing; stderr: {err.decode()[-300:]}")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = err.decode()
    if proc.returncode == 0:
        pytest.skip(f"the run finished before {sig.name} arrived (machine fast)")

    assert not out_dir.exists(), f"{sig.name} left {sorted(out_dir.iterdir())}"
    visible = [p.name for p in parent.iterdir() if not p.name.startswith(".")]
    assert visible == [], f"non-hidden entries after {sig.name}: {visible}"
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    elif sig == signal.SIGTERM:
        assert proc.returncode == -signal.SIGTERM
    else:  # SIGINT: handled; the partial folder is removed and the message says so
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr
        assert _partials(parent, "run") == []


# ---------------------------------------------------------------- disk full, races, NaN


def _ctrl_c(fn, before=False):
    """``fn`` that sends this process Ctrl-C as it returns (or ``before`` it starts): the
    KeyboardInterrupt comes at the next line, the narrowest window a real Ctrl-C can hit.
    """
    def wrapped(*args, **kwargs):
        if before:
            signal.raise_signal(signal.SIGINT)
        try:
            return fn(*args, **kwargs)
        finally:
            if not before:
                signal.raise_signal(signal.SIGINT)
    return wrapped


@pytest.mark.parametrize("folder", [True, False], ids=["folder", "file"])
@pytest.mark.parametrize("where", ["made", "removing"])
def test_ctrl_c_as_a_temporary_is_made_or_removed_leaves_nothing(tmp_path, monkeypatch,
                                                                 folder, where):
    if where == "made":
        name = "mkdtemp" if folder else "mkstemp"
        monkeypatch.setattr(files.tempfile, name, _ctrl_c(getattr(files.tempfile, name)))
    else:
        monkeypatch.setattr(files, "remove", _ctrl_c(files.remove, before=True))
    with pytest.raises(KeyboardInterrupt):
        with files.staging(tmp_path / "run", folder=folder):
            pass
    assert _entries(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_a_folder_is_swapped_in_leaves_the_new_one_and_no_old_one(
        tmp_path, monkeypatch):
    out, new = tmp_path / "run", tmp_path / ".run.partial-test"
    out.mkdir()
    (out / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    monkeypatch.setattr(files.os, "replace", _ctrl_c(files.os.replace))  # after the first rename
    with pytest.raises(KeyboardInterrupt):
        files.move_into_place(new, out)
    monkeypatch.undo()
    assert _entries(out) == ["new.txt"]
    assert _entries(tmp_path) == ["run"]  # neither the old folder set aside nor the lock


def test_ctrl_c_as_a_figure_worker_starts_stops_it_before_the_folder_goes(
        short_record, tmp_path, monkeypatch):
    from sim.figures import run as run_figures

    started = []

    def fork(work):
        started.append(real_fork(work))
        signal.raise_signal(signal.SIGINT)
        return started[-1]

    real_fork = run_figures.fork
    monkeypatch.setattr(run_figures, "fork", fork)
    monkeypatch.setenv("SIM_FIGURE_WORKERS", "2")  # one worker forked, on any machine
    with pytest.raises(KeyboardInterrupt):
        output.write_run(short_record, tmp_path / "run")
    assert started, "no figure worker was started"
    with pytest.raises(ChildProcessError):  # stopped and reaped, so it writes nothing more
        os.waitpid(started[0], os.WNOHANG)
    assert _entries(tmp_path) == []


@pytest.fixture(scope="module")
def short_record():
    """A two-year run's record (2023-2024) in memory."""
    return sim.run(sim.load_config(overrides=["time.end_year=2024"]))


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_disk_full_while_writing_exits_2_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    real = output.write_table
    calls = []

    def fill_up(df, stem, fmt):
        calls.append(stem.name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(df, stem, fmt)

    monkeypatch.setattr(output, "write_table", fill_up)
    out_dir = tmp_path / "res"
    code, _, err = run_csv(capsys, out_dir, "--set", "time.end_year=2024")
    assert code == EXIT_BAD_INPUT, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --out"), err
    assert "No space left on device" in err and "nothing was written" in err
    assert "allowed" in err and "Traceback" not in err
    assert len(calls) == 2
    assert _entries(tmp_path) == []  # no folder, no .res.partial-*, no lock file


def test_disk_full_while_writing_a_report_leaves_no_file(tmp_path, capsys, monkeypatch):
    import sim.figures.report

    folder = output.write_run(sim.run(sim.load_config(overrides=["time.end_year=2024"])),
                              tmp_path / "run", plots=False)
    before = _entries(folder)

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sim.figures.report, "report_html", lambda run: "<html></html>")
    monkeypatch.setattr(Path, "write_text", no_space)
    code, _, err = run_cli(capsys, "report", folder)
    assert code == EXIT_BAD_INPUT and "No space left on device" in err, err
    assert len(err.strip().splitlines()) == 1
    assert _entries(folder) == before  # no report.html, no .report.html.partial-*


def test_non_finite_run_is_a_failed_run_and_writes_nothing(short_record, tmp_path, capsys,
                                                           monkeypatch):
    from sim import runner
    from sim.cli import EXIT_MODEL_FAILED

    broken = short_record.copy(deep=True)
    broken["unemployment_rate"].values[14:, 0] = np.nan
    broken["ai_power_gw"].values[20, 0] = np.inf
    monkeypatch.setattr(runner, "run", lambda cfg, **kwargs: broken)
    out_dir = tmp_path / "res"
    code, _, err = run_csv(capsys, out_dir, "--set", "time.end_year=2024")
    assert code == EXIT_MODEL_FAILED
    lines = err.strip().splitlines()
    assert lines == [f"error: the model failed: non-finite output, first aggregate "
                     f"unemployment_rate = nan in scenario 0 at 2024-03 (step 14); nothing was "
                     f"written to {out_dir}"]
    assert _entries(tmp_path) == []


def test_non_finite_occupation_series_is_named(short_record):
    broken = short_record.copy(deep=True)
    broken["occupation.wage_usd_per_hour"].values[3, 0, 2] = -np.inf
    with pytest.raises(output.NonFiniteResultError, match="occupation series wage_usd_per_hour "
                       "of occupation 15 = -inf in scenario 0 at 2023-04 .step 3."):
        output.write_run(broken, Path("never-written"))
    assert not Path("never-written").exists()


def test_result_json_is_strict(run_dir):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    for name in ("summary.json", "units.json", "manifest.json"):
        json.loads((run_dir / name).read_text(), parse_constant=refuse)
    with pytest.raises(ValueError):
        output.dump_json({"peak": float("nan")})


def test_second_writer_to_a_taken_folder_fails_under_the_lock(short_record, tmp_path,
                                                              monkeypatch):
    out_dir = tmp_path / "res"
    output.write_run(short_record, out_dir, fmt="csv", plots=False)
    before = snapshot(out_dir)
    # the second run checked before the first one finished: only the check under the lock
    # stands between it and the first run's folder
    monkeypatch.setattr(output, "prepare_target", lambda out, force, arg="--out": None)
    with pytest.raises(output.SimInputError) as exc:
        output.write_run(short_record, out_dir, fmt="csv", plots=False)
    message = str(exc.value)
    assert "folder exists" in message and "--force" in message
    assert "nothing was written there" in message
    assert snapshot(out_dir) == before
    assert _entries(tmp_path) == ["res"]


def test_the_lock_makes_writers_take_turns(short_record, tmp_path):
    import threading

    out_dir = tmp_path / "res"
    done = threading.Event()

    def write():
        output.write_run(short_record, out_dir, fmt="csv", plots=False)
        done.set()

    with files.target_lock(out_dir):
        worker = threading.Thread(target=write)
        worker.start()
        assert not done.wait(1.5), "wrote while another writer held the lock"
        assert not out_dir.exists()
    worker.join(30)
    assert done.is_set() and is_complete(out_dir)
    assert _entries(tmp_path) == ["res"]


def _start_run(cwd: Path, out_dir: Path, seed: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "--set",
                             "time.end_year=2024", "--seed", str(seed), "--no-plots", "--quiet",
                             "--out", str(out_dir), *extra],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
def test_concurrent_runs_to_one_folder_never_lose_a_result(tmp_path, force):
    out_dir = tmp_path / "results" / "same"
    extra = ["--force"] if force else []
    procs = {seed: _start_run(tmp_path, out_dir, seed, *extra) for seed in (1, 2)}
    ended = {seed: (p.wait(timeout=120), *p.communicate()) for seed, p in procs.items()}
    codes = sorted(code for code, _, _ in ended.values())
    if force:
        assert codes == [0, 0], ended
    else:
        assert codes == [0, EXIT_BAD_INPUT], ended
        loser = next(err for code, _, err in ended.values() if code == EXIT_BAD_INPUT)
        assert len(loser.strip().splitlines()) == 1 and "Traceback" not in loser
        for text in ("folder exists", "--force", "nothing was written there", str(out_dir)):
            assert text in loser
    assert is_complete(out_dir)
    seed = int((out_dir / "seed.txt").read_text())
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["seed"] == seed and sim.load_config(out_dir / "config.yaml").seed == seed
    if not force:
        assert ended[seed][0] == 0  # the folder is the winner's, not the loser's
    assert _entries(out_dir.parent) == ["same"]  # no lock, partial or old folder left


# ---------------------------------------------------------------- the run's figures


def test_run_figures_draw_augmentation_and_the_rd_multiplier(short_record, tmp_path):
    import matplotlib.pyplot as plt

    from sim.figures import labour as lf
    from sim.figures import run as run_figures
    from sim.outputs.run_data import RD_RATE_LINES, WORK_SHARE_LINES, RunData

    fig, ax = plt.subplots()
    shares = run_figures.work_share_panel(ax, short_record.sim)
    a = short_record.sim.aggregates
    np.testing.assert_allclose(shares["can_help"], a["augmentable_share"][:, 0]
                               + a["capable_share"][:, 0])
    np.testing.assert_allclose(shares["augmented"], a["augmented_share"][:, 0])
    np.testing.assert_allclose(shares["automated"], a["adopted_share"][:, 0])
    drawn = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    for line in WORK_SHARE_LINES:  # every line of the share-of-work panel, in percent
        np.testing.assert_allclose(drawn[line.label], 100 * shares[line.key])
    plt.close(fig)

    run = RunData.from_results(short_record.sim, label="short", source="memory")
    fig = lf.fig_rd([run])
    multiplier, rates, _ = fig.axes
    assert multiplier.get_yscale() == "log"
    np.testing.assert_allclose(multiplier.get_lines()[0].get_ydata(),
                               a["ai_rd_multiplier"][:, 0])
    labels = {line.get_label() for line in rates.get_lines()}
    assert {line.label for line in RD_RATE_LINES} <= labels
    plt.close(fig)
    assert "rd_speedup" in run_figures.LABOR_FIGURES and "rd_speedup" not in run_figures.FIGURES
    assert "rd_speedup" in {spec.name for spec in lf.FIGURES}


def test_a_named_scenario_is_named_in_the_record_and_every_table(tmp_path, capsys):
    """The scenario column is the batch index; ``name`` says which scenario ran."""
    from sim.outputs import record
    from sim.outputs.run_data import load_run

    out_dir = tmp_path / "slow"
    code, _, err = run_cli(capsys, "run", "--scenario", "slow_adoption", "--set",
                           "time.end_year=2023", "--no-plots", "--out", out_dir)
    assert code == 0, err
    assert record.open_run(out_dir)["name"].values.tolist() == ["slow_adoption"]
    for table in ("aggregates", "occupations", "milestones"):
        df = pd.read_parquet(out_dir / f"{table}.parquet")
        assert set(df["name"]) == {"slow_adoption"} and set(df["scenario"]) == {0}, table
    assert json.loads((out_dir / "summary.json").read_text())["name"] == "slow_adoption"
    assert load_run(out_dir).identity["scenario"] == "slow_adoption"
    unnamed = sim.run(sim.load_config(overrides=["time.end_year=2023"]), record_occupations=False)
    assert unnamed["name"].values.tolist() == [""]
    default = sim.run(None, record_occupations=False)  # the built-in default, 2023-2050
    assert default["name"].values.tolist() == ["default"]


def test_an_unnamed_run_written_as_csv_reads_back(tmp_path):
    from sim.outputs.run_data import load_run

    ds = sim.run(sim.load_config(overrides=["time.end_year=2023"]))
    folder = output.write_run(ds, tmp_path / "csv", fmt="csv", plots=False)
    run = load_run(folder)
    assert run.identity["scenario"] == "unnamed"
    assert run.aggregates["name"].tolist() == [""] * 12
