"""The model: its agents, its random streams, and the order in which they act.

Every numeric array carries the scenario axis first (length B), so one model steps B scenarios
in lock-step; B = 1 is a single run. The step order in :meth:`AIEconomyModel.step` is the one
stated in DESIGN section 2.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.config.loading import load_config
from sim.config.schema import SimConfig
from sim.data.occupations import OccupationTable, load_occupations, load_research_profile, task_bins
from sim.model.agents.economy import Economy
from sim.model.agents.fleet import ModelFleet
from sim.model.agents.lab import Lab
from sim.model.agents.vendor import GPUVendor
from sim.model.agents.workers import WorkerGroup
from sim.model.mechanisms import hardware, research
from sim.model.params import stack_configs
from sim.model.recorder import Recorder, leader_index
from sim.model.reductions import safe_ratio, total
from sim.model.shocks import draw_shocks
from sim.model.task_market import TaskMarket


class AIEconomyModel(mesa.Model):
    """GPU vendors, labs, their model fleets and the workers of one occupation table.

    As in Mesa's examples, ``AIEconomyModel()`` is the built-in default scenario, and keyword
    arguments set its parameters, a section at a time::

        model = AIEconomyModel(seed=3, scenario="slow_adoption",
                               market={"adoption_lag_years": 8.0})
        model.run()            # or: while model.running: model.step()

    Given configs (:class:`sim.config.schema.SimConfig`, structurally identical: same years,
    step and table), one model steps them all in lock-step (what :func:`sim.run_batch` does);
    every array then carries the scenario axis first.
    """

    def __init__(self, *configs: SimConfig, seed: int | None = None,
                 scenario: str | None = None, table: OccupationTable | None = None,
                 record_occupations: bool = True, record_aggregates=None, **sections):
        if not configs:
            configs = (load_config(scenario=scenario, seed=seed, sections=sections),)
        elif seed is not None or scenario is not None or sections:
            raise TypeError("give AIEconomyModel configs or keyword parameters, not both")
        first = configs[0]
        params = stack_configs(list(configs))
        table = table or load_occupations(first)
        research_profile = load_research_profile(task_bins(first))
        seeds = [c.seed for c in configs]
        start_year, steps_per_year = first.time.start_year, first.time.steps_per_year
        n_steps = first.time.n_steps
        self.configs = list(configs)
        # Mesa's own generator is unused by the dynamics: every scenario draws from its own
        # stream (sim.model.shocks), so results do not depend on the batch around a scenario.
        super().__init__(rng=int(seeds[0]))
        self.p = params
        self.n_scenarios = len(seeds)
        self.start_year = start_year
        self.steps_per_year = steps_per_year
        self.dt_years = 1.0 / steps_per_year
        self.dt_months = 12.0 / steps_per_year
        self.n_steps = n_steps
        self.steps_done = 0
        n_years = int(np.ceil(n_steps / steps_per_year)) + 1
        self.n_labs = len(params.labs.name)
        self.shocks = draw_shocks(seeds, n_years, self.n_labs)
        lead = params.hardware.vendors.capacity_lead_time_months  # (B, V)
        self.vendor_lead_steps = np.maximum(1, np.rint(lead * steps_per_year / 12.0)
                                            ).astype(np.int64)  # (B, V): each scenario its own
        self._update_clock_quantities()
        self.funding_scale = np.ones((self.n_scenarios, 1))
        self.woke_up = np.zeros((self.n_scenarios, 1), dtype=bool)  #: investors' wake-up
        hw = params.hardware
        self.log10_hardware = np.zeros((self.n_scenarios, 1))  #: FLOP/s per USD, OOM above 2023
        self.hardware_researchers = hw.human_researchers.copy()
        self.hardware_research_input = np.ones((self.n_scenarios, 1))
        self.hardware_cumulative_research = research.initial_cumulative_input(
            hw.hardware_returns, hw.price_performance_oom_per_yr) * np.ones((self.n_scenarios, 1))
        self.hardware_growth_oom_per_yr = hw.price_performance_oom_per_yr * np.ones(
            (self.n_scenarios, 1))

        for v in range(len(params.hardware.vendors.name)):
            GPUVendor(self, v)
        for i in range(self.n_labs):
            Lab(self, i)
        self.vendors = list(self.agents_by_type[GPUVendor])
        self.labs = list(self.agents_by_type[Lab])
        for lab in self.labs:
            ModelFleet(self, lab)
        self.fleets = list(self.agents_by_type[ModelFleet])
        self.workers = WorkerGroup(self, table)
        self.task_market = TaskMarket(self, table, research_profile)
        self.economy = Economy(self, table, self.task_market.occ, self.task_market.hours_share)

        self.frontier_history = np.empty((self.n_scenarios, n_steps))
        self.frontier_physical_history = np.empty((self.n_scenarios, n_steps))
        self.initial_frontier_flop = self._frontier()[0]
        self._track_frontier(record=False)
        self.best_log10_efficiency = np.zeros((self.n_scenarios, 1))
        self.robotics_index = np.zeros((self.n_scenarios, 1))
        self.recorder = Recorder(n_steps, self.n_scenarios, table.n_occupations,
                                 record_occupations, record_aggregates)

    # --- clock ------------------------------------------------------------------------------
    @property
    def years_elapsed(self) -> float:
        """Years since the start, at the beginning of the current step."""
        return self.steps_done * self.dt_years

    @property
    def time_year(self) -> float:
        """Calendar time (decimal year) at the beginning of the current step."""
        return self.start_year + self.years_elapsed

    @property
    def year_index(self) -> int:
        """Index of the current year, for yearly shocks."""
        return int(self.years_elapsed)

    def _update_clock_quantities(self):
        """Quantities that follow calendar time: unhobbling, serving efficiency, speed."""
        a, c, y = self.p.algorithms, self.p.copies, self.years_elapsed
        self.unhobbling = 10.0 ** np.minimum(a.unhobbling_oom_per_yr * y, a.max_unhobbling_oom)
        self.inference_efficiency = 10.0 ** np.minimum(a.inference_efficiency_oom_per_yr * y,
                                                       a.max_inference_efficiency_oom)
        self.serial_speed = np.minimum(c.initial_serial_speed
                                       * 10.0 ** (c.serial_speed_oom_per_yr * y),
                                       c.max_serial_speed)
        self.thinking = 10.0 ** np.minimum(c.thinking_oom_per_yr * y, c.max_thinking_oom)

    # --- the step ---------------------------------------------------------------------------
    def step(self):
        """One step (a month by default): vendors ship -> labs buy -> labs train / release ->
        fleets size their copies -> the task market clears -> the economy produces and pays
        incomes -> the labour market moves -> the economy invests and plans next step's demand
        -> research advances software and hardware -> data is collected.
        """
        if self.steps_done >= self.n_steps:
            raise RuntimeError(f"the run has ended: all {self.n_steps} steps, to the end of "
                               f"time.end_year {self.configs[0].time.end_year}, are done")
        self._update_clock_quantities()
        hw = self.p.hardware

        for vendor in self.vendors:                       # vendors ship
            vendor.ship()
        power_scale = self._power_scale()
        for lab in self.labs:
            lab.install_chips(power_scale)
            lab.depreciate(hardware.depreciation_factor(self.dt_years,
                                                        hw.depreciation_life_years))
        for vendor in self.vendors:
            vendor.settle(power_scale)

        for lab in self.labs:                             # labs buy
            lab.raise_capital()
        self.funding_scale = self._gdp_cap_scale()
        wanted = [lab.plan_spending(self.funding_scale) for lab in self.labs]
        fraction = self._powerable_fraction(sum(wanted))
        for lab, usd in zip(self.labs, wanted, strict=True):
            lab.order_gpus(usd, fraction)

        for lab in self.labs:                             # labs train / release
            lab.train()
        self._track_frontier()

        for fleet in self.fleets:                         # fleets size their copies
            fleet.size_copies()

        self.outcome = self.task_market.clear(self.fleets, self.workers,   # task market
                                              self.economy.demand)
        for i, (lab, fleet) in enumerate(zip(self.labs, self.fleets, strict=True)):
            lab.book_revenue(self.outcome.revenue_usd_per_yr[:, i:i + 1])
            fleet.assign_labour(self.outcome.sold_hours_per_yr[:, i:i + 1])

        self.economy.produce(self.outcome.by_bin, self.workers)      # output and incomes
        self.workers.update(self.economy.needed_hours)    # labour market
        self.economy.invest_and_plan(self.workers.wage)   # capital, new tasks, demand
        self._wake_up_investors()

        for lab in self.labs:                             # research
            lab.do_research()
        self._advance_hardware()
        self._advance_frontier_knowledge()

        self.recorder.collect(self, self.steps_done)      # data
        self.steps_done += 1
        self.running = self.steps_done < self.n_steps  # Mesa's flag: False at time.end_year

    def run(self, progress=None):
        """Step to the end; ``progress`` is an optional tqdm-like bar updated per step."""
        while self.steps_done < self.n_steps:
            self.step()
            if progress is not None:
                progress.update(1)

    # --- couplings between agents -----------------------------------------------------------
    def vendor_order_shares(self):
        """How labs split GPU orders: by vendor capacity, weighted toward price-performance."""
        pp = [v.chip_flop_per_s / v.list_price_usd for v in self.vendors]
        best = np.maximum.reduce(pp)
        weights = [v.capacity_chips_per_month * (x / best) ** 2
                   for v, x in zip(self.vendors, pp, strict=True)]
        total = sum(weights)
        return [w / total for w in weights]

    def _power_scale(self):
        """Share of delivered chips that can be powered under the AI power cap, (B, 1)."""
        hw = self.p.hardware
        cap = hardware.power_cap_w(self.years_elapsed, hw.initial_power_cap_gw,
                                   hw.power_cap_growth_per_yr, hw.max_power_cap_gw)
        installed = sum(lab.installed_watts for lab in self.labs)
        new = sum(total(v.delivered_chips, axis=1, keepdims=True) * v.chip_watts
                  for v in self.vendors)
        return np.clip(safe_ratio(cap - installed, new, 1.0), 0.0, 1.0)

    def _powerable_fraction(self, wanted_usd):
        """Share of the labs' planned chip spending whose chips the AI power cap will let them
        run when delivered next step, (B, 1): labs do not buy chips they cannot power.
        """
        hw = self.p.hardware
        cap = hardware.power_cap_w(self.years_elapsed + self.dt_years, hw.initial_power_cap_gw,
                                   hw.power_cap_growth_per_yr, hw.max_power_cap_gw)
        room = np.maximum(cap - sum(lab.installed_watts for lab in self.labs), 0.0)
        watts_per_usd = sum(share * v.chip_watts / (v.list_price_usd
                                                    * hw.datacenter_cost_multiplier)
                            for v, share in zip(self.vendors, self.vendor_order_shares(),
                                                strict=True))
        return np.clip(safe_ratio(room, wanted_usd * watts_per_usd, 1.0), 0.0, 1.0)

    def _gdp_cap_scale(self):
        """Scale on investor money so total AI spending stays under its share of world
        output (the model's, last step).
        """
        c = self.p.capital
        gdp = self.economy.world_output
        revenue = sum(lab.revenue_usd_per_yr for lab in self.labs)
        investor = sum(lab.investor_usd_per_yr for lab in self.labs)
        room = np.maximum(c.max_ai_spend_share_of_gdp * gdp - revenue, 0.0)
        return np.minimum(1.0, safe_ratio(room, investor, 1.0))

    def _frontier(self):
        """Best frontier model's effective and physical FLOP, each (B, 1)."""
        frontier = [f for f, lab in zip(self.fleets, self.labs, strict=True) if not lab.is_open]
        eff = np.concatenate([f.effective_flop for f in frontier], axis=1)
        phys = np.concatenate([f.physical_flop for f in frontier], axis=1)
        best = np.argmax(eff, axis=1)[:, None]
        return (np.take_along_axis(eff, best, axis=1), np.take_along_axis(phys, best, axis=1),
                phys.max(axis=1, keepdims=True))

    def _track_frontier(self, record=True):
        self.frontier_effective_flop, self.frontier_physical_flop, self.largest_run_flop = \
            self._frontier()
        if record:
            self.frontier_history[:, self.steps_done] = self.frontier_effective_flop[:, 0]
            self.frontier_physical_history[:, self.steps_done] = self.frontier_physical_flop[:, 0]

    def lagged_frontier(self, lag_years):
        """The frontier model of ``lag_years`` ago (B, 1): effective and physical FLOP.

        Before the start, the frontier is extrapolated back at its historical growth rate.
        """
        lag_steps = np.round(lag_years * self.steps_per_year).astype(int)[:, 0]
        idx = np.minimum(self.steps_done - lag_steps, self.steps_done - 1)
        rows = np.arange(self.n_scenarios)
        safe = np.maximum(idx, 0)
        eff = self.frontier_history[rows, safe][:, None]
        phys = self.frontier_physical_history[rows, safe][:, None]
        back = np.maximum(lag_years - self.years_elapsed, 0.0)
        before = self.initial_frontier_flop * 10.0 ** (
            -self.p.market.historical_frontier_growth_oom_per_yr * back)
        early = (idx < 0)[:, None]
        return np.where(early, before, eff), np.where(early, before, phys)

    def _wake_up_investors(self):
        """Investors wake up (for good) once AI revenue or automated work passes its mark."""
        c = self.p.capital
        revenue = sum(lab.revenue_usd_per_yr for lab in self.labs)
        self.woke_up = self.woke_up | (revenue >= c.wakeup_revenue_usd_per_yr) | (
            self.outcome.adopted_share >= c.wakeup_automated_share)

    def _advance_hardware(self):
        """Chip price-performance advances with hardware research: human chip researchers
        plus the share of the labs' AI researchers assigned to hardware, on the research tasks
        AI can do (the leading lab's share); semi-endogenous, as software.
        """
        hw, r = self.p.hardware, self.p.research
        self.hardware_researchers = self.hardware_researchers * np.exp(
            hw.research_growth_per_yr * self.dt_years)
        ai = hw.ai_research_share * sum(lab.ai_researchers for lab in self.labs)
        automated = np.take_along_axis(np.concatenate(
            [lab.research_automation for lab in self.labs], axis=1), leader_index(self), axis=1)
        labour = research.task_labour(self.hardware_researchers, ai, automated,
                                      r.task_substitution_rho) / hw.human_researchers
        self.hardware_research_input = labour ** r.parallel_exponent
        self.hardware_growth_oom_per_yr = research.growth_oom_per_yr(
            hw.hardware_returns, self.hardware_research_input, self.hardware_cumulative_research,
            self.log10_hardware, hw.max_price_performance_oom)
        self.hardware_cumulative_research = (self.hardware_cumulative_research
                                             + self.hardware_research_input * self.dt_years)
        self.log10_hardware = np.minimum(self.log10_hardware + self.hardware_growth_oom_per_yr
                                         * self.dt_years, hw.max_price_performance_oom)

    def _advance_frontier_knowledge(self):
        """Best algorithms (for spillovers) and robotics after this step's research."""
        r = self.p.robotics
        effs = np.concatenate([lab.log10_efficiency for lab in self.labs if not lab.is_open],
                              axis=1)
        self.best_log10_efficiency = effs.max(axis=1, keepdims=True)
        gain = np.maximum(np.log10(self.frontier_effective_flop)
                          - self.p.autonomy.reference_capability_oom, 0.0)
        self.robotics_index = r.growth_oom_per_yr * (self.years_elapsed + self.dt_years) \
            + r.capability_coupling * gain
