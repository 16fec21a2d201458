"""Human workers by occupation, held as ``(B, O)`` arrays inside one agent.

One Python object per occupation would not meet the speed targets (DESIGN section 2), so the
occupations of a table live along an axis; a detailed (~800-occupation) table plugs in as a
longer axis.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms import labour
from sim.xp import total


class WorkerGroup(mesa.Agent):
    """Employed, unemployed and retraining workers of every occupation, and their wages."""

    def __init__(self, model, table):
        super().__init__(model)
        self.table = table
        B, lab = model.n_scenarios, model.p.labour
        emp0 = np.broadcast_to(table.employment, (B, table.n_occupations)).astype(float)
        u = lab.initial_unemployment_rate
        self.employed = emp0.copy()
        self.unemployed = emp0 * u / (1.0 - u)
        self.retraining = np.zeros_like(emp0)
        self.labour_force_0 = total((self.employed + self.unemployed), axis=1, keepdims=True)
        self.base_hours_per_yr = emp0 * lab.hours_per_worker_per_yr
        self.market_wage = np.broadcast_to(table.wage_usd_per_hour, emp0.shape).astype(float)
        self.wage = self.market_wage.copy()
        self.penalized = np.zeros_like(emp0)
        self.demand_multiplier = np.ones_like(emp0)
        self.reinstated_hours_per_yr = np.zeros_like(emp0)
        self.target = self.employed.copy()
        self.displaced_total = np.zeros_like(emp0)
        self.reemployed_total = np.zeros_like(emp0)
        self.placed_in_total = np.zeros_like(emp0)
        self.flows = None

    def demand_hours_per_yr(self):
        """Task-hours the economy wants from each occupation, before automation."""
        return self.base_hours_per_yr * self.demand_multiplier

    def earnings_usd_per_hour(self):
        """Mean hourly earnings, including re-employed workers' wage penalty."""
        share = self.penalized / np.maximum(self.employed, 1e-9)
        return self.wage * (1.0 - self.model.p.labour.wage_penalty * np.clip(share, 0.0, 1.0))

    def update(self, outcome):
        """Move employment toward the human hours still needed; adjust wages.

        ``outcome`` is the task market's result for this step (per occupation, ``(B, O)``).
        """
        m, lab = self.model, self.model.p.labour
        dt = m.dt_years
        relax = 1.0 - np.exp(-dt / m.p.market.adoption_lag_years)
        self.demand_multiplier += (labour.demand_multiplier(outcome.cost_saving_share,
                                                            lab.demand_elasticity)
                                   - self.demand_multiplier) * relax
        automated_base_hours = outcome.automated_hours / self.demand_multiplier
        self.reinstated_hours_per_yr += (lab.reinstatement_share * automated_base_hours
                                         - self.reinstated_hours_per_yr) * (
            1.0 - np.exp(-dt / lab.reinstatement_lag_years))
        needed = outcome.human_task_hours + outcome.oversight_hours + self.reinstated_hours_per_yr
        self.target = needed / lab.hours_per_worker_per_yr

        self.employed, self.unemployed, self.retraining, self.flows = labour.move_workers(
            self.employed, self.unemployed, self.retraining, self.target,
            dt_months=m.dt_months, max_layoff_rate=lab.max_layoff_rate_per_month,
            job_finding_rate=lab.job_finding_rate_per_month,
            retraining_entry_rate=lab.retraining_entry_per_month,
            retraining_months=lab.retraining_months)
        f = self.flows
        self.displaced_total += f.layoffs
        self.reemployed_total += f.hires_same_occupation + f.placed_after_retraining
        self.placed_in_total += f.placed_after_retraining
        self.penalized = np.minimum(
            (self.penalized * (1.0 - f.layoffs / np.maximum(self.employed + f.layoffs, 1e-9))
             + f.placed_after_retraining) * np.exp(-dt / lab.wage_penalty_fade_years),
            self.employed)

        growth = labour.wage_growth_rate(self.target, self.employed, self.unemployed,
                                         lab.wage_flexibility, lab.max_wage_change_per_yr)
        self.market_wage = self.market_wage * np.exp(growth * dt)
        competing = outcome.ai_competing_hours / np.maximum(needed, 1e-300)
        capped = labour.wage_capped_by_ai(self.market_wage, np.clip(competing, 0.0, 1.0),
                                          outcome.ai_wage_equivalent)
        self.wage = np.maximum(capped, lab.wage_floor_usd_per_hour)
