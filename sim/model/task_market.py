"""The task market: which tasks AI can do, which it does, for whom, at what price.

Each step, fleets offer human-equivalent hours; customers adopt feasible, cheaper automation
with a lag; offered hours are allocated to tasks in order of customer surplus until they run
out. Task-level state (adoption, experience) lives here, along the task-bin axis K.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import market, tasks
from sim.model.mechanisms.market import OCCUPATION_SUMS, WORK_SHARES
from sim.model.reductions import total


@dataclass
class MarketOutcome:
    """One step's result; per-occupation arrays are ``(B, O)``, per-lab ``(B, L)``."""

    automated_hours: np.ndarray  #: US task-hours done by AI per year, by occupation
    human_task_hours: np.ndarray  #: US task-hours still done by people per year
    oversight_hours: np.ndarray  #: human hours per year spent overseeing AI
    demand_hours: np.ndarray  #: US task-hours per year firms want of the occupation
    capable_share_occ: np.ndarray  #: share of the occupation's hours AI can do (capability)
    revenue_usd_per_yr: np.ndarray  #: per lab, world (US x (1 + rest of world))
    sold_hours_per_yr: np.ndarray  #: per lab, world
    augmented_hours: np.ndarray  #: human task-hours per year saved by augmentation
    augmentable_share_occ: np.ndarray  #: share of the occupation's hours AI can augment only
    capable_share: np.ndarray  #: (B, 1) wage-weighted share of work AI can automate
    adopted_share: np.ndarray  #: (B, 1) wage-weighted share of work AI does (automated)
    augmentable_share: np.ndarray  #: (B, 1) share AI can augment (halve) but not automate
    augmented_share: np.ndarray  #: (B, 1) share people do with AI's help (augmentation adopted)
    by_bin: np.ndarray  #: (4, B, K) per task bin, :data:`sim.model.mechanisms.market.BIN_VALUES`


