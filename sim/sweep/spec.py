"""The sweep file: which parameters, over what ranges or distributions, sampled how, how many
runs, which outputs. Everything is checked before any run, and every problem is reported on one
line naming the file, the field, the value and what is allowed.

Parameters use the dotted keys of ``--set`` (``labs.frontier_b.human_researchers``,
``hardware.vendors.0.markup``). A distribution's support is checked against the config schema
itself: the base config with the parameter at each end of its support must validate.

Keys are canonicalised: a list item is named by its ``name`` where it has a unique one (as
``sim params`` lists them), by index otherwise, so ``hardware.vendors.0.markup`` and
``hardware.vendors.leader.markup`` are one parameter, and naming it twice is refused rather
than letting one value silently win. The same holds between ``parameters`` and ``set``: a field
is swept or fixed, never both. Nothing a file says is silently ignored: keys that would have no
effect (``levels`` outside a grid, ``base``/``set`` next to a stored ``base_config``, a
``name`` field, which only labels a list item or rule set) are refused.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.config.loading import (
    config_to_yaml,
    load_config,
    parse_override,
    problems_from,
    read_yaml,
    validate,
)
from sim.config.yaml_io import parse_yaml
from sim.errors import Problem, SimInputError, one_line
from sim.model.recorder import AGGREGATES

SAMPLERS = ("grid", "latin", "saltelli", "montecarlo")
#: Unit-interval draws are kept this far from 0 and 1, so a normal's support is finite
#: (mean +- 7.03 sd) and can be checked against the schema.
U_EPS = 1e-12
MAX_RUNS = 10_000_000
#: The sample (runs x parameters values) is held in memory: 10^8 values is 800 MB.
MAX_SAMPLE_VALUES = 100_000_000
MAX_PARAMETERS = 256
MAX_CHOICES = 1000
#: ``set:`` entries: each one re-validates the config; more belong in a ``base`` file.
MAX_SET_ENTRIES = 200
MAX_CORNERS = 256
MAX_CHUNK_SIZE = 100_000
#: A sweep's name becomes part of its default folder name: no separators, no leading dot.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: Runs per chunk when a sweep file gives none: big chunks amortize the ~2 ms of Python per
#: model step (whatever the batch size; 10,000 runs in chunks of 1000 step ~25% faster than
#: in chunks of 500, benchmarks/bench_sweep.py), while small sweeps still make
#: ``MIN_DEFAULT_CHUNKS`` chunks to spread over workers. Results never depend on chunking.
DEFAULT_CHUNK_SIZE = 1000
MIN_DEFAULT_CHUNKS = 8
DEFAULT_YEARS = (2030, 2040, 2050)
DEFAULT_AGGREGATES = ("capable_share", "adopted_share", "unemployment_rate",
                      "ai_human_equivalent_workers", "frontier_capability",
                      "ai_capex_usd_per_yr", "rd_speedup")


class SweepFileError(SimInputError):
    """A sweep file that cannot be run: unknown parameter, bad range, sampler or size."""


# --- the schema ----------------------------------------------------------------------------------
def _checked(ok: Callable[[Any], bool], allowed: str) -> Any:
    """A field taken as written (YAML's types, no coercion) where ``ok`` holds."""
    def check(value):
        if not ok(value):
            raise ValueError(allowed)
        return value
    return Annotated[Any, PlainValidator(check)]


def _number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw)


def _integer(raw: Any) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool)


