"""Production from tasks: the Acemoglu-Restrepo task model in the nested CES form Davidson's
takeoff model and Epoch's GATE share.

Output ``Y = A (beta K^rho + (1 - beta) X^rho)^(1/rho)``: total factor productivity ``A``,
capital ``K`` and the task aggregate ``X``, a CES over task bins with elasticity of
substitution ``sigma`` < 1 between tasks,
``X = (sum_k a_k^(1/sigma) x_k^((sigma-1)/sigma))^(sigma/(sigma-1))``. Each bin's quantity
``x_k`` (task-hours of 2023 work) is done by people (made faster by augmentation) or by AI,
whichever the task market chose; its unit cost ``p_k`` is what producing it cost. The task
price index is ``P = (sum_k a_k p_k^(1-sigma))^(1/(1-sigma))``.

Calibration: in 2023 every bin's price is its occupation's hourly labour cost, and the units
of ``X`` are chosen so that ``P = 1``; then ``a_k = p_k^sigma x_k / X0`` reproduces the 2023
task-hours as the cost-minimising demand, ``beta`` is set so that capital earns what the data
say (output less labour income), and ``A`` so that output is the 2023 figure.

Firms take prices as given: given ``K``, ``A`` and ``P`` they want the ``X`` at which its
marginal product equals ``P`` (closed form, :func:`aggregate_demand`), and of each bin
``x_k = a_k X (p_k / P)^(-sigma)``. So cheaper automated tasks lower ``P`` and raise the demand
for every task (the productivity effect) while spending shifts toward the tasks whose price
did not fall (Baumol's cost disease, as sigma < 1).

All functions take arrays with the scenario axis first and reduce only along the last axis.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.model import vector_math
from sim.model.reductions import total

# vector_math is inlined into the kernels below: naming its hash makes an edit there recompile
# them (see its docstring)
# vector_math sha256: d6f47d4a7a21eca0549185fe3dcc7899d8f0ea8e2380795ac2b8502ae3ef5960


def task_aggregate(weights, quantities, sigma):
    """``X``, the CES of task quantities, (B, 1). Bins with no weight take no part; the sum is
    taken in logs about its largest term, so quantities spanning many orders of magnitude
    neither overflow nor vanish.
    """
    e = (sigma - 1.0) / sigma
    used = weights > 0.0
    log_terms = np.where(used, np.log(np.where(used, weights, 1.0)) / sigma
                         + e * np.log(np.maximum(quantities, 1e-300)), -np.inf)
    top = log_terms.max(axis=-1, keepdims=True)
    scaled = total(np.exp(log_terms - top), axis=-1, keepdims=True)
    return np.exp((top + np.log(scaled)) / e)


def price_index(weights, prices, sigma):
    """``P``, the cost of one unit of ``X`` given each bin's unit cost, (B, 1)."""
    terms = weights * np.maximum(prices, 1e-300) ** (1.0 - sigma)
    return total(terms, axis=-1, keepdims=True) ** (1.0 / (1.0 - sigma))


def task_demand(weights, aggregate, prices, index, sigma):
    """Cost-minimising quantity of each bin for ``aggregate`` units of ``X``."""
    return weights * aggregate * (np.maximum(prices, 1e-300) / index) ** (-sigma)


def output(tfp, beta, capital, aggregate, rho):
    """``Y`` from capital and the task aggregate (CES, substitution ``rho`` < 0)."""
    return tfp * (beta * capital ** rho + (1.0 - beta) * aggregate ** rho) ** (1.0 / rho)


def output_from_log(tfp, beta, capital, log_aggregate, rho):
    """``Y`` as :func:`output`, from ``ln X``, summed in logs: finite for any ``X``."""
    return tfp * np.exp(np.logaddexp(np.log(beta) + rho * np.log(capital),
                                     np.log1p(-beta) + rho * log_aggregate) / rho)


def marginal_product_of_tasks(tfp, beta, capital, aggregate, rho):
    """``dY/dX``."""
    y = output(tfp, beta, capital, aggregate, rho)
    return tfp ** rho * (1.0 - beta) * (y / aggregate) ** (1.0 - rho)


@njit(cache=True, error_model="numpy")
def aggregate_demand(tfp, beta, capital, index, rho):
    """The ``X`` at which ``dY/dX`` equals its price ``index`` (scalars; compiled, and what
    :func:`plan_bins` uses).

    With ``u = (X/K)^rho``, ``dY/dX = A (1-beta) (u / (beta + (1-beta) u))^((rho-1)/rho)``,
    so ``v = (P / (A (1-beta)))^(rho/(rho-1))`` gives ``u = beta v / (1 - (1-beta) v)``.
    ``v`` reaches ``1 / (1-beta)`` only when ``P`` is at or above the marginal product of the
    first unit of ``X``; then nothing is worth producing (a tiny ``X`` is returned).
    """
    v = (index / (tfp * (1.0 - beta))) ** (rho / (rho - 1.0))
    u = beta * v / max(1.0 - (1.0 - beta) * v, 1e-300)
    return capital * u ** (1.0 / rho)


