"""The labour market: employment toward demand, unemployment, retraining, wages.

Workers are conserved: every flow out of one state enters another, so
employed + unemployed + retraining is the same every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.xp import total


@dataclass
class LabourFlows:
    """Workers moved in one step, each (B, O)."""

    layoffs: np.ndarray
    hires_same_occupation: np.ndarray
    retraining_entries: np.ndarray
    retraining_completions: np.ndarray
    placed_after_retraining: np.ndarray


def demand_multiplier(cost_saving_share, elasticity):
    """Productivity effect: output demand rises as automation cuts the occupation's cost."""
    return (1.0 - np.clip(cost_saving_share, 0.0, 0.95)) ** (-elasticity)


def move_workers(employed, unemployed, retraining, target, *, dt_months, max_layoff_rate,
                 job_finding_rate, retraining_entry_rate, retraining_months):
    """One step of layoffs, hires, retraining and placement; returns new stocks and flows.

    Layoffs and same-occupation hires are bounded per month; retrained workers are placed
    in occupations with openings, in proportion to the openings, and those not placed
    return to unemployment in their old occupation.
    """
    gap = target - employed
    layoffs = np.minimum(np.maximum(-gap, 0.0), np.minimum(max_layoff_rate * dt_months, 1.0)
                         * employed)
    hires = np.minimum(np.maximum(gap, 0.0),
                       np.minimum(job_finding_rate * dt_months, 1.0) * unemployed)
    entries = np.minimum(retraining_entry_rate * dt_months, 1.0) * (unemployed - hires)
    completions = retraining * np.minimum(dt_months / retraining_months, 1.0)

    openings = np.maximum(gap - hires, 0.0)
    total_openings = total(openings, axis=1, keepdims=True)
    graduates = total(completions, axis=1, keepdims=True)
    placed_total = np.minimum(graduates, total_openings)
    placed = openings * (placed_total / np.maximum(total_openings, 1e-300))
    unplaced = completions * (1.0 - placed_total / np.maximum(graduates, 1e-300))

    employed = employed - layoffs + hires + placed
    unemployed = unemployed + layoffs - hires - entries + unplaced
    retraining = retraining + entries - completions
    flows = LabourFlows(layoffs, hires, entries, completions, placed)
    return np.maximum(employed, 0.0), np.maximum(unemployed, 0.0), np.maximum(retraining, 0.0), \
        flows


def wage_growth_rate(target, employed, unemployed, flexibility, max_change):
    """Wage growth per year from tightness: excess demand over the occupation's labour."""
    attached = np.maximum(employed + unemployed, 1e-9)
    return np.clip(flexibility * (target - attached) / attached, -max_change, max_change)


def wage_capped_by_ai(market_wage, ai_competing_share, ai_wage_equivalent):
    """Wages cannot stay above AI's cost on the tasks AI does.

    ``ai_competing_share`` of the occupation's human hours are on tasks where AI is adopted;
    there the wage is at most ``ai_wage_equivalent`` (AI price per hour plus oversight).
    """
    capped = np.minimum(market_wage, ai_wage_equivalent)
    return (1.0 - ai_competing_share) * market_wage + ai_competing_share * capped
