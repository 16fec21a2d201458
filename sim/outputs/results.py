"""Views of a run record: its arrays by name, and tidy pandas tables built from them."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from sim.config.schema import SimConfig
from sim.model.recorder import AGGREGATES, OCCUPATION_SERIES

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


#: Variable-name prefixes in the record: occupation series, and the occupation table's facts.
OCCUPATION_PREFIX = "occupation."
INFO_PREFIX = "info."


#: Units of a milestone year, in a run's record and a sweep chunk's.
MILESTONE_UNITS = "calendar year (decimal) first reached; NaN if not by the end"


def without_occupations(ds):
    """``ds`` without its occupation series (and their ``occupation_scenario`` axis)."""
    return ds.drop_vars([n for n, v in ds.variables.items() if "occupation_scenario" in v.dims])


def series_units() -> dict[str, str]:
    """Unit of every series the recorder can record (aggregates, then ``occupation.NAME``)."""
    out = {k: u for k, (u, _) in AGGREGATES.items()}
    out.update({f"{OCCUPATION_PREFIX}{k}": u for k, (u, _) in OCCUPATION_SERIES.items()})
    return out


@xr.register_dataset_accessor("sim")
class Results:
    """numpy and pandas views of a run record (:mod:`sim.outputs.record`), as ``record.sim``.

    The record, an :class:`xarray.Dataset`, is what :func:`sim.run` and :func:`sim.run_batch`
    return and what every output is written from; this view reads the record's own arrays
    (no copies): aggregates ``(T, B)`` (scenario on axis 1), occupation series ``(T, B', O)``
    over the scenarios whose occupations were recorded, milestone years ``(B,)``, and tidy
    tables (:meth:`aggregates_frame`, ...). Configs are parsed from the record's JSON once,
    unless the run that made the record handed them over.
    """

    def __init__(self, record):
        if "scenario" not in record.dims:  # ds.sel(scenario=1) drops the dimension
            raise ValueError("this record has no scenario dimension (a scalar selection such "
                             "as ds.sel(scenario=1) drops it); select with a list, "
                             "ds.isel(scenario=[1]), or use ds.sim.scenario(1)")
        self.record = record
        self._configs: list[SimConfig] | None = None
        #: an ensemble's plan (:class:`sim.ensemble.EnsemblePlan`: base config, draws, seeds)
        #: when the scenarios are its members (in memory only; the folder keeps its files)
        self.ensemble: Any = None

    @property
    def configs(self) -> list[SimConfig]:
        """Each scenario's validated configuration."""
        if self._configs is None:
            self._configs = [SimConfig.model_validate(json.loads(str(text)))
                             for text in self.record["config"].values]
        return self._configs

    @property
    def times(self) -> np.ndarray:
        """Decimal year at the start of each step, (T,)."""
        return self.record["year"].values

    @property
    def aggregates(self) -> dict[str, np.ndarray]:
        """Name -> (T, B)."""
        return {str(name): v.values for name, v in self.record.variables.items()
                if v.dims == ("time", "scenario")}

    @property
    def occupations(self) -> dict[str, np.ndarray]:
        """Name -> (T, B', O); empty if not recorded."""
        return {str(name)[len(OCCUPATION_PREFIX):]: v.values
                for name, v in self.record.variables.items()
                if str(name).startswith(OCCUPATION_PREFIX)}

    @property
    def names(self) -> np.ndarray:
        """Each scenario's name ("" where the run was not named), (B,)."""
        if "name" not in self.record.coords:
            return np.full(self.n_scenarios, "", dtype=object)
        return self.record["name"].values

    @property
    def occupation_codes(self) -> tuple[str, ...]:
        """SOC codes, in the order of the occupation axis."""
        return tuple(str(c) for c in self.record["occupation"].values)

    @property
    def occupation_titles(self) -> tuple[str, ...]:
        """Occupation titles, in the order of the occupation axis."""
        return tuple(str(t) for t in self.record["title"].values)

    @property
    def milestones(self) -> dict[str, np.ndarray]:
        """Name -> (B,) year first reached (NaN: not by the end)."""
        years = self.record["milestone_year"].values
        return {str(n): years[:, i] for i, n in enumerate(self.record["milestone"].values)}

    @property
    def occupation_info(self) -> pd.DataFrame | None:
        """Static facts per occupation (code, title, SOC major group, start employment and
        wage, Job Zone, exposure score); see ``OccupationTable.info_frame``.
        """
        cols = [str(n) for n in self.record.data_vars if str(n).startswith(INFO_PREFIX)]
        if not cols:
            return None
        info = pd.DataFrame({"occupation": list(self.occupation_codes),
                             "title": list(self.occupation_titles)})
        for col in cols:
            values = self.record[col].values
            info[col[len(INFO_PREFIX):]] = ([str(v) for v in values] if values.dtype == object
                                            else values)
        return info

    @property
    def join_report(self) -> dict | None:
        """How the detailed data joined (counts of what matched and was dropped), when used."""
        text = self.record.attrs.get("join_report")
        return json.loads(text) if text else None

    @property
    def occupation_scenarios(self) -> tuple[int, ...] | None:
        """Where on the scenario axis lie the scenarios the occupation arrays hold, in order
        (axis 1 of each); None: all of them. An ensemble records the occupations of its median
        member only. The record names them by their ``scenario`` label, which a selection
        such as ``isel(scenario=[i])`` keeps.
        """
        if "occupation_scenario" not in self.record.coords:
            return None
        position = {int(s): p for p, s in enumerate(self.record["scenario"].values)}
        labels = [int(s) for s in self.record["occupation_scenario"].values]
        lost = [s for s in labels if s not in position]
        if lost:
            raise ValueError(f"the occupation series hold scenarios {lost}, which this "
                             "selection of the record left out; select occupation_scenario "
                             "too, or use record.sim.scenario(i)")
        held = tuple(position[s] for s in labels)
        return None if held == tuple(range(self.n_scenarios)) else held

    @property
    def median_member(self) -> int | None:
        """The ensemble member whose occupations are recorded (see
        :func:`sim.ensemble.median_member`), or None.
        """
        k = self.record.attrs.get("median_member")
        return None if k is None else int(k)

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios (B)."""
        return int(self.record.sizes["scenario"])

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
        one = self.record.isel(scenario=[i])
        if "occupation_scenario" in one.dims:
            one = (one.isel(occupation_scenario=[j]) if j is not None
                   else without_occupations(one))
        view = one.sim
        # this scenario's config as parsed, or (None) parsed from its own JSON when asked for
        view._configs = None if self._configs is None else [self._configs[i]]
        return view

    def _time_columns(self) -> pd.DataFrame:
        return pd.DataFrame({"step": np.arange(len(self.times)), "year": self.times,
                             "date": [year_month(y) for y in self.times]})

    def aggregates_frame(self) -> pd.DataFrame:
        """One row per scenario and step, one column per aggregate (units: :meth:`units`)."""
        T, B = len(self.times), self.n_scenarios
        t = self._time_columns()
        data = {"scenario": np.repeat(np.arange(B), T),
                "name": np.repeat(self.names, T),
                "seed": np.repeat(self.record["seed"].values, T)}
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
                "name": np.repeat(self.names[held], T * O),
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
        seeds, names = self.record["seed"].values, self.names
        rows = [{"scenario": b, "name": names[b], "seed": int(seeds[b]), "milestone": name,
                 "year": float(years[b])}
                for name, years in self.milestones.items() for b in range(self.n_scenarios)]
        return pd.DataFrame(rows)

    def units(self) -> dict[str, str]:
        """Unit of every series the record holds, as its ``units`` attribute says."""
        return {str(name): v.attrs["units"] for name, v in self.record.variables.items()
                if name in self.record.data_vars and "time" in v.dims and "units" in v.attrs}

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
            "name": str(self.names[scenario]),
            "seed": int(self.record["seed"].values[scenario]),
            "milestones": {k: (None if np.isnan(v[scenario]) else round(float(v[scenario]), 3))
                           for k, v in self.milestones.items()},
            "workforce": workforce,
            "economy": economy,
            "peak_unemployment_rate": float(urate[peak]),
            "peak_unemployment_year": float(self.times[peak]),
            "max_rd_speedup": float(a["rd_speedup"][:, scenario].max()),
            "max_ai_rd_multiplier": float(a["ai_rd_multiplier"][:, scenario].max()),
        }
