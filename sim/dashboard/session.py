"""The runs behind the dashboard: the scenario built from the page's controls, its baseline,
and the ensemble behind the charts' bands.

:class:`DashboardModel` (a Mesa model) takes the controls as keyword arguments and wraps
:class:`~sim.model.model.AIEconomyModel` (whose own constructor takes stacked array parameters).
Bad input never raises out of the constructor: it is kept as :attr:`DashboardModel.error`
for the page to show, and the model does not step. :func:`ensemble_band` runs the ensemble
(``sim.ensemble.draw_configs``) and keeps the percentiles the charts draw. Nothing here
imports a web library.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.config.schema import SimConfig
from sim.dashboard import controls
from sim.outputs.milestones import milestone_years
from sim.outputs.run_data import growth_12m, work_shares
from sim.runner import build_model, run_batch

#: Months one :meth:`DashboardModel.step` advances (a year; the page runs to the end, checking
#: after each year whether newer controls have superseded the run).
MONTHS_PER_STEP = 12
#: Environment variable through which ``sim dashboard CONFIG`` passes its config file.
CONFIG_ENV = "SIM_DASHBOARD_CONFIG"
#: Members of the ensemble behind the charts' bands (run as one batch, ~2-3 s).
ENSEMBLE_MEMBERS = 50
#: Percentiles of the bands: low edge, median, high edge.
PERCENTILES = (10, 50, 90)


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
    """One scenario built from the dashboard's controls, run to the end by the page."""

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

    def run_to_end(self, should_stop: Callable[[], bool] | None = None):
        """Step to the end of the run (through :meth:`step`, so Mesa counts the steps).

        ``should_stop`` is asked after every year; True stops early (the page asks it when
        the controls changed again before this run finished).
        """
        while self.running:
            self.step()
            if should_stop is not None and should_stop():
                return

    def view(self) -> RunView | None:
        """The current scenario's paths so far (None when the controls are invalid)."""
        return view_of(self.inner, self.config) if self.inner is not None else None

    def baseline(self) -> RunView | None:
        """The starting config's full run (None if even that config is invalid)."""
        try:
            return baseline_view(self.config_path)
        except Exception:  # the current run still shows without its baseline
            return None


@dataclass
class Band:
    """An ensemble's percentiles (:data:`PERCENTILES`) of the charts' series, per month."""

    n: int  #: members
    seconds: float  #: time to draw and run them
    times: np.ndarray  #: (T,) decimal year
    series: dict[str, np.ndarray]  #: name -> (3, T): 10th, 50th, 90th percentile
    #: milestone -> (10th, 50th, 90th percentile year, share of members reaching it); a
    #: percentile that falls among members never reaching it is inf
    milestones: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    end_year: float = np.nan
    drawn: tuple[str, ...] = ()  #: the parameters drawn per member
    source: str = ""  #: the file their ranges come from


#: The aggregates the charts draw with a band ("idle" = unemployed + retraining;
#: "output_growth_12m" = US output's growth over the past 12 months; the four work shares are
#: :data:`sim.outputs.run_data.WORK_SHARE_LINES`' keys).
BAND_SERIES = ("ai_human_equivalent_workers", "employed", "idle", "unemployment_rate",
               "mean_wage_usd_per_hour", "frontier_effective_flop", "augmented_share",
               "ai_rd_multiplier", "us_output_usd_per_yr", "output_growth_12m")


def _covers(fixed: str, key: str) -> bool:
    return key == fixed or key.startswith(fixed + ".") or fixed.startswith(key + ".")


def ensemble_ranges(config: SimConfig, fixed=()) -> tuple[str, dict]:
    """The ensemble's default ranges (``sim.ensemble``'s sourced sweep file) less every
    parameter under a key in ``fixed``: where they come from, and ``{key: distribution}``.
    """
    from sim.ensemble import load_ranges

    ranges = load_ranges(config)
    return ranges.source, {
        p.key: {k: v for k, v in p.as_dict().items() if k != "levels"}
        for p in ranges.parameters if not any(_covers(f, p.key) for f in fixed)}


def ensemble_band(config: SimConfig, fixed=(), n: int = ENSEMBLE_MEMBERS,
                  seed: int | None = None) -> Band:
    """Run ``n`` members around ``config`` and summarise them as a :class:`Band`.

    The members are ``sim.ensemble.draw_configs(config, n, seed, ranges)`` (seed: the config's
    own if None), run as one batch (``run_batch(..., record_occupations=False)``). ``ranges``
    are the ensemble's default ranges without the parameters under ``fixed`` (the keys the
    page sets): those keep the run's values in every member, so the band is the uncertainty
    around the run on screen, not around other values of the controls.
    """
    from sim.ensemble import censored_percentiles, draw_configs

    t0 = time.perf_counter()
    source, ranges = ensemble_ranges(config, fixed)
    configs = draw_configs(config, n, config.seed if seed is None else seed, ranges=ranges)
    with np.errstate(all="ignore"):
        res = run_batch(configs, record_occupations=False).sim
    agg = dict(res.aggregates)
    agg["idle"] = agg["unemployed"] + agg["retraining"]
    agg["output_growth_12m"] = growth_12m(res.times, agg["us_output_usd_per_yr"])
    series = {k: agg[k] for k in BAND_SERIES}
    series.update(work_shares(agg.__getitem__))
    pct = {k: np.percentile(np.asarray(v, float), PERCENTILES, axis=1)
           for k, v in series.items()}
    ms = {}
    for name, years in res.milestones.items():
        (lo, mid, hi), share = censored_percentiles(np.asarray(years, float), PERCENTILES)
        ms[name] = (float(lo), float(mid), float(hi), share)
    dt = float(res.times[1] - res.times[0]) if len(res.times) > 1 else 0.0
    return Band(len(configs), time.perf_counter() - t0, res.times, pct, ms,
                float(res.times[-1] + dt), tuple(ranges), source)