def _numeric(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def _hint(value: Any) -> str:
    """Why text that reads as a number is text: YAML 1.1 wants ``1.0e+9``, not ``1e9``."""
    if not isinstance(value, str) or "e" not in value.lower():
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return " (YAML reads 1e9 as text: write 1.0e+9)"


def _finite(value: Any) -> int | float:
    if not _number(value):
        raise ValueError(f"allowed: a finite number{_hint(value)}")
    return value


Number = Annotated[float, PlainValidator(_finite)]


class SweepFile(BaseModel):
    """The keys of a sweep file. ``runs``, ``parameters`` and ``outputs`` depend on the sampler
    and the base config, and are checked once those are known.
    """

    model_config = ConfigDict(extra="forbid")

    name: _checked(lambda v: v is None or isinstance(v, str) and NAME_PATTERN.fullmatch(v),
                   "allowed: 1-64 letters, digits, '_', '.' or '-', starting with a letter or "
                   "digit (the name is part of the sweep's folder name)") = None
    description: _checked(lambda v: v is None or isinstance(v, str), "allowed: text") = None
    seed: _checked(lambda v: _integer(v) and 0 <= v < 2**63,
                   "allowed: an integer in [0, 2^63)") = 0
    sampler: _checked(lambda v: v in SAMPLERS,
                      f"unknown sampler; allowed: one of {', '.join(SAMPLERS)}") = "latin"
    runs: Any = None
    chunk_size: _checked(lambda v: _integer(v) and 1 <= v <= MAX_CHUNK_SIZE,
                         f"allowed: an integer in [1, {MAX_CHUNK_SIZE}]") = None
    base: Any = None
    scenario: Any = None
    set: Any = None
    parameters: Any = None
    outputs: Any = None
    base_config: Any = None  #: the complete config, in a definition a sweep folder stores


TOP_KEYS = tuple(k for k in SweepFile.model_fields if k != "base_config")


class _Dist(BaseModel):
    """A parameter's distribution. Validation takes a context: the field's ``key``, its
    ``default`` in the base config and the ``sampler``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Numeric(_Dist):
    """A distribution over numbers: only for a numeric field, with a non-empty range."""

    levels: int | None = Field(None, validate_default=True)  #: points per axis of a grid

    @model_validator(mode="before")
    @classmethod
    def _numeric_field(cls, data: Any, info: ValidationInfo) -> Any:
        key, default = info.context["key"], info.context["default"]
        if not _numeric(default):
            raise ValueError(f"dist: {key} is not a number ({default!r}); allowed: choice")
        return data

    @field_validator("levels", mode="before")
    @classmethod
    def _levels(cls, levels: Any, info: ValidationInfo) -> Any:
        sampler = info.context["sampler"]
        if levels is None and sampler == "grid":
            raise PydanticCustomError("grid_levels", "the grid sampler needs the number of "
                                      "points per axis; allowed: an integer >= 2",
                                      {"value": "(missing)"})
        if levels is not None and sampler in SAMPLERS and sampler != "grid":
            raise ValueError(f"only the grid sampler reads levels; allowed: leave it out with "
                             f"sampler {sampler}")
        if levels is not None and (not _integer(levels) or not 2 <= levels <= MAX_CHOICES):
            raise ValueError(f"allowed: an integer in [2, {MAX_CHOICES}]")
        return levels

    @model_validator(mode="after")
    def _range(self, info: ValidationInfo) -> _Numeric:
        lo, hi = getattr(self, "low", None), getattr(self, "high", None)
        if lo is not None and hi is not None:
            if lo == hi:
                raise ValueError(f"high: empty range [{lo}, {hi}]; allowed: high > low ({lo})")
            if lo > hi:
                raise ValueError(f"high: inverted range (low = {lo} > high); allowed: high > "
                                 f"low ({lo})")
            if not math.isfinite(hi - lo):
                raise ValueError(f"high: the range [{lo}, {hi}] overflows; allowed: high - low "
                                 "below 1e308")
            if _integer(info.context["default"]) and round(lo) == round(hi):
                raise ValueError(f"high: the field is an integer and [{lo}, {hi}] rounds to the "
                                 f"single value {round(lo)}; allowed: a range that spans two "
                                 "integers or more")
        self._shape()
        return self

    def _shape(self) -> None:
        """What a distribution needs beyond a range (raises ValueError naming the field)."""


class Uniform(_Numeric):
    """Every value in ``[low, high]`` alike."""

    dist: Literal["uniform"]
    low: Number
    high: Number


class LogUniform(_Numeric):
    """Every order of magnitude in ``[low, high]`` alike: for a factor known to a power of ten."""

    dist: Literal["loguniform"]
    low: Number
    high: Number

    def _shape(self) -> None:
        if self.low <= 0:
            raise ValueError("low: allowed: > 0 for loguniform")


class Normal(_Numeric):
    """A normal, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"]
    mean: Number
    sd: Number
    low: Number | None = None
    high: Number | None = None

    def _shape(self) -> None:
        lo, hi, mean, sd = self.low, self.high, self.mean, self.sd
        if sd <= 0:
            raise ValueError("sd: allowed: > 0")
        if (lo is not None and mean < lo) or (hi is not None and mean > hi):
            bounds = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
            raise ValueError(f"mean: allowed: within [low, high] = {bounds}")
        if not (math.isfinite(mean - 8 * sd) and math.isfinite(mean + 8 * sd)):
            raise ValueError("sd: the support mean +- 7 sd overflows; allowed: a smaller sd")


class Triangular(_Numeric):
    """A best guess (``mode``) within hard limits."""

    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    def _shape(self) -> None:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"mode: allowed: within [low, high] = [{self.low}, {self.high}]")


