"""Acceptance 1: a scenario alone equals, exactly, the same scenario inside a batch."""

import numpy as np

import sim
from sim.config.loading import load_config


def _scenarios(n):
    rng = np.random.default_rng(123)
    configs = []
    for _ in range(n):
        configs.append(load_config(overrides=[
            f"market.adoption_lag_years={rng.uniform(2, 12):.6g}",
            f"algorithms.base_efficiency_oom_per_yr={rng.uniform(0.25, 0.55):.6g}",
            f"capital.investor_growth_per_yr={rng.uniform(0.2, 0.8):.6g}",
            f"copies.speed_k={rng.uniform(1, 5):.6g}",
            f"tasks.experiment_cap={rng.uniform(0, 1):.6g}",
            f"training.max_training_flop={10 ** rng.uniform(26, 31):.6g}",
            f"labour.wage_penalty={rng.uniform(0, 0.4):.6g}",
            f"market.open_weights_lag_years={rng.uniform(1, 5):.6g}",
        ], seed=int(rng.integers(0, 2**31))))
    return configs


def test_scenario_alone_equals_scenario_in_batch_of_64():
    configs = _scenarios(64)
    batch = sim.run_batch(configs).sim
    for i in (0, 17, 38, 63):
        alone = sim.run(configs[i]).sim
        inside = batch.scenario(i)
        for name, values in alone.aggregates.items():
            np.testing.assert_array_equal(values, inside.aggregates[name], err_msg=name)
        for name, values in alone.occupations.items():
            np.testing.assert_array_equal(values, inside.occupations[name], err_msg=name)
        for name, years in alone.milestones.items():
            np.testing.assert_array_equal(years, inside.milestones[name], err_msg=name)


def test_batch_order_does_not_matter():
    configs = _scenarios(8)
    forward = sim.run_batch(configs, record_occupations=False).sim
    backward = sim.run_batch(configs[::-1], record_occupations=False).sim
    for name, values in forward.aggregates.items():
        np.testing.assert_array_equal(values, backward.aggregates[name][:, ::-1], err_msg=name)


def test_same_seed_same_result_and_seed_matters():
    a = sim.run(load_config(seed=5), record_occupations=False).sim
    b = sim.run(load_config(seed=5), record_occupations=False).sim
    c = sim.run(load_config(seed=6), record_occupations=False).sim
    np.testing.assert_array_equal(a.aggregates["frontier_effective_flop"],
                                  b.aggregates["frontier_effective_flop"])
    assert not np.array_equal(a.aggregates["investor_usd_per_yr"],
                              c.aggregates["investor_usd_per_yr"])


def test_recording_fewer_aggregates_changes_nothing_recorded():
    configs = _scenarios(3)
    full = sim.run_batch(configs, record_occupations=False).sim
    few = sim.run_batch(configs, record_occupations=False,
                        record_aggregates={"unemployment_rate"}).sim
    assert set(few.aggregates) == {"unemployment_rate", "capable_share", "adopted_share",
                                   "research_automation_share"}  # + the milestones' inputs
    for name, values in few.aggregates.items():
        np.testing.assert_array_equal(values, full.aggregates[name], err_msg=name)
    for name, years in full.milestones.items():
        np.testing.assert_array_equal(years, few.milestones[name], err_msg=name)
