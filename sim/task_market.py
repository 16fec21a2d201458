"""The task market: which tasks AI can do, which it does, for whom, at what price.

Each step, fleets offer human-equivalent hours; customers adopt feasible, cheaper automation
with a lag; offered hours are allocated to tasks in order of customer surplus until they run
out. Task-level state (adoption, experience) lives here, along the task-bin axis K.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms import market, tasks
from sim.xp import group_total, run_total, total


@dataclass
class MarketOutcome:
    """One step's result; per-occupation arrays are ``(B, O)``, per-lab ``(B, L)``."""

    automated_hours: np.ndarray  #: US task-hours done by AI per year, by occupation
    human_task_hours: np.ndarray  #: US task-hours still done by people per year
    oversight_hours: np.ndarray  #: human hours per year spent overseeing AI
    cost_saving_share: np.ndarray  #: share of the occupation's wage cost saved by AI
    ai_competing_hours: np.ndarray  #: remaining human task-hours on tasks where AI is adopted
    ai_wage_equivalent: np.ndarray  #: hourly wage at which a human matches AI's price
    capable_share_occ: np.ndarray  #: share of the occupation's hours AI can do (capability)
    revenue_usd_per_yr: np.ndarray  #: per lab, world (US x (1 + rest of world))
    sold_hours_per_yr: np.ndarray  #: per lab, world
    capable_share: np.ndarray  #: (B, 1) wage-weighted share of work AI can do
    adopted_share: np.ndarray  #: (B, 1) wage-weighted share of work AI does


