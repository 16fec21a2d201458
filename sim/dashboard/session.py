"""The model the dashboard steps: one scenario built from the page's controls.

SolaraViz rebuilds its model as ``cls(**controls)`` on Reset, so :class:`DashboardModel` takes
the controls as keyword arguments and wraps :class:`~sim.model.AIEconomyModel` (whose own
constructor takes stacked array parameters). Bad input never raises out of the constructor:
it is kept as :attr:`DashboardModel.error` for the page to show, and the model does not step.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import mesa
import numpy as np

from sim.config import SimConfig
from sim.dashboard import controls
from sim.milestones import milestone_years
from sim.runner import build_model

#: Months a SolaraViz step (Step button, one frame of play) advances: a year per frame keeps
#: playing a 28-year run to ~30 redraws.
MONTHS_PER_STEP = 12
#: Environment variable through which ``sim dashboard CONFIG`` passes its config file.
CONFIG_ENV = "SIM_DASHBOARD_CONFIG"


def config_path_from_env() -> str | None:
    """The config file given to ``sim dashboard`` (None: built-in defaults)."""
    return os.environ.get(CONFIG_ENV) or None


@dataclass
class RunView:
    """The recorded paths of one scenario up to ``n`` steps, as the charts read them."""

    times: np.ndarray  #: (n,) decimal year
    aggregates: dict[str, np.ndarray]  #: name -> (n,)
    occupations: dict[str, np.ndarray]  #: name -> (n, O)
    codes: tuple[str, ...]
    titles: tuple[str, ...]
    milestones: dict[str, float]  #: name -> year (NaN: not reached so far)
    end_year: float  #: last year of the full run (the charts' x range)

    @property
    def n(self) -> int:
        """Steps recorded."""
        return len(self.times)


def view_of(model, config: SimConfig) -> RunView:
    """What ``model`` (an :class:`AIEconomyModel`, one scenario) has recorded so far."""
    n = model.steps_done
    times = model.start_year + np.arange(n) * model.dt_years
    rec = model.recorder
    aggs = {k: v[:n, 0] for k, v in rec.aggregates.items()}
    occ = {k: v[:n, 0, :] for k, v in rec.occupations.items()}
    ms = {}
    if n:
        ms = {k: float(v[0]) for k, v in milestone_years(
            {k: v[:n] for k, v in rec.aggregates.items()}, times,
            config.milestones.levels, config.milestones.full_automation_share,
            [config.research.automated_researcher_share]).items()}
    table = model.workers.table
    end = model.start_year + model.n_steps * model.dt_years
    return RunView(times, aggs, occ, table.codes, table.titles, ms, end)


@functools.lru_cache(maxsize=4)
def baseline_view(config_path: str | None) -> RunView:
    """The full run of the page's starting config (no scenario, no control changes)."""
    config = controls.base_config(config_path)
    model = build_model([config])
    model.run()
    return view_of(model, config)


class DashboardModel(mesa.Model):
    """One scenario built from the dashboard's controls, stepped by SolaraViz."""

    def __init__(self, investment_growth=None, hardware_progress=None,
                 algorithmic_progress=None, serial_speed=None, adoption_lag=None,
                 horizon_growth=None, training_cap=None, scenario=controls.BASE_SCENARIO,
                 extra="", config_path=None, rng=None):
        super().__init__(rng=rng)
        self.config_path = config_path if config_path is not None else config_path_from_env()
        values = {"investment_growth": investment_growth, "hardware_progress": hardware_progress,
                  "algorithmic_progress": algorithmic_progress, "serial_speed": serial_speed,
                  "adoption_lag": adoption_lag, "horizon_growth": horizon_growth,
                  "training_cap": training_cap, "scenario": scenario, "extra": extra}
        self.values = {k: v for k, v in values.items() if v is not None}
        self.error: str | None = None
        self.config: SimConfig | None = None
        self.inner = None
        try:
            self.config = controls.config_from_controls(self.values, self.config_path)
            self.inner = build_model([self.config])
        except Exception as exc:  # any bad input becomes a message on the page
            self.error = controls.error_text(exc)
        self.running = self.inner is not None

    @property
    def n_steps(self) -> int:
        """Steps of the full run (0 when the controls are invalid)."""
        return self.inner.n_steps if self.inner is not None else 0

    @property
    def steps_done(self) -> int:
        """Steps run so far."""
        return self.inner.steps_done if self.inner is not None else 0

    def step(self):
        """Advance :data:`MONTHS_PER_STEP` months (fewer at the end)."""
        for _ in range(MONTHS_PER_STEP):
            self.step_month()

    def step_month(self):
        """Advance one month; a failure stops the run and becomes :attr:`error`."""
        if not self.running:
            return
        try:
            self.inner.step()
        except Exception as exc:  # keep the page alive; show what went wrong
            self.error = f"The run stopped at step {self.steps_done}: {controls.error_text(exc)}"
            self.running = False
            return
        self.running = self.inner.steps_done < self.inner.n_steps

    def run_to_end(self):
        """Step to the end of the run (through :meth:`step`, so Mesa counts the steps)."""
        while self.running:
            self.step()

    def view(self) -> RunView | None:
        """The current scenario's paths so far (None when the controls are invalid)."""
        return view_of(self.inner, self.config) if self.inner is not None else None

    def baseline(self) -> RunView | None:
        """The starting config's full run (None if even that config is invalid)."""
        try:
            return baseline_view(self.config_path)
        except Exception:  # the current run still shows without its baseline
            return None
