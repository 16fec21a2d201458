"""Task requirements from the task-automation rules (Davidson's scale for automation, the
exposure classes for augmentation), autonomy and oversight. The soft feasibility ramp is
compiled with the task market, :mod:`sim.model.mechanisms.market`.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.market import NEVER_OOM  # a bin's threshold that is never crossed

__all__ = ["NEVER_OOM"]

#: Davidson's reference point: the share of tasks automatable at ``requirement - flop_gap``.
DAVIDSON_LOW_SHARE = 0.2


def difficulty_scores(exposure, quantile, automation, verifiability, physical, experiment_share,
                      rules, verifiability_reference):
    """Where each task bin sits in the order of automation, from its labels, shape (B, K).

    Higher is harder: the class's position (``rules.e1_position`` ...), plus the bin's spread
    quantile inside its class, GPT-4's rating (T4 = 1 earlier; unrated bins count as 0.5),
    less verifiability above the reference, plus physical work and experiment-bound hours, each
    times its weight. ``rules`` holds (B, 1) arrays (``p.tasks.automation``).
    """
    rating = np.where(np.isfinite(automation), automation, 0.5)
    position = np.choose(exposure, [rules.e0_position, rules.e1_position, rules.e2_position])
    return (position + rules.spread_weight * quantile + rules.rating_weight * (1.0 - rating)
            - rules.verifiability_weight * (verifiability - verifiability_reference)
            + rules.physical_weight * physical + rules.experiment_weight * experiment_share)


def order_quantiles(scores, weights):
    """Each bin's place in the wage-weighted order of difficulty, 0 to 1, shape (B, K).

    A bin's quantile is the middle of its slice of the cumulative weight, bins sorted by score
    (ties by index); every scenario's row is sorted and summed on its own.
    """
    order = np.argsort(scores, axis=1, kind="stable")
    sorted_w = np.take_along_axis(weights, order, axis=1)
    cum = np.cumsum(sorted_w, axis=1)
    mid = (cum - 0.5 * sorted_w) / cum[:, -1:]
    out = np.empty_like(mid)
    np.put_along_axis(out, order, mid, axis=1)
    return out


def quantiles_of(scores, economy_scores, economy_quantiles):
    """Quantiles of other bins (AI research) on the economy's order: each score is placed by
    linear interpolation between the economy's bins, per scenario, shape (B, J).
    """
    out = np.empty(scores.shape)
    for b in range(scores.shape[0]):
        order = np.argsort(economy_scores[b], kind="stable")
        out[b] = np.interp(scores[b], economy_scores[b, order], economy_quantiles[b, order])
    return out


def requirement_oom(quantile, requirement_100pct, flop_gap, easiest_spread):
    """Effective compute (log10 FLOP) that automates a task at ``quantile`` of the order.

    Davidson (2023)'s shape: log-linear from ``r20 - easiest_spread`` at 0 to ``r20`` at 0.2 and
    on to ``requirement_100pct`` at 1, where ``r20 = requirement_100pct - flop_gap``.
    """
    r20 = requirement_100pct - flop_gap
    low = DAVIDSON_LOW_SHARE
    return np.where(quantile < low, r20 - easiest_spread * (low - quantile) / low,
                    r20 + flop_gap * (quantile - low) / (1.0 - low))


def augmentation_thresholds(exposure, quantile, e1_range, e2_range):
    """Capability (log10 FLOP) at which AI halves each bin's time: E1 and E2 bins spread over
    their class's range by their spread quantile; E0 bins never, shape (B, K).
    """
    e1 = e1_range[0] + quantile * (e1_range[1] - e1_range[0])
    e2 = e2_range[0] + quantile * (e2_range[1] - e2_range[0])
    return np.choose(exposure, [np.full_like(e1, NEVER_OOM), e1, e2])


def oversight_multiplier(automation, slope):
    """Review time multiplier of each task: ``1 + slope x (1 - rating)``; unrated = 0.5."""
    return 1.0 + slope * (1.0 - np.where(np.isfinite(automation), automation, 0.5))


def autonomy_horizon_hours(capability_, capability_0, initial_hours, oom_per_oom, max_hours):
    """Hours of human-equivalent work a model does before a human must check in."""
    return np.minimum(initial_hours * 10.0 ** (oom_per_oom * (capability_ - capability_0)),
                      max_hours)


def oversight_hours_per_ai_hour(review_hours, horizon_hours):
    """Human oversight hours each AI hour needs: one review per horizon of work."""
    return review_hours / horizon_hours