def calibrate(output_0, capital_0, labour_income_0, rho):
    """``beta`` and ``A`` such that capital earns ``output_0 - labour_income_0`` and output is
    ``output_0`` when ``X = labour_income_0`` at price 1.
    """
    capital_share = 1.0 - labour_income_0 / output_0
    odds = capital_share / (1.0 - capital_share) * (labour_income_0 / capital_0) ** rho
    beta = odds / (1.0 + odds)
    tfp = output_0 / (beta * capital_0 ** rho + (1.0 - beta) * labour_income_0 ** rho) ** (
        1.0 / rho)
    return beta, tfp


# --- the per-bin work of a step, compiled ---------------------------------------------------
# Each scenario is done by its own loop over its own bins, in a fixed order, so its results do
# not depend on the batch around it. Every compiled function lives in this file (numba's
# cache is invalidated only by edits to the defining file; sim.model.vector_math, inlined,
# says what to do after editing it). Powers go through vector_math in loops of their own, with
# numpy's error model (no zero-division branches), so those loops compile to SIMD code.


@njit(cache=True, error_model="numpy")
def produce_bins(demand, automated, human, oversight, ai_payment, weights, weights0,
                 new_weights, new_demand, employed_hours, labour_price, occ, sigma,
                 spend_before, automated_before, planned_terms, log_scale,
                 expected_hours, expected_ai_cost, relax):
    """One step's production from the task market's result, per scenario.

    A bin is produced as planned (``x = demand``) except where its occupation is short of the
    people firms want; then its human part is done in proportion, ``x = demand f`` with
    ``f = done + (1 - done) staffed``, and its CES term is the planned one
    (``planned_terms`` x ``exp(log_scale)``, see :func:`plan_bins`) times ``f^e``, where
    ``e = (sigma - 1) / sigma``: the power is taken for every bin in one SIMD loop
    (:mod:`sim.model.vector_math`) and enters the sum only for bins AI did part of.
    Should that sum not be finite (an economy with almost nobody at work), the terms are summed
    in logs about the largest. Firms' expected labour hours and AI cost per unit of each bin
    (``expected_*``) follow the realised ones by ``relax`` (B,) of the gap, in place.

    Returns ``(needed (B, O), sums (B, 4), per_bin (2, B, K), per_occ (3, B, O))``: the hours
    firms want of each occupation's people; per scenario the log of the CES sum of ``X``, the
    task wage bill, task spending and what customers paid the labs (``ai_payment`` summed in
    bin order); per bin the share AI did and the spending on it; per
    occupation the automated task weight (at 2023 weights), the new tasks' spending, and the
    spending moved from people to AI since the last step at its prices (``spend_before`` x the
    rise in the share AI does, from ``automated_before``).
    """
    n_scen, n_bins = demand.shape
    n_occ = new_weights.shape[1]
    needed = np.zeros((n_scen, n_occ))
    sums = np.zeros((n_scen, 4))
    per_bin = np.empty((2, n_scen, n_bins))
    per_occ = np.zeros((3, n_scen, n_occ))
    staffed, untouched = np.empty(n_occ), np.empty(n_occ)
    share, power = np.empty(n_bins), np.empty(n_bins)   # f per bin, and f^e
    partly = np.empty(n_bins, np.bool_)
    staffed_power = np.empty(n_occ)
    log_terms = np.empty(n_bins + n_occ)
    for b in range(n_scen):
        s = sigma[b]
        e = (s - 1.0) / s
        for o in range(n_occ):
            needed[b, o] = new_demand[b, o]
        for k in range(n_bins):
            needed[b, occ[k]] += human[b, k] + oversight[b, k]
        for o in range(n_occ):
            staffed[o] = min(employed_hours[b, o] / needed[b, o], 1.0) \
                if needed[b, o] > 0.0 else 1.0
            untouched[o] = 0.0   # planned terms of bins AI did none of (x = demand staffed)
        ces = 0.0
        wage_bill = spending = paid_to_labs = 0.0
        for k in range(n_bins):
            o = occ[k]
            d = max(demand[b, k], 1e-300)
            hours = (human[b, k] + oversight[b, k]) / d
            ai_cost = ai_payment[b, k] / d
            done = automated[b, k] / d
            expected_hours[b, k] += (hours - expected_hours[b, k]) * relax[b]
            expected_ai_cost[b, k] += (ai_cost - expected_ai_cost[b, k]) * relax[b]
            per_bin[0, b, k] = done
            labour_cost = labour_price[b, o] * hours
            unit = labour_cost + ai_cost
            per_occ[0, b, o] += weights0[b, k] * done
            per_occ[2, b, o] += spend_before[b, k] * (automated_before[b, k] - done)
            f = done + (1.0 - done) * staffed[o]
            share[k] = f
            partly[k] = not (done == 0.0 or staffed[o] == 1.0)
            if not partly[k]:
                untouched[o] += planned_terms[b, k]
            x = demand[b, k] * f
            per_bin[1, b, k] = unit * x
            wage_bill += labour_cost * x
            spending += unit * x
            paid_to_labs += ai_payment[b, k]
        for k in range(n_bins):   # SIMD
            power[k] = vector_math.power(share[k], e)
        for o in range(n_occ):
            staffed_power[o] = vector_math.power(staffed[o], e)
        for k in range(n_bins):   # summed in order
            if partly[k]:
                ces += planned_terms[b, k] * power[k]
        for o in range(n_occ):
            x = new_demand[b, o] * staffed[o]
            ces += (untouched[o] + planned_terms[b, n_bins + o]) * (
                staffed_power[o] if staffed[o] < 1.0 else 1.0)
            new_spend = labour_price[b, o] * x
            per_occ[1, b, o] = new_spend
            wage_bill += new_spend
            spending += new_spend
        if 0.0 < ces < math.inf:
            log_ces = math.log(ces) + e * log_scale[b]
        else:   # summed in logs: finite however few people work
            n_terms = 0
            for k in range(n_bins):
                o = occ[k]
                if weights[b, k] > 0.0:
                    x = automated[b, k] + (demand[b, k] - automated[b, k]) * staffed[o]
                    log_terms[n_terms] = (math.log(weights[b, k]) / s
                                          + e * math.log(max(x, 1e-300)))
                    n_terms += 1
            for o in range(n_occ):
                if new_weights[b, o] > 0.0:
                    x = new_demand[b, o] * staffed[o]
                    log_terms[n_terms] = (math.log(new_weights[b, o]) / s
                                          + e * math.log(max(x, 1e-300)))
                    n_terms += 1
            top = -math.inf
            for i in range(n_terms):
                top = max(top, log_terms[i])
            total_ = 0.0
            for i in range(n_terms):
                total_ += math.exp(log_terms[i] - top)
            log_ces = top + math.log(total_)
        sums[b, 0], sums[b, 1], sums[b, 2], sums[b, 3] = log_ces, wage_bill, spending, paid_to_labs
    return needed, sums, per_bin, per_occ


