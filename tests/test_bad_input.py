"""Bad input exits with code 2 and one message per problem naming the file, the field, the value
and what is allowed; never a traceback.

Each test writes a tiny bad file under ``tmp_path`` and calls the CLI in-process through
``sim.cli.main``, which ends in ``SystemExit``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.cli import EXIT_BAD_INPUT, main
from sim.data.occupations import REQUIRED_COLUMNS, load_table_file
from sim.errors import OccupationTableError

BINS = {"e0": 4, "e1": 1, "e2": 1}
REPO = Path(__file__).resolve().parent.parent


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Call the CLI in-process; returns (exit code, stdout, stderr)."""
    capsys.readouterr()  # drop anything printed before
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    code = exc.value.code
    return (0 if code is None else code), out, err


def assert_one_message(code: int, err: str, *expected: str, n: int = 1) -> None:
    """Exit 2, ``n`` error lines, each expected string present, 'allowed', no traceback."""
    assert code == EXIT_BAD_INPUT, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == n, f"expected {n} message(s), got:\n{err}"
    assert all(line.startswith("error: ") for line in lines), err
    for text in expected:
        assert text in err, f"{text!r} not in stderr:\n{err}"
    assert "allowed" in err, err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# (id, file name, YAML text, strings the message must contain: field, value, rule)
CONFIG_CASES = [
    ("malformed_yaml", "malformed.yaml", "time: [1, 2\n",
     ["line 2", "expected", "malformed YAML"]),
    ("top_level_not_mapping", "toplist.yaml", "- a\n- b\n",
     ["(top level)", "'list'", "mapping"]),
    ("top_level_scalar", "scalar.yaml", "42\n",
     ["(top level)", "'int'", "mapping"]),
    ("unknown_key_top", "typo.yaml", "seedd: 3\n",
     ["seedd", "= 3", "unknown key"]),
    ("unknown_key_nested", "nested.yaml", "market:\n  adoption_lagg_years: 3\n",
     ["market.adoption_lagg_years", "= 3", "unknown key"]),
    ("wrong_type_string_for_float", "wrongtype.yaml", "hardware:\n  utilization: lots\n",
     ["hardware.utilization", "'lots'", "valid number"]),
    ("section_not_mapping", "section.yaml", "time: 5\n",
     ["time", "= 5", "dictionary"]),
    ("negative_rate", "negrate.yaml", "hardware:\n  power_cap_growth_per_yr: -0.2\n",
     ["hardware.power_cap_growth_per_yr", "-0.2", ">= 0"]),
    ("negative_lag", "neglag.yaml", "market:\n  adoption_lag_years: -1.0\n",
     ["market.adoption_lag_years", "-1.0", "allowed: >"]),
    ("out_of_range", "range.yaml", "hardware:\n  utilization: 1.5\n",
     ["hardware.utilization", "1.5", "<= 1"]),
    ("start_after_end", "startend.yaml", "time:\n  start_year: 2040\n  end_year: 2030\n",
     ["time.end_year", "2030", "2040", "end_year >= start_year"]),
    ("inverted_exposure_range", "inverted.yaml",
     "tasks:\n  augmentation:\n    e2:\n      low_oom: 35\n      high_oom: 33\n",
     ["tasks.augmentation.e2.high_oom", "33", "35", "high_oom >= low_oom"]),
    ("nan_value", "nan.yaml", "hardware:\n  utilization: .nan\n",
     ["hardware.utilization", "nan", "finite"]),
    ("duplicate_lab_name", "dup.yaml",
     "labs:\n  - name: alpha\n  - name: alpha\n",
     ["labs", "'alpha'", "unique"]),
    ("no_frontier_lab", "nofrontier.yaml",
     "labs:\n  - name: open\n    kind: open_weights\n",
     ["labs", "'open'", "frontier"]),
    ("bad_lab_kind", "kind.yaml",
     "labs:\n  - name: a\n    kind: closed\n",
     ["labs.0.kind", "'closed'", "frontier", "open_weights"]),
    ("training_share_initial_gt_max", "share.yaml",
     "labs:\n  - name: a\n    initial_training_share: 0.5\n    max_training_share: 0.2\n",
     ["labs.0.initial_training_share", "0.5", "0.2", "initial <= max"]),
    ("no_vendors", "novendors.yaml", "hardware:\n  vendors: []\n",
     ["hardware.vendors", "[]", "at least one vendor"]),
    ("negative_seed", "seed.yaml", "seed: -1\n",
     ["seed", "-1", ">= 0"]),
]


