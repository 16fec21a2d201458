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
from sim.errors import Problem, SimInputError, one_line, short_repr
from sim.loading import list_scenarios, load_config

#: Scenario picker value meaning "no overlay".
BASE_SCENARIO = "default"
#: Training-cap picker value meaning "no cap" (``max_training_flop = inf``).
NO_CAP = "no cap"
TRAINING_CAPS = (NO_CAP, "1e26", "3e26", "1e27", "1e28", "1e29")
#: Bounds on the "More settings" text. Each setting is validated in turn (~0.5 ms each), so
#: without a bound a pasted megabyte of lines would hold the page for minutes; the schema has
#: under 200 leaf fields, so 200 settings and 20,000 characters allow every one of them.
MAX_EXTRA_CHARS = 20_000
MAX_EXTRA_SETTINGS = 200
#: Source named in messages about the free-text field.
EXTRA_SOURCE = "More settings"
#: Most problems shown on the page at once (the rest follow once these are fixed).
MAX_LINES = 20


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
    Slider("investment_growth", "capital.wakeup_growth_per_yr",
           "Investment growth after wake-up (1/yr)", 0.0, 1.5, 0.05),
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
    return out + extra_settings(values.get("extra"))


def extra_settings(text) -> list[str]:
    """The "More settings" field as ``--set`` strings (split on ``;`` and line breaks).

    Raises :class:`SimInputError` when the text is too long to check promptly.
    """
    text = str(text or "")
    if len(text) > MAX_EXTRA_CHARS:
        raise SimInputError(EXTRA_SOURCE, [Problem(
            "(text)", f"{len(text):,} characters",
            f"allowed: at most {MAX_EXTRA_CHARS:,} characters of key=value settings")])
    parts = [part.strip() for part in text.replace(";", "\n").splitlines() if part.strip()]
    if len(parts) > MAX_EXTRA_SETTINGS:
        raise SimInputError(EXTRA_SOURCE, [Problem(
            "(settings)", f"{len(parts):,} settings",
            f"allowed: at most {MAX_EXTRA_SETTINGS} key=value settings")])
    return parts


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
    """A message for the page: one bounded line per problem, no traceback.

    Values go through :func:`short_repr` (never ``repr``): a value built from aliases can be
    huge, and its full text once took a quarter of a gigabyte. Fields and rules are cut too,
    since both can quote what the user typed.
    """
    if isinstance(exc, SimInputError):
        return "\n".join(_problem_line(exc.file, p) for p in exc.problems[:MAX_LINES])
    if isinstance(exc, ValidationError):
        return "\n".join(one_line(f"{'.'.join(map(str, e['loc']))}: {e['msg']}", 400)
                         for e in exc.errors(include_url=False)[:MAX_LINES])
    return one_line(f"{type(exc).__name__}: {exc}", 400)


def _problem_line(source: str, p: Problem) -> str:
    """``[source: ]field = value: allowed``; a ``--set`` source is left out, since the
    field already names the setting (and the page has no command line).
    """
    where = "" if str(source).startswith("--set") else f"{one_line(source, 120)}: "
    return (f"{where}{one_line(p.field, 120)} = {short_repr(p.value)}: "
            f"{one_line(p.allowed, 400)}")

