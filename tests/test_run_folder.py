"""The result folder of ``sim run``: complete, self-describing, reproducible, never clobbered, and
never half-written (a killed run leaves no folder under the target name)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sim
from sim import output
from sim.cli import EXIT_BAD_INPUT, main

EXPECTED_FILES = {"aggregates.csv", "occupations.csv", "occupation_info.csv",
                  "milestones.csv", "config.yaml",
                  "seed.txt", "summary.json", "manifest.json", "units.json"}
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
    assert output.is_complete(run_dir)
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
    assert output.is_complete(copy)
    with open(copy / "aggregates.csv", "a") as f:
        f.write("extra\n")
    assert not output.is_complete(copy)
    (copy / "aggregates.csv").unlink()
    assert not output.is_complete(copy)
    (copy / "manifest.json").unlink()
    assert not output.is_complete(copy)


def test_config_round_trips_and_reproduces(run_dir, tmp_path, capsys):
    saved = sim.load_config(run_dir / "config.yaml")
    assert saved == sim.load_config(seed=SEED)
    assert saved.seed == SEED

    again = tmp_path / "again"
    code, _, err = run_csv(capsys, again, run_dir / "config.yaml")
    assert code == 0, err
    assert output.is_complete(again)
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
    assert output.is_complete(out_dir)
    assert (out_dir / "seed.txt").read_text().strip() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no .old-* or .partial-*


def test_empty_existing_folder_is_used(tmp_path, capsys):
    out_dir = tmp_path / "res"
    out_dir.mkdir()
    code, _, err = run_csv(capsys, out_dir)
    assert code == 0, err
    assert output.is_complete(out_dir)


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
