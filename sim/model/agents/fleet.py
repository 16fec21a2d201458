"""Model fleets: a lab's deployed model turned into parallel copies and human-equivalent hours."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.constants import HOURS_PER_CALENDAR_YEAR, SECONDS_PER_YEAR
from sim.model.mechanisms import copies, tasks, training


class ModelFleet(mesa.Agent):
    """The deployed copies of one lab's current model; arrays are ``(B, 1)``."""

    def __init__(self, model, lab):
        super().__init__(model)
        self.lab = lab
        self.effective_flop = lab.q.initial_model_effective_flop.copy()
        self.physical_flop = self.effective_flop.copy()  # 2023 algorithms, no unhobbling yet
        self.experience_hours = np.zeros_like(self.effective_flop)
        self.size_copies()
        self.assign_labour(np.zeros_like(self.effective_flop))

    @property
    def capability(self):
        """log10 of the deployed model's effective training compute."""
        return training.capability(self.effective_flop)

    def deploy(self, release, effective_flop, physical_flop):
        """Replace the deployed model where ``release`` is true (only ever by a better one)."""
        release = release & (effective_flop > self.effective_flop)
        self.effective_flop = np.where(release, effective_flop, self.effective_flop)
        self.physical_flop = np.where(release, physical_flop, self.physical_flop)

    def size_copies(self):
        """Copies, serial speed, human-equivalent hours, cost per hour and oversight need."""
        m, lab = self.model, self.lab
        c, hw, t = m.p.copies, m.p.hardware, m.p.training
        r = training.tokens_per_parameter(t.chinchilla_tokens_per_param, lab.inference_share,
                                          lab.training_share, t.overtrain_elasticity)
        self.n_params = training.chinchilla_params(self.physical_flop, r)
        # FLOP per token of work delivered: a forward pass per token thought, the thinking a
        # token of work takes, less serving gains and the share of software progress that
        # cuts run-time compute (better algorithms make more workers per FLOP)
        efficiency = m.inference_efficiency * 10.0 ** (m.p.algorithms.runtime_efficiency_share
                                                       * lab.log10_efficiency)
        self.flop_per_token = copies.flop_per_token(self.n_params, efficiency) * m.thinking
        self.flop_per_s_per_worker = self.flop_per_token * copies.human_tokens_per_s(
            c.human_words_per_minute, c.tokens_per_word)
        inference = lab.achieved_flop_per_s(lab.inference_share)
        self.copies_1x = copies.copies_at_human_speed(inference, self.flop_per_token,
                                                      c.human_words_per_minute, c.tokens_per_word)
        self.copies, self.serial_speed = copies.copies_at_speed(self.copies_1x, m.serial_speed,
                                                                c.speed_k)
        self.hours_per_yr = copies.human_equivalent_hours_per_year(self.copies, self.serial_speed)

        capital_usd_per_flop_s_yr = lab.book_value_usd / lab.installed_flop_per_s \
            / hw.depreciation_life_years
        energy_usd_per_flop_s_yr = (lab.installed_watts / lab.installed_flop_per_s
                                    * HOURS_PER_CALENDAR_YEAR / 1e3 * hw.electricity_usd_per_kwh)
        usd_per_flop = (capital_usd_per_flop_s_yr + energy_usd_per_flop_s_yr) / (
            hw.utilization * SECONDS_PER_YEAR)
        tokens_per_hour = copies.human_tokens_per_s(c.human_words_per_minute,
                                                    c.tokens_per_word) * 3600.0
        self.cost_usd_per_hour = usd_per_flop * self.flop_per_token * tokens_per_hour * c.speed_k

        au = m.p.autonomy
        self.horizon_hours = tasks.autonomy_horizon_hours(
            self.capability, au.reference_capability_oom, au.initial_horizon_hours,
            au.horizon_oom_per_capability_oom, au.max_horizon_hours)
        self.oversight_ratio = tasks.oversight_hours_per_ai_hour(au.review_hours,
                                                                 self.horizon_hours)
        self.rd_hours_per_yr = self.hours_per_yr * c.rd_share
        self.market_hours_per_yr = self.hours_per_yr - self.rd_hours_per_yr

    def assign_labour(self, sold_hours_per_yr):
        """Record what the market bought; working copies (sold and R&D) gather experience."""
        self.sold_hours_per_yr = sold_hours_per_yr
        self.idle_hours_per_yr = np.maximum(self.market_hours_per_yr - sold_hours_per_yr, 0.0)
        self.experience_hours = self.experience_hours + (
            sold_hours_per_yr + self.rd_hours_per_yr) * self.model.dt_years