@njit(cache=True, error_model="numpy")
def plan_bins(weights0, automated, dropped, new_weights, labour_hours, ai_cost, labour_price,
              occ, sigma, tfp, beta, capital, rho, least, weights):
    """Next step's task weights, price index and task demand, per scenario.

    Each bin's weight is its 2023 weight less the part of its automated share that new tasks
    replaced (``dropped`` (B, O)); it is written into ``weights`` (B, K).

    ``least`` (B,) is the least ``X`` firms want: when prices rise above what any use of tasks
    is worth (wages that cannot fall while capital wears away), the closed form gives no tasks
    at all and output 0; a floor far below any economy (a billionth of 2023's) keeps every
    number finite.

    Demand is ``x_k = a_k p_k^-sigma S`` with ``S = X P^sigma``; produced as planned, a bin's
    CES term ``a_k^(1/sigma) x_k^((sigma-1)/sigma)`` is then ``a_k p_k^(1-sigma)
    S^((sigma-1)/sigma)``. Those planned terms over ``S^((sigma-1)/sigma)`` (per bin, then per
    occupation's new tasks) and ``ln S`` are returned for :func:`produce_bins`.

    Returns ``(demand (B, K), new_demand (B, O), index (B,), planned_terms (B, K + O),
    log_scale (B,))``.
    """
    n_scen, n_bins = weights0.shape
    n_occ = new_weights.shape[1]
    demand = np.empty((n_scen, n_bins))
    new_demand = np.empty((n_scen, n_occ))
    index = np.empty(n_scen)
    terms = np.empty((n_scen, n_bins + n_occ))
    log_scale = np.empty(n_scen)
    price, power = np.empty(n_bins + n_occ), np.empty(n_bins + n_occ)  # p and p^-sigma
    for b in range(n_scen):
        s = sigma[b]
        for k in range(n_bins):
            o = occ[k]
            weights[b, k] = weights0[b, k] * (1.0 - automated[b, k] * dropped[b, o])
            price[k] = max(labour_price[b, o] * labour_hours[b, k] + ai_cost[b, k], 1e-300)
        for o in range(n_occ):
            price[n_bins + o] = max(labour_price[b, o], 1e-300)
        for i in range(n_bins + n_occ):   # SIMD
            power[i] = vector_math.power(price[i], -s)
        acc = 0.0
        for k in range(n_bins):  # demand[k] holds p^-sigma until the index is known
            demand[b, k] = power[k]
            terms[b, k] = weights[b, k] * price[k] * power[k]
            acc += terms[b, k]
        for o in range(n_occ):
            new_demand[b, o] = power[n_bins + o]
            terms[b, n_bins + o] = new_weights[b, o] * price[n_bins + o] * power[n_bins + o]
            acc += terms[b, n_bins + o]
        index[b] = acc ** (1.0 / (1.0 - s))
        x = aggregate_demand(tfp[b], beta[b], capital[b], index[b], rho[b])
        scale = max(x, least[b]) * index[b] ** s  # X x P^sigma
        log_scale[b] = math.log(scale)
        for k in range(n_bins):
            demand[b, k] *= weights[b, k] * scale
        for o in range(n_occ):
            new_demand[b, o] *= new_weights[b, o] * scale
    return demand, new_demand, index, terms, log_scale