@pytest.mark.parametrize("name, text, expected", [c[1:] for c in CONFIG_CASES],
                         ids=[c[0] for c in CONFIG_CASES])
def test_validate_bad_config(tmp_path, capsys, name, text, expected):
    path = write(tmp_path, name, text)
    code, out, err = run_cli(capsys, "validate", path)
    assert_one_message(code, err, str(path), *expected)
    assert "OK" not in out


def test_each_problem_gets_its_own_message(tmp_path, capsys):
    path = write(tmp_path, "two.yaml",
                 "hardware:\n  utilization: 1.5\nmarket:\n  adoption_lag_years: -1.0\n")
    code, _, err = run_cli(capsys, "validate", path)
    assert_one_message(code, err, "hardware.utilization", "1.5",
                       "market.adoption_lag_years", "-1.0", n=2)
    assert all(str(path) in line for line in err.splitlines() if line.strip())


def test_missing_config_file(tmp_path, capsys):
    path = tmp_path / "nope.yaml"
    code, _, err = run_cli(capsys, "validate", path)
    assert_one_message(code, err, str(path), "(file)", "not found")


def test_unknown_scenario(capsys):
    code, _, err = run_cli(capsys, "validate", "--scenario", "no_such_scenario")
    assert_one_message(code, err, "--scenario", "scenario", "'no_such_scenario'", "one of")


def test_set_without_equals(capsys):
    code, _, err = run_cli(capsys, "validate", "--set", "market.adoption_lag_years")
    assert_one_message(code, err, "--set", "market.adoption_lag_years", "dotted.key=value")


def test_set_unknown_key(capsys):
    code, _, err = run_cli(capsys, "validate", "--set", "market.adoption_lagg_years=3")
    assert_one_message(code, err, "--set market.adoption_lagg_years=3",
                       "market.adoption_lagg_years", "= 3", "unknown key")


def test_set_out_of_range(capsys):
    code, _, err = run_cli(capsys, "validate", "--set", "hardware.utilization=2")
    assert_one_message(code, err, "--set hardware.utilization=2", "hardware.utilization",
                       "= 2", "<= 1")


def test_set_unknown_lab(capsys):
    code, _, err = run_cli(capsys, "validate", "--set", "labs.no_lab.training_share=0.5")
    assert_one_message(code, err, "--set", "labs.no_lab", "'no_lab'", "frontier_a")


def test_copies_negative_params(capsys):
    code, out, err = run_cli(capsys, "copies", "--train-flop", "1e25", "--params", "-5")
    assert_one_message(code, err, "command line", "--params", "-5", "from 1e+06 to 1e+16")
    assert out == ""


def test_copies_k_below_one(capsys):
    code, _, err = run_cli(capsys, "copies", "--train-flop", "1e25", "--params", "1e12",
                           "--k", "0.5")
    assert_one_message(code, err, "command line", "--k", "0.5", "from 1 to 100")


@pytest.mark.parametrize("args, expected", [
    (["--train-flop", "inf", "--params", "1e12"], ["--train-flop = inf"]),
    (["--train-flop", "1e25", "--params", "1e-300", "--json"], ["--params = 1e-300"]),
    (["--train-flop", "1e25", "--params", "1e12", "--wpm", "1e308"], ["--wpm = 1e+308"]),
    (["--train-flop", "nan", "--params", "1e12", "--speed", "0"],
     ["--train-flop = nan", "--speed = 0.0"]),
], ids=["inf_flop", "tiny_params_json", "huge_wpm", "two_at_once"])
def test_copies_refuses_non_finite_and_out_of_range(capsys, args, expected):
    code, out, err = run_cli(capsys, "copies", *args)
    assert_one_message(code, err, *expected, n=len(expected))
    assert out == ""


def test_copies_help_states_every_range(capsys):
    from sim.cli import COPIES_RANGES

    code, out, _ = run_cli(capsys, "copies", "--help")
    assert code == 0
    text = " ".join(out.split())
    for lo, hi, _ in COPIES_RANGES.values():
        assert f"Allowed: {lo:g} to {hi:g}" in text