class TaskMarket:
    """Task bins of the occupation table with their thresholds and adoption state."""

    def __init__(self, model, table, research_profile):
        self.model = model
        p, tp = model.p, table.tasks
        self.occ = tp.occupation
        if np.any(np.diff(self.occ) < 0) or len(np.unique(self.occ)) != table.n_occupations:
            raise ValueError("task bins must be stored occupation by occupation")
        self.occupation_starts = np.flatnonzero(np.r_[True, np.diff(self.occ) != 0])
        self.hours_share = tp.hours_share
        self.theta0 = self._thresholds(tp)
        self.physical = tp.physical.astype(bool)
        self.physical_threshold = self._physical_thresholds(tp)
        self.cap = 1.0 - tp.experiment_share * (1.0 - p.tasks.experiment_cap)
        # review time per task from its rating (B, K); skipped in the step when uniform
        self.oversight_multiplier = tasks.oversight_multiplier(tp.automation_or_nan,
                                                               p.tasks.oversight_rating_slope)
        self.uniform_oversight = bool(np.all(self.oversight_multiplier == 1.0))
        wage = np.broadcast_to(table.wage_usd_per_hour, (model.n_scenarios, len(table.codes)))
        hours0 = table.employment[self.occ] * p.labour.hours_per_worker_per_yr * self.hours_share
        self.wage_bill_weight = hours0 * wage[:, self.occ]
        self.wage_bill_total = total(self.wage_bill_weight, axis=1, keepdims=True)
        self.adoption = np.where(tp.exposure == 1, p.market.initial_adoption_share, 0.0)
        self.adoption = np.broadcast_to(self.adoption, self.theta0.shape).copy()
        self.experience_hours = np.zeros_like(self.theta0)
        self.automated_share = np.zeros_like(self.theta0)
        self.research = research_profile
        self.research_theta = self._thresholds(research_profile)
        self.research_physical_threshold = self._physical_thresholds(research_profile)

    def _by_occupation(self, x):
        """Sum task bins into their occupations, (B, K) -> (B, O)."""
        return run_total(x, self.occupation_starts)

    def _thresholds(self, tp):
        r = self.model.p.tasks
        position = tasks.position_in_class(tp.quantile, tp.automation_or_nan,
                                           r.automation_position_weight)
        return tasks.base_thresholds(
            [r.e0.low_oom, r.e1.low_oom, r.e2.low_oom], [r.e0.high_oom, r.e1.high_oom,
                                                         r.e2.high_oom],
            tp.exposure, position, tp.verifiability, r.verifiability_bonus_oom,
            r.verifiability_reference)

    def _physical_thresholds(self, tp):
        r = self.model.p.tasks
        return r.physical_low + tp.quantile * (r.physical_high - r.physical_low)

    def _gate(self, physical, threshold):
        """Physical tasks also need robotics; others pass. Computed for physical bins only."""
        m = self.model
        gate = np.ones_like(threshold)
        gate[:, physical] = tasks.soft_feasibility(m.robotics_index, threshold[:, physical],
                                                   m.p.tasks.softness_oom)
        return gate

    def _thresholds_and_gate(self):
        """Thresholds after parallel learning, and the robotics gate, each (B, K)."""
        lr = self.model.p.learning
        learned = tasks.learning_reduction_oom(self.experience_hours, lr.oom_per_decade,
                                               lr.reference_hours, lr.max_oom)
        return self.theta0 - learned, self._gate(self.physical, self.physical_threshold)

    def research_feasibility(self, capability_):
        """Share of AI-research task-hours a model at ``capability_`` (B, 1) can do."""
        rp = self.research
        f = tasks.soft_feasibility(capability_, self.research_theta,
                                   self.model.p.tasks.softness_oom)
        f = f * self._gate(rp.physical.astype(bool), self.research_physical_threshold)
        return total((f * rp.hours_share), axis=1, keepdims=True)

    def clear(self, fleets, workers) -> MarketOutcome:
        """Adopt, allocate and price this step's AI labour."""
        m, mk = self.model, self.model.p.market
        capability_ = np.concatenate([f.capability for f in fleets], axis=1)
        oversight = np.concatenate([f.oversight_ratio for f in fleets], axis=1)
        cost = np.concatenate([f.cost_usd_per_hour for f in fleets], axis=1)
        supply = np.concatenate([f.market_hours_per_yr for f in fleets], axis=1)

        theta, gate = self._thresholds_and_gate()
        softness = m.p.tasks.softness_oom
        feasible = tasks.soft_feasibility_outer(capability_, theta, softness)
        feasible *= gate[:, None, :]
        wage = workers.wage[:, self.occ]
        share = market.markups(capability_, m.p.labs.is_open, mk.markup,
                               mk.competition_window_oom)
        # Customers pick, per task, the lab offering the most expected surplus: the customer
        # keeps (1 - markup share) of value over cost. Only this choice needs the lab axis,
        # so it is computed in place on one (B, L, K) array.
        oversight_lk = (oversight[:, :, None] if self.uniform_oversight
                        else oversight[:, :, None] * self.oversight_multiplier[:, None, :])
        kept = market.customer_value_per_hour(wage[:, None, :], oversight_lk)
        kept -= cost[:, :, None]
        np.maximum(kept, 0.0, out=kept)
        kept *= (1.0 - share)[:, :, None]
        kept *= feasible
        lab = market.best_lab(kept)
        f_best = np.take_along_axis(feasible, lab[:, None, :], axis=1)[:, 0]
        oversight_best = np.take_along_axis(oversight, lab, axis=1)
        if not self.uniform_oversight:
            oversight_best = oversight_best * self.oversight_multiplier
        value_best = market.customer_value_per_hour(wage, oversight_best)
        price_best = market.price_per_hour(np.take_along_axis(cost, lab, axis=1), value_best,
                                           np.take_along_axis(share, lab, axis=1))
        surplus_best = value_best - price_best

        target = np.where(surplus_best > 0.0, f_best * self.cap, 0.0)
        self.adoption = market.adopt(self.adoption, target, m.dt_years, mk.adoption_lag_years)
        demand_occ = workers.demand_hours_per_yr()
        demand = demand_occ[:, self.occ] * self.hours_share
        world = 1.0 + mk.rest_of_world_multiplier
        served_task = market.allocate_by_surplus(self.adoption * demand * world, surplus_best,
                                                 lab, supply)
        self.experience_hours = self.experience_hours + served_task * m.dt_years
        automated = served_task / world
        self.automated_share = automated / np.maximum(demand, 1e-300)
        human = demand - automated
        oversight_hours = automated * oversight_best
        saving = automated * np.maximum(wage - price_best - oversight_best * wage, 0.0)
        competing = human * self.adoption
        ai_wage = price_best / np.maximum(1.0 - oversight_best, 1e-3)
        competing_occ = self._by_occupation(competing)
        human_occ = self._by_occupation(human)
        # feasibility rises with capability, so the most capable model can do the most
        capable = tasks.soft_feasibility_outer(capability_.max(axis=1, keepdims=True), theta,
                                               softness)[:, 0] * gate
        n_labs = len(fleets)
        return MarketOutcome(
            automated_hours=self._by_occupation(automated),
            human_task_hours=human_occ,
            oversight_hours=self._by_occupation(oversight_hours),
            cost_saving_share=self._by_occupation(saving) / (workers.wage * demand_occ),
            ai_competing_hours=competing_occ,
            ai_wage_equivalent=np.where(
                competing_occ > 0.0,
                self._by_occupation(competing * ai_wage)
                / np.maximum(competing_occ, 1e-300), np.inf),
            capable_share_occ=self._by_occupation(capable * self.hours_share),
            revenue_usd_per_yr=group_total(served_task * price_best, lab, n_labs),
            sold_hours_per_yr=group_total(served_task, lab, n_labs),
            capable_share=total((capable * self.wage_bill_weight), axis=1, keepdims=True)
            / self.wage_bill_total,
            adopted_share=total(self.automated_share * self.wage_bill_weight, axis=1,
                                keepdims=True) / self.wage_bill_total,
        )
