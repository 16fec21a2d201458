"""AI labs: raise capital, buy GPUs, split compute, train and release models, do research."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.constants import SECONDS_PER_YEAR, WORK_HOURS_PER_YEAR
from sim.model.mechanisms import research, training
from sim.model.params import member


class Lab(mesa.Agent):
    """A frontier or open-weights lab; state arrays are ``(B, 1)`` (scenario axis first)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index
        p = model.p.labs
        self.name = p.name[index]
        self.is_open = bool(p.is_open[index])
        self.q = member(p, index)  #: this lab's parameters, each (B, 1)
        q = self.q
        self.cash_usd = q.initial_cash_usd.copy()
        self.investor_usd_per_yr = q.initial_investor_usd_per_yr.copy()
        self.revenue_usd_per_yr = np.zeros_like(self.cash_usd)
        self.revenue_growth_per_yr = model.p.capital.investor_growth_per_yr.copy()
        self.installed_flop_per_s = q.initial_compute_flop_per_s.copy()
        vendor0 = model.p.hardware.vendors
        self.installed_watts = self.installed_flop_per_s / vendor0.initial_chip_flop_per_s[:, :1] \
            * vendor0.chip_power_kw[:, :1] * 1e3
        self.book_value_usd = self.installed_flop_per_s / vendor0.initial_chip_flop_per_s[:, :1] \
            * vendor0.initial_chip_cost_usd[:, :1] * (1 + vendor0.markup[:, :1])
        self.training_share = q.initial_training_share.copy()
        self.run_flop = np.zeros_like(self.cash_usd)
        self.run_elapsed_months = q.initial_run_progress_months.copy()
        self.flows = {}
        a = model.p.algorithms
        self.human_researchers = q.human_researchers.copy()
        self.experiment_flop_per_s_0 = self.experiment_flop_per_s()
        self.log10_efficiency = np.zeros_like(self.cash_usd)  #: software level, OOM above 2023
        self.research_input = np.ones_like(self.cash_usd)  #: R, 1 at the start
        self.cumulative_research = research.initial_cumulative_input(
            a.software_returns, a.base_efficiency_oom_per_yr) * np.ones_like(self.cash_usd)
        self.software_growth_oom_per_yr = a.base_efficiency_oom_per_yr * np.ones_like(
            self.cash_usd)
        self.rd_speedup = np.ones_like(self.cash_usd)
        self.ai_rd_multiplier = np.ones_like(self.cash_usd)
        self.research_automation = np.zeros_like(self.cash_usd)
        self.ai_researchers = np.zeros_like(self.cash_usd)

    # --- capital ---------------------------------------------------------------------------
    def raise_capital(self):
        """Investor money grows at its trend, faster once investors have woken up to AI
        (Davidson's wake-up), moved by revenue growth and by output growth above the trend's
        (AI investment is a share of output, as in Davidson's model: when the economy grows
        faster, so does the money); it arrives with a yearly funding shock.
        """
        m, c = self.model, self.model.p.capital
        shock = m.shocks.investment[:, m.year_index, self.index][:, None]
        trend = np.where(m.woke_up, c.wakeup_growth_per_yr, c.investor_growth_per_yr)
        output = m.economy.output_growth_per_yr - c.trend_output_growth_per_yr
        self.investor_usd_per_yr = self.investor_usd_per_yr * np.exp(
            (trend + c.revenue_growth_sensitivity * (self.revenue_growth_per_yr - trend)
             + output) * m.dt_years + c.investment_noise_sd * shock * m.dt_years)

    def plan_spending(self, funding_scale):
        """What the lab would spend on chips this step if power allowed: investors' offer
        (scaled to the world-output cap), revenue and part of its cash, less staff costs.
        """
        m, c = self.model, self.model.p.capital
        dt = m.dt_years
        self._plan = (self.investor_usd_per_yr * funding_scale * dt,
                      self.revenue_usd_per_yr * dt,
                      self.human_researchers * self.q.researcher_cost_usd_per_yr * dt)
        investor, revenue, opex = self._plan
        return np.maximum(investor + c.revenue_reinvested_share * revenue - opex
                          + self.cash_usd * c.cash_drawdown_per_yr * dt, 0.0)

    def order_gpus(self, wanted_usd, power_fraction):
        """Pay staff and order the share ``power_fraction`` of the planned chips that can be
        powered, split among vendors by capacity and price-performance.

        The books: spending is paid from revenue first, then investors' money (taken only as
        needed), then cash, and never exceeds the three; cash above ``cash_buffer_years`` of
        spending is paid out to the lab's owners.
        """
        m, c = self.model, self.model.p.capital
        investor, revenue, opex_due = self._plan
        available = self.cash_usd + investor + revenue
        opex = np.minimum(opex_due, available)
        capex = np.clip(wanted_usd * power_fraction, 0.0, available - opex)
        spend = opex + capex
        from_revenue = np.minimum(revenue, spend)
        from_investors = np.minimum(investor, spend - from_revenue)
        from_cash = spend - from_revenue - from_investors
        cash = self.cash_usd + (revenue - from_revenue) - from_cash
        payout = np.maximum(cash - c.cash_buffer_years * spend / m.dt_years, 0.0)
        self.cash_usd = np.maximum(cash - payout, 0.0)  # (rounding can leave -1e-8)
        chips_usd = capex / m.p.hardware.datacenter_cost_multiplier
        for vendor, share in zip(m.vendors, m.vendor_order_shares(), strict=True):
            vendor.take_order(self.index, chips_usd * share)
        self.flows.update(investor_usd=from_investors, revenue_usd=revenue, opex_usd=opex,
                          capex_usd=capex, payout_usd=payout)

    def book_revenue(self, usd_per_yr):
        """Book the step's revenue from the task market, (B, 1) USD/yr, and smooth its log growth
        per year (what investors watch, over ``capital.revenue_growth_smoothing_years``).
        """
        m, c = self.model, self.model.p.capital
        inst = np.clip((np.log(usd_per_yr + 1e6) - np.log(self.revenue_usd_per_yr + 1e6))
                       / m.dt_years, -2.0, 5.0)
        relax = 1.0 - np.exp(-m.dt_years / c.revenue_growth_smoothing_years)
        self.revenue_growth_per_yr = (self.revenue_growth_per_yr
                                      + (inst - self.revenue_growth_per_yr) * relax)
        self.revenue_usd_per_yr = usd_per_yr

    def install_chips(self, power_scale):
        """Install what vendors delivered; money for chips that could not be powered after all
        (orders are sized to the power expected, so little) returns to cash.
        """
        refund = np.zeros_like(self.cash_usd)
        all_in = self.model.p.hardware.datacenter_cost_multiplier
        for v in self.model.vendors:
            chips = v.delivered_chips[:, self.index:self.index + 1] * power_scale
            self.installed_flop_per_s = self.installed_flop_per_s + chips * v.chip_flop_per_s
            self.installed_watts = self.installed_watts + chips * v.chip_watts
            paid = v.orders_usd[:, self.index:self.index + 1] * all_in
            self.book_value_usd = self.book_value_usd + paid * power_scale
            refund = refund + paid * (1.0 - power_scale)
        self.cash_usd = self.cash_usd + refund
        self.flows = {"refund_usd": refund}  # this step's cash flows start here

    def depreciate(self, factor):
        """Installed compute, its power draw and book value wear out."""
        self.installed_flop_per_s = self.installed_flop_per_s * factor
        self.installed_watts = self.installed_watts * factor
        self.book_value_usd = self.book_value_usd * factor

    # --- compute split and training ---------------------------------------------------------
    def achieved_flop_per_s(self, share):
        """Achieved FLOP/s of one slice of the lab's compute."""
        return self.installed_flop_per_s * share * self.model.p.hardware.utilization

    @property
    def inference_share(self):
        """Compute serving the lab's model: what training and research leave."""
        return np.maximum(1.0 - self.training_share - self.q.research_share, 0.0)

    def experiment_flop_per_s(self):
        """Compute spent on research experiments."""
        return self.achieved_flop_per_s(self.q.research_share)

    def train(self):
        """Frontier labs run bounded training runs and release better models; the
        open-weights lab releases the frontier's model of ``open_weights_lag_years`` ago.
        """
        m = self.model
        fleet = m.fleets[self.index]
        if self.is_open:
            effective, physical = m.lagged_frontier(m.p.market.open_weights_lag_years)
            fleet.deploy(effective > fleet.effective_flop, effective, physical)
            return
        t, q = m.p.training, self.q
        self.training_share = np.minimum(
            q.initial_training_share * np.exp(q.training_share_growth_per_yr
                                                 * m.years_elapsed), q.max_training_share)
        rate = self.achieved_flop_per_s(self.training_share)
        self.run_flop = training.accumulate_run(self.run_flop, rate, m.dt_years
                                                * SECONDS_PER_YEAR, t.max_training_flop)
        self.run_elapsed_months = self.run_elapsed_months + m.dt_months
        done = self.run_elapsed_months >= t.run_months - 1e-9
        effective = training.effective_compute(self.run_flop, 10.0**self.log10_efficiency,
                                               m.unhobbling)
        fleet.deploy(done & (effective > fleet.effective_flop), effective, self.run_flop)
        self.run_flop = np.where(done, 0.0, self.run_flop)
        self.run_elapsed_months = np.where(done, 0.0, self.run_elapsed_months)

    # --- research ---------------------------------------------------------------------------
    def do_research(self):
        """Human and AI researchers and experiment compute advance the lab's software level
        (semi-endogenous growth, :mod:`sim.model.mechanisms.research`); labs behind the best one
        catch up through spillovers.
        """
        m, r, a = self.model, self.model.p.research, self.model.p.algorithms
        fleet = m.fleets[self.index]
        self.human_researchers = self.human_researchers * np.exp(r.researcher_growth_per_yr
                                                                 * m.dt_years)
        feasible = m.task_market.research_feasibility(fleet.capability)
        self.research_automation = research.research_automation_share(feasible,
                                                                      fleet.oversight_ratio)
        self.ai_researchers = (fleet.rd_hours_per_yr / WORK_HOURS_PER_YEAR
                               * r.ai_researcher_productivity)
        h0 = self.q.human_researchers
        labour = research.task_labour(self.human_researchers, self.ai_researchers,
                                      self.research_automation, r.task_substitution_rho) / h0
        e0 = self.experiment_flop_per_s_0  # a lab with no experiment compute keeps index 1
        experiment = np.where(e0 > 0.0, self.experiment_flop_per_s() / np.maximum(e0, 1e-300),
                              1.0)
        self.research_input = research.research_input(labour, experiment, r.labour_share,
                                                      r.ces_rho, r.parallel_exponent)
        humans_only = research.research_input(self.human_researchers / h0, experiment,
                                              r.labour_share, r.ces_rho, r.parallel_exponent)
        self.ai_rd_multiplier = self.research_input / humans_only
        self.software_growth_oom_per_yr = research.growth_oom_per_yr(
            a.software_returns, self.research_input, self.cumulative_research,
            self.log10_efficiency, a.max_efficiency_oom)
        self.rd_speedup = self.software_growth_oom_per_yr / np.maximum(
            a.base_efficiency_oom_per_yr, 1e-12)
        self.cumulative_research = self.cumulative_research + self.research_input * m.dt_years
        shock = m.shocks.efficiency[:, m.year_index, self.index][:, None]
        gap = m.best_log10_efficiency - self.log10_efficiency
        self.log10_efficiency = np.minimum(self.log10_efficiency + m.dt_years * (
            self.software_growth_oom_per_yr + a.efficiency_noise_sd * shock
            + a.spillover_per_yr * gap), a.max_efficiency_oom)  # the ceiling, in one step too