def test_copies_json_is_strict_json_at_the_range_ends(capsys):
    from sim.cli import COPIES_RANGES

    for end in (0, 1):
        args = [a for name, r in COPIES_RANGES.items() for a in (name, repr(r[end]))]
        code, out, err = run_cli(capsys, "copies", *args, "--json")
        assert code == 0, err
        values = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
        assert all(math.isfinite(v) and v > 0 for v in values.values())


# ---------------------------------------------------------------- --rules and --scenario


@pytest.mark.parametrize("name", ["../../x", "a" * 300, "no_such_rules"],
                         ids=["path", "300_characters", "unknown"])
def test_rules_messages_name_rules(capsys, name):
    code, _, err = run_cli(capsys, "validate", "--rules", name)
    assert_one_message(code, err, "error: --rules: tasks.name = ", "one of", "fast_tooling")
    assert "--set" not in err and len(err) < 400


@pytest.mark.parametrize("name", ["../../x", "a" * 300], ids=["path", "300_characters"])
def test_scenario_messages_name_scenario(capsys, name):
    code, _, err = run_cli(capsys, "validate", "--scenario", name)
    assert_one_message(code, err, "error: --scenario: scenario = ", "one of", "compute_boom")
    assert len(err) < 400


def test_a_good_rules_name_still_works(capsys):
    code, out, err = run_cli(capsys, "validate", "--rules", "fast_tooling")
    assert code == 0 and out.startswith("OK"), err


def test_validate_checks_the_detailed_data_folder(tmp_path, capsys):
    code, out, err = run_cli(capsys, "validate", "--occupations", "detailed", "--data",
                             tmp_path / "missing")
    assert_one_message(code, err, "data folder", str(tmp_path / "missing"), "not a folder")
    assert "OK" not in out


# ---------------------------------------------------------------- click usage errors
# In process the program is named after sys.argv[0] (pytest), so messages are matched from
# the subcommand on.


@pytest.mark.parametrize("args, expected", [
    (["run", "--foo"], ["run: No such option", "--foo", "run --help`"]),
    (["validate", "--seed", "1"], ["validate: ", "--seed"]),
    (["copies"], ["copies: ", "--train-flop"]),
    (["copies", "--train-flop", "lots", "--params", "1"], ["--train-flop", "'lots'"]),
    (["scenarios", "extra"], ["scenarios: ", "unexpected extra argument (extra)"]),
    (["rules", "--verbose"], ["rules: ", "--verbose"]),
    (["params", "--markdown=yes"], ["--markdown", "does not take a value"]),
    (["dashboard", "--port", "http"], ["dashboard: ", "--port", "'http'"]),
    (["dashboard", "--port", "0"], ["dashboard: ", "--port", "0"]),
    (["run", "--seed", "-1"], ["run: ", "--seed", "-1"]),
    (["run", "--format", "xlsx"], ["run: ", "--format", "'xlsx'"]),
    (["validate", "--occupations", "all"], ["validate: ", "--occupations", "'all'"]),
    (["no_such_command"], ["No such command", "'no_such_command'"]),
], ids=["run_unknown_option", "validate_has_no_seed", "copies_missing_option",
        "copies_not_a_number", "scenarios_extra_argument", "rules_unknown_option",
        "params_flag_with_value", "dashboard_port_text", "dashboard_port_zero",
        "run_negative_seed", "run_bad_format", "validate_bad_choice", "unknown_command"])
def test_usage_errors_are_one_line(capsys, args, expected):
    code, out, err = run_cli(capsys, *args)
    assert_one_message(code, err, *expected)
    assert "Usage:" not in err and "Try " not in err and out == ""


