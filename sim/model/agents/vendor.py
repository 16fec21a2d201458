"""GPU vendors: chip generations, capacity with a lead time, scarcity pricing."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.mechanisms import hardware
from sim.model.params import member
from sim.model.reductions import total


class GPUVendor(mesa.Agent):
    """A chip vendor. State arrays have the scenario axis first; ``p`` is its (B,) slice of the
    vendor parameters (``p.x`` is ``(B,)``).
    """

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index
        p = model.p.hardware.vendors
        self.name = p.name[index]
        B = model.n_scenarios
        col = slice(index, index + 1)
        self.capacity_chips_per_month = p.initial_capacity_chips_per_month[:, col].copy()
        #: steps until new capacity arrives, per scenario (B,)
        self.lead_steps = model.vendor_lead_steps[:, index].copy()
        #: capacity (chips/month) arriving in later steps: a ring buffer as long as the
        #: longest lead time in the batch; each scenario writes its own lead time ahead, so a
        #: scenario's deliveries do not depend on the batch around it
        self.pipeline = np.zeros((B, int(self.lead_steps.max())))
        self._rows = np.arange(B)
        self.orders_usd = np.zeros((B, model.n_labs))  #: order book, filled by labs each step
        self.delivered_chips = np.zeros((B, model.n_labs))
        self.price_usd = np.zeros((B, 1))
        self.revenue_usd_per_yr = np.zeros((B, 1))
        self._p = member(p, index)  #: this vendor's parameters, each (B, 1)
        q, hw = self._p, model.p.hardware
        self.generations = hardware.generations_released(
            model.time_year, q.first_generation_year, q.generation_interval_years)
        #: price-performance (OOM above 2023) of the newest generation when it came out;
        #: generations out before the start follow the 2023 trend
        self.release_log10_hardware = (hw.price_performance_oom_per_yr
                                       * q.generation_interval_years * self.generations)
        self.update_technology()

    def update_technology(self):
        """Newest chip generation at the model's current time: FLOP/s per chip steps up
        with each generation, and its price follows the hardware level reached at release.
        """
        m, hw, q = self.model, self.model.p.hardware, self._p
        gens = hardware.generations_released(m.time_year, q.first_generation_year,
                                             q.generation_interval_years)
        self.release_log10_hardware = np.where(gens > self.generations, m.log10_hardware,
                                               self.release_log10_hardware)
        self.generations = gens
        self.chip_flop_per_s = hardware.chip_flop_per_s(
            q.initial_chip_flop_per_s, hw.flop_gain_per_generation, gens)
        cost = hardware.chip_cost_usd(q.initial_chip_cost_usd, hw.flop_gain_per_generation,
                                      gens, self.release_log10_hardware)
        self.list_price_usd = cost * (1.0 + q.markup)
        self.chip_watts = q.chip_power_kw * 1e3

    def ship(self):
        """Advance technology and capacity, then clear last step's order book at the
        scarcity price; chips are handed over when labs install them.
        """
        m, q = self.model, self._p
        self.update_technology()
        slot = m.steps_done % self.pipeline.shape[1]
        arriving = self.pipeline[:, slot:slot + 1].copy()
        self.pipeline[:, slot] = 0.0
        max_capacity = self.capacity_chips_per_month * (1.0 + q.max_capacity_growth_per_yr
                                                        ) ** m.dt_years
        self.capacity_chips_per_month = np.minimum(self.capacity_chips_per_month + arriving,
                                                   max_capacity)
        chips_this_step = self.capacity_chips_per_month * m.dt_months
        ordered = total(self.orders_usd, axis=1, keepdims=True)
        self.price_usd = hardware.scarcity_price(self.list_price_usd, ordered, chips_this_step)
        self.delivered_chips = self.orders_usd / self.price_usd

    def take_order(self, lab_index: int, usd):
        """Book a lab's order for this step, (B, 1) USD of chips at list price."""
        self.orders_usd[:, lab_index] = usd[:, 0]

    def settle(self, power_scale):
        """Take payment for what was delivered and invest in capacity that arrives later."""
        m, q = self.model, self._p
        revenue = total(self.orders_usd, axis=1, keepdims=True) * power_scale
        self.revenue_usd_per_yr = revenue / m.dt_years
        new_capacity = (q.capacity_reinvest_share * revenue
                        / q.capacity_cost_usd_per_chip_month)
        slots = (m.steps_done + self.lead_steps) % self.pipeline.shape[1]  # arrives in
        self.pipeline[self._rows, slots] += new_capacity[:, 0]              # lead_steps steps
        self.orders_usd = np.zeros_like(self.orders_usd)