class Choice(_Dist):
    """Values drawn with equal weight: finite numbers for a numeric field (integers for an
    integer one), strings otherwise; never booleans.
    """

    dist: Literal["choice"]
    values: list

    @field_validator("values", mode="before")
    @classmethod
    def _values(cls, values: Any, info: ValidationInfo) -> Any:
        key, default = info.context["key"], info.context["default"]
        if not isinstance(values, list) or not values:
            raise ValueError("empty choice; allowed: a non-empty list")
        if len(values) > MAX_CHOICES:
            raise PydanticCustomError("too_many", f"allowed: at most {MAX_CHOICES}",
                                      {"value": f"{len(values)} values"})
        if _numeric(default):
            bad = [v for v in values if not _number(v)]
            if bad:
                raise PydanticCustomError("not_a_number", f"{key} is a number; allowed: "
                                          "finite numbers", {"value": bad[0]})
            if _integer(default) and not all(_integer(v) for v in values):
                raise ValueError(f"{key} is an integer; allowed: integers")
        elif not all(isinstance(v, (int, float, str)) and not isinstance(v, bool)
                     for v in values):
            raise ValueError("allowed: numbers or strings")
        return values


Distribution = Annotated[Uniform | LogUniform | Normal | Triangular | Choice,
                         Field(discriminator="dist")]
_DISTRIBUTION = TypeAdapter(Distribution)
_DIST_MODELS = {m.model_fields["dist"].annotation.__args__[0]: m
                for m in (Uniform, LogUniform, Normal, Triangular, Choice)}
DISTRIBUTIONS = tuple(_DIST_MODELS)
_SWEEP_FILE = TypeAdapter(SweepFile)


def _top_wording(err: dict) -> str | None:
    """Unknown keys named with the known ones."""
    if err["type"] in ("extra_forbidden", "invalid_key"):
        return f"unknown key; allowed: {', '.join(TOP_KEYS)}"
    return None


def _dist_wording(err: dict) -> str | None:
    """Unknown or missing keys named with the distribution's own, an unknown distribution with
    the known ones.
    """
    kind, loc = err["type"], err["loc"]
    if kind in ("extra_forbidden", "invalid_key"):
        keys = sorted(_DIST_MODELS[loc[0]].model_fields)
        return f"unknown key for {loc[0]}; allowed: {', '.join(keys)}"
    if kind == "missing":
        keys = [k for k, f in _DIST_MODELS[loc[0]].model_fields.items()
                if f.is_required() and k != "dist"]
        return f"required for {loc[0]}; allowed: {', '.join(keys)}"
    if kind.startswith("union_tag_"):
        return f"unknown distribution; allowed: one of {', '.join(DISTRIBUTIONS)}"
    if kind == "model_attributes_type":
        return (f"allowed: a mapping with 'dist' (one of {', '.join(DISTRIBUTIONS)}) and its "
                "fields")
    return None


