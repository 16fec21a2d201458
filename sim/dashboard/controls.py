"""The dashboard's controls and how they become a validated config.

Every control maps to one config key, so the page builds its config through the same
``load_config(..., overrides=[...])`` path as ``sim run --set``: an impossible combination is
caught by the same validation and reported the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import ValidationError

from sim.config import SimConfig
from sim.errors import SimInputError
from sim.loading import list_scenarios, load_config

#: Scenario picker value meaning "no overlay".
BASE_SCENARIO = "default"
#: Training-cap picker value meaning "no cap" (``max_training_flop = inf``).
NO_CAP = "no cap"
TRAINING_CAPS = (NO_CAP, "1e26", "3e26", "1e27", "1e28", "1e29")


@dataclass(frozen=True)
class Slider:
    """One numeric control: the config key it sets, its label (with unit) and range."""

    name: str
    key: str
    label: str
    min: float
    max: float
    step: float

    def default(self, base: SimConfig) -> float:
        """The value in ``base`` (the config the page starts from)."""
        node = base
        for part in self.key.split("."):
            node = getattr(node, part)
        return float(node)


#: The most influential parameters, in the order shown on the page (short labels: the sidebar
#: is narrow; the README's Dashboard section says what each one is).
SLIDERS = (
    Slider("investment_growth", "capital.investor_growth_per_yr",
           "Investment growth (1/yr)", 0.0, 1.5, 0.05),
    Slider("hardware_progress", "hardware.price_performance_oom_per_yr",
           "Hardware (OOM/yr)", 0.0, 0.6, 0.02),
    Slider("algorithmic_progress", "algorithms.base_efficiency_oom_per_yr",
           "Algorithms (OOM/yr)", 0.0, 1.0, 0.05),
    Slider("serial_speed", "copies.initial_serial_speed",
           "Serial speed (x human)", 0.5, 10.0, 0.5),
    Slider("adoption_lag", "market.adoption_lag_years",
           "Adoption lag (yr)", 1.0, 20.0, 0.5),
    Slider("horizon_growth", "autonomy.horizon_oom_per_capability_oom",
           "Horizon growth (OOM/OOM)", 0.0, 1.5, 0.05),
)

def describe(values: dict, base: SimConfig | None = None) -> list[str]:
    """``label = value`` per control: the sliders do not print their values, the page does."""
    start = defaults(base)
    lines = [f"{s.label} = {float(values.get(s.name, start[s.name])):g}" for s in SLIDERS]
    lines.append(f"Training cap (FLOP) = {values.get('training_cap') or start['training_cap']}")
    lines.append(f"Scenario = {values.get('scenario') or BASE_SCENARIO}")
    return lines


def defaults(base: SimConfig | None = None) -> dict:
    """Control values of ``base`` (built-in defaults if None)."""
    base = base or SimConfig()
    cap = base.training.max_training_flop
    return {**{s.name: s.default(base) for s in SLIDERS},
            "training_cap": NO_CAP if math.isinf(cap) else f"{cap:.0e}".replace("+", ""),
            "scenario": BASE_SCENARIO, "extra": ""}


def scenario_choices() -> list[str]:
    """Values of the scenario picker."""
    return [BASE_SCENARIO, *list_scenarios()]


def overrides(values: dict, base: SimConfig | None = None) -> list[str]:
    """``--set`` strings for the controls that differ from ``base``, then free-text extras.

    A control left at its starting value sets nothing, so a scenario overlay's own value of
    that parameter (e.g. ``compute_boom``'s investment growth) stays in force.
    """
    start = defaults(base)
    out = [f"{s.key}={float(values[s.name])!r}" for s in SLIDERS
           if s.name in values and not math.isclose(float(values[s.name]), start[s.name],
                                                    rel_tol=1e-9, abs_tol=1e-12)]
    cap = values.get("training_cap") or start["training_cap"]
    if cap != start["training_cap"]:
        out.append("training.max_training_flop=" + (".inf" if cap == NO_CAP else cap))
    out += [part.strip() for part in str(values.get("extra") or "").replace(";", "\n")
            .splitlines() if part.strip()]
    return out


def base_config(config_path: str | None = None) -> SimConfig:
    """The config the page starts from: ``config_path`` or the built-in defaults."""
    return load_config(config_path)


def config_from_controls(values: dict, config_path: str | None = None) -> SimConfig:
    """The config the controls describe, on top of ``config_path`` and the chosen scenario.

    Raises :class:`SimInputError` on any impossible value or combination.
    """
    scenario = values.get("scenario") or BASE_SCENARIO
    return load_config(config_path, None if scenario == BASE_SCENARIO else scenario,
                       overrides(values, base_config(config_path)))


def error_text(exc: Exception) -> str:
    """A message for the page: one line per problem, no traceback."""
    if isinstance(exc, SimInputError):
        return "\n".join(f"{p.field} = {p.value!r}: {p.allowed}" for p in exc.problems)
    if isinstance(exc, ValidationError):
        return "\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                         for e in exc.errors(include_url=False))
    return f"{type(exc).__name__}: {exc}"
