"""Human workers by occupation, held as ``(B, O)`` arrays inside one agent.

One Python object per occupation would not meet the speed targets (DESIGN section 2), so the
occupations of a table live along an axis; a detailed (~800-occupation) table plugs in as a
longer axis.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.mechanisms import labour
from sim.model.reductions import total


class WorkerGroup(mesa.Agent):
    """Employed, unemployed and retraining workers of every occupation, and their wages."""

    def __init__(self, model, table):
        super().__init__(model)
        self.table = table
        B, lab = model.n_scenarios, model.p.labour
        emp0 = np.broadcast_to(table.employment, (B, table.n_occupations)).astype(float, order="C")
        u = lab.initial_unemployment_rate
        self.employed = emp0.copy()
        self.unemployed = emp0 * u / (1.0 - u)
        self.retraining = np.zeros_like(emp0)
        self.labour_force_0 = total((self.employed + self.unemployed), axis=1, keepdims=True)
        self.base_hours_per_yr = emp0 * lab.hours_per_worker_per_yr
        self.market_wage = np.broadcast_to(table.wage_usd_per_hour, emp0.shape).astype(
            float, order="C")
        self.wage = self.market_wage.copy()
        self.penalized = np.zeros_like(emp0)
        self.target = self.employed.copy()
        self.displaced_total = np.zeros_like(emp0)
        self.reemployed_total = np.zeros_like(emp0)
        self.placed_in_total = np.zeros_like(emp0)
        self.flows = None

    def earnings_usd_per_hour(self):
        """Mean hourly earnings, including re-employed workers' wage penalty."""
        share = self.penalized / np.maximum(self.employed, 1e-9)
        return self.wage * (1.0 - self.model.p.labour.wage_penalty * np.clip(share, 0.0, 1.0))

    def update(self, needed_hours_per_yr):
        """Move employment toward the hours firms want of each occupation at today's wages
        (``Economy.needed_hours``, :mod:`sim.model.agents.economy`); wages move with the slack,
        down to the minimum wage.
        """
        m, lab = self.model, self.model.p.labour
        dt = m.dt_years
        self.target = needed_hours_per_yr / lab.hours_per_worker_per_yr
        self.employed, self.unemployed, self.retraining, self.flows = labour.move_workers(
            self.employed, self.unemployed, self.retraining, self.target,
            dt_months=m.dt_months, separation_rate=lab.separation_rate_per_month,
            max_layoff_rate=lab.max_layoff_rate_per_month,
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
        self.wage = np.maximum(self.market_wage, lab.wage_floor_usd_per_hour)
        self.market_wage = np.maximum(self.market_wage, lab.wage_floor_usd_per_hour)
