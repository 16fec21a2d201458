"""Each mechanism on its own: the pure functions the agents call."""

import numpy as np
import pytest

from sim.model import reductions
from sim.model.mechanisms import hardware, labour, market, research, tasks, training
from sim.model.reductions import safe_ratio, total
from sim.outputs.milestones import first_crossing


def test_chip_price_follows_the_hardware_level_at_release():
    gens = np.array([0.0, 1.0, 2.0, 3.0])
    levels = np.array([0.0, 0.48, 0.96, 1.44])  # 0.24 OOM/yr, a generation every 2 years
    flop = hardware.chip_flop_per_s(1e15, 2.5, gens)
    cost = hardware.chip_cost_usd(2e4, 2.5, gens, levels)
    oom_per_yr = np.diff(np.log10(flop / cost)) / 2.0
    np.testing.assert_allclose(oom_per_yr, 0.24)
    np.testing.assert_allclose(flop[1] / flop[0], 2.5)


def test_generations_and_scarcity_price():
    assert hardware.generations_released(2024.0, 2024.5, 2.0) == 0
    assert hardware.generations_released(2024.5, 2024.5, 2.0) == 1
    assert hardware.generations_released(2028.6, 2024.5, 2.0) == 3
    # ample capacity: list price; scarce: dollars ordered buy exactly the capacity
    assert hardware.scarcity_price(3e4, 1e9, 1e5) == 3e4
    assert hardware.scarcity_price(3e4, 1e10, 1e5) == pytest.approx(1e5)


def test_depreciation_and_power_cap():
    assert hardware.depreciation_factor(4.0, 4.0) == pytest.approx(np.exp(-1))
    assert hardware.power_cap_w(100.0, 10.0, 0.3, 100.0) == pytest.approx(1e11)


def test_chinchilla_sizing():
    n = training.chinchilla_params(2e25, 20.0)
    assert 6 * n * (20 * n) == pytest.approx(2e25)
    assert training.tokens_per_parameter(20, 0.4, 0.4, 1.0) == 20
    assert training.tokens_per_parameter(20, 0.8, 0.2, 1.0) == pytest.approx(80)
    assert training.capability(2e25) == pytest.approx(25.3, abs=0.01)
    assert training.accumulate_run(9e25, 1e20, 1e6, 1e26) == 1e26  # capped run


def test_soft_feasibility_ramp():
    f = [market.soft_feasibility(level, 25.3, 0.3) for level in (24.0, 25.3, 27.0)]
    assert f[0] < 0.02 and f[1] == pytest.approx(0.5) and f[2] > 0.98


def _rules(**kw):
    from types import SimpleNamespace
    base = dict(e0_position=1.0, e1_position=0.0, e2_position=0.5, spread_weight=0.5,
                rating_weight=0.0, verifiability_weight=0.5, physical_weight=0.5,
                experiment_weight=0.5)
    return SimpleNamespace(**{k: np.array([[v]]) for k, v in {**base, **kw}.items()})


def test_difficulty_orders_classes_and_labels():
    exposure = np.array([1, 2, 0, 1, 1, 1, 1])
    quantile = np.full(7, 0.5)
    rating = np.array([np.nan] * 5 + [1.0, 0.0])  # T4 and T0
    verif = np.array([0.75, 0.75, 0.75, 0.95, 0.75, 0.75, 0.75])
    physical = np.array([0, 0, 0, 0, 1.0, 0, 0])
    score = tasks.difficulty_scores(exposure, quantile, rating, verif, physical, np.zeros(7),
                                    _rules(rating_weight=0.7), 0.75)[0]
    assert score[0] < score[1] < score[2]  # E1, then E2, then E0
    assert score[3] == pytest.approx(score[0] - 0.1)  # 0.2 more verifiable x 0.5
    assert score[4] == pytest.approx(score[0] + 0.5)  # physical work comes later
    assert score[5] == pytest.approx(score[0] - 0.35) and score[6] == pytest.approx(
        score[0] + 0.35)  # GPT-4's T4 earlier, T0 later than unrated (0.5)


def test_order_quantiles_are_midpoints_of_wage_weight():
    scores = np.array([[3.0, 1.0, 2.0], [1.0, 1.0, 0.0]])
    weights = np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 2.0]])
    q = tasks.order_quantiles(scores, weights)
    np.testing.assert_allclose(q[0], [0.875, 0.125, 0.5])
    np.testing.assert_allclose(q[1], [0.625, 0.875, 0.25])  # ties keep the bins' order
    research = tasks.quantiles_of(np.array([[1.5], [0.0]]), scores, q)
    np.testing.assert_allclose(research[:, 0], [0.3125, 0.25])


