"""Malformed sweep files, sweep folders and `sim sweep` options: each exits 2 with one line per
problem naming the input, the field or option, the value and what is allowed; never a
traceback, never a run, never a folder left behind by a refused call.

One tiny finished sweep folder is made per module; the ``--resume`` cases damage a fresh copy.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from fuzz_harness import assert_rejected, call_cli

from sim.sweep import load_sweep, run_sweep
from sim.sweep import runner as sweep_runner

PARAM = "market.adoption_lag_years: {dist: uniform, low: 2, high: 12}"
DEFAULTS = {"sampler": "latin", "runs": "4", "set": '["time.end_year=2025"]',
            "parameters": f"\n  {PARAM}", "outputs": "{years: [2025], aggregates: [capable_share]}"}


def sweep(*extra: str, **over: str | None) -> str:
    """A small sweep file: the defaults above, keys replaced (None drops one), lines added."""
    parts = {**DEFAULTS, **over}
    return "".join(f"{k}: {v}\n" for k, v in parts.items() if v is not None) + "".join(
        f"{line}\n" for line in extra)


def params(*entries: str) -> str:
    """A ``parameters:`` block from ``key: {...}`` entries."""
    return "".join(f"\n  {e}" for e in entries)


LEAD = "hardware.vendors.leader.capacity_lead_time_months"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))

#: (name, sweep file text, expected substrings, error lines or None for several)
FILES = [
    # the file itself
    ("top_level_list", "- a\n- b\n", ["(top level)"], 1),
    ("empty_file", "", ["parameters", "runs"], None),
    ("malformed_yaml", "runs: [4\nsampler: latin\n", ["malformed YAML"], 1),
    ("alias_bomb", BOMB, ["too many values"], 1),
    ("deep_nesting", "a: " + "[" * 60 + "]" * 60 + "\n", ["nested too deep"], 1),
    ("repeated_key", sweep("runs: 5"), ["runs", "key written twice"], 1),
    ("unknown_top_key", sweep("paramters: {}"), ["paramters", "unknown key"], 1),
    ("very_long_keys", sweep("x" * 1000 + ": 1", parameters=params(
        "y" * 1000 + ": {dist: uniform, low: 1, high: 2}"), outputs="{" + "z" * 1000 + ": 1}"),
     ["unknown key", "unknown parameter", "xxx... = 1", "yyy... = ", "zzz... = 1"], 3),
    # top-level keys of the wrong type or value
    ("name_is_a_list", sweep(name="[a, b]"), ["name", "letters, digits"], 1),
    ("name_is_a_path", sweep(name="../../etc"), ["name = '../../etc'"], 1),
    ("description_not_text", sweep(description="{a: 1}"), ["description", "text"], 1),
    ("seed_boolean", sweep(seed="true"), ["seed = True", "integer"], 1),
    ("seed_nan", sweep(seed=".nan"), ["seed = nan"], 1),
    ("seed_negative", sweep(seed="-1"), ["seed = -1"], 1),
    ("seed_too_big", sweep(seed=str(2**64)), ["seed", "2^63"], 1),
    ("sampler_unknown", sweep(sampler="sobolev"), ["sampler = 'sobolev'", "saltelli"], 1),
    ("sampler_is_a_list", sweep(sampler="[latin]"), ["sampler = ['latin']"], 1),
    ("runs_boolean", sweep(runs="true"), ["runs = True"], 1),
    ("runs_fraction", sweep(runs="4.5"), ["runs = 4.5"], 1),
    ("runs_infinite", sweep(runs=".inf"), ["runs = inf"], 1),
    ("runs_too_many", sweep(runs="1000000000000"), ["runs = 1000000000000", "10000000]"], 1),
    ("grid_too_large", sweep(sampler="grid", runs=None, parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: 1000}",
        "labour.wage_penalty: {dist: uniform, low: 0.0, high: 0.4, levels: 1000}",
        "capital.investor_growth_per_yr: {dist: uniform, low: 0.2, high: 0.9, levels: 1000}")),
     ["runs = 1000000000", "at most"], None),
    ("grid_runs_mismatch", sweep(sampler="grid", runs="5", parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: 4}")),
     ["runs = 5", "gives 4 runs"], 1),
    ("chunk_size_zero", sweep(chunk_size="0"), ["chunk_size = 0"], 1),
    ("chunk_size_text", sweep(chunk_size="lots"), ["chunk_size = 'lots'"], 1),
    # base, scenario, set
    ("base_missing", sweep(base="nope.yaml"), ["base = 'nope.yaml'", "no such file"], 1),
    ("base_not_a_path", sweep(base="5"), ["base = 5"], 1),
    ("base_is_a_folder", sweep(base="."), ["base = '.'", "no such file"], 1),
    ("scenario_missing", sweep(scenario="nope"), ["scenario = 'nope'", "chip_shortage"], 1),
    ("scenario_not_a_name", sweep(scenario="[a]"), ["scenario = ['a']"], 1),
    ("set_not_a_list", sweep(set='"time.end_year=2025"'), ["set = ", "dotted.key=value"], 1),
    ("set_without_equals", sweep(set='["time.end_year=2025", "noequals"]'),
     ["set[1] = 'noequals'"], 1),
    ("set_bad_value", sweep(set='["time.end_year=soon"]'), ["set[0] (time.end_year)"], 1),
    ("set_unknown_key", sweep(set='["time.end_year=2025", "market.nothing=1"]'),
     ["set[1]", "market.nothing", "unknown key"], 1),
    ("set_bad_list_index", sweep(set='["labs.9.human_researchers=1"]'),
     ["set[0] (labs.9)", "frontier_a"], 1),
    ("set_too_many", sweep(set="[" + ", ".join(['"time.end_year=2025"'] * 201) + "]"),
     ["set = '201 entries'", "at most 200"], 1),
    ("set_and_swept", sweep(set='["time.end_year=2025", "market.adoption_lag_years=5"]'),
     ["parameters.market.adoption_lag_years", "also fixed by set[1]"], 1),
    ("base_config_with_set", sweep("base_config: {}"), ["set = ", "no effect next to "
                                                         "base_config"], 1),
    # parameters
    ("parameters_a_list", sweep(parameters="[a, b]"), ["parameters = ['a', 'b']"], 1),
    ("parameters_empty", sweep(parameters="{}"), ["parameters = {}", "at least one"], 1),
    ("parameter_unknown", sweep(parameters=params("market.nothing: {dist: uniform, low: 1, "
                                                  "high: 2}")),
     ["parameters.market.nothing", "unknown parameter"], 1),
    ("parameter_is_a_section", sweep(parameters=params("market: {dist: uniform, low: 1, "
                                                       "high: 2}")),
     ["parameters.market", "section"], 1),
    ("parameter_is_a_name", sweep(parameters=params("labs.frontier_a.name: {dist: choice, "
                                                    "values: [a, b]}")),
     ["parameters.labs.frontier_a.name", "not sweepable"], 1),
    ("parameter_time_axis", sweep(parameters=params("time.end_year: {dist: choice, values: "
                                                    "[2030, 2040]}")),
     ["parameters.time.end_year", "not sweepable"], 1),
    ("same_field_index_and_name", sweep(parameters=params(
        "hardware.vendors.0.markup: {dist: uniform, low: 0.2, high: 0.5}",
        "hardware.vendors.leader.markup: {dist: uniform, low: 0.3, high: 0.6}")),
     ["parameters.hardware.vendors.leader.markup", "parameters.hardware.vendors.0.markup",
      "same field"], 1),
    ("same_field_padded_index", sweep(parameters=params(
        "labs.1.human_researchers: {dist: uniform, low: 1000, high: 3000}",
        "labs.01.human_researchers: {dist: uniform, low: 1000, high: 3000}")),
     ["parameters.labs.01.human_researchers", "parameters.labs.1.human_researchers"], 1),
    ("distribution_unknown", sweep(parameters=params(
        "market.adoption_lag_years: {dist: gamma, low: 2, high: 12}")),
     ["parameters.market.adoption_lag_years.dist = 'gamma'"], 1),
    ("distribution_missing", sweep(parameters=params(
        "market.adoption_lag_years: {low: 2, high: 12}")),
     ["parameters.market.adoption_lag_years.dist = None"], 1),
    ("distribution_not_a_mapping", sweep(parameters=params("market.adoption_lag_years: 5")),
     ["parameters.market.adoption_lag_years = 5"], 1),
    ("distribution_extra_key", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: 12, mode: 5}")),
     ["parameters.market.adoption_lag_years.mode", "unknown key for uniform"], 1),
    ("distribution_missing_field", sweep(parameters=params(
        "market.adoption_lag_years: {dist: triangular, low: 2, high: 12}")),
     ["parameters.market.adoption_lag_years.mode", "required"], 1),
    ("boolean_bound", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: true, high: 12}")),
     ["parameters.market.adoption_lag_years.low = True", "finite number"], 1),
    ("nan_bound", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: .nan}")),
     ["parameters.market.adoption_lag_years.high = nan"], 1),
    ("infinite_bound", sweep(parameters=params(
        "market.adoption_lag_years: {dist: loguniform, low: 2, high: .inf}")),
     ["parameters.market.adoption_lag_years.high = inf"], 1),
    ("exponent_read_as_text", sweep(parameters=params(
        "labs.frontier_c.initial_cash_usd: {dist: uniform, low: 1e8, high: 1.0e+9}")),
     ["parameters.labs.frontier_c.initial_cash_usd.low = '1e8'", "write 1.0e+9"], 1),
    ("text_bound", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: '2', high: 12}")),
     ["parameters.market.adoption_lag_years.low = '2'"], 1),
    ("inverted_range", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 12, high: 2}")),
     ["parameters.market.adoption_lag_years.high = 2", "inverted"], 1),
    ("loguniform_from_zero", sweep(parameters=params(
        "labour.wage_penalty: {dist: loguniform, low: 0, high: 0.4}")),
     ["parameters.labour.wage_penalty.low = 0", "> 0"], 1),
    ("normal_negative_sd", sweep(parameters=params(
        "market.adoption_lag_years: {dist: normal, mean: 5, sd: -1, low: 2, high: 12}")),
     ["parameters.market.adoption_lag_years.sd = -1"], 1),
    ("normal_mean_below_low", sweep(parameters=params(
        "market.adoption_lag_years: {dist: normal, mean: 3, sd: 0.5, low: 10}")),
     ["parameters.market.adoption_lag_years.mean = 3", "within"], 1),
    ("triangular_mode_outside", sweep(parameters=params(
        "market.adoption_lag_years: {dist: triangular, low: 2, mode: 20, high: 12}")),
     ["parameters.market.adoption_lag_years.mode = 20"], 1),
    ("range_beyond_the_field", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: 80}")),
     ["parameters.market.adoption_lag_years.high = 80", "<= 50"], 1),
    ("choice_empty", sweep(parameters=params("hardware.vendors.0.markup: {dist: choice, "
                                             "values: []}")),
     ["parameters.hardware.vendors.0.markup.values = []"], 1),
    ("choice_nan", sweep(parameters=params("hardware.vendors.0.markup: {dist: choice, "
                                           "values: [0.2, .nan]}")),
     ["parameters.hardware.vendors.0.markup.values = nan", "finite"], 1),
    ("choice_booleans", sweep(parameters=params("hardware.vendors.0.markup: {dist: choice, "
                                                "values: [true, false]}")),
     ["parameters.hardware.vendors.0.markup.values = True"], 1),
    ("choice_text_for_a_number", sweep(parameters=params(
        "hardware.vendors.0.markup: {dist: choice, values: ['0.2', '0.5']}")),
     ["parameters.hardware.vendors.0.markup.values = '0.2'"], 1),
    ("choice_fraction_for_an_integer", sweep(parameters=params(
        f"{LEAD}: {{dist: choice, values: [6, 7.5]}}")),
     [f"parameters.{LEAD}.values", "integer"], 1),
    ("choice_too_many", sweep(parameters=params(
        "hardware.vendors.0.markup: {dist: choice, values: [" + ", ".join(["0.5"] * 1001)
        + "]}")), ["'1001 values'", "at most 1000"], 1),
    ("integer_range_rounds_to_one", sweep(parameters=params(
        f"{LEAD}: {{dist: uniform, low: 6.1, high: 6.4}}")),
     [f"parameters.{LEAD}.high", "single value 6"], 1),
    ("levels_outside_a_grid", sweep(parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: 3}")),
     ["parameters.market.adoption_lag_years.levels = 3", "only the grid sampler"], 1),
    ("levels_boolean", sweep(sampler="grid", runs=None, parameters=params(
        "market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: true}")),
     ["parameters.market.adoption_lag_years.levels = True"], 1),
    # outputs
    ("outputs_a_list", sweep(outputs="[years]"), ["outputs = ['years']"], 1),
    ("outputs_unknown_key", sweep(outputs="{years: [2025], yeers: [2024]}"),
     ["outputs.yeers", "unknown key"], 1),
    ("outputs_unknown_aggregate", sweep(outputs="{aggregates: [unemployment]}"),
     ["outputs.aggregates = 'unemployment'", "did you mean unemployment_rate"], 1),
    ("outputs_aggregate_not_a_name", sweep(outputs="{aggregates: [[capable_share]]}"),
     ["outputs.aggregates = ['capable_share']", "unknown aggregate"], 1),
    ("outputs_path_not_a_name", sweep(outputs="{paths: [{a: 1}]}"),
     ["outputs.paths = {'a': 1}"], 1),
    ("outputs_year_after_the_run", sweep(outputs="{years: [2040]}"),
     ["outputs.years = 2040", "2023..2025"], 1),
    ("outputs_year_before_the_run", sweep(outputs="{years: [1999]}"),
     ["outputs.years = 1999", "2023..2025"], 1),
    ("outputs_year_boolean", sweep(outputs="{years: [true]}"), ["outputs.years = [True]"], 1),
    ("outputs_no_years", sweep(outputs="{years: [], aggregates: [capable_share]}"),
     ["outputs.years = []", "at least one year"], 1),
    ("outputs_keep_nothing", sweep(outputs="{aggregates: [], milestones: false}"),
     ["keeps nothing"], 1),
    ("outputs_milestones_text", sweep(outputs="{milestones: 'yes'}"),
     ["outputs.milestones = 'yes'", "true or false"], 1),
    ("outputs_path_step_too_long", sweep(outputs="{paths: [capable_share], "
                                                 "paths_every_months: 100}"),
     ["outputs.paths_every_months = 100", "36 steps"], 1),
    # the tests' fault hook is set from Python only: a sweep file cannot name it
    ("fault_in_a_file", sweep("inject_fault: {parameter: market.adoption_lag_years, above: 1}"),
     ["inject_fault", "unknown key"], 1),
]


@dataclass
class Case:
    """Where a case writes, a fresh copy of the finished sweep folder, a read-only folder."""

    tmp: Path
    folder: Path
    readonly: Path

    def file(self, text: str | bytes, name: str = "bad.yaml") -> Path:
        path = self.tmp / name
        (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
        return path

    @property
    def good(self) -> Path:
        return self.file(sweep(), "good.yaml")

    def definition(self) -> str:
        return (self.folder / "sweep.yaml").read_text()


CASES: dict[str, tuple] = {}


def case(*expected: str, n: int | None = 1):
    """Register a case: a function of a :class:`Case` returning the CLI arguments."""
    def register(fn):
        CASES[fn.__name__] = (fn, expected, n)
        return fn
    return register


for _name, _text, _expected, _n in FILES:
    CASES[f"file_{_name}"] = ((lambda c, t=_text: ("sweep", c.file(t))), tuple(_expected), _n)


@case("(file)", "UTF-8")
def file_binary_garbage(c):
    return "sweep", c.file(bytes(range(256)) * 4)


@case("file not found")
def file_missing(c):
    return "sweep", c.tmp / "nowhere.yaml"


@case("SWEEP_FILE", "is a directory")
def file_is_a_folder(c):
    return "sweep", c.tmp


@case("base = ", "no such file")
def base_with_a_nul_byte(c):
    return "sweep", c.file(sweep(base='"a\\0b.yaml"'))


@case("bad-base.yaml", "market.nothing", "unknown key")
def base_file_with_an_unknown_key(c):
    c.file("market:\n  nothing: 1\n", "bad-base.yaml")
    return "sweep", c.file(sweep(base="bad-base.yaml"))


# ----------------------------------------------------------------------------- options
@case("SWEEP_FILE / --resume", "not both")
def options_file_and_resume(c):
    return "sweep", c.good, "--resume", c.folder


@case("SWEEP_FILE / --resume")
def options_neither_file_nor_resume(c):
    return ("sweep",)


@case("--workers", "--scheduler ADDRESS")
def options_workers_and_scheduler(c):
    return "sweep", c.good, "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"


@case("--workers = 100000", "4 per core")
def options_workers_too_many(c):
    return "sweep", c.good, "--workers", "100000"


@case("--workers", "0")
def options_workers_zero(c):
    return "sweep", c.good, "--workers", "0"


@case("--seed")
def options_seed_too_big(c):
    return "sweep", c.good, "--seed", str(2**64)


@case("--chunk-size")
def options_chunk_size_too_big(c):
    return "sweep", c.good, "--chunk-size", "1000000"


@case("--worker-timeout")
def options_worker_timeout_nan(c):
    return "sweep", c.good, "--worker-timeout", "nan"


@case("--scheduler", "scheduler = 'not a url'", "tcp://10.0.0.5:8786")
def scheduler_not_a_url(c):
    return "sweep", c.good, "--scheduler", "not a url"


@case("--scheduler", "scheduler = ''")
def scheduler_blank(c):
    return "sweep", c.good, "--scheduler", ""


@case("--scheduler", "unknown scheme")
def scheduler_unknown_scheme(c):
    return "sweep", c.good, "--scheduler", "gopher://10.0.0.5:8786"


@case("--scheduler", "tcp://10.0.0.5:99999")
def scheduler_port_out_of_range(c):
    return "sweep", c.good, "--scheduler", "tcp://10.0.0.5:99999"


@case("--scheduler", "cannot connect")
def scheduler_unreachable(c):
    return "sweep", c.good, "--scheduler", f"tcp://127.0.0.1:{_free_port()}"


@case("$DASK_SCHEDULER_ADDRESS", "not a scheduler address")
def scheduler_from_the_environment(c):
    os.environ["DASK_SCHEDULER_ADDRESS"] = "not a url"  # restored by the test
    return "sweep", c.good


# ----------------------------------------------------------------------------- --out
@case("--out", "cannot be written")
def out_read_only(c):
    if c.readonly is None:
        pytest.skip("no folder here refuses writes")
    return "sweep", c.good, "--out", c.readonly / "sweep-out"


@case("--out", "cannot be written")
def out_under_a_file(c):
    c.file("x", "a-file")
    return "sweep", c.good, "--out", c.tmp / "a-file" / "sweep-out"


@case("--out", "is a file")
def out_is_a_file(c):
    return "sweep", c.good, "--out", c.file("x", "a-file")


@case("--out", "not empty", "--force")
def out_taken(c):
    return "sweep", c.good, "--out", c.folder


@case("--out", "not a sweep folder", "will not delete")
def out_force_onto_a_foreign_folder(c):
    c.file("keep me", "precious.txt")
    return "sweep", c.good, "--out", c.tmp, "--force"


@case("--out", "another `sim sweep` is writing")
def out_in_use(c):
    c.lock = os.open(c.folder / ".lock", os.O_RDWR | os.O_CREAT)  # released by the test
    fcntl.flock(c.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return "sweep", c.good, "--out", c.folder, "--force"


# ----------------------------------------------------------------------------- --resume
@case("--resume", "--seed = 6", "runs with --seed 5", "leave it out")
def resume_other_seed(c):
    return "sweep", "--resume", c.folder, "--seed", "6"


@case("--resume", "--chunk-size = 3", "runs with --chunk-size 2")
def resume_other_chunk_size(c):
    return "sweep", "--resume", c.folder, "--chunk-size", "3"


@case("--seed = 6", "--chunk-size = 3", n=2)
def resume_other_seed_and_chunk_size(c):
    return "sweep", "--resume", c.folder, "--seed", "6", "--chunk-size", "3"


@case("--out", "without --out")
def resume_with_another_out(c):
    return "sweep", "--resume", c.folder, "--out", c.tmp / "elsewhere"


@case("--force", "one of them")
def resume_with_force(c):
    return "sweep", "--resume", c.folder, "--force"


@case("sweep.yaml", "not a sweep folder")
def resume_a_foreign_folder(c):
    (c.tmp / "empty").mkdir()
    return "sweep", "--resume", c.tmp / "empty"


@case("sweep.yaml", "sha256", "cut short")
def resume_definition_cut_in_base_config(c):
    text = c.definition()
    cut = text.index("base_config:") + (len(text) - text.index("base_config:")) // 2
    (c.folder / "sweep.yaml").write_text(text[:text.index("\n", cut) + 1])
    return "sweep", "--resume", c.folder


@case("sweep.yaml", "sha256", "does not match")
def resume_definition_edited(c):
    text = c.definition().replace("\nseed: 5\n", "\nseed: 6\n")
    assert text != c.definition()
    (c.folder / "sweep.yaml").write_text(text)
    return "sweep", "--resume", c.folder


@case("sweep.yaml", "sha256 = '(missing)'", "append the line")
def resume_definition_without_checksum(c):
    lines = c.definition().splitlines(keepends=True)
    (c.folder / "sweep.yaml").write_text("".join(lines[:-1]))
    return "sweep", "--resume", c.folder


@case("sweep.yaml", "sha256", "UTF-8")
def resume_definition_not_text(c):
    (c.folder / "sweep.yaml").write_bytes(b"\xff\xfe garbage")
    return "sweep", "--resume", c.folder


# ----------------------------------------------------------------------------- the test
@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished four-run sweep (seed 5, chunks of 2, to 2025)."""
    tmp = tmp_path_factory.mktemp("fuzz-sweep")
    path = tmp / "fuzz.yaml"
    path.write_text(sweep(seed="5", chunk_size="2", name="fuzz"))
    run_sweep(load_sweep(path), tmp / "sweep", workers=1, progress=False)
    for module in ("distributed", "distributed.comm", "scipy.stats"):  # not in a timed call
        importlib.import_module(module)
    return tmp / "sweep"