@dataclass(frozen=True)
class ParamSpec:
    """One swept parameter and the distribution its values come from."""

    key: str
    dist: str
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    values: tuple = ()
    levels: int | None = None  #: points per axis for the grid sampler
    integer: bool = False  #: the config field is an integer: draws are rounded

    def support(self) -> list[tuple[str, Any]]:
        """The extreme values a draw can take, each with the field that sets it."""
        if self.dist == "choice":
            return [(f"values[{i}]", v) for i, v in enumerate(self.values)]
        if self.dist == "normal":
            z = float(_norm_ppf(np.array([1.0 - U_EPS]))[0])
            lo = self.low if self.low is not None else self.mean - z * self.sd
            hi = self.high if self.high is not None else self.mean + z * self.sd
            return [("low" if self.low is not None else f"mean - {z:.2f} sd", self._cast(lo)),
                    ("high" if self.high is not None else f"mean + {z:.2f} sd", self._cast(hi))]
        return [("low", self._cast(self.low)), ("high", self._cast(self.high))]

    def _cast(self, x):
        return int(round(x)) if self.integer else float(x)

    def ppf(self, u: np.ndarray, eps: float = U_EPS) -> np.ndarray:
        """Values at unit-interval quantiles ``u`` (the inverse CDF)."""
        u = np.clip(np.asarray(u, dtype=float), eps, 1.0 - eps)
        if self.dist == "choice":
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return np.asarray(self.values, dtype=object)[idx] if any(
                isinstance(v, str) for v in self.values) else np.asarray(self.values)[idx]
        if self.dist == "uniform":
            x = self.low + u * (self.high - self.low)
        elif self.dist == "loguniform":
            x = np.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        elif self.dist == "triangular":
            from scipy.stats import triang
            width = self.high - self.low
            x = triang.ppf(u, (self.mode - self.low) / width, loc=self.low, scale=width)
        else:  # normal, optionally truncated to [low, high]
            from scipy.stats import norm
            lo = -np.inf if self.low is None else (self.low - self.mean) / self.sd
            hi = np.inf if self.high is None else (self.high - self.mean) / self.sd
            a, b = norm.cdf(lo), norm.cdf(hi)
            x = self.mean + self.sd * _norm_ppf(a + u * (b - a))
        lo, hi = (v for _, v in self.support())
        x = np.clip(x, lo, hi)  # rounding must not step outside the checked support
        return np.rint(x).astype(int) if self.integer else x

    def grid_values(self) -> np.ndarray:
        """The grid sampler's points along this axis."""
        if self.dist == "choice":
            return self.ppf((np.arange(len(self.values)) + 0.5) / len(self.values))
        if self.dist in ("uniform", "loguniform"):  # ends included
            return self.ppf(np.linspace(0.0, 1.0, self.levels), eps=0.0)
        return self.ppf((np.arange(self.levels) + 0.5) / self.levels)

    def n_grid(self) -> int:
        """Points along this axis of a grid."""
        return len(self.values) if self.dist == "choice" else int(self.levels or 0)

    def as_dict(self) -> dict:
        """The YAML form."""
        out: dict[str, Any] = {"dist": self.dist}
        for k in ("low", "mode", "high", "mean", "sd"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        if self.values:
            out["values"] = list(self.values)
        if self.levels is not None:
            out["levels"] = self.levels
        return out


def _norm_ppf(p):
    from scipy.stats import norm
    return norm.ppf(p)


@dataclass(frozen=True)
class Outputs:
    """What each run keeps: aggregates at the end of chosen years, milestones, paths."""

    years: tuple[int, ...] = DEFAULT_YEARS
    aggregates: tuple[str, ...] = DEFAULT_AGGREGATES
    milestones: bool = True
    paths: tuple[str, ...] = ()  #: aggregates kept as full paths
    paths_every_months: int = 1

    def as_dict(self) -> dict:
        """The YAML form."""
        return {"years": list(self.years), "aggregates": list(self.aggregates),
                "milestones": self.milestones, "paths": list(self.paths),
                "paths_every_months": self.paths_every_months}


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep definition; ``base`` is the fully resolved base config as a dict."""

    name: str
    seed: int
    sampler: str
    runs: int
    chunk_size: int
    parameters: tuple[ParamSpec, ...]
    outputs: Outputs
    base: dict = field(repr=False, hash=False, compare=False)
    description: str = ""
    #: a test's fault hook, set from Python (``dataclasses.replace``), never read from or written
    #: to a sweep file: see :func:`sim.sweep.runner.check_fault`
    inject_fault: dict | None = None
    source: str = "sweep"

    @property
    def keys(self) -> tuple[str, ...]:
        """Parameter keys in sweep order (the columns of the sample matrix)."""
        return tuple(p.key for p in self.parameters)

    @property
    def n_chunks(self) -> int:
        """Number of chunks the runs are split into."""
        return -(-self.runs // self.chunk_size)

    def to_yaml(self) -> str:
        """The definition as run, with the base config written out in full: ``load_sweep`` on
        this text gives the same sweep whatever files or overlays have changed since.
        """
        body = {"name": self.name, "description": self.description, "seed": self.seed,
                "sampler": self.sampler, "runs": self.runs, "chunk_size": self.chunk_size,
                "parameters": {p.key: p.as_dict() for p in self.parameters},
                "outputs": self.outputs.as_dict()}
        body["base_config"] = yaml.safe_load(config_to_yaml(validate(self.base, "base config")))
        return yaml.safe_dump(body, sort_keys=False)


# --- reading -----------------------------------------------------------------------------------
def get_path(data: Any, key: str) -> Any:
    """The value at a dotted key; list items by index or ``name``. KeyError if absent."""
    node = data
    for part in key.split("."):
        if isinstance(node, list):
            node = node[_index(node, part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(key)
    return node


def _index(items: list, part: str) -> int:
    if part.isascii() and part.isdigit() and int(part) < len(items):
        return int(part)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    raise KeyError(part)


def canonical_key(data: Any, key: str) -> str:
    """``key`` with each list item named one way: by its ``name`` where that name is unique
    in its list and cannot be read as an index or split a key, by index otherwise. Two keys
    for the same field give the same canonical key. KeyError if absent.
    """
    node, parts = data, []
    for part in key.split("."):
        if isinstance(node, list):
            i = _index(node, part)
            parts.append(_item_label(node, i))
            node = node[i]
        elif isinstance(node, dict) and part in node:
            parts.append(part)
            node = node[part]
        else:
            raise KeyError(key)
    return ".".join(parts)


def _item_label(items: list, i: int) -> str:
    name = items[i].get("name") if isinstance(items[i], dict) else None
    unique = sum(isinstance(x, dict) and x.get("name") == name for x in items) == 1
    if isinstance(name, str) and name and unique and "." not in name and not (
            name.isascii() and name.isdigit()):
        return name
    return str(i)


def set_path(data: dict, key: str, value: Any) -> dict:
    """A copy of ``data`` with ``value`` at ``key``; only the containers on the path are
    copied (the rest is shared), which keeps building thousands of configs cheap.
    """
    parts = key.split(".")
    root = copy.copy(data)
    node: Any = root
    for i, part in enumerate(parts):
        idx = _index(node, part) if isinstance(node, list) else part
        if i == len(parts) - 1:
            node[idx] = value
        else:
            child = copy.copy(node[idx])
            node[idx] = child
            node = child
    return root


def _key(key: Any) -> str:
    """A key as messages name it: on one line, cut to 120 characters."""
    return one_line(str(key), 120)


def load_sweep(path: Path | str | None = None, *, text: str | None = None,
               seed: int | None = None) -> SweepSpec:
    """Read and check a sweep file; raises :class:`SweepFileError` listing every problem."""
    if text is not None:
        source = str(path or "sweep")
        raw = parse_yaml(text, source)
        raw = {} if raw is None else raw
        folder = Path(path).parent if path else Path.cwd()
    else:
        source = str(path)
        raw = read_yaml(path)
        folder = Path(path).parent
    if not isinstance(raw, dict):
        raise SweepFileError(source, [Problem("(top level)", type(raw).__name__,
                                              "allowed: a mapping of sweep keys to values")])
    if seed is not None:
        raw["seed"] = seed
    return parse_sweep(raw, source, folder)


def parse_sweep(raw: dict, source: str, folder: Path) -> SweepSpec:
    """Check a sweep mapping against the schema and the samplers; see :func:`load_sweep`."""
    _, problems = _validated(_SWEEP_FILE, raw, (), _top_wording)
    problems.sort(key=lambda p: p.field in SweepFile.model_fields)  # unknown keys first
    add = problems.append
    top = SweepFile.model_construct(**{k: v for k, v in raw.items() if k in SweepFile.model_fields})
    name = _name(top.name, source)
    try:
        base, fixed = _base_config(raw, source, folder)
    except SweepFileError as exc:  # report the problems found so far with it
        raise SweepFileError(source, problems + exc.problems) from None
    seed, sampler = top.seed, top.sampler
    params = _parameters(raw.get("parameters"), base, sampler, fixed, add)
    outputs = _outputs({} if raw.get("outputs") is None else raw["outputs"], base, add)
    runs = _runs(top.runs, sampler, params, add)
    chunk_size = default_chunk_size(runs) if top.chunk_size is None else top.chunk_size
    if problems:
        raise SweepFileError(source, problems)
    if len(params) > 1:
        _check_corners(params, base, source)
    return SweepSpec(name=name, seed=seed, sampler=sampler, runs=runs, chunk_size=chunk_size,
                     parameters=tuple(params), outputs=outputs, base=base,
                     description=top.description or "", source=source)


def _name(raw: Any, source: str) -> str:
    """The sweep's name (:class:`SweepFile` checks it), or one made from the file's."""
    if isinstance(raw, str) and NAME_PATTERN.fullmatch(raw):
        return raw
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(source).stem).strip("-.")[:64]
    return stem if raw is None and NAME_PATTERN.fullmatch(stem) else "sweep"


def _validated(schema: TypeAdapter, data: Any, at: tuple, word,
               **context) -> tuple[Any, list[Problem]]:
    """``data`` validated, or None and what is wrong with it, named under ``at``."""
    try:
        return schema.validate_python(data, context=context), []
    except ValidationError as exc:
        return None, problems_from(exc, data, at, word)


def _base_config(raw: dict, source: str, folder: Path) -> tuple[dict, dict[str, tuple]]:
    """The resolved config every run starts from: defaults, ``base`` file, overlay, ``set``;
    and the fields ``set`` fixes (canonical key -> (index, entry)).
    """
    if "base_config" in raw:  # a sweep definition written by a previous sweep
        return _stored_base(raw, source), {}
    path = _base_path(raw.get("base"), source, folder)
    scenario = raw.get("scenario")
    if scenario is not None and (not isinstance(scenario, str) or not scenario.strip()):
        raise SweepFileError(source, [Problem("scenario", scenario, "allowed: the name of a "
                                              "scenario overlay (see `sim scenarios`) or the "
                                              "path of a .yaml overlay")])
    overrides = _overrides(raw.get("set"), source)
    try:
        config = load_config(path, scenario, overrides)
    except SimInputError as exc:
        raise _in_sweep_file(exc, source, overrides) from None
    base = config.model_dump(mode="python")
    fixed = {}
    for i, text in enumerate(overrides):
        try:
            fixed[canonical_key(base, ".".join(parse_override(text)[0]))] = (i, text)
        except (KeyError, IndexError):  # a key the base gained from this entry, or a section
            continue
    return base, fixed


def _stored_base(raw: dict, source: str) -> dict:
    """A complete base config (as ``sweep.yaml`` in a sweep folder holds it); ``base``,
    ``scenario`` or ``set`` next to it would have no effect, so they are refused.
    """
    clash = [k for k in ("base", "scenario", "set") if raw.get(k) not in (None, [])]
    if clash:
        raise SweepFileError(source, [Problem(k, raw[k], "has no effect next to base_config "
                                              "(the complete config a sweep folder stores); "
                                              "allowed: base_config alone, or base, scenario "
                                              "and set without it") for k in clash])
    data = raw["base_config"]
    if not isinstance(data, dict):
        raise SweepFileError(source, [Problem("base_config", data, "allowed: a mapping: the "
                                              "complete config, as `sim sweep` writes it")])
    return validate(data, f"{source}: base_config").model_dump(mode="python")


def _base_path(base: Any, source: str, folder: Path) -> Path | None:
    """The ``base`` config file, relative to the sweep file; refused unless it exists."""
    if base is None:
        return None
    allowed = "allowed: the path of a config file, relative to the sweep file"
    if not isinstance(base, str) or not base.strip():
        raise SweepFileError(source, [Problem("base", base, allowed)])
    try:
        path = Path(base) if Path(base).is_absolute() else folder / base
        exists = path.is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL byte
        exists = False
    if not exists:
        raise SweepFileError(source, [Problem("base", base, f"no such file; {allowed} "
                                              f"({one_line(str(folder), 100)})")])
    return path


def _overrides(raw: Any, source: str) -> list[str]:
    """``set:`` entries, each parsed alone so that a bad one is named by its position."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise SweepFileError(source, [Problem("set", raw, "allowed: a list of "
                                              "'dotted.key=value' strings")])
    if len(raw) > MAX_SET_ENTRIES:
        raise SweepFileError(source, [Problem("set", f"{len(raw)} entries", f"allowed: at most "
                                              f"{MAX_SET_ENTRIES}; put more in a `base` "
                                              "config file")])
    problems = []
    for i, text in enumerate(raw):
        try:
            parse_override(text)
        except SimInputError as exc:
            problems += [Problem(f"set[{i}]", text, p.allowed) for p in exc.problems]
    if problems:
        raise SweepFileError(source, problems)
    return list(raw)


