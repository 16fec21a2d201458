"""The economy side: production from tasks, incomes, the labour market at rest, and the
Acemoglu-Restrepo effects, checked against the 2023 data and a world without AI progress."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.loading import load_config
from sim.config.schema import SimConfig
from sim.model.mechanisms import production
from sim.model.reductions import total
from sim.runner import build_model, run

RHO = -0.2


def test_calibration_reproduces_output_and_the_capital_share():
    y0, k0, l0 = 27e12, 81e12, 14e12
    beta, tfp = production.calibrate(y0, k0, l0, RHO)
    assert production.output(tfp, beta, k0, l0, RHO) == pytest.approx(y0, rel=1e-12)
    # the task aggregate is paid its marginal product, P = 1: labour earns l0
    mp = production.marginal_product_of_tasks(tfp, beta, k0, l0, RHO)
    assert mp == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("price", [0.01, 0.5, 1.0, 1.3])
def test_aggregate_demand_is_where_the_marginal_product_equals_the_price(price):
    beta, tfp = production.calibrate(27e12, 81e12, 14e12, RHO)
    x = production.aggregate_demand(tfp, beta, 81e12, price, RHO)
    assert production.marginal_product_of_tasks(tfp, beta, 81e12, x, RHO) == \
        pytest.approx(price, rel=1e-9)


def test_task_prices_and_demand_at_calibration_return_the_data():
    rng = np.random.default_rng(1)
    hours, wage = rng.uniform(1e8, 1e10, (1, 50)), rng.uniform(10, 80, (1, 50))
    sigma = 1 / (1 - RHO)
    x0 = (wage * hours).sum()
    weights = wage ** sigma * hours / x0
    assert production.price_index(weights, wage, sigma)[0, 0] == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(production.task_demand(weights, x0, wage, 1.0, sigma), hours,
                               rtol=1e-12)
    assert production.task_aggregate(weights, hours, sigma)[0, 0] == pytest.approx(x0, rel=1e-12)


def test_a_cheaper_task_raises_demand_for_the_others_and_its_own_spending_share_falls():
    """Productivity effect and Baumol: with sigma < 1, a task whose price falls takes a
    smaller share of spending, and the cheaper aggregate raises the demand for every task."""
    beta, tfp = production.calibrate(27e12, 81e12, 14e12, RHO)
    sigma = 1 / (1 - RHO)
    weights, prices = np.array([[0.5, 0.5]]), np.array([[1.0, 1.0]])
    cheaper = np.array([[0.1, 1.0]])
    index = production.price_index(weights, prices, sigma)[0, 0]  # aggregate_demand: scalars
    before = production.task_demand(weights, production.aggregate_demand(
        tfp, beta, 81e12, index, RHO), prices, index, sigma)
    index = production.price_index(weights, cheaper, sigma)[0, 0]
    after = production.task_demand(weights, production.aggregate_demand(
        tfp, beta, 81e12, index, RHO), cheaper, index, sigma)
    assert after[0, 1] > before[0, 1]  # the task still done by people: more wanted
    share = (after * cheaper)[0, 0] / (after * cheaper).sum()
    assert share < 0.5


@pytest.fixture(scope="module")
def default_and_still():
    """The default run and the world without AI progress, to 2050."""
    return run(SimConfig()).sim, run(load_config(None, scenario="no_ai_progress")).sim


def _year_end(a, name, year):
    return a[name][(year - 2023) * 12 + 11, 0]


def test_2023_starts_from_the_data(default_and_still):
    a = default_and_still[0].aggregates
    assert a["us_output_usd_per_yr"][0, 0] == pytest.approx(27e12, rel=0.05)
    assert 0.03 <= a["unemployment_rate"][0, 0] <= 0.05
    assert 0.50 <= a["labour_share"][0, 0] <= 0.62
    data_wage = SimConfig()  # the table's mean wage (OEWS May 2021: $28.01)
    del data_wage
    assert a["mean_wage_usd_per_hour"][0, 0] == pytest.approx(28.0, rel=0.05)
    for year in (2023, 2024):
        start = a["us_output_usd_per_yr"][(year - 2023) * 12, 0] if year > 2023 else 27e12
        growth = np.log(_year_end(a, "us_output_usd_per_yr", year) / start)
        assert 0.015 <= growth <= 0.035, (year, growth)


def test_a_world_without_ai_progress_grows_steadily_with_full_employment(default_and_still):
    a = default_and_still[1].aggregates
    assert a["capable_share"].max() < 0.01
    u = a["unemployment_rate"][:, 0]
    assert (u >= 0.03).all() and (u <= 0.06).all()
    y = a["us_output_usd_per_yr"][11::12, 0]
    growth = np.diff(np.log(y))
    assert (growth >= 0.01).all() and (growth <= 0.035).all(), growth
    # real wages grow with output per worker (within half a point a year)
    w = a["mean_wage_usd_per_hour"][11::12, 0]
    per_worker = y / a["employed"][11::12, 0]
    gap = np.log(w[-1] / w[1]) - np.log(per_worker[-1] / per_worker[1])
    assert abs(gap) / (len(w) - 2) < 0.005
    assert 0.48 <= a["labour_share"][:, 0].min() and a["labour_share"][:, 0].max() <= 0.56


def test_ai_raises_output_and_shifts_income_from_labour(default_and_still):
    ai, still = (r.aggregates for r in default_and_still)
    assert _year_end(ai, "us_output_usd_per_yr", 2040) > 1.5 * _year_end(
        still, "us_output_usd_per_yr", 2040)
    assert _year_end(ai, "labour_share", 2045) < _year_end(still, "labour_share", 2045) - 0.1
    assert _year_end(ai, "ai_share", 2045) > 0.05


def test_effects_displacement_and_reinstatement(default_and_still):
    a = default_and_still[0].aggregates
    years = slice((2026 - 2023) * 12, (2046 - 2023) * 12)
    displacement = a["ar_displacement"][years, 0].sum() / 12
    reinstatement = a["ar_reinstatement"][years, 0].sum() / 12
    assert displacement < -0.1  # automation took a large share of task spending from labour
    assert 0.1 * -displacement < reinstatement < -displacement  # new tasks made back part
    total = sum(a[k][years, 0] for k in ("ar_productivity", "ar_displacement",
                                         "ar_reinstatement", "ar_other"))
    assert np.isfinite(total).all()


def test_without_reinstatement_no_new_tasks_appear():
    model = build_model([load_config(overrides=["labour.reinstatement_share=0",
                                                "time.end_year=2036"])])
    model.run()
    assert (model.economy.new_weights == 0).all()
    assert np.abs(model.recorder.aggregates["ar_reinstatement"]).max() == 0.0


def test_unemployment_at_rest_is_separations_over_flows():
    cfg = load_config(None, scenario="no_ai_progress",
                      overrides=["time.end_year=2030", "labour.separation_rate_per_month=0.02"])
    a = run(cfg).sim.aggregates
    s, f = 0.02, SimConfig().labour.job_finding_rate_per_month
    assert a["unemployment_rate"][-1, 0] == pytest.approx(s / (s + f), abs=0.01)


def test_a_longer_run_repeats_a_shorter_one_over_their_common_years():
    """Yearly shocks are drawn year by year, so extending the horizon never changes the past."""
    short = run(load_config(overrides=["time.end_year=2030"]), record_occupations=False).sim
    long = run(load_config(overrides=["time.end_year=2035"]), record_occupations=False).sim
    n = short.aggregates["us_output_usd_per_yr"].shape[0]
    for name, values in short.aggregates.items():
        np.testing.assert_array_equal(values, long.aggregates[name][:n], err_msg=name)


def test_investment_follows_output_growth_above_its_trend():
    """Investors put a share of output into AI: the same world with output growing faster
    than the trend built into the investment parameters raises investors' money."""
    base = run(load_config(overrides=["time.end_year=2027"]), record_occupations=False).sim
    low = run(load_config(overrides=["time.end_year=2027", "capital.trend_output_growth_per_yr"
                                      "=-0.05"]), record_occupations=False).sim
    assert low.aggregates["investor_usd_per_yr"][-1, 0] > 1.2 * \
        base.aggregates["investor_usd_per_yr"][-1, 0]