@pytest.mark.parametrize("name, text, expected", [
    ("range.yaml", "hardware:\n  utilization: 1.5\n", ["hardware.utilization", "1.5", "<= 1"]),
    ("typo.yaml", "market:\n  adoption_lagg_years: 3\n",
     ["market.adoption_lagg_years", "= 3", "unknown key"]),
    ("startend.yaml", "time:\n  start_year: 2040\n  end_year: 2030\n",
     ["time.end_year", "2030", "end_year >= start_year"]),
], ids=["out_of_range", "unknown_key", "start_after_end"])
def test_run_bad_config_writes_nothing(tmp_path, capsys, name, text, expected):
    path = write(tmp_path, name, text)
    out_dir = tmp_path / "results" / "run"
    code, _, err = run_cli(capsys, "run", path, "--no-plots", "--quiet", "--out", out_dir)
    assert_one_message(code, err, str(path), *expected)
    assert not out_dir.exists()
    assert not (tmp_path / "results").exists()


def test_run_bad_set_writes_nothing(tmp_path, capsys):
    out_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "run", "--set", "time.end_year=1999", "--no-plots",
                           "--quiet", "--out", out_dir)
    assert_one_message(code, err, "--set time.end_year=1999", "time.end_year", "1999", ">=")
    assert not out_dir.exists()


# ---------------------------------------------------------------- occupation tables

GOOD_ROW = {
    "soc_major": "11-0000", "title": "Management", "employment": 1000,
    "mean_wage_usd_per_hour": 50.0, "share_e0": 0.5, "share_e1": 0.3, "share_e2": 0.2,
    "physical_share_e0": 0.1, "physical_share_e1": 0.0, "physical_share_e2": 0.0,
    "verifiability": 0.7, "experiment_share": 0.1,
}


def write_table(tmp_path: Path, columns, rows, name="occ.csv") -> Path:
    lines = [",".join(columns)] + [",".join(str(r[c]) for c in columns) for r in rows]
    return write(tmp_path, name, "\n".join(lines) + "\n")


def test_occupation_table_good_control(tmp_path):
    path = write_table(tmp_path, REQUIRED_COLUMNS, [GOOD_ROW])
    table = load_table_file(path, bins=BINS)
    assert table.n_occupations == 1


def test_occupation_table_header_only(tmp_path):
    path = write_table(tmp_path, REQUIRED_COLUMNS, [])
    with pytest.raises(OccupationTableError) as exc:
        load_table_file(path, bins=BINS)
    msg = str(exc.value)
    assert str(path) in msg and "rows" in msg and "empty" in msg and "allowed" in msg


def test_occupation_table_empty_file(tmp_path):
    path = write(tmp_path, "empty.csv", "")
    with pytest.raises(OccupationTableError) as exc:
        load_table_file(path, bins=BINS)
    msg = str(exc.value)
    assert str(path) in msg and "allowed" in msg


def test_occupation_table_missing_column(tmp_path):
    columns = [c for c in REQUIRED_COLUMNS if c != "share_e1"]
    path = write_table(tmp_path, columns, [GOOD_ROW])
    with pytest.raises(OccupationTableError) as exc:
        load_table_file(path, bins=BINS)
    msg = str(exc.value)
    assert str(path) in msg and "share_e1" in msg and "missing" in msg and "allowed" in msg


def test_occupation_table_bad_share(tmp_path):
    path = write_table(tmp_path, REQUIRED_COLUMNS, [GOOD_ROW, {**GOOD_ROW, "share_e0": 1.5}])
    with pytest.raises(OccupationTableError) as exc:
        load_table_file(path, bins=BINS)
    msg = str(exc.value)
    assert str(path) in msg and "share_e0 (row 2)" in msg and "1.5" in msg and "allowed" in msg


def test_occupation_table_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(OccupationTableError) as exc:
        load_table_file(path, bins=BINS)
    assert str(path) in str(exc.value) and "not found" in str(exc.value)


# ---------------------------------------------------------------- good input


def test_validate_good_file(tmp_path, capsys):
    default = REPO / "configs" / "default.yaml"
    path = default if default.is_file() else write(tmp_path, "empty.yaml", "")
    code, out, err = run_cli(capsys, "validate", path)
    assert code == 0, err
    assert "OK" in out
    assert err == ""


def test_validate_small_good_file(tmp_path, capsys):
    path = write(tmp_path, "good.yaml",
                 "seed: 3\ntime:\n  end_year: 2030\nhardware:\n  utilization: 0.5\n")
    code, out, err = run_cli(capsys, "validate", path, "--set", "market.adoption_lag_years=4")
    assert code == 0, err
    assert out.startswith("OK")
