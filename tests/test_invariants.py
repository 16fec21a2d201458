"""Acceptance 2: invariants checked after every step, for the default and over the documented
parameter ranges (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.loading import load_config
from sim.config.paramdoc import parameter_rows
from sim.config.schema import SimConfig
from sim.runner import build_model


def check_every_step(model):
    """Step ``model`` to the end, asserting the invariants after each step."""
    w = model.workers
    previous_frontier = model.frontier_effective_flop.copy()
    while model.steps_done < model.n_steps:
        cash_before = [lab.cash_usd.copy() for lab in model.labs]
        model.step()
        step = model.steps_done
        # workers conserved
        force = (w.employed + w.unemployed + w.retraining).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(force, w.labour_force_0, rtol=1e-9,
                                   err_msg=f"workers not conserved at step {step}")
        # no negative stock
        for name in ("employed", "unemployed", "retraining", "wage", "penalized"):
            assert (getattr(w, name) >= 0).all(), f"negative {name} at step {step}"
        for lab, before in zip(model.labs, cash_before, strict=True):
            assert (lab.cash_usd >= 0).all(), f"negative cash at step {step}"
            assert (lab.installed_flop_per_s > 0).all()
            f = lab.flows
            # cash identity: end = start + refund + investor + revenue - opex - capex - payout
            expected = before + f["refund_usd"] + f["investor_usd"] + f["revenue_usd"] \
                - f["opex_usd"] - f["capex_usd"] - f["payout_usd"]
            np.testing.assert_allclose(lab.cash_usd, expected, rtol=1e-9, atol=1e-3,
                                       err_msg=f"cash identity broken at step {step}")
            for key in ("investor_usd", "revenue_usd", "opex_usd", "capex_usd", "refund_usd",
                        "payout_usd"):
                assert (f[key] >= 0).all(), f"negative flow {key} at step {step}"
            # no lab spends money it does not have: staff and chips are paid from revenue,
            # investors' money actually raised and the cash it held
            spent = f["opex_usd"] + f["capex_usd"]
            held = before + f["refund_usd"] + f["investor_usd"] + f["revenue_usd"]
            assert (spent <= held * (1 + 1e-12) + 1e-3).all(), f"overspent at step {step}"
            # investors' money is taken only as needed, and cash stays within its buffer
            assert (f["investor_usd"] <= spent * (1 + 1e-12) + 1e-3).all()
            buffer = model.p.capital.cash_buffer_years * spent / model.dt_years
            assert (lab.cash_usd <= np.maximum(buffer, before + f["refund_usd"])
                    * (1 + 1e-9) + 1e-3).all(), f"cash above its buffer at step {step}"
        # national accounts: output = labour income + AI income + capital income
        e = model.economy
        incomes = e.labour_income + e.ai_income + e.capital_income
        np.testing.assert_allclose(incomes, e.output, rtol=1e-9,
                                   err_msg=f"output != incomes at step {step}")
        assert (e.output > 0).all() and (e.capital > 0).all() and (e.index > 0).all()
        assert (e.labour_income >= 0).all() and (e.ai_income >= 0).all()
        # the Acemoglu-Restrepo effects add up to the task wage bill's change
        assert all(np.isfinite(v).all() for v in e.effects.values())
        for v in model.vendors:
            assert (v.capacity_chips_per_month > 0).all() and (v.price_usd > 0).all()
        tm = model.task_market
        assert ((tm.adoption >= 0) & (tm.adoption <= 1 + 1e-12)).all()
        assert ((tm.automated_share >= -1e-12) & (tm.automated_share <= 1 + 1e-9)).all()
        # frontier capability never falls
        assert (model.frontier_effective_flop >= previous_frontier).all(), \
            f"frontier fell at step {step}"
        previous_frontier = model.frontier_effective_flop.copy()
    # no NaN or inf anywhere in what was recorded
    for name, values in model.recorder.aggregates.items():
        assert np.isfinite(values).all(), f"non-finite values in {name}"
    for name, values in model.recorder.occupations.items():
        assert np.isfinite(values).all(), f"non-finite values in occupation {name}"


def test_default_run_keeps_invariants_every_step():
    check_every_step(build_model([SimConfig()]))


def test_scenario_batch_keeps_invariants():
    configs = [load_config(overrides=o) for o in (
        [], ["training.max_training_flop=1e26"],
        ["hardware.vendors.leader.max_capacity_growth_per_yr=0.1",
         "hardware.vendors.challenger.max_capacity_growth_per_yr=0.1"],
        ["hardware.max_power_cap_gw=5", "hardware.initial_power_cap_gw=1"],
        ["capital.max_ai_spend_share_of_gdp=0.001"])]
    check_every_step(build_model(configs))


# Parameters hypothesis varies, each over its full documented range.
_ROWS = {r["name"]: r for r in parameter_rows()}
VARIED = [
    "capital.investor_growth_per_yr", "capital.revenue_growth_sensitivity",
    "capital.max_ai_spend_share_of_gdp", "algorithms.base_efficiency_oom_per_yr",
    "algorithms.unhobbling_oom_per_yr", "algorithms.inference_efficiency_oom_per_yr",
    "copies.speed_k", "copies.rd_share", "autonomy.review_hours",
    "autonomy.horizon_oom_per_capability_oom", "tasks.softness_oom", "tasks.experiment_cap",
    "market.adoption_lag_years", "market.markup", "market.rest_of_world_multiplier",
    "labour.max_layoff_rate_per_month", "labour.job_finding_rate_per_month",
    "labour.retraining_entry_per_month", "labour.separation_rate_per_month",
    "labour.reinstatement_share", "labour.wage_flexibility", "research.ces_rho",
    "economy.task_substitution_rho", "economy.capital_substitution_rho",
    "economy.tfp_growth_per_yr", "economy.investment_share", "capital.cash_buffer_years",
    "research.parallel_exponent", "research.ai_researcher_productivity",
    "hardware.price_performance_oom_per_yr", "hardware.utilization",
    "labs.frontier_a.training_share_growth_per_yr", "market.open_weights_lag_years",
]


def _bounds(name):
    lo = hi = None
    for part in _ROWS[name]["range"].split():
        op, num = part.rstrip("0123456789.e-+"), float(part.lstrip("<>="))
        if op.startswith(">"):
            lo = num + (1e-6 if op == ">" else 0.0)
        else:
            hi = num - (1e-6 if op == "<" else 0.0)
    return lo, hi


@st.composite
def configs(draw):
    overrides = ["time.end_year=2032"]
    for name in VARIED:
        lo, hi = _bounds(name)
        value = draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))
        overrides.append(f"{name}={value!r}")
    overrides.append(f"seed={draw(st.integers(0, 2**32))}")
    return load_config(overrides=overrides)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_invariants_hold_over_documented_ranges(config):
    check_every_step(build_model([config]))
