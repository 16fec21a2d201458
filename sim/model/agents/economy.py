"""The US economy: firms that produce output from tasks and capital, the incomes output pays,
and the demand for tasks that follows from prices (:mod:`sim.model.mechanisms.production`).

Each step the task market has decided who does each task bin (AI or people) and at what
price; the economy then (1) produces with the people actually at work, (2) pays labour, the
labs and capital, and after the labour market has moved (3) invests and (4) says how many
task-hours it wants next step at the new prices, and so how many hours of each occupation's
labour firms want at its wage. New tasks (reinstatement) appear in each occupation as its old
tasks are automated.

States are ``(B, 1)``, ``(B, K)`` per task bin and ``(B, O)`` per occupation; money is in 2023
US dollars a year, quantities in task-hours of 2023 work a year.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.mechanisms import production
from sim.model.mechanisms.market import BIN_VALUES, sum_by_occupation
from sim.model.reductions import safe_ratio, total

#: The Acemoglu-Restrepo effects, each a log change of the task wage bill per year.
EFFECTS = ("productivity", "displacement", "reinstatement", "other")


class Economy(mesa.Agent):
    """US firms and households as one sector: output, incomes, prices, capital, task demand."""

    def __init__(self, model, table, occupation_of_bin, hours_share):
        super().__init__(model)
        p, B, n_occ = model.p.economy, model.n_scenarios, table.n_occupations
        h = model.p.labour.hours_per_worker_per_yr
        self.occ = occupation_of_bin
        self.n_occupations = n_occ
        self.sigma = 1.0 / (1.0 - p.task_substitution_rho)  # (B, 1)
        self.rho = p.capital_substitution_rho
        employment = np.broadcast_to(table.employment, (B, n_occ))
        wage = np.broadcast_to(table.wage_usd_per_hour, (B, n_occ))
        hours0 = np.ascontiguousarray(employment[:, self.occ] * h * hours_share)  # (B, K)
        # 2023 dollars of labour income per dollar of the table's wages: benefits, prices and
        # the workers the table leaves out, so that labour earns its share of output
        labour_income0 = p.labour_share * p.us_output_usd
        self.labour_cost = labour_income0 / total(wage[:, self.occ] * hours0, axis=1,
                                                  keepdims=True)
        price0 = self.labour_cost * wage[:, self.occ]  # labour cost of a task-hour
        self.weights0 = np.ascontiguousarray(  # so that P = 1 in 2023
            price0 ** self.sigma * hours0 / labour_income0)
        self.weights = self.weights0.copy()  # written in place by plan_bins
        self.new_weights = np.zeros((B, n_occ))  # reinstated tasks, one pool per occupation
        self.capital = p.capital_output_ratio * p.us_output_usd * np.ones((B, 1))
        self.beta, self.tfp0 = production.calibrate(p.us_output_usd, self.capital,
                                                    labour_income0, self.rho)
        self.tfp = self.tfp0.copy()
        self.world_ratio = p.world_output_usd / p.us_output_usd
        self.output = p.us_output_usd * np.ones((B, 1))
        self.output_growth_per_yr = np.zeros((B, 1))
        self.aggregate = labour_income0.copy()
        self.labour_income = labour_income0.copy()
        self.ai_income = np.zeros((B, 1))
        self.capital_income = self.output - labour_income0
        self.automated_weight = np.zeros((B, n_occ))
        self.automated = np.zeros_like(hours0)  # share of each bin AI did this step
        self.needed_hours = sum_by_occupation(hours0, self.occ, n_occ)
        self._sigma = np.ascontiguousarray(self.sigma[:, 0] * np.ones(B))
        self._rho = np.ascontiguousarray(self.rho[:, 0] * np.ones(B))
        self._spend = np.zeros_like(hours0)  # last step's spending by bin
        self._least = np.ascontiguousarray(1e-9 * labour_income0[:, 0])  # see plan_bins
        self.effects = {k: np.zeros((B, 1)) for k in EFFECTS}
        self.effects_by_occupation = {k: np.zeros((B, n_occ)) for k in ("displacement",
                                                                     "reinstatement")}
        self._previous = None
        # firms' expected labour hours and AI cost per unit of each bin: 2023's until the
        # first step is seen (then taken in full), after that adaptive (see produce)
        self.labour_hours_per_unit = np.ones_like(hours0)
        self.ai_cost_per_unit = np.zeros_like(hours0)
        self._relax = np.ascontiguousarray(
            1.0 - np.exp(-model.dt_years / p.expectation_years[:, 0] * np.ones(B)))
        self._first_relax = np.ones(B)
        self._plan(np.zeros((B, n_occ)), wage)  # 2023 demand: the 2023 hours, as calibrated

    @property
    def world_output(self):
        """World output, (B, 1): the rest of the world moves with the US economy."""
        return self.output * self.world_ratio

    @property
    def labour_share(self):
        """Labour income over output, (B, 1)."""
        return self.labour_income / self.output

    # --- the step ---------------------------------------------------------------------------
    def produce(self, by_bin, workers):
        """Produce with the people at work and pay every income. ``by_bin`` is the task
        market's per-bin result (:data:`sim.model.mechanisms.market.BIN_VALUES`); the per-bin
        work is compiled (:func:`sim.model.mechanisms.production.produce_bins`).
        """
        m, h = self.model, self.model.p.labour.hours_per_worker_per_yr
        q = dict(zip(BIN_VALUES, by_bin, strict=True))
        # firms plan with expected unit costs that follow the realised ones over
        # economy.expectation_years (adaptive expectations: without them next step's demand
        # answers this step's prices in full, and a task market that rations AI makes the
        # two swing step to step, a cobweb); the first step's are taken in full
        relax, self._first_relax = self._first_relax, self._relax
        labour_price = np.ascontiguousarray(self.labour_cost * workers.wage)
        self.needed_hours, sums, per_bin, per_occ = production.produce_bins(
            self.demand, q["automated"], q["human"], q["oversight"], q["ai_payment"],
            self.weights, self.weights0, self.new_weights, self.new_demand,
            np.ascontiguousarray(workers.employed * h), labour_price, self.occ,
            self._sigma, self._spend, self.automated, self._planned_terms, self._log_scale,
            self.labour_hours_per_unit, self.ai_cost_per_unit, relax)
        self.automated, self._spend = per_bin
        self.automated_weight, new_spend, displaced = per_occ
        log_ces, wage_bill, spending, paid_to_labs = (sums[:, i:i + 1] for i in range(4))
        log_aggregate = log_ces * self.sigma / (self.sigma - 1.0)
        self.aggregate = np.exp(np.minimum(log_aggregate, 700.0))  # recorded; Y uses the log
        before = self.output
        self.output = production.output_from_log(self.tfp, self.beta, self.capital,
                                                 log_aggregate, self.rho)
        self.output_growth_per_yr = np.log(self.output / before) / m.dt_years

        # incomes: labour is paid for every employed worker; the labs for AI's work in the
        # US; capital (and profit) receives the rest, so output = the sum of incomes
        self.labour_income = self.labour_cost * total(
            workers.earnings_usd_per_hour() * workers.employed, axis=1, keepdims=True) * h
        self.ai_income = paid_to_labs
        self.capital_income = self.output - self.labour_income - self.ai_income
        self._decompose(wage_bill, spending, new_spend, displaced)

    def invest_and_plan(self, wage):
        """Capital accumulates, TFP grows, new tasks appear; firms choose next step's
        task-hours at the new prices (people's at ``wage``, (B, O) USD/h of 2021).
        """
        m, p, lab = self.model, self.model.p.economy, self.model.p.labour
        dt = m.dt_years
        self.capital = self.capital + (p.investment_share * self.output
                                       - p.depreciation_per_yr * self.capital) * dt
        self.tfp = self.tfp0 * np.exp(p.tfp_growth_per_yr * (m.years_elapsed + dt))
        relax = 1.0 - np.exp(-dt / lab.reinstatement_lag_years)
        self.new_weights = self.new_weights + (lab.reinstatement_share * self.automated_weight
                                               - self.new_weights) * relax
        # new tasks replace the oldest, automated ones (Acemoglu & Restrepo's task range
        # [N-1, N] moves up): each occupation's automated weight shrinks by what its new
        # tasks gained, so the total weight, and the scale of X, stay as calibrated
        dropped = np.clip(safe_ratio(self.new_weights, self.automated_weight, 0.0), 0.0, 1.0)
        self._plan(dropped, wage)

    def _plan(self, dropped, wage):
        """Task weights after new tasks replaced ``dropped`` (B, O) of each occupation's
        automated ones; next step's demand at expected unit costs and ``wage``.
        """
        (self.demand, self.new_demand, index, self._planned_terms,
         self._log_scale) = production.plan_bins(
            self.weights0, self.automated, dropped, self.new_weights,
            self.labour_hours_per_unit, self.ai_cost_per_unit,
            np.ascontiguousarray(self.labour_cost * wage), self.occ, self._sigma,
            self.tfp[:, 0], self.beta[:, 0], self.capital[:, 0], self._rho, self._least,
            self.weights)
        self.index = index[:, None]

    # --- Acemoglu-Restrepo decomposition ----------------------------------------------------
    def _decompose(self, wage_bill, spending, new_spend, displaced):
        """Split this step's change in the wage bill of task work as Acemoglu and Restrepo
        (2019) do: productivity (output growth), displacement (spending on tasks people did
        that moved to AI, at last step's spending, over last step's wage bill), reinstatement
        (new tasks' growing share of spending) and the rest (substitution between tasks as
        prices move, capital deepening, composition); each per year, summing to the wage
        bill's log change.
        """
        dt = self.model.dt_years
        new_share = new_spend / spending
        previous, self._previous = self._previous, (wage_bill, spending, new_share)
        if previous is None:
            return
        w0, s0, n0 = previous
        displacement = displaced / w0
        reinstatement = (new_share - n0) * s0 / w0
        d, r = (total(x, axis=1, keepdims=True) for x in (displacement, reinstatement))
        growth = self.output_growth_per_yr * dt
        change = np.log(wage_bill / w0)
        self.effects = {"productivity": growth / dt, "displacement": d / dt,
                        "reinstatement": r / dt, "other": (change - growth - d - r) / dt}
        self.effects_by_occupation = {"displacement": displacement / dt,
                                      "reinstatement": reinstatement / dt}