def test_requirements_follow_davidsons_shape():
    q = np.array([0.0, 0.1, 0.2, 0.6, 1.0])
    r = tasks.requirement_oom(q, 36.0, 4.0, 2.5)
    np.testing.assert_allclose(r, [29.5, 30.75, 32.0, 34.0, 36.0])


def test_augmentation_thresholds_by_class():
    theta = tasks.augmentation_thresholds(np.array([0, 1, 2]), np.array([0.5, 0.5, 0.0]),
                                          (25.3, 26.5), (26.5, 29.0))
    assert theta[0] >= tasks.NEVER_OOM  # E0: no halving of the time
    np.testing.assert_allclose(theta[1:], [25.9, 26.5])


def test_autonomy_and_oversight():
    h = tasks.autonomy_horizon_hours(np.array([25.3, 27.8]), 25.3, 0.1, 0.4, 1e5)
    np.testing.assert_allclose(h, [0.1, 1.0])
    assert tasks.oversight_hours_per_ai_hour(0.05, 0.1) == pytest.approx(0.5)
    assert market.learning_reduction_oom(1e8 * 9, 0.2, 1e8, 1.0) == pytest.approx(0.2)
    assert market.learning_reduction_oom(1e30, 0.2, 1e8, 1.0) == 1.0


def test_rationing_by_surplus_respects_supply_and_order():
    demand = np.array([10.0, 10.0, 10.0, 7.0])
    surplus = np.array([1.0, 3.0, 2.0, 9.0])
    lab = np.array([0, 0, 0, 1])   # lab 0 sells the first three tasks
    scratch = np.empty(4, np.int64), np.empty(4)

    def ration(supply):
        served = demand.copy()
        market.ration_by_surplus(served, surplus, lab, 0, supply, *scratch)
        return served

    np.testing.assert_allclose(ration(15.0), [0.0, 10.0, 5.0, 7.0])  # lab 1's task untouched
    np.testing.assert_allclose(ration(100.0), demand)
    np.testing.assert_allclose(ration(0.0), [0.0, 0.0, 0.0, 7.0])
    tied = demand.copy()
    market.ration_by_surplus(tied, np.ones(4), lab, 0, 15.0, *scratch)
    np.testing.assert_allclose(tied, [10.0, 5.0, 0.0, 7.0])  # ties: lower task index first


def test_pricing_and_competition():
    cap = np.array([[30.0, 30.1, 25.0]])
    share = market.markups(cap, np.array([False, False, True]), np.array([[0.5]]),
                           np.array([[0.5]]))
    np.testing.assert_allclose(share, [[0.25, 0.25, 0.0]])  # two close rivals; open at cost
    price = market.price_per_hour(1.0, 21.0, 0.25)
    assert price == pytest.approx(6.0)
    assert market.customer_value_per_hour(30.0, 0.5) == 15.0


def test_adoption_is_s_shaped_with_the_stated_lag():
    a, dt, path = 0.0, 1 / 12, []
    for _ in range(int(30 / dt)):
        a = market.adopt(a, 1.0, dt, 6.0)
        path.append(a)
    path = np.array(path)
    half = np.argmax(path >= 0.5) * dt
    assert 5.0 < half < 7.5  # half of the ceiling after ~6 years
    assert np.all(np.diff(path) >= 0) and path[-1] < 1.0 + 1e-12


def test_labour_flows_conserve_workers_and_respect_bounds():
    rng = np.random.default_rng(0)
    e, u, r = rng.uniform(1e5, 1e6, (3, 5, 7))
    target = e * rng.uniform(0.5, 1.5, (5, 7))
    e2, u2, r2, f = labour.move_workers(e, u, r, target, dt_months=1.0, separation_rate=0.01,
                                        max_layoff_rate=0.02, job_finding_rate=0.25,
                                        retraining_entry_rate=0.05, retraining_months=12.0)
    np.testing.assert_allclose((e2 + u2 + r2).sum(axis=1), (e + u + r).sum(axis=1), rtol=1e-12)
    assert (f.layoffs <= 0.03 * e + 1e-9).all()  # churn plus the bounded extra layoffs
    assert (f.hires_same_occupation <= 0.25 * u + 1e-9).all()
    assert np.allclose(f.layoffs[target >= e], 0.01 * e[target >= e])  # churn only