class TaskMarket:
    """Task bins of the occupation table with their thresholds and adoption state."""

    def __init__(self, model, table, research_profile):
        self.model = model
        p, tp = model.p, table.tasks
        per_task = (model.n_scenarios, len(tp.occupation))  # (B, K), contiguous for the kernel

        def full(x, shape=per_task):
            return np.array(np.broadcast_to(x, shape), dtype=float, order="C")

        self.occ = np.ascontiguousarray(tp.occupation, dtype=np.int64)
        self.hours_share = np.ascontiguousarray(tp.hours_share, dtype=float)
        wage = np.broadcast_to(table.wage_usd_per_hour, (model.n_scenarios, len(table.codes)))
        hours0 = table.employment[self.occ] * p.labour.hours_per_worker_per_yr * self.hours_share
        self.wage_bill_weight = full(hours0 * wage[:, self.occ])
        self.wage_bill_total = total(self.wage_bill_weight, axis=1, keepdims=True)
        scores = self._scores(tp)
        self.quantile = tasks.order_quantiles(scores, self.wage_bill_weight)
        self.theta0 = full(self._requirements(self.quantile))
        self.aug_theta = full(tasks.augmentation_thresholds(
            tp.exposure, tp.quantile, *self._augmentation_ranges()))
        self.physical = np.ascontiguousarray(tp.physical, dtype=bool)
        self.physical_threshold = full(self._physical_thresholds(tp))
        self.cap = full(1.0 - tp.experiment_share * (1.0 - p.tasks.experiment_cap))
        # review time per task from its rating
        self.oversight_multiplier = full(tasks.oversight_multiplier(
            tp.automation_or_nan, p.tasks.oversight_rating_slope))
        # per-scenario parameters as the kernel takes them, (B,) and (B, 3)
        self.softness = self._per_scenario(p.tasks.softness_oom)
        self.lag_years = self._per_scenario(p.market.adoption_lag_years)
        self.world = self._per_scenario(1.0 + p.market.rest_of_world_multiplier)
        aug = p.tasks.augmentation
        self.augmentation = np.array(np.concatenate(
            [np.broadcast_to(x, (model.n_scenarios, 1)) for x in (aug.time_saving,
                                                                   aug.price_share)], axis=1),
            dtype=float)
        lr = p.learning
        self.learning = np.array(np.concatenate(
            [np.broadcast_to(x, (model.n_scenarios, 1))
             for x in (lr.oom_per_decade, lr.reference_hours, lr.max_oom)], axis=1), dtype=float)
        self.adoption = full(0.0)
        self.aug_adoption = full(np.where(tp.exposure == 1, p.market.initial_adoption_share, 0.0))
        self.experience_hours = full(0.0)
        self.automated_share = full(0.0)
        rp = research_profile
        per_research_task = (model.n_scenarios, len(rp.occupation))
        research_quantile = tasks.quantiles_of(self._scores(rp), scores, self.quantile)
        self.research_theta = full(self._requirements(research_quantile)
                                   - p.tasks.automation.research_easier_oom, per_research_task)
        self.research_physical = np.ascontiguousarray(rp.physical, dtype=bool)
        self.research_physical_threshold = full(self._physical_thresholds(rp), per_research_task)
        self.research_hours_share = np.ascontiguousarray(rp.hours_share, dtype=float)

    def _scores(self, tp):
        """Difficulty score of each bin of a task profile, (B, K)."""
        r = self.model.p.tasks
        score = tasks.difficulty_scores(tp.exposure, tp.quantile, tp.automation_or_nan,
                                        tp.verifiability, tp.physical, tp.experiment_share,
                                        r.automation, r.verifiability_reference)
        return np.array(np.broadcast_to(score, (self.model.n_scenarios, tp.n_tasks)))

    def _requirements(self, quantile):
        a = self.model.p.tasks.automation
        return tasks.requirement_oom(quantile, a.requirement_100pct_oom, a.flop_gap_oom,
                                     a.easiest_spread_oom)

    def _augmentation_ranges(self):
        g = self.model.p.tasks.augmentation
        return (g.e1.low_oom, g.e1.high_oom), (g.e2.low_oom, g.e2.high_oom)

    def _physical_thresholds(self, tp):
        r = self.model.p.tasks
        return r.physical_low + tp.quantile * (r.physical_high - r.physical_low)

    def research_feasibility(self, capability_):
        """Share of AI-research task-hours a model at ``capability_`` (B, 1) can do."""
        m = self.model
        return market.research_feasibility(
            self._per_scenario(capability_), self.research_theta, self.research_physical,
            self.research_physical_threshold, self.research_hours_share,
            self._per_scenario(m.robotics_index), self.softness)[:, None]

    def clear(self, fleets, workers, demand) -> MarketOutcome:
        """Adopt, allocate and price this step's AI labour, given the task-hours the economy
        wants of each bin, ``demand`` (B, K) (the per-task work is compiled,
        :func:`sim.model.mechanisms.market.clear_scenarios`).
        """
        m, p = self.model, self.model.p
        capability_, oversight, cost, supply = (
            np.concatenate([getattr(f, name) for f in fleets], axis=1)
            for name in ("capability", "oversight_ratio", "cost_usd_per_hour",
                         "market_hours_per_yr"))
        share = market.markups(capability_, p.labs.is_open, p.market.markup,
                               p.market.competition_window_oom)
        by_occ, by_lab, shares, self.automated_share, by_bin = market.clear_scenarios(
            capability_, oversight, cost, share, supply,
            self.theta0, self.experience_hours, self.adoption, self.physical_threshold,
            self.cap, self.oversight_multiplier, self.wage_bill_weight,
            self.physical, self.occ, self.hours_share,
            self.softness, self.learning, self._per_scenario(m.robotics_index), self.lag_years,
            self.world, m.dt_years,
            np.ascontiguousarray(workers.wage), demand,
            self.aug_theta, self.aug_adoption, self.augmentation)
        sums = dict(zip(OCCUPATION_SUMS, by_occ, strict=True))
        work = {name: v[:, None] / self.wage_bill_total
                for name, v in zip(WORK_SHARES, shares, strict=True)}
        return MarketOutcome(
            automated_hours=sums["automated"],
            human_task_hours=sums["human"],
            oversight_hours=sums["oversight"],
            demand_hours=sums["demand"],
            capable_share_occ=sums["capable_hours_share"],
            revenue_usd_per_yr=by_lab[0],
            sold_hours_per_yr=by_lab[1],
            augmented_hours=sums["augmented"],
            augmentable_share_occ=sums["augmentable_hours_share"],
            capable_share=work["capable"],
            adopted_share=work["adopted"],
            augmentable_share=work["augmentable"],
            augmented_share=work["augmented"],
            by_bin=by_bin,
        )

    def _per_scenario(self, x):
        """A ``(B, 1)`` (or scalar) quantity as the kernel's contiguous ``(B,)`` float array."""
        return np.array(np.broadcast_to(x, (self.model.n_scenarios, 1))[:, 0], dtype=float)
