"""Sweep files: every kind of bad input is rejected before any run, naming the field; the
samplers give the runs the file asks for, from the seed alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.sweep.sampling import run_seeds, sample_values, unit_samples
from sim.sweep.spec import SweepFileError, canonical_key, load_sweep
from tests.sweep_helpers import tiny_spec
from tests.test_bad_input import assert_one_message, run_cli

GOOD_PARAM = "  market.adoption_lag_years: {dist: uniform, low: 2, high: 12}\n"

BAD_CASES = [
    ("unknown_parameter", "sampler: latin\nruns: 10\nparameters:\n"
     "  market.adoption_lagg_years: {dist: uniform, low: 2, high: 12}\n",
     ["parameters.market.adoption_lagg_years", "unknown parameter"]),
    ("empty_range", "sampler: latin\nruns: 10\nparameters:\n"
     "  market.adoption_lag_years: {dist: uniform, low: 3, high: 3}\n",
     ["parameters.market.adoption_lag_years.high", "= 3", "empty range"]),
    ("inverted_range", "sampler: latin\nruns: 10\nparameters:\n"
     "  market.adoption_lag_years: {dist: loguniform, low: 9, high: 3}\n",
     ["parameters.market.adoption_lag_years.high", "= 3", "inverted range"]),
    ("unknown_sampler", "sampler: sobolev\nruns: 10\nparameters:\n" + GOOD_PARAM,
     ["sampler", "'sobolev'", "unknown sampler", "saltelli"]),
    ("saltelli_size", "sampler: saltelli\nruns: 100\nparameters:\n" + GOOD_PARAM,
     ["runs = 100", "power of two", "96"]),
    ("grid_size", "sampler: grid\nruns: 10\nparameters:\n"
     "  market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: 4}\n",
     ["runs = 10", "gives 4 runs"]),
    ("grid_without_levels", "sampler: grid\nparameters:\n" + GOOD_PARAM,
     ["parameters.market.adoption_lag_years.levels", "grid"]),
    ("range_beyond_field", "sampler: latin\nruns: 10\nparameters:\n"
     "  market.adoption_lag_years: {dist: uniform, low: 2, high: 80}\n",
     ["parameters.market.adoption_lag_years.high", "= 80", "<= 50"]),
    ("normal_unbounded_on_bounded_field", "sampler: montecarlo\nruns: 10\nparameters:\n"
     "  labour.wage_penalty: {dist: normal, mean: 0.15, sd: 0.05}\n",
     ["parameters.labour.wage_penalty.mean - 7.03 sd", ">= 0"]),
    ("unknown_distribution", "sampler: latin\nruns: 10\nparameters:\n"
     "  market.adoption_lag_years: {dist: gamma, low: 2, high: 12}\n",
     ["parameters.market.adoption_lag_years.dist", "'gamma'", "uniform"]),
    ("no_runs", "sampler: montecarlo\nparameters:\n" + GOOD_PARAM, ["runs", "integer"]),
    ("seed_not_sweepable", "sampler: latin\nruns: 10\nparameters:\n"
     "  seed: {dist: choice, values: [1, 2]}\n", ["parameters.seed", "not sweepable"]),
    ("combination_invalid", "sampler: latin\nruns: 10\nparameters:\n"
     "  labs.frontier_a.initial_training_share: {dist: uniform, low: 0.05, high: 0.25}\n"
     "  labs.frontier_a.max_training_share: {dist: uniform, low: 0.1, high: 0.3}\n",
     ["labs.0", "initial <= max", "where the ranges meet"]),
    ("unknown_output", "sampler: latin\nruns: 10\nparameters:\n" + GOOD_PARAM
     + "outputs:\n  aggregates: [unemployment]\n", ["outputs.aggregates", "'unemployment'"]),
    ("output_year_outside", "sampler: latin\nruns: 10\nparameters:\n" + GOOD_PARAM
     + "outputs:\n  years: [2060]\n", ["outputs.years", "2060", "2023..2050"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_sweep_file_is_rejected_before_any_run(tmp_path, capsys, name, text, expected):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "sweep", path, "--out", out, "--workers", "1", "--quiet")
    assert_one_message(code, err, str(path), *expected)
    assert not out.exists()  # nothing was run or written


def test_every_problem_reported_on_its_own_line(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("sampler: nope\nruns: -1\nparameters:\n"
                    "  market.nothing: {dist: uniform, low: 1, high: 2}\n")
    with pytest.raises(SweepFileError) as exc:
        load_sweep(path)
    fields = [p.field for p in exc.value.problems]
    assert fields == ["sampler", "parameters.market.nothing", "runs"]


@pytest.mark.parametrize("sampler", ["latin", "montecarlo", "saltelli"])
def test_samples_lie_in_the_support_and_depend_only_on_the_seed(tmp_path, sampler):
    spec = tiny_spec(tmp_path, runs=20 if sampler == "saltelli" else 25, sampler=sampler)
    a, b = sample_values(spec), sample_values(spec)
    for p, va, vb in zip(spec.parameters, a, b, strict=True):
        np.testing.assert_array_equal(va, vb)
        lo, hi = (v for _, v in p.support())
        assert len(va) == spec.runs and va.min() >= lo and va.max() <= hi
    other = sample_values(tiny_spec(tmp_path, runs=spec.runs, sampler=sampler, seed=12))
    assert not np.array_equal(a[0], other[0])


def test_latin_hypercube_fills_every_stratum(tmp_path):
    spec = tiny_spec(tmp_path, runs=40)
    u = unit_samples(spec)
    for j in range(u.shape[1]):
        assert sorted(np.floor(u[:, j] * 40).astype(int)) == list(range(40))


def test_saltelli_layout_matches_salib(tmp_path):
    spec = tiny_spec(tmp_path, runs=40, sampler="saltelli")  # N = 8, D = 3
    u = unit_samples(spec)
    assert u.shape == (40, 3)
    # SALib's layout (no second order): per base row, A, then A with column j from B, then B
    block = u.reshape(8, 5, 3)
    for j in range(3):
        np.testing.assert_array_equal(np.delete(block[:, 1 + j], j, axis=1),
                                      np.delete(block[:, 0], j, axis=1))
        np.testing.assert_array_equal(block[:, 1 + j, j], block[:, 4, j])


def test_grid_is_the_full_product(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_text("sampler: grid\nparameters:\n"
                    "  market.adoption_lag_years: {dist: uniform, low: 2, high: 12, levels: 3}\n"
                    "  hardware.vendors.0.markup: {dist: choice, values: [0.2, 0.5]}\n"
                    "  labour.wage_penalty: {dist: loguniform, low: 0.01, high: 1, levels: 3}\n")
    spec = load_sweep(path)
    values = sample_values(spec)
    assert spec.runs == 18
    combos = set(zip(*(v.tolist() for v in values), strict=True))
    assert len(combos) == 18
    assert sorted(set(values[0])) == [2.0, 7.0, 12.0]
    np.testing.assert_allclose(sorted(set(values[2])), [0.01, 0.1, 1.0])


def test_run_seeds_depend_on_run_index_only():
    runs = np.arange(10)
    np.testing.assert_array_equal(run_seeds(5, runs)[4:], run_seeds(5, runs[4:]))
    assert len(set(run_seeds(5, runs))) == 10
    assert not np.array_equal(run_seeds(5, runs), run_seeds(6, runs))


def test_keys_name_list_items_one_way(tmp_path):
    """Index and name address the same item; the summary names it as `sim params` does."""
    path = tmp_path / "keys.yaml"
    path.write_text("sampler: latin\nruns: 4\nparameters:\n"
                    "  hardware.vendors.0.markup: {dist: uniform, low: 0.2, high: 0.5}\n"
                    "  labs.01.human_researchers: {dist: uniform, low: 1000, high: 3000}\n"
                    "  labs.frontier_c.initial_cash_usd: {dist: uniform, low: 1.0e+8, "
                    "high: 1.0e+9}\n")
    spec = load_sweep(path)
    assert spec.keys == ("hardware.vendors.leader.markup", "labs.frontier_b.human_researchers",
                         "labs.frontier_c.initial_cash_usd")
    assert load_sweep(path, text=spec.to_yaml()).keys == spec.keys  # as stored and resumed


def test_canonical_key_uses_the_index_where_a_name_cannot_serve():
    data = {"items": [{"name": "7", "x": 1}, {"name": "a.b", "x": 2}, {"name": "c", "x": 3},
                      {"name": "c", "x": 4}, {"x": 5}]}
    assert canonical_key(data, "items.7.x") == "items.0.x"  # digits read as an index
    assert canonical_key(data, "items.1.x") == "items.1.x"  # a dot would split the key
    assert canonical_key(data, "items.c.x") == "items.2.x"  # not unique
    assert canonical_key(data, "items.4.x") == "items.4.x"  # no name
    with pytest.raises(KeyError):
        canonical_key(data, "items.².x")  # a digit that int() reads, but not an index


def test_one_field_twice_is_refused_naming_both_keys(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("sampler: latin\nruns: 4\nset: ['hardware.vendors.1.markup=0.3']\n"
                    "parameters:\n"
                    "  hardware.vendors.0.markup: {dist: uniform, low: 0.2, high: 0.5}\n"
                    "  hardware.vendors.leader.markup: {dist: uniform, low: 0.3, high: 0.6}\n"
                    "  hardware.vendors.challenger.markup: {dist: uniform, low: 0.1, "
                    "high: 0.2}\n")
    with pytest.raises(SweepFileError) as exc:
        load_sweep(path)
    first, second = exc.value.problems
    assert first.field == "parameters.hardware.vendors.leader.markup"
    assert "parameters.hardware.vendors.0.markup" in first.allowed
    assert second.field == "parameters.hardware.vendors.challenger.markup"
    assert "also fixed by set[0]" in second.allowed
