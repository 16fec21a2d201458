"""Malformed configs, overlays, ``--set``, ``--scenario``, ``--rules``, ``--seed``,
``sim copies`` options and the dashboard's inputs: each is refused with exit 2 and one line per
problem naming the input, the field or option, the value and what is allowed; never a
traceback, never a result folder, never an exit 0 with a wrong or non-finite result.

CLI calls go through the shared harness (time < 5 s, memory < 200 MB, measured in process).
The property tests call ``load_config`` directly (the CLI adds nothing there but time) and
sample a few fields through the CLI as well.
"""

from __future__ import annotations

import json
import math
import socket
import time
import tracemalloc
from pathlib import Path

import pytest
from fuzz_harness import MEMORY_LIMIT_MB, TIME_LIMIT_S, assert_rejected, call_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import COPIES_RANGES
from sim.config.loading import load_config
from sim.config.paramdoc import bounds, parameter_rows
from sim.dashboard import controls
from sim.dashboard.session import DashboardModel
from sim.errors import SimInputError

# ``sim run`` imports the model, numba and pandas on first use (about 1.5 s as its own
# process); importing them here keeps that one-off cost out of the first case's timing.
import sim.outputs.output  # noqa: E402, F401  isort: skip
import sim.runner  # noqa: E402, F401  isort: skip

#: An over-long scenario or rule-set name (names are at most 100 characters).
LONG_NAME = "a" * 300
#: A call expected to fail on time is stopped soon after the limit, to keep the suite quick.
PAST_LIMIT_S = TIME_LIMIT_S + 0.5


# ---------------------------------------------------------------- building blocks