def _in_sweep_file(exc: SimInputError, source: str, overrides: list[str]) -> SimInputError:
    """An error from resolving the base config, named by the sweep file's key that caused it
    (``scenario``, ``set[i]``); errors inside a ``base`` file keep naming that file.
    """
    if exc.file == "--scenario":
        return SweepFileError(source, [Problem("scenario", p.value, p.allowed)
                                       for p in exc.problems])
    if not exc.file.startswith("--set"):
        return exc
    text = exc.file[len("--set "):]
    out = []
    for p in exc.problems:
        hits = [i for i, t in enumerate(overrides)
                if t == text or t.split("=", 1)[0].strip().startswith(str(p.field))]
        where = f"set[{hits[0]}]" if hits else "set"
        out.append(Problem(f"{where} ({p.field})", p.value, p.allowed))
    return SweepFileError(source, out)


def _parameters(raw: Any, base: dict, sampler: str, fixed: dict, add) -> list[ParamSpec]:
    """The swept parameters under their canonical keys; a field named twice, or both swept
    and fixed by ``set``, is refused naming both places.
    """
    if not isinstance(raw, dict) or not raw:
        add(Problem("parameters", raw, "allowed: a mapping of dotted parameter keys to "
                    "distributions, at least one"))
        return []
    if len(raw) > MAX_PARAMETERS:
        add(Problem("parameters", f"{len(raw)} parameters", f"allowed: at most "
                    f"{MAX_PARAMETERS}"))
        return []
    out = []
    seen: dict[str, str] = {}
    for written, spec in raw.items():
        where = f"parameters.{_key(written)}"
        key = _parameter_key(where, str(written), spec, base, add)
        if key is None:
            continue
        if key in seen:
            add(Problem(where, spec, f"names the same field as {seen[key]} ({key}); allowed: "
                        "each field once"))
            continue
        seen[key] = where
        if key in fixed:
            i, text = fixed[key]
            add(Problem(where, spec, f"also fixed by set[{i}] ('{one_line(text, 60)}'); "
                        "allowed: a field either swept or fixed with set:, not both"))
            continue
        default = get_path(base, key)
        dist, found = _validated(_DISTRIBUTION, spec, (where,), _dist_wording, key=key,
                                 default=default, sampler=sampler)
        for problem in found:
            add(problem)
        if dist is None:
            continue
        p = ParamSpec(key=key, integer=_integer(default), **dict(
            dist.model_dump(), values=tuple(getattr(dist, "values", ()))))
        if _support_valid(p, base, where, add):
            out.append(p)
    return out


