"""Task thresholds from task-automation rules, autonomy and oversight (the soft feasibility
ramp is compiled with the task market, :mod:`sim.mechanisms.market`).
"""

from __future__ import annotations

import numpy as np


def position_in_class(quantile, automation, weight):
    """Where a task sits inside its class's threshold range, 0 (easiest) to 1, shape (B, K).

    Rated tasks mix their spread quantile with their GPT-4 automation rating (a task GPT-4 rated
    T4, ``automation`` = 1, sits low); unrated ones (NaN) keep the quantile.
    """
    rated = np.isfinite(automation)
    ladder = 1.0 - np.where(rated, automation, 0.0)
    return np.where(rated, (1.0 - weight) * quantile + weight * ladder, quantile)


def oversight_multiplier(automation, slope):
    """Review time multiplier of each task: ``1 + slope x (1 - rating)``; unrated = 0.5."""
    return 1.0 + slope * (1.0 - np.where(np.isfinite(automation), automation, 0.5))


def base_thresholds(low_by_class, high_by_class, exposure, quantile, verifiability,
                    bonus_oom, verifiability_reference):
    """Capability threshold of every task bin (log10 effective FLOP), shape (B, K).

    A bin's class (E0/E1/E2) picks its ``[low, high]`` range (each ``(B, 1)`` in
    ``low_by_class``/``high_by_class``); its position (``quantile``) places it inside; verifiable,
    decomposable tasks get ``bonus_oom`` per unit of verifiability above the reference (the
    24-game effect [004]).
    """
    low = np.choose(exposure, low_by_class)
    high = np.choose(exposure, high_by_class)
    return low + quantile * (high - low) - bonus_oom * (verifiability - verifiability_reference)


def autonomy_horizon_hours(capability_, capability_0, initial_hours, oom_per_oom, max_hours):
    """Hours of human-equivalent work a model does before a human must check in."""
    return np.minimum(initial_hours * 10.0 ** (oom_per_oom * (capability_ - capability_0)),
                      max_hours)


def oversight_hours_per_ai_hour(review_hours, horizon_hours):
    """Human oversight hours each AI hour needs: one review per horizon of work."""
    return review_hours / horizon_hours
