"""Results of a run or batch: arrays as recorded, and tidy pandas tables built from them."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.config import SimConfig
from sim.milestones import milestone_years
from sim.recorder import AGGREGATES, OCCUPATION_SERIES

#: Years at which the summary reports the AI and human workforces.
SUMMARY_YEARS = (2030, 2040, 2050)


def year_month(year: float) -> str:
    """A decimal year (a step's start) as YYYY-MM: 2033.917 -> 2033-12."""
    months = int(round(year * 12))
    return f"{months // 12}-{months % 12 + 1:02d}"


def year_end_step(times: np.ndarray, year: float) -> int:
    """Index of the last step in ``year`` among ``times`` (decimal years at the start of each
    step), or the last step run when the run ends inside or before it.
    """
    idx = np.searchsorted(times, year + 1.0 - 1e-9) - 1
    return int(np.clip(idx, 0, len(times) - 1))


def year_end_steps(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The calendar years of ``times`` and the index of each one's last step (the run's last
    step for a year it ends inside).
    """
    times = np.asarray(times, float)
    years = np.arange(int(np.floor(times[0] + 1e-9)), int(np.floor(times[-1] + 1e-9)) + 1)
    return years, np.array([year_end_step(times, y) for y in years], dtype=int)


@dataclass
class Results:
    """What a model recorded, per scenario (axis 1 of every array)."""

    configs: list[SimConfig]
    times: np.ndarray  #: decimal year at the start of each step (T,)
    aggregates: dict[str, np.ndarray]  #: name -> (T, B)
    occupations: dict[str, np.ndarray]  #: name -> (T, B, O); empty if not recorded
    occupation_codes: tuple[str, ...]
    occupation_titles: tuple[str, ...]
    milestones: dict[str, np.ndarray] = field(default_factory=dict)  #: name -> (B,) year
    #: static facts per occupation (code, title, SOC major group, start employment and wage,
    #: Job Zone, exposure score); see ``OccupationTable.info_frame``
    occupation_info: pd.DataFrame | None = None
    #: how the detailed data joined (counts of what matched and was dropped), when used
    join_report: dict | None = None
    #: the scenarios the occupation arrays hold, in order (axis 1 of each); None: all of them.
    #: An ensemble records the occupations of its median member only.
    occupation_scenarios: tuple[int, ...] | None = None
    #: an ensemble's plan (:class:`sim.ensemble.EnsemblePlan`: base config, draws, seeds) when
    #: the scenarios are its members; None for a run or a batch
    ensemble: Any = None
    #: the ensemble member whose occupations are recorded (see :func:`sim.ensemble.median_member`)
    median_member: int | None = None

    @classmethod
    def from_model(cls, model, configs: list[SimConfig]) -> Results:
        """Collect a finished model's records."""
        times = model.start_year + np.arange(model.n_steps) * model.dt_years
        rec = model.recorder
        table = model.workers.table
        res = cls(configs, times, rec.aggregates, rec.occupations, table.codes, table.titles,
                  occupation_info=table.info_frame())
        res.milestones = milestone_years(
            rec.aggregates, times, configs[0].milestones.levels,
            [c.milestones.full_automation_share for c in configs],
            [c.research.automated_researcher_share for c in configs])
        return res

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios (B)."""
        return len(self.configs)

    def occupation_index(self, i: int) -> int | None:
        """Where scenario ``i``'s occupations lie on axis 1 of the occupation arrays (None:
        not recorded).
        """
        if not self.occupations:
            return None
        if self.occupation_scenarios is None:
            return i
        return self.occupation_scenarios.index(i) if i in self.occupation_scenarios else None

    def scenario(self, i: int) -> Results:
        """The results of scenario ``i`` alone (its occupations only if they were recorded)."""
        j = self.occupation_index(i)
        return Results([self.configs[i]], self.times,
                       {k: v[:, i:i + 1] for k, v in self.aggregates.items()},
                       {} if j is None else {k: v[:, j:j + 1]
                                             for k, v in self.occupations.items()},
                       self.occupation_codes, self.occupation_titles,
                       {k: v[i:i + 1] for k, v in self.milestones.items()},
                       self.occupation_info)

    def _time_columns(self) -> pd.DataFrame:
        return pd.DataFrame({"step": np.arange(len(self.times)), "year": self.times,
                             "date": [year_month(y) for y in self.times]})

    def aggregates_frame(self) -> pd.DataFrame:
        """One row per scenario and step, one column per aggregate (units: :meth:`units`)."""
        T, B = len(self.times), self.n_scenarios
        t = self._time_columns()
        data = {"scenario": np.repeat(np.arange(B), T),
                "seed": np.repeat([c.seed for c in self.configs], T)}
        for col in t.columns:
            data[col] = np.tile(t[col].to_numpy(), B)
        for name, values in self.aggregates.items():
            data[name] = values.T.reshape(-1)
        return pd.DataFrame(data)

    def occupations_frame(self) -> pd.DataFrame:
        """One row per scenario, step and occupation (empty, with a warning, when occupations
        were not recorded: ``record_occupations=False``, or a sweep).
        """
        if not self.occupations:
            warnings.warn("no occupations were recorded (run with record_occupations=True); "
                          "the frame is empty", stacklevel=2)
            return pd.DataFrame()
        T, B, O = next(iter(self.occupations.values())).shape  # noqa: E741
        t = self._time_columns()
        held = np.arange(B) if self.occupation_scenarios is None else np.asarray(
            self.occupation_scenarios)
        data = {"scenario": np.repeat(held, T * O),
                "step": np.tile(np.repeat(t["step"].to_numpy(), O), B),
                "year": np.tile(np.repeat(t["year"].to_numpy(), O), B),
                "date": np.tile(np.repeat(t["date"].to_numpy(), O), B),
                "occupation": np.tile(np.array(self.occupation_codes), T * B),
                "title": np.tile(np.array(self.occupation_titles), T * B)}
        for name, values in self.occupations.items():
            data[name] = values.transpose(1, 0, 2).reshape(-1)
        return pd.DataFrame(data)

    def milestones_frame(self) -> pd.DataFrame:
        """One row per scenario and milestone; ``year`` is NaN if not reached by the end."""
        rows = [{"scenario": b, "seed": self.configs[b].seed, "milestone": name,
                 "year": float(years[b])}
                for name, years in self.milestones.items() for b in range(self.n_scenarios)]
        return pd.DataFrame(rows)

    @staticmethod
    def units() -> dict[str, str]:
        """Unit of every recorded series."""
        out = {k: u for k, (u, _) in AGGREGATES.items()}
        out.update({f"occupation.{k}": u for k, (u, _) in OCCUPATION_SERIES.items()})
        return out

    def step_of_year(self, year: float) -> int:
        """Index of the last step in ``year`` (or the last step run)."""
        return year_end_step(self.times, year)

    def value_at(self, name: str, year: float, scenario: int = 0) -> float:
        """A recorded aggregate in the last step of ``year`` (or the last step run)."""
        return float(self.aggregates[name][self.step_of_year(year), scenario])

    def summary(self, scenario: int = 0) -> dict:
        """Headline figures of one scenario, as written to ``summary.json``."""
        a = self.aggregates
        urate = a["unemployment_rate"][:, scenario]
        peak = int(np.argmax(urate))
        end = float(self.times[-1])
        workforce = {
            str(y): {
                "ai_human_equivalent_workers": self.value_at("ai_human_equivalent_workers", y,
                                                             scenario),
                "human_employment": self.value_at("employed", y, scenario),
                "rd_speedup": self.value_at("rd_speedup", y, scenario),
                "ai_rd_multiplier": self.value_at("ai_rd_multiplier", y, scenario),
                "augmented_share": self.value_at("augmented_share", y, scenario),
            } for y in SUMMARY_YEARS if y <= end}
        economy = {
            str(y): {name: self.value_at(name, y, scenario) for name in (
                "us_output_usd_per_yr", "labour_share", "ai_share", "mean_wage_usd_per_hour")}
            for y in SUMMARY_YEARS if y <= end and "us_output_usd_per_yr" in a}
        return {
            "seed": self.configs[scenario].seed,
            "milestones": {k: (None if np.isnan(v[scenario]) else round(float(v[scenario]), 3))
                           for k, v in self.milestones.items()},
            "workforce": workforce,
            "economy": economy,
            "peak_unemployment_rate": float(urate[peak]),
            "peak_unemployment_year": float(self.times[peak]),
            "max_rd_speedup": float(a["rd_speedup"][:, scenario].max()),
            "max_ai_rd_multiplier": float(a["ai_rd_multiplier"][:, scenario].max()),
        }