def _kernel_inputs(n_scen=3, n_occ=4, per_occ=3, seed=0):
    """Random but consistent inputs for plan_bins then produce_bins."""
    rng = np.random.default_rng(seed)
    occ = np.repeat(np.arange(n_occ), per_occ)
    k = occ.size
    weights0 = rng.uniform(0.1, 1.0, (n_scen, k)) / k
    automated = rng.uniform(0.0, 0.8, (n_scen, k)) * (rng.uniform(size=(n_scen, k)) < 0.6)
    plan = dict(
        weights0=weights0, automated=automated,
        dropped=rng.uniform(0.0, 0.5, (n_scen, n_occ)),
        new_weights=rng.uniform(0.0, 0.05, (n_scen, n_occ)),
        labour_hours=rng.uniform(0.5, 1.0, (n_scen, k)),
        ai_cost=rng.uniform(0.0, 0.3, (n_scen, k)),
        labour_price=rng.uniform(0.5, 2.0, (n_scen, n_occ)), occ=occ,
        sigma=np.full(n_scen, 2.0 / 3.0), tfp=np.full(n_scen, 1.0),
        beta=np.full(n_scen, 0.4), capital=np.full(n_scen, 3.0), rho=np.full(n_scen, -0.4),
        least=np.full(n_scen, 1e-9), weights=np.empty((n_scen, k)))
    return rng, plan