@pytest.fixture(scope="module")
def readonly(tmp_path_factory) -> Path | None:
    """A folder nothing can be written into (mode 555, or /sys/fs for root), or None."""
    folder = tmp_path_factory.mktemp("readonly")
    folder.chmod(0o555)
    found = None
    for candidate in (folder, Path("/sys/fs")):
        try:
            tempfile.TemporaryFile(dir=candidate).close()
        except OSError:
            found = candidate
            break
    yield found
    folder.chmod(0o755)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_sweep_input_is_rejected(name, finished, readonly, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_runner, "CONNECT_TIMEOUT_S", 0.5)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    c = Case(tmp=tmp_path / "case", folder=tmp_path / "case" / "sweep", readonly=readonly)
    c.tmp.mkdir()
    shutil.copytree(finished, c.folder)
    fn, expected, n = CASES[name]
    try:
        args = [str(a) for a in fn(c)]
        if not {"--workers", "--scheduler"} & set(args) and "environment" not in name:
            args += ["--workers", "1"]  # if anything ran, it would run in this process
        before = _tree(tmp_path)
        outcome = call_cli(*args, "--quiet")
    finally:
        os.environ.pop("DASK_SCHEDULER_ADDRESS", None)
        if hasattr(c, "lock"):
            os.close(c.lock)
    assert_rejected(outcome, *expected, n=n)
    assert _tree(tmp_path) == before, "a refused call changed the files"


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def test_there_are_enough_cases():
    assert len(CASES) >= 35
