"""Task thresholds from task-automation rules, soft feasibility, autonomy and oversight."""

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


def soft_feasibility(level, threshold, softness):
    """Share of a task AI can do at ``level``: a logistic ramp around its threshold, 0 to 1."""
    # the logistic 1 / (1 + exp(-z)), written with tanh (it cannot overflow), in place on one
    # new array because this runs on (scenario x lab x task) arrays every step
    z = np.subtract(level, threshold)
    z /= 2.0 * softness
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


#: Largest exponent the product form of :func:`soft_feasibility_outer` may take (e^300 ~ 1e130).
_MAX_EXPONENT = 300.0


def soft_feasibility_outer(level, threshold, softness):
    """:func:`soft_feasibility` of every level ``(B, L)`` against every threshold ``(B, K)``,
    shape ``(B, L, K)``, for ``softness`` ``(B, 1)``.

    The logistic 1 / (1 + e^((threshold - level) / softness)) factors into e^(-level/s) and
    e^(threshold/s), so the big array needs a multiply, an add and a reciprocal instead of a
    tanh per element. Exponents are taken about each scenario's own top level; a scenario whose
    exponents could overflow falls back to the tanh form. Both choices depend only on the
    scenario's own numbers, so results stay the same alone or in any batch.
    """
    top = level.max(axis=1, keepdims=True)
    a = (level - top) / softness  # <= 0
    b = (threshold - top) / softness
    wide = (np.minimum(a.min(axis=1), b.min(axis=1)) < -_MAX_EXPONENT) | \
        (b.max(axis=1) > _MAX_EXPONENT)
    out = (np.exp(np.minimum(-a, _MAX_EXPONENT))[:, :, None]
           * np.exp(np.clip(b, -_MAX_EXPONENT, _MAX_EXPONENT))[:, None, :])
    out += 1.0
    np.reciprocal(out, out=out)
    if wide.any():
        rows = np.flatnonzero(wide)
        out[rows] = soft_feasibility(level[rows][:, :, None], threshold[rows][:, None, :],
                                     softness[rows][:, :, None])
    return out


def autonomy_horizon_hours(capability_, capability_0, initial_hours, oom_per_oom, max_hours):
    """Hours of human-equivalent work a model does before a human must check in."""
    return np.minimum(initial_hours * 10.0 ** (oom_per_oom * (capability_ - capability_0)),
                      max_hours)


def oversight_hours_per_ai_hour(review_hours, horizon_hours):
    """Human oversight hours each AI hour needs: one review per horizon of work."""
    return review_hours / horizon_hours


def learning_reduction_oom(experience_hours, oom_per_decade, reference_hours, max_oom):
    """How far parallel learning has lowered a task's threshold (OOM), diminishing returns."""
    return np.minimum(oom_per_decade * np.log10(1.0 + experience_hours / reference_hours),
                      max_oom)