def _log_ces(weights, x, sigma):
    """The CES sum over bins, in logs, written out directly."""
    e = (sigma - 1.0) / sigma
    used = weights > 0
    logs = np.log(weights[used]) / sigma + e * np.log(x[used])
    return logs.max() + np.log(np.sum(np.exp(logs - logs.max())))


@pytest.mark.parametrize("employed_share, sigma", [(1.5, 2 / 3), (0.97, 2 / 3), (0.4, 0.5),
                                                   (0.4, 1.5), (1e-200, 0.25)])
def test_production_kernel_sums_the_ces_of_what_was_produced(employed_share, sigma):
    # produce_bins takes each bin's CES term from the plan and corrects it for what the
    # staffing shortfall left undone (or, with almost nobody at work, sums it in logs): either
    # way it must equal the CES written out over the quantities produced
    rng, plan = _kernel_inputs()
    plan["sigma"] = np.full(3, sigma)  # 0.25 with 1e-200 at work: the sum overflows, in logs
    demand, new_demand, _, terms, log_scale = production.plan_bins(**plan)
    n_scen, k = demand.shape
    occ, sigma, weights = plan["occ"], plan["sigma"], plan["weights"]
    automated = demand * plan["automated"]
    human = (demand - automated) * 0.9
    oversight = automated * 0.05
    needed = np.zeros_like(new_demand)
    for j in range(k):
        needed[:, occ[j]] += human[:, j] + oversight[:, j]
    needed += new_demand
    employed = needed * employed_share * rng.uniform(0.95, 1.0, needed.shape)
    out = production.produce_bins(
        demand, automated, human, oversight, automated * 0.2, weights, plan["weights0"],
        plan["new_weights"], new_demand, employed, plan["labour_price"], occ,
        plan["sigma"], np.zeros_like(demand), np.zeros_like(demand), terms, log_scale,
        np.ones_like(demand), np.zeros_like(demand), np.full(n_scen, 0.5))
    staffed = np.minimum(employed / needed, 1.0)
    x = automated + (demand - automated) * staffed[:, occ]
    for b in range(n_scen):
        expected = _log_ces(np.concatenate([weights[b], plan["new_weights"][b]]),
                            np.concatenate([x[b], new_demand[b] * staffed[b]]), sigma[b])
        assert out[1][b, 0] == pytest.approx(expected, rel=1e-12, abs=1e-9)
        assert np.isfinite(out[1][b, 0])
    # what customers paid the labs, summed in bin order: exactly the model's ordered total
    np.testing.assert_array_equal(out[1][:, 3], total(automated * 0.2, axis=1))
