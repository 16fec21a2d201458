"""The dashboard's controls and how they become a validated config.

Every control maps to one config key, so the page builds its config through the same
``load_config(..., overrides=[...])`` path as ``sim run --set``: an impossible combination is
caught by the same validation and reported the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import ValidationError

from sim.config.loading import (
    config_to_yaml,
    find_scenario,
    list_scenarios,
    load_config,
    read_yaml,
)
from sim.config.schema import SimConfig
from sim.errors import Problem, SimInputError, one_line, short_repr

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
    """One numeric control: the config key it sets, its name on the page, unit and range."""

    name: str
    key: str
    short: str  #: what the page calls it
    unit: str  #: shown after the number
    min: float
    max: float
    step: float
    #: how a value is written: decimals, and an optional "x per year" equivalent
    decimals: int = 2
    per_year: str = ""  #: "e" (log growth: x e^v a year) or "10" (OOM: x 10^v a year)

    @property
    def label(self) -> str:
        """Name and unit, as in messages and the saved file's header."""
        return f"{self.short} ({self.unit})"

    def default(self, base: SimConfig) -> float:
        """The value in ``base`` (the config the page starts from)."""
        node = base
        for part in self.key.split("."):
            node = getattr(node, part)
        return float(node)

    def format(self, value: float) -> str:
        """The value with its unit, e.g. "0.24 OOM/yr (x1.74 a year)"."""
        sep = "" if self.unit.startswith("/") else " "
        text = f"{value:.{self.decimals}f}{sep}{self.unit}"
        if self.per_year:
            factor = math.exp(value) if self.per_year == "e" else 10.0 ** value
            text += f" (x{factor:.3g} a year)"
        return text

    def bounds(self, value: float) -> tuple[float, float]:
        """The slider's range, widened to hold ``value`` (a scenario may go beyond it)."""
        return min(self.min, value), max(self.max, value)


#: The most influential parameters, in the order shown on the page; the README's Dashboard
#: section says what each one is.
SLIDERS = (
    Slider("investment_growth", "capital.wakeup_growth_per_yr",
           "Investment growth after investors wake up", "/yr", 0.0, 1.5, 0.05,
           per_year="e"),
    Slider("hardware_progress", "hardware.price_performance_oom_per_yr",
           "Hardware price-performance", "OOM/yr", 0.0, 0.6, 0.02, per_year="10"),
    Slider("algorithmic_progress", "algorithms.base_efficiency_oom_per_yr",
           "Algorithmic progress", "OOM/yr", 0.0, 1.0, 0.05, per_year="10"),
    Slider("serial_speed", "copies.initial_serial_speed",
           "AI serial speed in 2023", "x human", 0.5, 10.0, 0.5, decimals=1),
    Slider("adoption_lag", "market.adoption_lag_years",
           "Adoption lag", "yr", 1.0, 20.0, 0.5, decimals=1),
    Slider("horizon_growth", "autonomy.horizon_oom_per_capability_oom",
           "Task-horizon growth", "OOM per OOM of compute", 0.0, 1.5, 0.05),
)
SLIDER_BY_NAME = {s.name: s for s in SLIDERS}


def cap_text(cap: float) -> str:
    """The training-cap picker's value for ``cap`` FLOP."""
    return NO_CAP if math.isinf(cap) else f"{cap:.0e}".replace("+", "")


def describe(config: SimConfig) -> list[str]:
    """``name = value unit`` for every control, as ``config`` (the run's own) has it."""
    lines = [f"{s.short} = {s.format(s.default(config))}" for s in SLIDERS]
    lines.append(f"Training-compute cap = {cap_text(config.training.max_training_flop)} FLOP"
                 if math.isfinite(config.training.max_training_flop)
                 else "Training-compute cap = none")
    return lines


def defaults(base: SimConfig | None = None) -> dict:
    """Control values of ``base`` (built-in defaults if None)."""
    base = base or SimConfig()
    return {**{s.name: s.default(base) for s in SLIDERS},
            "training_cap": cap_text(base.training.max_training_flop),
            "scenario": BASE_SCENARIO, "extra": ""}


def scenario_config(config_path: str | None = None, scenario: str | None = None
                    ) -> SimConfig:
    """The config a scenario starts from: ``config_path`` (or the defaults) with the
    scenario's overlay, before any control is moved.
    """
    scenario = scenario or BASE_SCENARIO
    return load_config(config_path, None if scenario == BASE_SCENARIO else scenario)