def test_unemployment_rests_where_separations_equal_hires():
    """With openings to spare, hires are the unemployed's job finding; they balance
    separations at u = s / (s + f), whatever the start."""
    e, u, r = np.array([[1e6]]), np.array([[1e5]]), np.zeros((1, 1))
    for _ in range(600):
        e, u, r, _f = labour.move_workers(e, u, r, np.array([[2e6]]), dt_months=1.0,
                                          separation_rate=0.01, max_layoff_rate=0.02,
                                          job_finding_rate=0.25, retraining_entry_rate=0.05,
                                          retraining_months=12.0)
    assert (u / (e + u + r))[0, 0] == pytest.approx(0.01 / 0.26, rel=1e-3)


def test_wages_move_with_the_log_of_demand_over_supply():
    assert labour.wage_growth_rate(110.0, 95.0, 5.0, 0.5, 0.3) == pytest.approx(0.5 * np.log(1.1))
    assert labour.wage_growth_rate(100.0, 95.0, 5.0, 0.5, 0.3) == 0.0
    assert labour.wage_growth_rate(1.0, 95.0, 5.0, 0.5, 0.3) == -0.3  # bounded


def test_research_inputs():
    assert research.ces(1.0, 1.0, 0.5, -0.5) == pytest.approx(1.0)
    # complements: unlimited labour with experiment compute fixed is bounded
    assert research.ces(1e12, 1.0, 0.5, -0.5) < 4.0 + 1e-6
    assert research.research_automation_share(0.8, 0.25) == pytest.approx(0.6)
    # tasks: no AI share, or no AI labour -> people alone; AI on half the tasks with rho -> -inf
    # is Amdahl's bound (2x); with rho = -0.5 unlimited AI labour gives (1 - f)^(1/rho - 1)
    assert research.task_labour(100.0, 1e9, 0.0, -0.5) == pytest.approx(100.0)
    assert research.task_labour(100.0, 0.0, 0.5, -0.5) == pytest.approx(100.0)
    assert research.task_labour(100.0, 1e12, 0.5, -0.5) == pytest.approx(800.0, rel=1e-3)
    assert research.task_labour(100.0, 1e12, 0.5, -8.0) == pytest.approx(100 * 0.5 ** -1.125,
                                                                           rel=1e-3)


def test_semi_endogenous_growth():
    c0 = research.initial_cumulative_input(1.25, 0.4)
    assert research.growth_oom_per_yr(1.25, 1.0, c0, 0.0, 12.0) == pytest.approx(0.4)
    # returns fall to zero at the ceiling; a zero starting rate never grows
    assert research.growth_oom_per_yr(1.25, 1.0, c0, 6.0, 12.0) == pytest.approx(0.2)
    assert research.growth_oom_per_yr(1.25, 1.0, c0, 12.0, 12.0) == 0.0
    assert research.growth_oom_per_yr(1.25, 1.0, research.initial_cumulative_input(1.25, 0.0),
                                      0.0, 12.0) < 1e-290
    # ln A = r ln C: input growing at g keeps the level growing at r x g
    c, level, g = c0, 0.0, 0.1
    for t in np.arange(0, 200, 0.1):
        r_in = np.exp(g * t)
        level += research.growth_oom_per_yr(1.25, r_in, c, 0.0, 1e9) * 0.1
        c += r_in * 0.1
    assert research.growth_oom_per_yr(1.25, np.exp(g * 200), c, 0.0, 1e9) * research.LN_10 \
        == pytest.approx(1.25 * g, rel=0.02)


def test_first_crossing_and_totals():
    series = np.array([[0.1, 0.0], [0.3, 0.1], [0.6, 0.2]])
    years = first_crossing(series, np.array([2023.0, 2024.0, 2025.0]), 0.5)
    assert years[0] == 2025.0 and np.isnan(years[1])
    x = np.arange(12.0).reshape(2, 6)
    np.testing.assert_array_equal(total(x, axis=1), x.sum(axis=1))
    np.testing.assert_array_equal(safe_ratio(np.array([1.0, 1.0]), np.array([2.0, 0.0]), 7.0),
                                  [0.5, 7.0])


@pytest.mark.parametrize("n", [22, 264])   # longer than SHORT_AXIS: two paths
def test_a_row_sums_to_the_same_bits_alone_and_in_a_wide_batch(n):
    # a batch of 1,000 rows is summed slice by slice, one row alone through cumsum: the same
    # strictly ordered additions, so the same bits (values spanning 12 orders of magnitude)
    x = 10.0 ** np.random.default_rng(n).uniform(-6, 6, (1000, n))
    together = total(x, axis=1, keepdims=True)
    assert x.size >= reductions.WIDE_SLICE * n > x[:1].size
    for i in (0, 1, 499, 999):
        assert total(x[i:i + 1], axis=1, keepdims=True)[0, 0] == together[i, 0]
    np.testing.assert_array_equal(together[:, 0], np.cumsum(x, axis=1)[:, -1])
