"""Steinhardt's copy arithmetic [000]: tokens, copies, serial speed and human-equivalent work.

Two units are kept apart on purpose: *continuous* copy-years (8,766 h, how Steinhardt counts
"years of work") and *full-time work-years* (2,000 h, how labour markets count workers).
"""

from __future__ import annotations

import numpy as np

from sim.model.constants import (
    DAYS_PER_YEAR,
    FORWARD_FLOP_PER_PARAM,
    HOURS_PER_CALENDAR_YEAR,
    SECONDS_PER_YEAR,
    WORK_HOURS_PER_YEAR,
)


def human_tokens_per_s(words_per_minute=380.0, tokens_per_word=1.33):
    """Tokens/s of a human thinking at ``words_per_minute`` (380 wpm x 1.33 = 8.4 tokens/s)."""
    return words_per_minute * tokens_per_word / 60.0


def flop_per_token(n_params, inference_efficiency=1.0):
    """FLOP per generated token: a forward pass costs 2N FLOP, divided by serving efficiency."""
    return FORWARD_FLOP_PER_PARAM * n_params / inference_efficiency


def tokens_from_flop(flop, n_params, inference_efficiency=1.0):
    """Tokens that ``flop`` FLOP of inference buy for an ``n_params`` model."""
    return flop / flop_per_token(n_params, inference_efficiency)


def human_years_from_flop(flop, n_params, words_per_minute=380.0, tokens_per_word=1.33,
                          inference_efficiency=1.0):
    """Continuous human-speed years of work that ``flop`` FLOP of inference produce.

    GPT-3's training compute (3.14e23 FLOP, 175e9 parameters) gives ~3,400 years [000].
    """
    tokens = tokens_from_flop(flop, n_params, inference_efficiency)
    return tokens / (human_tokens_per_s(words_per_minute, tokens_per_word) * SECONDS_PER_YEAR)


def copies_at_human_speed(inference_flop_per_s, flop_per_token_, words_per_minute=380.0,
                          tokens_per_word=1.33):
    """Copies running at 1x human speed that a sustained FLOP/s rate supports."""
    return inference_flop_per_s / (
        flop_per_token_ * human_tokens_per_s(words_per_minute, tokens_per_word))


def trade_speed(copies, speed, k):
    """Serial-speed trade-off [000]: k^3 copies become one copy k^2 times faster.

    Returns ``(copies / k**3, speed * k**2)``; throughput (copies x speed) falls by a factor k.
    1.8M copies at 5x with k = 5 -> 14,400 copies at 125x.
    """
    k = np.asarray(k, dtype=float)
    return copies / k**3, speed * k**2


def copies_at_speed(copies_1x, speed, k=1.0):
    """Copies a fleet runs at base serial ``speed`` and trade-off factor ``k``."""
    return trade_speed(copies_1x / speed, speed, k)


def human_equivalent_hours_per_year(copies, speed):
    """Human-equivalent hours per year of continuously running copies."""
    return copies * speed * HOURS_PER_CALENDAR_YEAR


def human_equivalent_workers(copies, speed):
    """Full-time human-equivalent workers (2,000 h/yr each) of continuously running copies."""
    return human_equivalent_hours_per_year(copies, speed) / WORK_HOURS_PER_YEAR


def years_to_do(work_years, copies, speed):
    """Calendar years for ``copies`` at ``speed`` to do ``work_years`` continuous years of work."""
    return work_years / (copies * speed)


def experience_years_per_day(copies, speed=1.0):
    """Human-years of experience a fleet gathers per day (1M copies -> 1M days = 2,738 years).

    [000] rounds this to "~2,500 years"; the identity 1e6 / 365.25 = 2,738 is what is coded.
    """
    return copies * speed / DAYS_PER_YEAR
