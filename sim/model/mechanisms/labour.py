"""The labour market: employment toward demand, unemployment, retraining, wages.

Workers are conserved: every flow out of one state enters another, so
employed + unemployed + retraining is the same every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.reductions import total


@dataclass
class LabourFlows:
    """Workers moved in one step, each (B, O)."""

    layoffs: np.ndarray
    hires_same_occupation: np.ndarray
    retraining_entries: np.ndarray
    retraining_completions: np.ndarray
    placed_after_retraining: np.ndarray


def move_workers(employed, unemployed, retraining, target, *, dt_months, separation_rate,
                 max_layoff_rate, job_finding_rate, retraining_entry_rate, retraining_months):
    """One step of separations, layoffs, hires, retraining and placement; returns new stocks
    and flows.

    Each step a share of jobs ends (churn: the monthly rate x the step's months), and firms with
    more workers than they want lay off more, up to a bound; openings are the jobs firms want
    filled, and the unemployed of the occupation fill them at the job-finding rate, so hiring
    slows when openings are few (slack) and the rate of finding a job falls with them. With
    demand steady, unemployment settles where separations equal hires: ``s / (s + f)``; the
    unemployed beyond that start retraining at their entry rate. Retrained workers are placed in
    occupations with openings left, in proportion to them, and those not placed return to
    unemployment in their old occupation.
    """
    churn = np.minimum(separation_rate * dt_months, 1.0) * employed
    excess = np.maximum(employed - churn - target, 0.0)
    layoffs = churn + np.minimum(excess, np.minimum(max_layoff_rate * dt_months, 1.0)
                                 * employed)
    gap = target - (employed - layoffs)
    hires = np.minimum(np.maximum(gap, 0.0),
                       np.minimum(job_finding_rate * dt_months, 1.0) * unemployed)
    # those out of work beyond the occupation's unemployment at rest start retraining
    at_rest = separation_rate / np.maximum(separation_rate + job_finding_rate, 1e-12)
    surplus = np.maximum(unemployed - hires - at_rest * (employed + unemployed), 0.0)
    entries = np.minimum(retraining_entry_rate * dt_months, 1.0) * surplus
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
    """Wage growth per year from slack: the log of the hours firms want at today's wage over
    the occupation's workers (employed and unemployed), bounded by ``max_change``. Wages stop
    moving where demand meets supply, at the marginal product of the occupation's labour.
    """
    attached = np.maximum(employed + unemployed, 1e-9)
    ratio = np.maximum(target, 1e-9) / attached
    return np.clip(flexibility * np.log(ratio), -max_change, max_change)