def start_values(config_path: str | None = None, scenario: str | None = None) -> dict:
    """The controls when a scenario is picked: its own values (so the sliders show them)."""
    scenario = scenario or BASE_SCENARIO
    return {**defaults(scenario_config(config_path, scenario)), "scenario": scenario}


def snap(slider: Slider, value: float, start: float) -> float:
    """A slider's value, kept at ``start`` if within half a step of it: a slider can only
    stop on its grid, so a scenario's off-grid value (0.1429) is not overridden by the
    nearest step (0.14) when the slider reports where it stands.
    """
    return start if abs(float(value) - start) <= slider.step / 2 + 1e-12 else float(value)


def scenario_description(name: str) -> str:
    """A scenario file's first comment line ("" if none, or for the default)."""
    if not name or name == BASE_SCENARIO:
        return "No overlay: the starting config's own values."
    try:
        with open(find_scenario(name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    return line.strip().lstrip("#").strip() if line.lstrip().startswith("#") \
                        else ""
    except (OSError, SimInputError):
        return ""
    return ""


def scenario_choices() -> list[str]:
    """Values of the scenario picker."""
    return [BASE_SCENARIO, *list_scenarios()]


def overrides(values: dict, base: SimConfig | None = None) -> list[str]:
    """``--set`` strings for the controls that differ from ``base``, then free-text extras.

    ``base`` is the scenario's config (:func:`scenario_config`): a control left at the
    scenario's value sets nothing, so the scenario's own value stays in force.
    """
    start = defaults(base)
    out = [f"{s.key}={float(values[s.name])!r}" for s in SLIDERS
           if values.get(s.name) is not None
           and not math.isclose(float(values[s.name]), start[s.name], rel_tol=1e-9,
                                abs_tol=1e-12)]
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
    """The config the controls describe: ``config_path``, the chosen scenario's overlay, then
    the controls moved away from the scenario's values, then "More settings".

    Raises :class:`SimInputError` on any impossible value or combination.
    """
    scenario = values.get("scenario") or BASE_SCENARIO
    return load_config(config_path, None if scenario == BASE_SCENARIO else scenario,
                       overrides(values, scenario_config(config_path, scenario)))


def settings_yaml(config: SimConfig, values: dict, config_path: str | None = None) -> str:
    """The run's config as a YAML file that ``sim run`` and ``sim validate`` accept: every
    value resolved (:func:`sim.config.loading.config_to_yaml`), under a header saying where it came
    from.
    """
    scenario = values.get("scenario") or BASE_SCENARIO
    try:
        changed = overrides(values, scenario_config(config_path, scenario))
    except SimInputError:
        changed = []
    header = ["Saved from the what-if dashboard (sim dashboard).",
              f"Starting config: {config_path or 'built-in defaults'}; scenario: {scenario}.",
              "Changed on the page: " + ("; ".join(changed) if changed else "nothing") + ".",
              "Run it with: sim run THIS_FILE.yaml   (check it with: sim validate THIS_FILE.yaml)"]
    return "".join(f"# {one_line(h, 2000)}\n" for h in header) + config_to_yaml(config)


def fixed_keys(values: dict, config_path: str | None = None) -> tuple[str, ...]:
    """The config keys the page sets: every slider's and the training cap's, the chosen
    scenario overlay's, and those in "More settings". An ensemble keeps them at the run's
    values (:func:`sim.dashboard.session.ensemble_band`).
    """
    keys = [s.key for s in SLIDERS] + ["training.max_training_flop"]
    scenario = values.get("scenario") or BASE_SCENARIO
    if scenario != BASE_SCENARIO:
        keys += _dotted(read_yaml(find_scenario(scenario)))
    keys += [part.split("=", 1)[0].strip() for part in extra_settings(values.get("extra"))
             if "=" in part]
    return tuple(dict.fromkeys(keys))


def _dotted(data, prefix: str = "") -> list[str]:
    """The dotted keys of a nested mapping's leaves (a list is one leaf)."""
    if isinstance(data, dict) and data:
        return [k for key, value in data.items() for k in _dotted(value, f"{prefix}{key}.")]
    return [prefix[:-1]] if prefix else []


def settings_filename(values: dict) -> str:
    """A name for the saved file, after the scenario."""
    scenario = values.get("scenario") or BASE_SCENARIO
    return f"dashboard-{scenario}.yaml"


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

