"""The task market: feasibility, surplus, pricing with competition, adoption lag, allocation
by surplus, and the compiled step that applies them to every task bin.

The per-task work runs as plain loops compiled by numba: the numpy form made ~40 passes over
(scenario x lab x task-bin) arrays per step and dominated sweep time. Each scenario is cleared
by its own loop over its own task bins in a fixed order, so its results do not depend on the
batch around it (``tests/test_batch_equivalence.py``).

Every compiled function lives in this one file on purpose: numba's on-disk cache
(``cache=True``) is invalidated only by edits to the file that defines a function, so a
compiled caller in another file would keep running a stale copy of an edited helper. (The one
exception, :mod:`sim.model.vector_math`, says what to do after editing it.) The kernels use
numpy's error model: no zero-division checks, so loops over task bins compile to SIMD code.
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


def markups(capability_, is_open, markup, window_oom):
    """Share of customer surplus each lab captures, (B, L).

    A lab alone at its capability level captures ``markup``; labs within ``window_oom`` of
    each other share it, competition pushing price toward cost. Open-weights models are priced
    at cost.
    """
    gap = np.abs(capability_[:, :, None] - capability_[:, None, :])
    close = (gap <= window_oom[:, :, None]) & ~is_open[None, None, :]
    n_close = np.maximum(total(close, axis=2), 1)
    return np.where(is_open[None, :], 0.0, markup / n_close)


@njit(cache=True, error_model="numpy")
def customer_value_per_hour(wage, oversight_ratio):
    """What a human-equivalent AI hour is worth to a customer: the wage saved less oversight."""
    return wage * (1.0 - oversight_ratio)


@njit(cache=True, error_model="numpy")
def price_per_hour(cost, value, markup_share):
    """Price between cost and the customer's value: cost plus a share of the surplus
    (scalars).
    """
    return cost + markup_share * max(value - cost, 0.0)


#: Bass diffusion coefficients, per year: innovation p and imitation q, the averages of Sultan,
#: Farley & Lehmann (1990)'s meta-analysis of 213 Bass-model fits.
BASS_P, BASS_Q = 0.03, 0.38
#: Years the Bass curve with those coefficients takes to reach half its ceiling (~6.2 years).
BASS_HALF_LIFE_YEARS = float(np.log(BASS_Q / BASS_P) / (BASS_P + BASS_Q))


@njit(cache=True, error_model="numpy")
def adopt(adoption, target, dt_years, lag_years):
    """Bass (S-shaped) diffusion of one task's adoption toward its target (scalars);
    ``lag_years`` is the time to reach half of a new target from zero. Adoption above its
    target falls back at the imitation rate.
    """
    scale = BASS_HALF_LIFE_YEARS / lag_years
    p, q = BASS_P * scale, BASS_Q * scale
    if target >= adoption:
        rate = p + q * min(adoption / (target if target > 0.0 else 1.0), 1.0)
    else:
        rate = q
    return adoption + min(rate * dt_years, 1.0) * (target - adoption)


@njit(cache=True, error_model="numpy")
def ration_by_surplus(served, surplus, lab, j, supply, tasks_, key):
    """Ration lab ``j``'s ``supply`` over its tasks (``lab == j``), highest ``surplus`` first.

    ``served`` (K,) holds the hours wanted and is cut to the hours served, in place; ties in
    surplus go to the lower task index. ``tasks_`` and ``key`` are (K,) scratch space. One
    scenario at a time, so no batch can change it.
    """
    n = 0
    for k in range(served.size):
        if lab[k] == j:
            tasks_[n], key[n] = k, -surplus[k]
            n += 1
    before = 0.0
    for i in np.argsort(key[:n], kind="mergesort"):
        k = tasks_[i]
        wanted = served[k]
        served[k] = min(max(supply - before, 0.0), wanted)
        before += wanted


@njit(cache=True, error_model="numpy")
def soft_feasibility(level, threshold, softness):
    """Share of a task AI can do at ``level`` (scalars): a logistic ramp around its threshold,
    0 to 1, of width ``softness`` (OOM). exp overflowing to inf gives the right limit, 0.
    """
    return 1.0 / (1.0 + vector_math.exp((threshold - level) / softness))


LN_10 = math.log(10.0)
#: An augmentation threshold at or above this is never crossed (E0 bins are not augmented),
#: log10 FLOP; the kernel skips them.
NEVER_OOM = 1.0e3


@njit(cache=True, error_model="numpy")
def learning_reduction_oom(experience_hours, oom_per_decade, reference_hours, max_oom):
    """How far parallel learning has lowered a task's threshold (OOM), with diminishing
    returns (scalars).
    """
    return min(oom_per_decade * (vector_math.log(1.0 + experience_hours / reference_hours)
                                 / LN_10), max_oom)


#: Largest exponent either factor of the lab x task logistic may take (e^300 ~ 1e130).
MAX_EXPONENT = 300.0


@njit(cache=True, error_model="numpy")
def feasibility_factors(capability, theta, softness, lab_factor, task_factor):
    """Fill the factors of 1 / (1 + e^((theta - c) / s)) = 1 / (1 + lab x task) for one scenario.

    Taken about the top capability, the lab x task grid then needs a multiply and a division
    instead of an exp per cell. Returns False when an exponent would be clipped; the caller
    then uses :func:`soft_feasibility` per cell.
    """
    top = capability.max()
    clipped = 0
    for j in range(capability.size):
        a = (top - capability[j]) / softness  # >= 0
        clipped += 0 if a <= MAX_EXPONENT else 1
        lab_factor[j] = vector_math.exp(min(a, MAX_EXPONENT))
    for k in range(theta.size):   # no branch, so the loop is SIMD code
        b = (theta[k] - top) / softness
        clipped += 0 if (b >= -MAX_EXPONENT) & (b <= MAX_EXPONENT) else 1
        task_factor[k] = vector_math.exp(min(max(b, -MAX_EXPONENT), MAX_EXPONENT))
    return clipped == 0


@njit(cache=True, error_model="numpy")
def research_feasibility(capability, theta, physical, physical_threshold, hours_share,
                         robotics_index, softness):
    """Share of AI-research task-hours a model at ``capability`` (B,) can do, (B,)."""
    n_scen, n_tasks = theta.shape
    out = np.zeros(n_scen)
    f = np.empty(n_tasks)
    for b in range(n_scen):
        s = softness[b]
        for k in range(n_tasks):   # SIMD: the gate computed for every task, then chosen
            gated = soft_feasibility(robotics_index[b], physical_threshold[b, k], s)
            f[k] = soft_feasibility(capability[b], theta[b, k], s) * (
                gated if physical[k] else 1.0)
        for k in range(n_tasks):   # summed in order
            out[b] += f[k] * hours_share[k]
    return out


#: Per-occupation outputs of :func:`clear_scenarios`, in the order of its first result.
OCCUPATION_SUMS = ("automated", "human", "oversight", "saving", "competing",
                   "competing_x_ai_wage", "capable_hours_share", "augmented",
                   "augmentable_hours_share", "demand")
#: Wage-weighted shares of work from :func:`clear_scenarios`, in the order of its third result.
WORK_SHARES = ("capable", "adopted", "augmentable", "augmented")
#: Per task bin, US, per year (its last result): hours AI does, hours people do (after
#: augmentation's time saving), people's hours overseeing AI, and what customers pay the labs.
BIN_VALUES = ("automated", "human", "oversight", "ai_payment")


@njit(cache=True, error_model="numpy")
def clear_scenarios(capability, oversight, cost, share, supply,
                    theta0, experience, adoption, physical_threshold, cap,
                    oversight_multiplier, wage_bill_weight,
                    physical, occ, hours_share,
                    softness, learning, robotics_index, lag_years, world, dt_years,
                    wage, demand_bin, aug_theta, aug_adoption, augmentation):
    """Adopt, allocate and price AI labour in every scenario; updates ``experience``,
    ``adoption`` and ``aug_adoption`` in place.

    Automation: AI does a bin's hours end to end (feasibility from its requirement ``theta0``
    less parallel learning, gated by robotics for physical work), adopted along a Bass curve
    where it beats the wage, rationed by surplus when a lab runs short. Augmentation: on the
    hours people still do, AI cuts the time by ``augmentation[b, 0]`` once the best model
    passes the bin's ``aug_theta``, adopted along the same curve; labs charge
    ``augmentation[b, 1]`` of the wage value of the time saved, and the AI work equals the
    human time it saves (so augmentation draws on the best lab's fleet; not rationed).

    ``demand_bin`` is the task-hours a year the US economy wants of each bin (from the
    production side, :mod:`sim.model.mechanisms.production`); the rest of the world wants
    ``world - 1`` times as much of the AI work.

    Shapes: per lab ``(B, L)``; per task bin ``(B, K)`` (``physical``, ``occ`` and
    ``hours_share`` ``(K,)``); per occupation ``(B, O)``; per scenario ``(B,)``, with
    ``learning`` ``(B, 3)`` = OOM per decade, reference hours, max OOM and ``augmentation``
    ``(B, 2)`` = time saving, price share.

    Returns ``(by_occupation (10, B, O), by_lab (2, B, L), shares (4, B), automated_share
    (B, K), by_bin (4, B, K))``: the sums named in :data:`OCCUPATION_SUMS`; revenue and hours
    sold per lab; the wage-weighted shares named in :data:`WORK_SHARES`; per bin the US
    quantities named in :data:`BIN_VALUES`.
    """
    n_scen, n_labs = capability.shape
    n_tasks = theta0.shape[1]
    by_occ = np.zeros((len(OCCUPATION_SUMS), n_scen, wage.shape[1]))
    by_lab = np.zeros((2, n_scen, n_labs))
    shares = np.zeros((len(WORK_SHARES), n_scen))
    automated_share = np.empty((n_scen, n_tasks))
    by_bin = np.empty((len(BIN_VALUES), n_scen, n_tasks))
    theta, gate, augmentable = np.empty(n_tasks), np.empty(n_tasks), np.empty(n_tasks)
    task_factor, lab_factor = np.empty(n_tasks), np.empty(n_labs)
    lab = np.empty(n_tasks, np.int64)
    f_best, capable = np.empty(n_tasks), np.empty(n_tasks)
    surplus, price = np.empty(n_tasks), np.empty(n_tasks)
    demand, served = np.empty(n_tasks), np.empty(n_tasks)
    lab_demand = np.empty(n_labs)
    scratch_tasks, scratch_key = np.empty(n_tasks, np.int64), np.empty(n_tasks)
    w_bin = np.empty(n_tasks)
    f_all, kept_all = np.empty((n_labs, n_tasks)), np.empty((n_labs, n_tasks))

    for b in range(n_scen):
        s = softness[b]
        top_lab = np.argmax(capability[b])
        c_top, robotics = capability[b, top_lab], robotics_index[b]
        per_decade, reference, most = learning[b, 0], learning[b, 1], learning[b, 2]
        saving, price_share = augmentation[b, 0], augmentation[b, 1]
        # thresholds after parallel learning, the robotics gate and what AI can augment: each
        # computed for every bin and then chosen, in loops of their own (SIMD code)
        for k in range(n_tasks):
            cut = learning_reduction_oom(experience[b, k], per_decade, reference, most)
            theta[k] = theta0[b, k] - (cut if experience[b, k] > 0.0 else 0.0)
        for k in range(n_tasks):
            gated = soft_feasibility(robotics, physical_threshold[b, k], s)
            gate[k] = gated if physical[k] else 1.0
        for k in range(n_tasks):
            can = soft_feasibility(c_top, aug_theta[b, k], s)
            augmentable[k] = can if aug_theta[b, k] < NEVER_OOM else 0.0  # E0: never, exactly
        factored = feasibility_factors(capability[b], theta, s, lab_factor, task_factor)

        # customers pick the lab offering the most expected surplus: they keep (1 - markup
        # share) of value over cost; ties go to the first lab. A lab whose hours are already
        # sold out takes no more customers (they try the next best); customers arrive in task
        # order. What each lab offers each bin is worked out first, in SIMD loops; only the
        # choice, which depends on the hours already sold, goes bin by bin.
        lab_demand[:] = 0.0
        for k in range(n_tasks):
            w_bin[k] = wage[b, occ[k]]
        for j in range(n_labs):
            lf, ov, cj, keep = lab_factor[j], oversight[b, j], cost[b, j], 1.0 - share[b, j]
            if factored:
                for k in range(n_tasks):
                    f_all[j, k] = 1.0 / (1.0 + lf * task_factor[k]) * gate[k]
            else:
                for k in range(n_tasks):
                    f_all[j, k] = soft_feasibility(capability[b, j], theta[k], s) * gate[k]
            for k in range(n_tasks):
                kept = customer_value_per_hour(w_bin[k], ov * oversight_multiplier[b, k])
                kept_all[j, k] = max(kept - cj, 0.0) * keep * f_all[j, k]
        for k in range(n_tasks):   # feasibility rises with capability: the top lab's is the
            capable[k] = f_all[top_lab, k]   # share of the task AI can do at all
        for k in range(n_tasks):
            w = w_bin[k]
            best, best_kept = 0, -1.0
            for j in range(n_labs):
                if lab_demand[j] >= supply[b, j] and best_kept >= 0.0:
                    continue       # sold out (the first lab stays a fallback)
                kept = kept_all[j, k]
                if kept > best_kept:
                    best, best_kept = j, kept
            f_best[k] = f_all[best, k]
            lab[k] = best
            ob = oversight[b, best] * oversight_multiplier[b, k]
            value = customer_value_per_hour(w, ob)
            price[k] = price_per_hour(cost[b, best], value, share[b, best])
            surplus[k] = value - price[k]
            target = f_best[k] * cap[b, k] if surplus[k] > 0.0 else 0.0
            adoption[b, k] = adopt(adoption[b, k], target, dt_years, lag_years[b])
            demand[k] = demand_bin[b, k]
            served[k] = adoption[b, k] * demand[k] * world[b]   # wanted, for now
            lab_demand[best] += served[k]

        for j in range(n_labs):    # labs short of hours serve the highest surplus first
            if lab_demand[j] > supply[b, j]:
                ration_by_surplus(served, surplus, lab, j, supply[b, j], scratch_tasks,
                                  scratch_key)

        capable_w = adopted_w = augmentable_w = augmented_w = 0.0   # this scenario's sums
        aug_revenue = aug_hours = 0.0
        lag = lag_years[b]
        for k in range(n_tasks):
            o, w = occ[k], wage[b, occ[k]]
            experience[b, k] += served[k] * dt_years
            automated = served[k] / world[b]
            automated_share[b, k] = automated / max(demand[k], 1e-300)
            remaining = demand[k] - automated
            aug_adoption[b, k] = adopt(aug_adoption[b, k], augmentable[k], dt_years, lag)
            saved = remaining * saving * aug_adoption[b, k]
            human = remaining - saved
            ob = oversight[b, lab[k]] * oversight_multiplier[b, k]
            competing = human * adoption[b, k]
            by_occ[0, b, o] += automated
            by_occ[1, b, o] += human
            by_occ[2, b, o] += automated * ob
            by_occ[3, b, o] += (automated * max(w - price[k] - ob * w, 0.0)
                                + saved * w * (1.0 - price_share))
            by_occ[4, b, o] += competing
            by_occ[5, b, o] += competing * (price[k] / max(1.0 - ob, 1e-3))
            by_occ[6, b, o] += capable[k] * hours_share[k]
            by_occ[7, b, o] += saved
            by_occ[8, b, o] += augmentable[k] * (1.0 - capable[k]) * hours_share[k]
            by_occ[9, b, o] += demand[k]
            by_lab[0, b, lab[k]] += served[k] * price[k]
            by_bin[0, b, k] = automated
            by_bin[1, b, k] = human
            by_bin[2, b, k] = automated * ob
            by_bin[3, b, k] = automated * price[k] + saved * w * price_share
            by_lab[1, b, lab[k]] += served[k]
            aug_revenue += saved * w
            aug_hours += saved
            weight = wage_bill_weight[b, k]
            capable_w += capable[k] * weight
            adopted_w += automated_share[b, k] * weight
            augmentable_w += augmentable[k] * (1.0 - capable[k]) * weight
            augmented_w += aug_adoption[b, k] * (1.0 - automated_share[b, k]) * weight
        by_lab[0, b, top_lab] += aug_revenue * price_share * world[b]
        by_lab[1, b, top_lab] += aug_hours * world[b]
        shares[0, b], shares[1, b] = capable_w, adopted_w
        shares[2, b], shares[3, b] = augmentable_w, augmented_w
    return by_occ, by_lab, shares, automated_share, by_bin


@njit(cache=True, error_model="numpy")
def sum_by_occupation(per_bin, occ, n_occupations):
    """``(B, K)`` task-bin values summed into ``(B, O)`` occupations, in bin order (so a
    scenario's sums do not depend on the batch).
    """
    n_scen, n_tasks = per_bin.shape
    out = np.zeros((n_scen, n_occupations))
    for b in range(n_scen):
        for k in range(n_tasks):
            out[b, occ[k]] += per_bin[b, k]
    return out
