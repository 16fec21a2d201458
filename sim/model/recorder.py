"""Per-step records into preallocated arrays (T, B) and (T, B, O).

Mesa's ``DataCollector`` keeps Python lists of per-agent dicts and knows nothing of a scenario
axis; for thousands of scenarios in lock-step, preallocated arrays are both faster and smaller.
Each series is declared once below with its unit; tables are built after the run.
"""

from __future__ import annotations

import numpy as np

from sim.model.constants import DAYS_PER_YEAR, HOURS_PER_CALENDAR_YEAR, WORK_HOURS_PER_YEAR
from sim.model.reductions import total


def _sum(items, attr):
    return sum(getattr(x, attr) for x in items)


def leader_index(m):
    """Index of the most capable frontier lab (its fleet's model), (B, 1)."""
    caps = np.concatenate([f.capability for f in m.fleets], axis=1)
    caps = np.where(m.p.labs.is_open[None, :], -np.inf, caps)
    return np.argmax(caps, axis=1)[:, None]


def _of_leader(m, values):
    return np.take_along_axis(np.concatenate(values, axis=1), m.leader_index, axis=1)


#: name -> (unit, function of the model returning (B, 1)); recorded after every step.
AGGREGATES = {
    "frontier_effective_flop": ("FLOP (2023-algorithm equivalent)",
                                lambda m: m.frontier_effective_flop),
    "frontier_capability": ("log10 effective FLOP", lambda m: np.log10(m.frontier_effective_flop)),
    "frontier_physical_flop": ("FLOP", lambda m: m.frontier_physical_flop),
    "open_weights_effective_flop": ("FLOP (2023-algorithm equivalent)",
                                    lambda m: _open_effective(m)),
    "largest_run_flop": ("FLOP", lambda m: m.largest_run_flop),
    "global_compute_flop_per_s": ("FLOP/s (peak)", lambda m: _sum(m.labs,
                                                                  "installed_flop_per_s")),
    "ai_power_gw": ("GW", lambda m: _sum(m.labs, "installed_watts") / 1e9),
    "ai_capex_usd_per_yr": ("USD/yr", lambda m: sum(lab.flows["capex_usd"] for lab in m.labs)
                            / m.dt_years),
    "ai_revenue_usd_per_yr": ("USD/yr", lambda m: _sum(m.labs, "revenue_usd_per_yr")),
    "investor_usd_per_yr": ("USD/yr", lambda m: _sum(m.labs, "investor_usd_per_yr")
                            * m.funding_scale),
    "lab_cash_usd": ("USD", lambda m: _sum(m.labs, "cash_usd")),
    "chip_price_usd": ("USD per chip", lambda m: m.vendors[0].price_usd),
    "chip_flop_per_s_per_usd": ("FLOP/s per USD (list price, leading vendor)",
                                lambda m: m.vendors[0].chip_flop_per_s
                                / m.vendors[0].list_price_usd),
    "vendor_capacity_chips_per_month": ("chips/month",
                                        lambda m: _sum(m.vendors, "capacity_chips_per_month")),
    "algorithmic_efficiency": ("x (2023 = 1)", lambda m: 10.0 ** m.best_log10_efficiency),
    "unhobbling": ("x (2023 = 1)", lambda m: m.unhobbling),
    "robotics_index": ("robotics OOM", lambda m: m.robotics_index),
    "leader_params": ("parameters", lambda m: _of_leader(m, [f.n_params for f in m.fleets])),
    "leader_copies_at_human_speed": ("copies at 1x", lambda m: _of_leader(
        m, [f.copies_1x for f in m.fleets])),
    "ai_copies": ("copies", lambda m: _sum(m.fleets, "copies")),
    "serial_speed": ("x human", lambda m: m.fleets[0].serial_speed),
    "ai_human_equivalent_workers": ("full-time workers (2,000 h/yr)",
                                    lambda m: _sum(m.fleets, "hours_per_yr")
                                    / WORK_HOURS_PER_YEAR),
    "ai_workers_in_market": ("full-time workers, world", lambda m: _sum(
        m.fleets, "sold_hours_per_yr") / WORK_HOURS_PER_YEAR),
    "ai_workers_in_rd": ("full-time workers", lambda m: _sum(m.fleets, "rd_hours_per_yr")
                         / WORK_HOURS_PER_YEAR),
    "ai_workers_idle": ("full-time workers", lambda m: _sum(m.fleets, "idle_hours_per_yr")
                        / WORK_HOURS_PER_YEAR),
    "ai_text_person_days_per_day": ("person-days (24 h) of text per day", lambda m: _sum(
        m.fleets, "sold_hours_per_yr") / DAYS_PER_YEAR / 24.0),
    "experience_years_per_day": ("human-years per day", lambda m: _sum(m.fleets, "hours_per_yr")
                                 / HOURS_PER_CALENDAR_YEAR / DAYS_PER_YEAR),
    "horizon_hours": ("h", lambda m: _of_leader(m, [f.horizon_hours for f in m.fleets])),
    "ai_cost_usd_per_hour": ("USD per human-equivalent hour", lambda m: _of_leader(
        m, [f.cost_usd_per_hour for f in m.fleets])),
    "employed": ("workers", lambda m: total(m.workers.employed, axis=1, keepdims=True)),
    "unemployed": ("workers", lambda m: total(m.workers.unemployed, axis=1, keepdims=True)),
    "retraining": ("workers", lambda m: total(m.workers.retraining, axis=1, keepdims=True)),
    "labour_force": ("workers", lambda m: total((m.workers.employed + m.workers.unemployed
                                           + m.workers.retraining), axis=1, keepdims=True)),
    "unemployment_rate": ("fraction", lambda m: total(m.workers.unemployed
                                                      + m.workers.retraining, axis=1,
                                                      keepdims=True) / m.workers.labour_force_0),
    "mean_wage_usd_per_hour": ("USD/h (2021; employment-weighted, or over the labour force "
                               "when nobody is employed)", lambda m: _mean_wage(m.workers)),
    "displaced_total": ("workers (cumulative layoffs)",
                        lambda m: total(m.workers.displaced_total, axis=1, keepdims=True)),
    "us_output_usd_per_yr": ("USD/yr (2023 dollars)", lambda m: m.economy.output),
    "world_output_usd_per_yr": ("USD/yr (2023 dollars)", lambda m: m.economy.world_output),
    "output_growth_per_yr": ("1/yr (log growth of US output, this step, annualised)",
                             lambda m: m.economy.output_growth_per_yr),
    "labour_income_usd_per_yr": ("USD/yr (2023 dollars)", lambda m: m.economy.labour_income),
    "ai_income_usd_per_yr": ("USD/yr (2023 dollars; US customers' payments to AI labs)",
                             lambda m: m.economy.ai_income),
    "capital_income_usd_per_yr": ("USD/yr (2023 dollars; capital and profits)",
                                  lambda m: m.economy.capital_income),
    "labour_share": ("fraction of US output", lambda m: m.economy.labour_income
                     / m.economy.output),
    "ai_share": ("fraction of US output", lambda m: m.economy.ai_income / m.economy.output),
    "task_price_index": ("x 2023 (cost of a unit of task work, in output)",
                         lambda m: m.economy.index),
    "capital_usd": ("USD (2023 dollars)", lambda m: m.economy.capital),
    "tfp": ("x 2023", lambda m: m.economy.tfp / m.economy.tfp0),
    "ar_productivity": ("1/yr (log change of the task wage bill)",
                        lambda m: m.economy.effects["productivity"]),
    "ar_displacement": ("1/yr (log change of the task wage bill)",
                        lambda m: m.economy.effects["displacement"]),
    "ar_reinstatement": ("1/yr (log change of the task wage bill)",
                         lambda m: m.economy.effects["reinstatement"]),
    "ar_other": ("1/yr (log change of the task wage bill: substitution, capital, composition)",
                 lambda m: m.economy.effects["other"]),
    "labour_income_gini": ("Gini (0-1) of labour income over the labour force, by occupation",
                           lambda m: labour_gini(m.workers)),
    "lab_payout_usd_per_yr": ("USD/yr (cash above the labs' buffer, paid to owners)",
                              lambda m: sum(lab.flows["payout_usd"] for lab in m.labs)
                              / m.dt_years),
    "investment_raised_usd_per_yr": ("USD/yr (investors' money the labs took)",
                                     lambda m: sum(lab.flows["investor_usd"] for lab in m.labs)
                                     / m.dt_years),
    "capable_share": ("fraction of wage-weighted work AI can automate",
                      lambda m: m.outcome.capable_share),
    "adopted_share": ("fraction of wage-weighted work AI does (automated)",
                      lambda m: m.outcome.adopted_share),
    "augmentable_share": ("fraction of wage-weighted work AI can augment but not automate",
                          lambda m: m.outcome.augmentable_share),
    "augmented_share": ("fraction of wage-weighted work people do with AI's help",
                        lambda m: m.outcome.augmented_share),
    "rd_speedup": ("x 2023 rate of software progress",
                   lambda m: _of_leader(m, [lab.rd_speedup for lab in m.labs])),
    "ai_rd_multiplier": ("x research input of people alone (same compute)",
                         lambda m: _of_leader(m, [lab.ai_rd_multiplier for lab in m.labs])),
    "software_growth_oom_per_yr": ("OOM/yr (leading lab)", lambda m: _of_leader(
        m, [lab.software_growth_oom_per_yr for lab in m.labs])),
    "hardware_growth_oom_per_yr": ("OOM/yr of FLOP/s per USD",
                                   lambda m: m.hardware_growth_oom_per_yr),
    "flop_per_s_per_ai_worker": ("FLOP/s per human-equivalent worker (leading lab)",
                                 lambda m: _of_leader(m, [f.flop_per_s_per_worker
                                                          for f in m.fleets])),
    "investors_awake": ("1 after investors' wake-up, else 0", lambda m: m.woke_up * 1.0),
    "research_automation_share": ("fraction of research work", lambda m: _of_leader(
        m, [lab.research_automation for lab in m.labs])),
    "ai_researcher_years_per_day": ("researcher-years per day",
                                    lambda m: _sum(m.labs, "ai_researchers") / DAYS_PER_YEAR),
}