def _parameter_key(where: str, key: str, spec: Any, base: dict, add) -> str | None:
    """The canonical key of a sweepable field, or None (and a problem) if it is not one."""
    if key == "seed" or key.startswith("time."):
        add(Problem(where, spec, "not sweepable: each run's seed comes from the sweep seed, "
                    "and the time axis is shared; allowed: set it for the whole sweep "
                    "with `set:`"))
        return None
    try:
        canonical = canonical_key(base, key)
    except (KeyError, IndexError):
        add(Problem(where, spec, "unknown parameter; allowed: a dotted key listed by "
                    "`sim params` (list items by index or name, e.g. "
                    "hardware.vendors.0.markup)"))
        return None
    if isinstance(get_path(base, canonical), (dict, list, tuple)):
        add(Problem(where, spec, "this key is a section or list, not a parameter; allowed: "
                    "a single value's dotted key"))
        return None
    if canonical.split(".")[-1] == "name":
        add(Problem(where, spec, "not sweepable: a name labels a lab, vendor or rule set "
                    "(keys address list items by it, and a rule set is swapped in only by "
                    "`set: [tasks.name=NAME]`); allowed: a parameter listed by `sim params`"))
        return None
    return canonical


def _support_valid(p: ParamSpec, base: dict, where: str, add) -> bool:
    """The base config with the parameter at each end of its support validates."""
    for which, value in p.support():
        try:
            validate(set_path(base, p.key, value), where)
        except SimInputError as exc:
            first = exc.problems[0]
            target = "" if first.field == p.key else f" ({first.field} = {first.value!r})"
            add(Problem(f"{where}.{which}", value,
                        f"outside what {p.key} allows{target}; {first.allowed}"))
            return False
    return True


