"""The task market: surplus, pricing with competition, adoption lag, allocation by surplus."""

from __future__ import annotations

import numpy as np

from sim.xp import group_total, total


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


def customer_value_per_hour(wage, oversight_ratio):
    """What a human-equivalent AI hour is worth to a customer: the wage saved less oversight."""
    return wage * (1.0 - oversight_ratio)


def price_per_hour(cost, value, markup_share):
    """Price between cost and the customer's value: cost plus a share of the surplus."""
    return cost + markup_share * np.maximum(value - cost, 0.0)


#: Bass diffusion coefficients, per year: innovation p and imitation q, the averages of Sultan,
#: Farley & Lehmann (1990)'s meta-analysis of 213 Bass-model fits.
BASS_P, BASS_Q = 0.03, 0.38
#: Years the Bass curve with those coefficients takes to reach half its ceiling (~6.2 years).
BASS_HALF_LIFE_YEARS = float(np.log(BASS_Q / BASS_P) / (BASS_P + BASS_Q))


def adopt(adoption, target, dt_years, lag_years):
    """Bass (S-shaped) diffusion of adoption toward its target; ``lag_years`` is the time to
    reach half of a new target from zero. Adoption above its target falls back at the
    imitation rate.
    """
    scale = BASS_HALF_LIFE_YEARS / lag_years
    p, q = BASS_P * scale, BASS_Q * scale
    rising = target >= adoption
    ratio = np.minimum(adoption / np.where(target > 0, target, 1.0), 1.0)
    rate = np.where(rising, p + q * ratio, q)
    return adoption + np.minimum(rate * dt_years, 1.0) * (target - adoption)


def best_lab(score):
    """Index of the highest score along the lab axis of ``(B, L, K)``; ties go to the first.

    The same as ``argmax(axis=1)``, which numpy runs slowly along a middle axis.
    """
    lab = np.zeros(score.shape[::2], dtype=np.intp)
    best = score[:, 0].copy()
    for j in range(1, score.shape[1]):
        better = score[:, j] > best
        lab[better] = j
        np.maximum(best, score[:, j], out=best)
    return lab


def allocate_by_surplus(demand, surplus, lab, supply):
    """Serve demand in order of surplus until each lab's supply runs out.

    Args:
        demand: hours wanted per task, (B, K), each from the lab in ``lab``.
        surplus: customer surplus per hour of each task, (B, K); higher is served first.
        lab: index of the lab serving each task, (B, K).
        supply: hours each lab can offer, (B, L).

    Returns:
        Hours served, (B, K). Labs with enough supply serve in full without sorting; the rest
        ration by surplus. Every operation acts within one scenario, so a scenario's
        allocation does not depend on the batch around it.

    """
    short = group_total(demand, lab, supply.shape[1]) > supply
    if not short.any():
        return demand
    served = demand.copy()
    for j in np.flatnonzero(short.any(axis=0)):
        rows = np.flatnonzero(short[:, j])
        mine = lab[rows] == j
        d = np.where(mine, demand[rows], 0.0)
        order = np.argsort(-np.where(mine, surplus[rows], -np.inf), axis=1, kind="stable")
        d_sorted = np.take_along_axis(d, order, axis=1)
        before = np.cumsum(d_sorted, axis=1) - d_sorted
        got = np.clip(supply[rows, j][:, None] - before, 0.0, d_sorted)
        rationed = np.empty_like(got)
        np.put_along_axis(rationed, order, got, axis=1)
        served[rows] = np.where(mine, rationed, served[rows])
    return served
