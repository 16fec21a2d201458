"""Research acceleration: AI and human cognitive labour plus experiment compute (CES)."""

from __future__ import annotations

import numpy as np


def research_automation_share(feasible_share, oversight_ratio):
    """Share of research work AI takes over: feasible tasks, less the human time to oversee."""
    return feasible_share * (1.0 - np.minimum(oversight_ratio, 1.0))


def labour_multiplier(automation_share, human_researchers, ai_researchers, parallel_exponent):
    """Effective research labour relative to humans alone.

    Amdahl's law bounds it at ``1/(1 - automation_share)``; the AI labour on hand bounds it at
    ``(H + A)/H``; parallel labour has diminishing returns (``** parallel_exponent``).
    """
    amdahl = 1.0 / np.maximum(1.0 - automation_share, 1e-6)
    available = (human_researchers + ai_researchers) / human_researchers
    return np.minimum(amdahl, available) ** parallel_exponent


def ces(labour, compute, labour_share, rho):
    """CES of labour and compute multipliers (each 1 at baseline); rho < 0: complements."""
    rho = np.where(np.abs(rho) < 1e-9, -1e-9, rho)
    return (labour_share * labour**rho + (1.0 - labour_share) * compute**rho) ** (1.0 / rho)


def smoothed_growth(previous_oom_per_yr, current, last, dt_years, smoothing_years):
    """Exponentially smoothed log10 growth rate of a positive quantity, OOM per year."""
    instant = np.log10(np.maximum(current, 1e-300) / np.maximum(last, 1e-300)) / dt_years
    relax = 1.0 - np.exp(-dt_years / smoothing_years)
    return previous_oom_per_yr + (instant - previous_oom_per_yr) * relax


def compute_multiplier(growth_oom_per_yr, reference_oom_per_yr):
    """Experiment compute relative to the trend that came with the base rate of progress.

    Compute growing faster than the reference trend (a boom) speeds research up, slower (a
    pause, a shortage) slows it; measured as growth rates so a one-off boom does not compound
    forever.
    """
    return 10.0 ** (growth_oom_per_yr - reference_oom_per_yr)