OUTPUT_KEYS = ("years", "aggregates", "milestones", "paths", "paths_every_months")


def _did_you_mean(item) -> str:
    """The closest aggregate names, first: the full list is long enough to be cut."""
    import difflib

    close = difflib.get_close_matches(str(item), list(AGGREGATES), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _outputs(raw: Any, base: dict, add) -> Outputs:
    if not isinstance(raw, dict):
        add(Problem("outputs", raw, "allowed: a mapping with years, aggregates, milestones, "
                    "paths"))
        return Outputs()
    for k in raw:
        if k not in OUTPUT_KEYS:
            add(Problem(f"outputs.{_key(k)}", raw[k], f"unknown key; allowed: "
                        f"{', '.join(OUTPUT_KEYS)}"))
    years = _output_years(raw, base, add)
    lists = {name: _aggregate_list(raw, name, default, add)
             for name, default in (("aggregates", DEFAULT_AGGREGATES), ("paths", ()))}
    milestones = raw.get("milestones", True)
    if not isinstance(milestones, bool):
        add(Problem("outputs.milestones", milestones, "allowed: true or false"))
    if lists["aggregates"] and not years:
        add(Problem("outputs.years", [], "aggregates are kept at the end of these years; "
                    "allowed: at least one year, or aggregates: []"))
    if not (lists["aggregates"] or lists["paths"] or milestones is True):
        add(Problem("outputs", raw, "keeps nothing; allowed: some aggregates, paths or "
                    "milestones: true"))
    n_steps = validate(base, "base config").time.n_steps
    every = raw.get("paths_every_months", 1)
    if not _integer(every) or not 1 <= every <= min(120, n_steps):
        add(Problem("outputs.paths_every_months", every, f"allowed: an integer in [1, "
                    f"{min(120, n_steps)}] (the run has {n_steps} steps)"))
        every = 1
    return Outputs(years=years, aggregates=lists["aggregates"],
                   milestones=milestones is True, paths=lists["paths"], paths_every_months=every)


def _output_years(raw: dict, base: dict, add) -> tuple[int, ...]:
    """Calendar years inside the run, sorted, each once."""
    start, end = base["time"]["start_year"], base["time"]["end_year"]
    default_years = tuple(y for y in DEFAULT_YEARS if start <= y <= end) or (end,)
    years = raw.get("years", list(default_years))
    if not isinstance(years, list) or not all(_integer(y) for y in years):
        add(Problem("outputs.years", years, "allowed: a list of calendar years (integers)"))
        return default_years
    for y in years:
        if not start <= y <= end:
            add(Problem("outputs.years", y, f"outside the simulated years; allowed: "
                        f"{start:g}..{end}"))
    return tuple(sorted(set(years)))


def _aggregate_list(raw: dict, name: str, default: tuple, add) -> tuple[str, ...]:
    """Known aggregate names, each once, in the order given."""
    items = raw.get(name, list(default))
    if not isinstance(items, list):
        add(Problem(f"outputs.{name}", items, "allowed: a list of aggregate names"))
        return ()
    for item in items:
        if not isinstance(item, str) or item not in AGGREGATES:
            add(Problem(f"outputs.{name}", item, f"unknown aggregate{_did_you_mean(item)}; "
                        f"allowed: one of {', '.join(AGGREGATES)}"))
    return tuple(dict.fromkeys(i for i in items if isinstance(i, str) and i in AGGREGATES))


def saltelli_sizes(d: int, near: int) -> list[int]:
    """Run counts the Saltelli sampler accepts near ``near``: N x (D + 2), N a power of two."""
    n = max(2, 2 ** int(round(math.log2(max(near / (d + 2), 2)))))
    return sorted({max(2, n // 2) * (d + 2), n * (d + 2), 2 * n * (d + 2)})


def default_chunk_size(runs: int) -> int:
    """Runs per chunk when the sweep file gives none (see :data:`DEFAULT_CHUNK_SIZE`)."""
    return max(1, min(DEFAULT_CHUNK_SIZE, -(-runs // MIN_DEFAULT_CHUNKS)))


def _runs(raw: Any, sampler: str, params: list[ParamSpec], add) -> int:
    if sampler == "grid":
        total = math.prod(p.n_grid() for p in params) if params else 0
        if raw is not None and (not _integer(raw) or raw != total):
            shape = " x ".join(str(p.n_grid()) for p in params)
            add(Problem("runs", raw, f"the grid {shape} gives {total} runs; allowed: {total} "
                        "(or leave runs out)"))
        if total > MAX_RUNS:
            add(Problem("runs", total, f"allowed: at most {MAX_RUNS}"))
        return _sample_size(total, params, add)
    if not _integer(raw) or not 1 <= raw <= MAX_RUNS:
        add(Problem("runs", raw, f"allowed: an integer in [1, {MAX_RUNS}]"))
        return 0
    _sample_size(raw, params, add)
    if sampler == "saltelli" and params:
        d = len(params)
        n, rem = divmod(raw, d + 2)
        if rem or n < 2 or n & (n - 1):
            sizes = ", ".join(str(s) for s in saltelli_sizes(d, raw))
            add(Problem("runs", raw, f"the saltelli sampler needs N x (D + 2) runs with N a "
                        f"power of two >= 2 (D = {d} parameters); allowed: e.g. {sizes}"))
    if sampler == "latin" and raw < 2:
        add(Problem("runs", raw, "allowed: >= 2 for a Latin hypercube"))
    return raw


def _sample_size(runs: int, params: list[ParamSpec], add) -> int:
    """The sample matrix is held in memory: refuse one beyond :data:`MAX_SAMPLE_VALUES`."""
    if runs <= MAX_RUNS and runs * max(1, len(params)) > MAX_SAMPLE_VALUES:
        add(Problem("runs", runs, f"{runs} runs x {len(params)} parameters is too large a "
                    f"sample; allowed: runs x parameters <= {MAX_SAMPLE_VALUES:,}"))
    return runs


def _check_corners(params: list[ParamSpec], base: dict, source: str) -> None:
    """Parameters that are each valid may still break a rule together (e.g. a lab's initial
    training share above its maximum); rules are linear, so the corners of the box decide.
    """
    axes = [[v for _, v in p.support()] for p in params]
    corners = list(itertools.product(*axes)) if math.prod(len(a) for a in axes) <= MAX_CORNERS \
        else [tuple(a[i] for a, i in zip(axes, row, strict=True)) for row in
              np.random.default_rng(0).integers(0, [len(a) for a in axes],
                                                size=(MAX_CORNERS, len(axes)))]
    for corner in corners:
        data = base
        for p, v in zip(params, corner, strict=True):
            data = set_path(data, p.key, v)
        try:
            validate(data, source)
        except SimInputError as exc:
            at = ", ".join(f"{p.key}={v}" for p, v in zip(params, corner, strict=True))
            first = exc.problems[0]
            raise SweepFileError(source, [Problem(
                f"parameters ({first.field})", first.value,
                f"invalid where the ranges meet ({at}); {first.allowed}; allowed: ranges whose "
                "every combination is a valid config")]) from None