def bomb_lines(levels: int = 9, indent: str = "") -> str:
    """A billion-laughs list: item i holds 9 aliases of item i-1, so it expands to 9^levels."""
    items = [f"{indent}- &l0 lol"] + [
        f"{indent}- &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(items) + "\n"


def bomb_flow(levels: int = 9) -> str:
    """The same bomb on one line, for ``--set`` and the dashboard's free-text field."""
    items = ["&l0 lol"] + [f"&l{i} [{','.join([f'*l{i - 1}'] * 9)}]"
                           for i in range(1, levels + 1)]
    return "[" + ", ".join(items) + "]"


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    """``depth`` nested brackets."""
    return open_ * depth + close * depth


DEEP_MAPS = "{a: " * 20_000 + "1" + "}" * 20_000


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """A file under ``tmp_path`` holding ``content`` (bytes written as they are)."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# ---------------------------------------------------------------- config files: sim validate

#: (id, file content, substrings the one error line must hold besides the file's path)
FILES = [
    # size, depth and aliases
    ("bomb_top_level", bomb_lines(), ["too many values"]),
    ("bomb_under_a_field", "hardware:\n  utilization:\n" + bomb_lines(indent="    "),
     ["too many values"]),
    ("bomb_in_a_lab", "labs:\n  - name: a\n    human_researchers: " + bomb_flow() + "\n",
     ["too many values"]),
    ("nesting_20000_lists", "a: " + nested(20_000) + "\n", ["nested too deep", "32"]),
    ("nesting_20000_maps", "a: " + DEEP_MAPS + "\n", ["nested too deep"]),
    ("nesting_40_block_levels", "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40
     + "x: 1\n", ["nested too deep"]),
    ("recursive_alias_list", "seed: &a [*a]\n", ["recursive alias"]),
    ("recursive_alias_map", "market: &m {x: *m}\n", ["recursive alias"]),
    ("undefined_alias", "seed: *nothing\n", ["malformed YAML"]),
    ("merge_of_undefined_alias", "market:\n  <<: *base\n", ["malformed YAML"]),
    # keys written twice
    ("duplicate_key_top", "seed: 1\nseed: 2\n", ["seed", "key written twice"]),
    ("duplicate_key_nested", "market:\n  markup: 0.1\n  markup: 0.2\n",
     ["markup", "key written twice"]),
    ("duplicate_key_in_a_list_item", "labs:\n  - name: a\n    name: b\n",
     ["name", "key written twice"]),
    ("duplicate_key_flow", "market: {markup: 0.1, markup: 0.2}\n", ["key written twice"]),
    # YAML's yes/no booleans where numbers belong
    ("utilization_yes", "hardware:\n  utilization: yes\n", ["hardware.utilization", "yes/no"]),
    ("seed_true", "seed: true\n", ["seed", "yes/no"]),
    ("markup_off", "market:\n  markup: off\n", ["market.markup", "yes/no"]),
    ("levels_with_a_boolean", "milestones:\n  levels: [0.5, yes]\n",
     ["milestones.levels", "yes/no"]),
    # milestone levels
    ("levels_round_to_same_percent", "milestones:\n  levels: [0.5, 0.504]\n",
     ["milestones.levels", "same whole percent"]),
    ("levels_round_to_same_100", "milestones:\n  levels: [0.996, 1.0]\n",
     ["milestones.levels", "same whole percent"]),
    ("levels_empty", "milestones:\n  levels: []\n", ["milestones.levels", "non-empty"]),
    ("levels_zero", "milestones:\n  levels: [0.0, 0.5]\n", ["milestones.levels", "(0, 1]"]),
    ("levels_not_numbers", "milestones:\n  levels: [half]\n", ["milestones.levels"]),
    # non-finite and huge numbers
    ("nan", "hardware:\n  utilization: .nan\n", ["hardware.utilization", "nan", "finite"]),
    ("inf", "hardware:\n  utilization: .inf\n", ["hardware.utilization", "inf", "finite"]),
    ("minus_inf", "market:\n  markup: -.inf\n", ["market.markup", "-inf", "finite"]),
    ("float_overflows_to_inf", "hardware:\n  utilization: 1.0e+400\n",
     ["hardware.utilization", "finite"]),
    ("nan_in_a_cap_that_allows_inf", "training:\n  max_training_flop: .nan\n",
     ["training.max_training_flop", "= nan"]),
    ("seed_2_to_the_64", f"seed: {2**64}\n", ["seed", str(2**64)[:15], "<="]),
    ("seed_minus_huge", f"seed: -{2**70}\n", ["seed", ">= 0"]),
    ("seed_a_fraction", "seed: 1.5\n", ["seed", "1.5"]),
    ("steps_per_year_huge", f"time:\n  steps_per_year: {10**30}\n", ["time.steps_per_year"]),
    # every kind of wrong type
    ("empty_string_for_number", "hardware:\n  utilization: ''\n", ["hardware.utilization"]),
    ("null_for_number", "hardware:\n  utilization: ~\n", ["hardware.utilization", "None"]),
    ("list_for_number", "hardware:\n  utilization: [0.5]\n", ["hardware.utilization"]),
    ("mapping_for_number", "hardware:\n  utilization: {a: 1}\n", ["hardware.utilization"]),
    ("date_for_number", "hardware:\n  utilization: 2024-01-01\n", ["hardware.utilization"]),
    ("string_for_section", "hardware: lots\n", ["hardware", "'lots'"]),
    ("list_for_section", "market: [1, 2]\n", ["market"]),
    ("null_section", "market: ~\n", ["market", "None"]),
    ("string_for_list", "labs: frontier\n", ["labs", "'frontier'"]),
    ("mapping_for_list", "hardware:\n  vendors: {name: x}\n", ["hardware.vendors"]),
    ("number_for_name", "labs:\n  - name: 5\n", ["labs.0.name"]),
    ("list_item_not_a_mapping", "labs: [1]\n", ["labs.0"]),
    ("no_labs", "labs: []\n", ["labs", "at least 1"]),
    ("number_for_occupation_source", "occupations:\n  source: 3\n", ["occupations.source"]),
    ("number_for_data_dir", "occupations:\n  data_dir: 3\n", ["occupations.data_dir"]),
    ("fractional_end_year", "time:\n  end_year: 2030.5\n", ["time.end_year", "2030.5"]),
    ("zero_steps_per_year", "time:\n  steps_per_year: 0\n", ["time.steps_per_year", ">= 1"]),
    ("exposure_bins_zero", "tasks:\n  bins:\n    e0: 0\n", ["tasks.bins.e0"]),
    # unicode
    ("unicode_key", "märket:\n  markup: 0.1\n", ["märket", "unknown key"]),
    ("unicode_value", "hardware:\n  utilization: 😀\n", ["hardware.utilization", "😀"]),
    ("unicode_lab_kind", "labs:\n  - name: a\n    kind: frontière\n", ["labs.0.kind"]),
    ("right_to_left_key", "\u202eseed: 1\n", ["unknown key"]),
    # not a mapping, not YAML, not one document
    ("top_level_list", "- a\n- b\n", ["(top level)", "mapping"]),
    ("top_level_string", "just words\n", ["(top level)", "mapping"]),
    ("tab_indentation", "hardware:\n\tutilization: 0.5\n", ["malformed YAML"]),
    ("two_documents", "seed: 1\n---\nseed: 2\n", ["malformed YAML"]),
    ("python_object_tag", "seed: !!python/object/apply:os.system ['true']\n",
     ["malformed YAML"]),
    ("unknown_tag", "seed: !secret 1\n", ["malformed YAML"]),
    ("unclosed_bracket", "time: [1, 2\n", ["malformed YAML"]),
    # encodings
    ("binary", bytes(range(256)) * 8, ["UTF-8"]),
    ("latin_1", "seed: 1  # café\n".encode("latin-1"), ["UTF-8"]),
    ("utf_16", "seed: 1\n".encode("utf-16"), ["UTF-8"]),
    # over-long values
    ("key_of_1000_characters", "k" * 1000 + ": 1\n", ["unknown key"]),
    ("value_of_30k_characters", "hardware:\n  utilization: " + "x" * 30_000 + "\n",
     ["hardware.utilization"]),
    # cross-field rules
    ("start_after_end", "time:\n  start_year: 2040\n  end_year: 2030\n", ["time.end_year"]),
    ("inverted_exposure_range",
     "tasks:\n  augmentation:\n    e1:\n      low_oom: 30\n      high_oom: 26\n",
     ["tasks.augmentation.e1.high_oom"]),
    ("no_frontier_lab", "labs:\n  - name: o\n    kind: open_weights\n", ["labs", "frontier"]),
]

#: Cases that hit a known defect in the loading layer (see the markers above).
FILES_PARSER = [
    pytest.param("control_character", "seed: 1\x07\n", ["(file)"],
                 id="control_character"),
    pytest.param("nul_character", "seed: 1\x00\n", ["(file)"],
                 id="nul_character"),
    pytest.param("int_of_5000_digits", "seed: " + "9" * 5000 + "\n", ["digits"],
                 id="int_of_5000_digits"),
    pytest.param("lab_names_of_20k_characters", "labs:\n  - name: " + "n" * 20_000
                 + "\n  - name: " + "n" * 20_000 + "\n", ["labs", "unique"],
                 id="lab_names_of_20k_characters"),
]


@pytest.mark.parametrize("name, content, expected",
                         [pytest.param(*c, id=c[0]) for c in FILES] + FILES_PARSER)
def test_validate_refuses_a_bad_file(tmp_path, name, content, expected):
    path = write(tmp_path, f"{name}.yaml", content)
    outcome = call_cli("validate", path)
    assert_rejected(outcome, str(path), *expected)
    assert "OK" not in outcome.out


def test_file_case_ids_are_distinct():
    ids = [c[0] for c in FILES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60


def test_a_file_of_50000_values(tmp_path):
    path = write(tmp_path, "many.yaml", "milestones:\n  levels: [" + ", ".join(["0.5"] * 50_000)
                 + "]\n")
    assert_rejected(call_cli("validate", path, hard_limit_s=PAST_LIMIT_S), "milestones.levels")


@pytest.mark.parametrize("content", ["", "# only a comment\n", "~\n", "---\n"],
                         ids=["empty", "comment_only", "null_document", "bare_marker"])
def test_an_empty_file_is_valid(tmp_path, content):
    path = write(tmp_path, "empty.yaml", content)
    outcome = call_cli("validate", path)
    assert outcome.code == 0, outcome.err
    assert outcome.out.startswith("OK") and outcome.err == ""


def test_a_directory_as_config(tmp_path):
    assert_rejected(call_cli("validate", tmp_path), "CONFIG", str(tmp_path), "directory")


def test_a_missing_config(tmp_path):
    path = tmp_path / "nope.yaml"
    assert_rejected(call_cli("validate", path), str(path), "not found")


def test_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("w") as f:
        f.write("seed: 1\n# " + "x" * (10 * 2**20) + "\n")
    assert_rejected(call_cli("validate", path), str(path), "bytes", "at most")


def test_a_name_too_long_for_the_file_system(tmp_path):
    path = tmp_path / ("n" * 300 + ".yaml")
    assert_rejected(call_cli("validate", path), "allowed")


# ---------------------------------------------------------------- --set

#: (id, --set text, substrings of the one error line)
SETS = [
    ("no_equals", "market.adoption_lag_years", ["--set", "dotted.key=value"]),
    ("empty_key", "=1", ["--set", "dotted.key=value"]),
    ("only_dots", "...=1", ["--set", "dotted.key=value"]),
    ("bomb", "seed=" + bomb_flow(), ["--set", "seed", "too many values"]),
    ("nesting_20000", "seed=" + nested(20_000), ["--set", "seed", "nested too deep"]),
    ("nesting_20000_maps", "market=" + DEEP_MAPS, ["--set", "market", "nested too deep"]),
    ("recursive_alias", "market=&m {x: *m}", ["--set", "market", "contains itself"]),
    ("duplicate_keys_in_a_mapping", "market={markup: 0.1, markup: 0.2}",
     ["--set", "market", "key written twice"]),
    ("yes", "hardware.utilization=yes", ["hardware.utilization", "yes/no"]),
    ("true_seed", "seed=true", ["seed", "yes/no"]),
    ("nan", "hardware.utilization=.nan", ["hardware.utilization", "finite"]),
    ("inf", "hardware.utilization=.inf", ["hardware.utilization", "finite"]),
    ("minus_inf", "labour.wage_penalty=-.inf", ["labour.wage_penalty", "finite"]),
    ("huge_int", f"seed={2**64}", ["seed", "<="]),
    ("empty_value", "hardware.utilization=", ["hardware.utilization", "None"]),
    ("empty_string", "hardware.utilization=''", ["hardware.utilization", "''"]),
    ("unicode_value", "hardware.utilization=ünïcødé", ["hardware.utilization", "ünïcødé"]),
    ("unicode_key", "hardwäre.utilization=1", ["hardwäre", "unknown key"]),
    ("list_index_out_of_range", "labs.99.human_researchers=1", ["labs.99", "0..3"]),
    ("negative_list_index", "labs.-1.human_researchers=1", ["labs.-1", "frontier_a"]),
    ("unknown_lab_name", "labs.nobody.human_researchers=1", ["labs.nobody", "frontier_a"]),
    ("lab_replaced_by_a_number", "labs.frontier_a=5", ["labs.0"]),
    ("section_to_null", "hardware=null", ["hardware", "None"]),
    ("malformed_value", "market={a: [1}", ["--set", "market", "not valid YAML"]),
    ("levels_same_percent", "milestones.levels=[0.2, 0.201]", ["milestones.levels",
                                                                "same whole percent"]),
    ("rule_set_path", "tasks.name=../../path/x", ["tasks.name", "'../../path/x'", "one of"]),
    ("rule_set_long_name", f"tasks.name={LONG_NAME}", ["tasks.name", "one of"]),
    ("value_of_50k_characters", "hardware.utilization=" + "x" * 50_000,
     ["hardware.utilization"]),
]


@pytest.mark.parametrize("text, expected", [pytest.param(*c[1:], id=c[0]) for c in SETS])
def test_validate_refuses_a_bad_set(text, expected):
    assert_rejected(call_cli("validate", "--set", text), *expected)


def test_set_an_int_of_5000_digits():
    assert_rejected(call_cli("validate", "--set", "seed=" + "9" * 5000), "--set", "digits")


def test_set_a_key_of_10000_characters():
    assert_rejected(call_cli("validate", "--set", "k" * 10_000 + "=1"), "unknown key")


def test_set_a_key_below_a_value():
    assert_rejected(call_cli("validate", "--set", "seed.x=1"), "--set", "seed", "holds a value")


def test_set_a_value_of_a_million_characters():
    assert_rejected(call_cli("validate", "--set", "hardware.utilization=" + "x" * 1_000_000,
                             hard_limit_s=PAST_LIMIT_S), "hardware.utilization")


def test_set_problems_come_after_a_good_file(tmp_path):
    path = write(tmp_path, "ok.yaml", "seed: 3\n")
    assert_rejected(call_cli("validate", path, "--set", "market.markup=2"),
                    "--set market.markup=2", "market.markup", "<= 1")


# ---------------------------------------------------------------- --scenario and --rules


@pytest.mark.parametrize("name", ["no_such_scenario", "../../x", "../../etc/passwd", LONG_NAME,
                                  "", "compute_boom/../x", "-"],
                         ids=["unknown", "relative_path", "etc_passwd", "300_characters",
                              "empty", "dot_dot_inside", "dash"])
def test_a_bad_scenario_name(name):
    o = call_cli("validate", "--scenario", name)
    assert_rejected(o, "--scenario", "scenario", "one of")


@pytest.mark.parametrize("name", ["no_such_rules", "../../x", "../../path/x", LONG_NAME, "",
                                  "default/../x", "fast_tooling.yaml"],
                         ids=["unknown", "relative_path", "deeper_path", "300_characters",
                              "empty", "dot_dot_inside", "with_suffix"])
def test_a_bad_rules_name_names_rules(name):
    o = call_cli("validate", "--rules", name)
    assert_rejected(o, "error: --rules: tasks.name", "one of", "sim rules")
    assert "--set" not in o.err


@pytest.mark.parametrize("content, expected", [
    (bomb_lines(), ["too many values"]),
    ("market:\n  markup: 0.1\n  markup: 0.2\n", ["markup", "key written twice"]),
    ("market:\n  markup: 7\n", ["market.markup", "<= 1"]),
    ("seed: 1 # caf\xe9\n".encode("latin-1"), ["UTF-8"]),
], ids=["bomb", "duplicate_key", "out_of_range", "latin_1"])
def test_a_bad_overlay_file_is_named(tmp_path, content, expected):
    path = write(tmp_path, "overlay.yaml", content)
    assert_rejected(call_cli("validate", "--scenario", path), str(path), *expected)


def test_a_bad_overlay_after_a_good_file(tmp_path):
    good = write(tmp_path, "good.yaml", "seed: 1\n")
    overlay = write(tmp_path, "over.yaml", "market:\n  markup: 0.1\n  markup: 0.2\n")
    assert_rejected(call_cli("validate", good, "--scenario", overlay), str(overlay),
                    "key written twice")


def test_a_bad_rule_set_file_in_the_working_folder(tmp_path, monkeypatch):
    rules = tmp_path / "configs" / "task_rules"
    rules.mkdir(parents=True)
    write(rules, "mine.yaml", "tasks:\n  softness_oom: 1\n  softness_oom: 2\n")
    monkeypatch.chdir(tmp_path)
    assert_rejected(call_cli("validate", "--rules", "mine"), "mine.yaml", "key written twice")


# ---------------------------------------------------------------- --seed, --occupations, --data


@pytest.mark.parametrize("seed, expected", [
    ("-1", ["--seed", "-1", "x>=0"]),
    ("abc", ["--seed", "'abc'"]),
    ("1.5", ["--seed", "'1.5'"]),
    ("", ["--seed"]),
    (str(2**64), ["--seed", "seed", str(2**64), "<="]),
    ("9" * 5000, ["--seed"]),
], ids=["negative", "letters", "fraction", "empty", "2_to_the_64", "5000_digits"])
def test_run_refuses_a_bad_seed_and_writes_nothing(tmp_path, seed, expected):
    out = tmp_path / "out"
    o = call_cli("run", "--seed", seed, "--no-plots", "--quiet", "--out", out,
                 "--set", "time.end_year=2024")
    assert_rejected(o, *expected)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_validate_checks_the_detailed_data_folder(tmp_path):
    missing = tmp_path / "no_data"
    assert_rejected(call_cli("validate", "--occupations", "detailed", "--data", missing),
                    "data folder", str(missing), "not a folder")


@pytest.mark.parametrize("args, expected", [
    (["--occupations", "bogus"], ["--occupations", "'bogus'"]),
    (["--data", __file__], ["--data", "is a file"]),
], ids=["bad_occupations", "data_is_a_file"])
def test_bad_occupation_options(args, expected):
    assert_rejected(call_cli("validate", *args), *expected)


# ---------------------------------------------------------------- sim run writes nothing

RUN_CASES = [
    ("bomb_file", lambda p: [write(p, "b.yaml", bomb_lines())], "too many values"),
    ("bad_set", lambda p: ["--set", "hardware.utilization=.nan"], "hardware.utilization"),
    ("bad_scenario", lambda p: ["--scenario", "../../x"], "--scenario"),
    ("bad_rules", lambda p: ["--rules", LONG_NAME], "--rules"),
    ("duplicate_key", lambda p: [write(p, "d.yaml", "seed: 1\nseed: 1\n")], "twice"),
    ("empty_time_axis", lambda p: ["--set", "time={start_year: 2030, end_year: 2029}"],
     "time.end_year"),
]


@pytest.mark.parametrize("make_args, expected", [pytest.param(*c[1:], id=c[0])
                                                 for c in RUN_CASES])
def test_a_rejected_run_writes_nothing(tmp_path, make_args, expected):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    out = tmp_path / "results" / "run"
    o = call_cli("run", *make_args(inputs), "--set", "time.end_year=2024", "--no-plots",
                 "--quiet", "--out", out)
    assert_rejected(o, expected)
    assert not (tmp_path / "results").exists()


# ---------------------------------------------------------------- sim copies

GOOD = ["--train-flop", "3.14e23", "--params", "175e9"]


@pytest.mark.parametrize("args, expected", [
    (["--train-flop", "inf", "--params", "1e12"], ["--train-flop", "inf"]),
    (["--train-flop", "-inf", "--params", "1e12"], ["--train-flop", "-inf"]),
    (["--train-flop", "nan", "--params", "1e12"], ["--train-flop", "nan"]),
    (["--train-flop", "1e300", "--params", "1e12"], ["--train-flop", "1e+40"]),
    (["--train-flop", "0", "--params", "1e12"], ["--train-flop", "1e+15"]),
    (["--train-flop", "1e25", "--params", "1e-300"], ["--params", "1e-300", "1e+06"]),
    (["--train-flop", "1e25", "--params", "5e-324"], ["--params"]),
    (GOOD + ["--wpm", "1e308"], ["--wpm", "1e+308"]),
    (GOOD + ["--wpm", "0"], ["--wpm"]),
    (GOOD + ["--tokens-per-word", "0"], ["--tokens-per-word"]),
    (GOOD + ["--tokens-per-word", "1e10"], ["--tokens-per-word"]),
    (GOOD + ["--speed", "1e-300"], ["--speed"]),
    (GOOD + ["--speed", "inf"], ["--speed"]),
    (GOOD + ["--k", "0.5"], ["--k", "0.5"]),
    (GOOD + ["--k", "1e308"], ["--k"]),
    (GOOD + ["--k", "nan"], ["--k", "nan"]),
    (GOOD + ["--json", "--k", "inf"], ["--k", "inf"]),
    (["--train-flop", "abc", "--params", "1e12"], ["--train-flop", "'abc'"]),
    (["--train-flop", "1e25"], ["--params"]),
    (GOOD + ["--speed", ""], ["--speed"]),
], ids=["inf_flop", "minus_inf_flop", "nan_flop", "flop_1e300", "zero_flop",
        "params_1e-300", "params_subnormal", "wpm_1e308", "wpm_0", "tokens_0", "tokens_1e10",
        "speed_1e-300", "speed_inf", "k_half", "k_1e308", "k_nan", "json_k_inf",
        "flop_letters", "params_missing", "speed_empty"])
def test_copies_refuses(args, expected):
    o = call_cli("copies", *args)
    assert_rejected(o, *expected)
    assert o.out == ""


def test_copies_reports_every_bad_option():
    o = call_cli("copies", "--train-flop", "inf", "--params", "0", "--k", "nan")
    assert_rejected(o, "--train-flop", "--params", "--k", n=3)


def _strict_json(text: str) -> dict:
    """``json.loads`` that refuses NaN and Infinity, which are not JSON."""
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def _in_range(name: str):
    lo, hi, _ = COPIES_RANGES[name]
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(flop=_in_range("--train-flop"), n=_in_range("--params"),
       tpw=_in_range("--tokens-per-word"), wpm=_in_range("--wpm"), speed=_in_range("--speed"),
       k=_in_range("--k"))
def test_copies_in_range_always_gives_finite_json(flop, n, tpw, wpm, speed, k):
    o = call_cli("copies", "--train-flop", repr(flop), "--params", repr(n), "--tokens-per-word",
                 repr(tpw), "--wpm", repr(wpm), "--speed", repr(speed), "--k", repr(k), "--json")
    assert o.code == 0, o.err
    values = _strict_json(o.out)
    assert all(math.isfinite(v) and v > 0 for v in values.values()), values


# ---------------------------------------------------------------- sim dashboard options


@pytest.mark.parametrize("host", ["not a host", "example.com", "8.8.8.8", "", "999.1.1.1",
                                  "127.0.0.1; rm -rf /", "h" * 300],
                         ids=["spaces", "remote_name", "remote_ip", "empty", "bad_octet",
                              "shell_text", "300_characters"])
def test_dashboard_refuses_a_bad_host(host):
    assert_rejected(call_cli("dashboard", "--host", host), "sim dashboard", "--host",
                    "IP address")


@pytest.mark.parametrize("port", ["0", "70000", "-1", "http"])
def test_dashboard_refuses_a_bad_port(port):
    assert_rejected(call_cli("dashboard", "--port", port), "--port")


def test_dashboard_refuses_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_rejected(call_cli("dashboard", "--port", port), "--port", str(port),
                        "in use", "free port")


def test_dashboard_refuses_a_bomb_config(tmp_path):
    path = write(tmp_path, "bomb.yaml", bomb_lines())
    assert_rejected(call_cli("dashboard", path), str(path), "too many values")


# ---------------------------------------------------------------- the dashboard's controls


def page_error(**values) -> str:
    """The message the page shows for these controls, checked against the CLI's limits."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        model = DashboardModel(**values)
    finally:
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert seconds < TIME_LIMIT_S and peak < MEMORY_LIMIT_MB, (seconds, peak)
    assert model.error and not model.running and model.inner is None
    lines = model.error.splitlines()
    assert all(0 < len(line) < 800 for line in lines), model.error[:2000]
    assert "Traceback" not in model.error
    return model.error


@pytest.mark.parametrize("extra, expected", [
    ("seed=" + bomb_flow(8), ["seed", "too many values"]),
    ("seed=" + bomb_flow(9), ["seed", "too many values"]),
    ("seed=" + nested(20_000), ["More settings", "at most 20,000 characters"]),
    ("seed=" + nested(5_000), ["seed", "nested too deep"]),
    ("market=&m {x: *m}", ["contains itself"]),
    ("market={markup: 0.1, markup: 0.2}", ["key written twice"]),
    ("tasks.name=../../path/x", ["tasks.name", "'../../path/x'", "one of"]),
    (f"tasks.name={LONG_NAME}", ["tasks.name", "one of"]),
    ("hardware.utilization=.nan", ["hardware.utilization", "finite"]),
    ("hardware.utilization=yes", ["hardware.utilization", "yes/no"]),
    ("milestones.levels=[0.5, 0.504]", ["same whole percent"]),
    ("seed=1; " * 300, ["More settings", "at most 200"]),
    ("x" * 30_000, ["More settings", "at most 20,000 characters"]),
    ("märket.markup=1", ["märket", "unknown key"]),
    ("k" * 10_000 + "=1", ["unknown key"]),
    ("hardware.utilization=" + "x" * 15_000, ["hardware.utilization"]),
], ids=["bomb_8_levels", "bomb_9_levels", "nesting_20000", "nesting_5000", "recursive_alias",
        "duplicate_keys", "rules_path", "rules_long_name", "nan", "yes", "levels",
        "too_many_settings", "too_long", "unicode_key", "key_10000", "value_15000"])
def test_dashboard_field_gives_a_short_message(extra, expected):
    text = page_error(extra=extra)
    for needle in expected:
        assert needle in text, text[:1000]


def test_dashboard_bomb_through_config_from_controls_and_error_text():
    t0 = time.perf_counter()
    with pytest.raises(SimInputError) as exc:
        controls.config_from_controls({"extra": "seed=" + bomb_flow(8)})
    text = controls.error_text(exc.value)
    assert time.perf_counter() - t0 < 1.0
    assert len(text) < 600 and "\n" not in text and "too many values" in text


def test_dashboard_bad_scenario_and_slider():
    assert "--scenario" in page_error(scenario="../../x")
    assert "adoption_lag_years" in page_error(adoption_lag=-1.0)
    assert "could not convert" in page_error(adoption_lag="fast")


def test_dashboard_field_with_a_nul_names_the_setting():
    text = page_error(extra="tasks.name=a\x00b")
    assert "tasks.name" in text and "allowed" in text


# ---------------------------------------------------------------- every field of the schema

NUMERIC = [r for r in parameter_rows()
           if isinstance(r["default"], (int, float)) and not isinstance(r["default"], bool)]


def error_path(dotted: str) -> str:
    """The path a message gives for a ``sim params`` name: list items by index, not name."""
    parts = dotted.split(".")
    if parts[0] == "labs":
        names = [lab["name"] for lab in load_config().model_dump()["labs"]]
        parts[1] = str(names.index(parts[1]))
    elif parts[:2] == ["hardware", "vendors"]:
        names = [v["name"] for v in load_config().model_dump()["hardware"]["vendors"]]
        parts[2] = str(names.index(parts[2]))
    return ".".join(parts)


def outside(row, side: str, far: float = 0.0) -> float | int | None:
    """A value just outside (``far`` = 0) or further outside one end of ``row``'s range."""
    lo, lo_op, hi, hi_op = bounds(row["field"])
    edge, op, sign = (lo, lo_op, -1) if side == "low" else (hi, hi_op, 1)
    if edge is None or math.isinf(edge):
        return None
    if isinstance(row["default"], int):
        return int(edge) + sign * (1 + int(far)) if op in (">=", "<=") else int(edge)
    step = max(abs(edge) * 1e-9, 1e-12) + far * max(abs(edge), 1.0)
    return edge + sign * step if op in (">=", "<=") or far else edge


def rejected_at(key: str, value) -> SimInputError:
    """The error ``--set key=value`` raises (fails the test if it is accepted)."""
    text = f"{key}={json.dumps(value) if isinstance(value, str) else value!r}"
    with pytest.raises(SimInputError) as exc:
        load_config(overrides=[text])
    return exc.value


def test_every_numeric_field_refuses_values_outside_its_range_and_wrong_types():
    assert len(NUMERIC) > 100  # the walk found the schema
    checked = 0
    for row in NUMERIC:
        field = error_path(row["name"])
        bad = [v for v in (outside(row, "low"), outside(row, "high")) if v is not None]
        bad += ["lots", [1], True, {"zz": 1}]
        for value in bad:
            err = rejected_at(row["name"], value)
            assert [p.field for p in err.problems] == [field], (row["name"], value, err)
            assert "allowed" in err.problems[0].allowed
            checked += 1
    assert checked > 5 * len(NUMERIC)


def test_a_mapping_for_a_number_names_the_number():
    err = rejected_at("seed", {"a": 1})
    assert [p.field for p in err.problems] == ["seed"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.sampled_from(NUMERIC), side=st.sampled_from(["low", "high"]),
       far=st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1e12)))
def test_property_any_value_outside_a_range_names_the_field(row, side, far):
    value = outside(row, side, far)
    if value is None:
        return
    err = rejected_at(row["name"], value)
    assert [p.field for p in err.problems] == [error_path(row["name"])]


@pytest.mark.parametrize("row", NUMERIC[::25], ids=lambda r: r["name"])
def test_cli_sample_of_fields_outside_their_range(row):
    value = outside(row, "high") if outside(row, "high") is not None else outside(row, "low")
    o = call_cli("validate", "--set", f"{row['name']}={value!r}")
    assert_rejected(o, f"--set {row['name']}=", error_path(row["name"]) + " = ")
