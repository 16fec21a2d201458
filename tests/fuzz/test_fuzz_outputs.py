"""Malformed result folders, sweep folders and output locations, through `sim run`, `sim
report`, `sim compare` and `sim analyze`: each exits 2 with one line naming the input, the file
or column, and what is allowed; never a traceback, never a folder or file written by mistake.

One real run folder and one small sweep folder are made per module; every case corrupts a
fresh copy of them.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fuzz_harness import assert_rejected, call_cli

import sim
from sim.outputs import output
from sim.outputs.manifest import MANIFEST_MAX_BYTES, file_entry
from sim.sweep import load_sweep, run_sweep

SWEEP = """
name: fuzz
seed: 5
sampler: latin
runs: 4
chunk_size: 2
set: ["time.end_year=2025", "tasks.automation.requirement_100pct_oom=30.0"]  # reaches milestones
parameters:
  capital.investor_growth_per_yr: {dist: uniform, low: 0.2, high: 0.9}
  market.adoption_lag_years: {dist: loguniform, low: 2, high: 12}
outputs:
  years: [2024, 2025]
  aggregates: [capable_share, unemployment_rate]
  milestones: true
  paths: [adopted_share]
"""


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> tuple[Path, Path]:
    """A short run folder (2023-2025, no figures) and a finished four-run sweep folder."""
    tmp = tmp_path_factory.mktemp("fuzz-outputs")
    run = output.write_run(sim.run(sim.load_config(overrides=["time.end_year=2025"])),
                           tmp / "run", plots=False, command="sim run --set time.end_year=2025")
    (tmp / "fuzz.yaml").write_text(SWEEP)
    run_sweep(load_sweep(tmp / "fuzz.yaml"), tmp / "sweep", workers=1, progress=False)
    # imported here, not in a timed call
    for module in ("sim.figures.report", "sim.sweep.analysis"):
        importlib.import_module(module)
    return run, tmp / "sweep"


def _not_writable(folder: Path) -> bool:
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return True
    return False


@pytest.fixture(scope="module")
def readonly(tmp_path_factory) -> Path:
    """A folder nothing can be written into (a mode-555 folder, or /sys/fs for root)."""
    folder = tmp_path_factory.mktemp("readonly")
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys/fs")):
        if candidate.is_dir() and _not_writable(candidate):
            yield candidate
            break
    else:
        pytest.skip("no folder here refuses writes")
    folder.chmod(0o755)


@dataclass
class Case:
    """Fresh copies of the run and sweep folders, and places to point at."""

    run: Path
    sweep: Path
    tmp: Path
    readonly: Path

    def table(self, stem: str) -> pd.DataFrame:
        return pd.read_parquet(self.run / f"{stem}.parquet")

    def set_table(self, stem: str, df: pd.DataFrame) -> None:
        """Replace a table and record it in the manifest, as if the run had written it."""
        df.to_parquet(self.run / f"{stem}.parquet", index=False)
        self.refresh(f"{stem}.parquet")

    def set_bytes(self, name: str, data: bytes, refresh: bool = True) -> None:
        (self.run / name).write_bytes(data)
        if refresh:
            self.refresh(name)

    def refresh(self, name: str) -> None:
        self.edit_manifest(lambda m: m["files"].update({name: file_entry(self.run /
                                                                                name)}))

    def edit_manifest(self, change) -> None:
        manifest = json.loads((self.run / "manifest.json").read_text())
        change(manifest)
        (self.run / "manifest.json").write_text(json.dumps(manifest))

    def summary(self) -> pd.DataFrame:
        return pd.read_parquet(self.sweep / "summary.parquet")

    def set_summary(self, df: pd.DataFrame) -> None:
        df.to_parquet(self.sweep / "summary.parquet", index=False)


CASES: dict = {}


def case(*expected: str):
    """Register a case: a function of a :class:`Case` returning the CLI arguments."""
    def register(fn):
        CASES[fn.__name__] = (fn, expected)
        return fn
    return register


def _half(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2]


# ----------------------------------------------------------------------------- manifest


@case("RUN_DIR", "manifest.json", "'files'")
def manifest_is_a_list(c):
    (c.run / "manifest.json").write_text("[]")
    return "report", c.run


@case("manifest.json", "not valid JSON")
def manifest_is_malformed_json(c):
    (c.run / "manifest.json").write_text('{"files": {"aggregates.parquet": ')
    return "report", c.run


@case("manifest.json", "not valid JSON")
def manifest_is_empty(c):
    (c.run / "manifest.json").write_text("")
    return "report", c.run


@case("manifest.json", "not valid JSON")
def manifest_nested_too_deep(c):
    (c.run / "manifest.json").write_text("[" * 200_000)
    return "report", c.run


@case("manifest.json", "too large")
def manifest_is_huge(c):
    (c.run / "manifest.json").write_bytes(b" " * (MANIFEST_MAX_BYTES + 10) + b"{}")
    return "report", c.run


@case("manifest.json", "'files'")
def manifest_files_is_a_list(c):
    c.edit_manifest(lambda m: m.update(files=list(m["files"])))
    return "report", c.run


@case("files['aggregates.parquet']", "bytes: integer")
def manifest_entry_is_a_number(c):
    c.edit_manifest(lambda m: m["files"].update({"aggregates.parquet": 5}))
    return "report", c.run


@case("manifest.json", "cannot be read")
def manifest_is_a_folder(c):
    (c.run / "manifest.json").unlink()
    (c.run / "manifest.json").mkdir()
    return "report", c.run


@case("no manifest.json")
def manifest_missing(c):
    (c.run / "manifest.json").unlink()
    return "report", c.run


@case("figures/workforce.png", "not a file")
def manifest_lists_a_missing_file(c):
    c.edit_manifest(lambda m: m["files"].update({"figures/workforce.png": {
        "bytes": 10, "sha256": "0" * 64}}))
    return "report", c.run


@case("../outside.txt", "not a relative path inside the folder")
def manifest_lists_a_file_outside(c):
    c.edit_manifest(lambda m: m["files"].update({"../outside.txt": {"bytes": 1,
                                                                    "sha256": "0" * 64}}))
    return "report", c.run


@case("milestones.parquet", "manifest.json says")
def table_size_differs_from_manifest(c):
    with open(c.run / "milestones.parquet", "ab") as f:
        f.write(b"\0" * 7)
    return "report", c.run


@case("config.yaml", "SHA-256")
def file_changed_at_the_same_size(c):
    data = bytearray((c.run / "config.yaml").read_bytes())
    data[10] = ord("#") if data[10] != ord("#") else ord(" ")
    (c.run / "config.yaml").write_bytes(bytes(data))
    return "report", c.run


# ----------------------------------------------------------------------------- tables


@case("occupations.parquet", "not a file")
def table_deleted(c):
    (c.run / "occupations.parquet").unlink()
    return "report", c.run


@case("no occupations.parquet or occupations.csv")
def table_missing_from_folder_and_manifest(c):
    (c.run / "occupations.parquet").unlink()
    c.edit_manifest(lambda m: m["files"].pop("occupations.parquet"))
    return "report", c.run


@case("aggregates.parquet", "a folder")
def table_is_a_folder(c):
    (c.run / "aggregates.parquet").unlink()
    (c.run / "aggregates.parquet").mkdir()
    return "report", c.run


@case("aggregates.parquet", "unreadable")
def parquet_truncated(c):
    c.set_bytes("aggregates.parquet", _half(c.run / "aggregates.parquet"))
    return "report", c.run


@case("occupations.parquet", "unreadable")
def parquet_is_garbage(c):
    c.set_bytes("occupations.parquet", np.random.default_rng(1).bytes(5000))
    return "report", c.run


@case("milestones.parquet", "unreadable")
def parquet_is_empty(c):
    c.set_bytes("milestones.parquet", b"")
    return "report", c.run


@case("aggregates.parquet", "column capable_share", "(missing)")
def aggregates_missing_a_column(c):
    c.set_table("aggregates", c.table("aggregates").drop(columns="capable_share"))
    return "report", c.run


@case("aggregates.parquet", "column year", "allowed: numbers")
def aggregates_year_is_text(c):
    df = c.table("aggregates")
    c.set_table("aggregates", df.assign(year=df["date"]))
    return "report", c.run


@case("aggregates.parquet", "column unemployment_rate", "not finite")
def aggregates_all_nan(c):
    c.set_table("aggregates", c.table("aggregates").assign(unemployment_rate=np.nan))
    return "report", c.run


@case("aggregates.parquet", "column ai_power_gw", "not finite")
def aggregates_one_inf(c):
    df = c.table("aggregates")
    df.loc[5, "ai_power_gw"] = np.inf
    c.set_table("aggregates", df)
    return "report", c.run


@case("aggregates.parquet", "no rows")
def aggregates_empty(c):
    c.set_table("aggregates", c.table("aggregates").iloc[:0])
    return "report", c.run


@case("aggregates.parquet", "no rows of scenario 0")
def aggregates_of_another_scenario(c):
    c.set_table("aggregates", c.table("aggregates").assign(scenario=1))
    return "report", c.run


@case("aggregates column step", "not increasing")
def aggregates_out_of_order(c):
    c.set_table("aggregates", c.table("aggregates").iloc[::-1])
    return "report", c.run


@case("aggregates column year", "not increasing")
def aggregates_year_goes_back(c):
    df = c.table("aggregates")
    df.loc[7, "year"] = df.loc[2, "year"]
    c.set_table("aggregates", df)
    return "report", c.run


@case("occupation_info.parquet", "column employment_start", "not all zero")
def info_employment_all_zero(c):
    c.set_table("occupation_info", c.table("occupation_info").assign(employment_start=0.0))
    return "report", c.run


@case("occupation_info.parquet", "column job_zone", "at least one occupation")
def info_job_zone_unknown(c):
    c.set_table("occupation_info", c.table("occupation_info").assign(job_zone=np.nan))
    return "report", c.run


@case("occupations rows", "one row per step and occupation")
def occupations_duplicated(c):
    occ = c.table("occupations")
    c.set_table("occupations", pd.concat([occ, occ]))
    return "report", c.run


@case("99-9999", "not in occupation_info")
def occupations_unknown_code(c):
    occ = c.table("occupations")
    occ.loc[3, "occupation"] = "99-9999"
    c.set_table("occupations", occ)
    return "report", c.run


@case("occupations.parquet", "column wage_usd_per_hour", "not finite")
def occupations_nan_wage(c):
    occ = c.table("occupations")
    occ.loc[40, "wage_usd_per_hour"] = np.nan
    c.set_table("occupations", occ)
    return "report", c.run


@case("occupation_info.parquet", "column title", "(missing)")
def info_missing_title(c):
    c.set_table("occupation_info", c.table("occupation_info").drop(columns="title"))
    return "report", c.run


@case("occupation_info column occupation", "listed twice")
def info_duplicate_occupation(c):
    info = c.table("occupation_info")
    c.set_table("occupation_info", pd.concat([info, info.iloc[:1]]))
    return "report", c.run


@case("occupation_info.parquet", "column employment_start", "allowed: numbers")
def info_employment_is_text(c):
    info = c.table("occupation_info")
    c.set_table("occupation_info", info.assign(employment_start="many"))
    return "report", c.run


@case("milestones.parquet", "column year", "not finite")
def milestone_year_infinite(c):
    c.set_table("milestones", c.table("milestones").assign(year=np.inf))
    return "report", c.run


@case("milestones.parquet", "column milestone", "(missing)")
def milestones_missing_a_column(c):
    c.set_table("milestones", c.table("milestones").drop(columns="milestone"))
    return "report", c.run


def _as_csv(c, df: pd.DataFrame | None = None, data: bytes | None = None) -> None:
    (c.run / "aggregates.parquet").unlink()
    if data is None:
        df.to_csv(c.run / "aggregates.csv", index=False)
    else:
        (c.run / "aggregates.csv").write_bytes(data)
    c.edit_manifest(lambda m: m["files"].pop("aggregates.parquet"))
    c.refresh("aggregates.csv")


@case("aggregates.csv", "column year", "allowed: numbers")
def csv_year_is_text(c):
    df = c.table("aggregates")
    _as_csv(c, df.assign(year=df["date"]))
    return "report", c.run


@case("aggregates.csv", "unreadable")
def csv_is_binary(c):
    _as_csv(c, data=b"\xff\xfe\x00garbage\x00" * 100)
    return "report", c.run


# ----------------------------------------------------------------------------- the folder


@case("RUN_DIR", "not a folder")
def run_dir_is_a_file(c):
    return "report", c.run / "config.yaml"


@case("RUN_DIR", "not a folder")
def run_dir_missing(c):
    return "report", c.tmp / "nowhere"


@case("RUN_DIR", "no manifest.json")
def run_dir_empty(c):
    (c.tmp / "empty").mkdir()
    return "report", c.tmp / "empty"


@case("RUN_DIR", "a sweep folder")
def sweep_folder_given_to_report(c):
    return "report", c.sweep


@case("manifest.json", "cannot be read")
def manifest_not_readable(c):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    (c.run / "manifest.json").chmod(0)
    return "report", c.run


@case("--out", "is a folder")
def report_out_is_a_folder(c):
    return "report", c.run, "--out", c.tmp


@case("--out", "cannot be written")
def report_out_under_a_file(c):
    return "report", c.run, "--out", c.run / "seed.txt" / "r.html"


@case("--out", "cannot be written")
def report_out_read_only(c):
    return "report", c.run, "--out", c.readonly / "r.html"


@case("--out", "cannot be written", "File name too long")
def report_out_name_too_long(c):
    return "report", c.run, "--out", c.tmp / ("r" * 300 + ".html")


@case("--out", "cannot be written", "File name too long")
def run_out_name_too_long(c):
    return "run", "--set", "time.end_year=2024", "--quiet", "--out", c.tmp / ("r" * 250)


@case("--out", "names no new entry")
def run_out_is_the_parent(c):
    return "run", "--set", "time.end_year=2024", "--quiet", "--force", "--out", c.tmp / ".."


# ----------------------------------------------------------------------------- compare


@case("RUN 2", "manifest.json")
def compare_second_run_corrupt(c):
    other = c.tmp / "other"
    shutil.copytree(c.run, other)
    (other / "manifest.json").write_text("[]")
    return "compare", c.run, other, "--out", c.tmp / "c.html"


@case("RUN 1", "column employed", "not finite")
def compare_first_run_nan(c):
    c.set_table("aggregates", c.table("aggregates").assign(employed=np.nan))
    return "compare", c.run, c.run, "--out", c.tmp / "c.html"


@case("fewer than 2 runs")
def compare_one_run(c):
    return "compare", c.run


@case("RUN 2", "neither a folder nor a scenario name")
def compare_unknown_name(c):
    return "compare", c.run, "no_such_scenario"


@case("--out", "cannot be written")
def compare_out_read_only(c):
    return "compare", c.run, c.run, "--out", c.readonly / "c.html"


@case("--out", "is a folder")
def compare_out_is_a_folder(c):
    return "compare", c.run, c.run, "--out", c.run


# ----------------------------------------------------------------------------- analyze


@case("a result folder of `sim run`", "sim report")
def analyze_run_folder(c):
    return "analyze", c.run


@case("no sweep.yaml")
def analyze_empty_folder(c):
    (c.tmp / "empty").mkdir()
    return "analyze", c.tmp / "empty"


@case("SWEEP_DIR", "not a folder")
def analyze_missing_folder(c):
    return "analyze", c.tmp / "nowhere"


@case("summary.parquet", "not finished")
def analyze_summary_missing(c):
    (c.sweep / "summary.parquet").unlink()
    return "analyze", c.sweep


@case("summary.parquet", "unreadable")
def analyze_summary_garbage(c):
    (c.sweep / "summary.parquet").write_bytes(b"PAR1" + b"\x07" * 3000 + b"PAR1")
    return "analyze", c.sweep


@case("summary.parquet", "unreadable")
def analyze_summary_truncated(c):
    (c.sweep / "summary.parquet").write_bytes(_half(c.sweep / "summary.parquet"))
    return "analyze", c.sweep


@case("summary.parquet", "column status", "(missing)")
def analyze_summary_without_status(c):
    c.set_summary(c.summary().drop(columns="status"))
    return "analyze", c.sweep


@case("summary.parquet", "column unemployment_rate@2025", "(missing)")
def analyze_summary_without_an_output(c):
    c.set_summary(c.summary().drop(columns="unemployment_rate@2025"))
    return "analyze", c.sweep


@case("column capable_share@2024", "allowed: numbers")
def analyze_summary_output_is_text(c):
    df = c.summary()
    c.set_summary(df.assign(**{"capable_share@2024": "high"}))
    return "analyze", c.sweep


@case("column status", "unknown status", "ok, failed, invalid")
def analyze_summary_unknown_status(c):
    c.set_summary(c.summary().assign(status="done"))
    return "analyze", c.sweep


@case("not one row per run", "sim sweep --resume")
def analyze_summary_missing_rows(c):
    c.set_summary(c.summary().iloc[:2])
    return "analyze", c.sweep


@case("no run succeeded", "4 failed", "boom")
def analyze_all_runs_failed(c):
    c.set_summary(c.summary().assign(status="failed", error="boom"))
    return "analyze", c.sweep


@case("column unemployment_rate@2024", "not finite in ok run 1")
def analyze_ok_run_with_inf(c):
    df = c.summary()
    df.loc[1, "unemployment_rate@2024"] = np.inf
    c.set_summary(df)
    return "analyze", c.sweep


@case("sweep.yaml")
def analyze_sweep_yaml_malformed(c):
    (c.sweep / "sweep.yaml").write_text("name: [unclosed\n")
    return "analyze", c.sweep


@case("paths", "unreadable")
def analyze_paths_chunk_garbage(c):
    chunk = sorted((c.sweep / "paths").glob("chunk-*.parquet"))[0]
    chunk.write_bytes(b"not parquet at all" * 50)
    return "analyze", c.sweep


@case("--out", "did not write")
def analyze_out_is_a_foreign_folder(c):
    return "analyze", c.sweep, "--out", c.run


@case("--out", "cannot be written")
def analyze_out_read_only(c):
    return "analyze", c.sweep, "--out", c.readonly / "analysis"


@case("--out", "is a file")
def analyze_default_out_is_a_file(c):
    (c.sweep / "analysis").write_text("not a folder")
    return "analyze", c.sweep


# ----------------------------------------------------------------------------- run --out


@case("--out", "cannot be written", "nothing was written")
def run_out_read_only(c):
    return "run", "--set", "time.end_year=2024", "--quiet", "--out", c.readonly / "res"


@case("--out", "cannot be written")
def run_out_under_a_file(c):
    return "run", "--set", "time.end_year=2024", "--quiet", "--out", c.run / "seed.txt" / "res"


@case("--out", "folder exists and is not empty", "--force", "nothing was written")
def run_out_taken(c):
    return "run", "--set", "time.end_year=2024", "--quiet", "--out", c.run


@case("--out", "replaces only result folders")
def run_force_onto_a_foreign_folder(c):
    return "run", "--set", "time.end_year=2024", "--quiet", "--force", "--out", c.sweep


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_output_input_is_rejected(name, originals, readonly, tmp_path):
    run, sweep = originals
    c = Case(run=tmp_path / "run", sweep=tmp_path / "sweep", tmp=tmp_path, readonly=readonly)
    shutil.copytree(run, c.run)
    shutil.copytree(sweep, c.sweep)
    fn, expected = CASES[name]
    args = fn(c)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_rejected(call_cli(*args), *expected)
    after = sorted(p.name for p in tmp_path.iterdir())
    assert after == before, "a rejected call left something behind"
    assert not [p for p in c.sweep.iterdir() if ".partial-" in p.name or ".old-" in p.name]


def test_there_are_enough_cases():
    assert len(CASES) >= 35


def test_analyze_twice_replaces_the_earlier_analysis(originals, tmp_path):
    """The sane path next to the cases above: an earlier analysis folder is replaced whole,
    and nothing temporary is left beside it.
    """
    sweep = tmp_path / "sweep"
    shutil.copytree(originals[1], sweep)
    (sweep / "analysis").mkdir()
    (sweep / "analysis" / "fan_charts.png").write_bytes(b"old")
    outcome = call_cli("analyze", sweep)
    assert outcome.code == 0, outcome.err
    files = {p.name for p in (sweep / "analysis").iterdir()}
    assert files <= {"fan_charts.png", "milestone_cdfs.png", "report.html"}
    assert {"milestone_cdfs.png", "report.html"} <= files
    assert (sweep / "analysis" / "fan_charts.png").read_bytes() != b"old"
    assert not [p for p in sweep.iterdir() if ".analysis." in p.name]