def _mean_wage(workers):
    wage = workers.earnings_usd_per_hour()
    employed = total(workers.employed, axis=1, keepdims=True)
    force = workers.employed + workers.unemployed + workers.retraining
    by_force = total(wage * force, axis=1, keepdims=True) / total(force, axis=1, keepdims=True)
    return np.where(employed > 0.0, total(wage * workers.employed, axis=1, keepdims=True)
                    / np.where(employed > 0.0, employed, 1.0), by_force)


def labour_gini(workers):
    """Gini coefficient of labour income over the labour force, (B, 1): every employed worker
    earns the occupation's mean wage, the unemployed and retraining earn nothing (so it
    measures inequality between occupations and from joblessness, not within occupations).
    """
    wage = workers.earnings_usd_per_hour()
    order = np.argsort(wage, axis=1, kind="stable")
    w = np.take_along_axis(wage, order, axis=1)
    n = np.take_along_axis(workers.employed, order, axis=1)
    jobless = total(workers.unemployed + workers.retraining, axis=1, keepdims=True)
    people = np.concatenate([jobless, n], axis=1)
    income = np.concatenate([np.zeros_like(jobless), w * n], axis=1)
    share_people = people / total(people, axis=1, keepdims=True)
    earned = total(income, axis=1, keepdims=True)  # 0 only if nobody works: Gini 0 then
    cum_income = np.cumsum(income, axis=1) / np.where(earned > 0.0, earned, 1.0) + (
        earned <= 0.0)
    below = np.concatenate([np.zeros_like(jobless), cum_income[:, :-1]], axis=1)
    area = total(share_people * (cum_income + below), axis=1, keepdims=True)  # 2x Lorenz area
    return 1.0 - area


def _open_effective(m):
    opens = [f.effective_flop for f, is_open in zip(m.fleets, m.p.labs.is_open, strict=True)
             if is_open]
    return np.maximum.reduce(opens) if opens else np.full_like(m.frontier_effective_flop, np.nan)


#: name -> (unit, function returning (B, O)); recorded per occupation when asked.
OCCUPATION_SERIES = {
    "employed": ("workers", lambda m: m.workers.employed),
    "unemployed": ("workers", lambda m: m.workers.unemployed),
    "retraining": ("workers", lambda m: m.workers.retraining),
    "wage_usd_per_hour": ("USD/h (2021)", lambda m: m.workers.earnings_usd_per_hour()),
    "automated_share": ("fraction of task-hours", lambda m: m.outcome.automated_hours
                        / np.maximum(m.outcome.demand_hours, 1e-300)),
    "capable_share": ("fraction of task-hours AI can automate",
                      lambda m: m.outcome.capable_share_occ),
    "augmentable_share": ("fraction of task-hours AI can augment but not automate",
                          lambda m: m.outcome.augmentable_share_occ),
    "augmented_hours_share": ("fraction of task-hours saved by augmentation", lambda m:
                              m.outcome.augmented_hours
                              / np.maximum(m.outcome.demand_hours, 1e-300)),
    "displaced_total": ("workers (cumulative)", lambda m: m.workers.displaced_total),
    "ar_displacement": ("1/yr (contribution to the national wage bill's log change)",
                        lambda m: m.economy.effects_by_occupation["displacement"]),
    "ar_reinstatement": ("1/yr (contribution to the national wage bill's log change)",
                         lambda m: m.economy.effects_by_occupation["reinstatement"]),
    "reemployed_total": ("workers (cumulative)", lambda m: m.workers.reemployed_total),
    "placed_in_total": ("workers (cumulative placements into this occupation after retraining)",
                        lambda m: m.workers.placed_in_total),
}


#: Aggregates the milestones are computed from; always recorded.
MILESTONE_INPUTS = ("capable_share", "adopted_share", "research_automation_share")


class Recorder:
    """Preallocated arrays for every recorded series.

    ``aggregates`` names the aggregates to record (all by default; the milestone inputs
    always): a sweep that keeps a few outputs skips computing the rest every step.
    """

    def __init__(self, n_steps: int, n_scenarios: int, n_occupations: int,
                 record_occupations: bool = True, aggregates=None):
        names = [k for k in AGGREGATES
                 if aggregates is None or k in aggregates or k in MILESTONE_INPUTS]
        self._aggregates = [(k, AGGREGATES[k][1]) for k in names]
        self.aggregates = {k: np.empty((n_steps, n_scenarios)) for k in names}
        self.occupations = ({k: np.empty((n_steps, n_scenarios, n_occupations))
                             for k in OCCUPATION_SERIES} if record_occupations else {})

    def collect(self, model, step: int):
        """Store this step's values."""
        model.leader_index = leader_index(model)
        for name, fn in self._aggregates:
            self.aggregates[name][step] = fn(model)[:, 0]
        for name, (_, fn) in OCCUPATION_SERIES.items():
            if self.occupations:
                self.occupations[name][step] = fn(model)
