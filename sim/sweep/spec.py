"""The sweep file: which parameters, over what ranges or distributions, sampled how, how many
runs, which outputs. Everything is checked before any run, and every problem is reported on one
line naming the file, the field, the value and what is allowed.

Parameters use the dotted keys of ``--set`` (``labs.frontier_b.human_researchers``,
``hardware.vendors.0.markup``). A distribution's support is checked against the config schema
itself: the base config with the parameter at each end of its support must validate.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.errors import Problem, SimInputError
from sim.loading import config_to_yaml, load_config, read_yaml, validate
from sim.recorder import AGGREGATES
from sim.yaml_io import parse_yaml

SAMPLERS = ("grid", "latin", "saltelli", "montecarlo")
DISTRIBUTIONS = ("uniform", "loguniform", "normal", "triangular", "choice")
#: Unit-interval draws are kept this far from 0 and 1, so a normal's support is finite
#: (mean +- 7.03 sd) and can be checked against the schema.
U_EPS = 1e-12
MAX_RUNS = 10_000_000
MAX_CORNERS = 256
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
TOP_KEYS = ("name", "description", "seed", "sampler", "runs", "chunk_size", "base", "scenario",
            "set", "parameters", "outputs", "inject_fault")
DIST_KEYS = {"uniform": ("low", "high"), "loguniform": ("low", "high"),
             "normal": ("mean", "sd"), "triangular": ("low", "mode", "high"),
             "choice": ("values",)}
OPTIONAL_DIST_KEYS = {"normal": ("low", "high")}


class SweepFileError(SimInputError):
    """A sweep file that cannot be run: unknown parameter, bad range, sampler or size."""


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
    inject_fault: dict | None = None  #: test-only: see :func:`sim.sweep.runner.check_fault`
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
        if self.inject_fault:
            body["inject_fault"] = dict(self.inject_fault)
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
    if part.isdigit() and int(part) < len(items):
        return int(part)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    raise KeyError(part)


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


def _number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw)


def load_sweep(path: Path | str | None = None, *, text: str | None = None,
               seed: int | None = None) -> SweepSpec:
    """Read and check a sweep file; raises :class:`SweepFileError` listing every problem."""
    if text is not None:
        source = str(path or "sweep")
        raw = parse_yaml(text, source) or {}
        folder = Path(path).parent if path else Path.cwd()
    else:
        source = str(path)
        raw = read_yaml(path)
        folder = Path(path).parent
    if seed is not None:
        raw["seed"] = seed
    return parse_sweep(raw, source, folder)


def parse_sweep(raw: dict, source: str, folder: Path) -> SweepSpec:
    """Check a sweep mapping against the schema and the samplers; see :func:`load_sweep`."""
    problems: list[Problem] = []
    add = problems.append
    for key in raw:
        if key not in TOP_KEYS and key != "base_config":
            add(Problem(str(key), raw[key], f"unknown key; allowed: {', '.join(TOP_KEYS)}"))

    base = _base_config(raw, source, folder)

    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        add(Problem("seed", seed, "allowed: an integer in [0, 2^63)"))
        seed = 0
    sampler = raw.get("sampler", "latin")
    if sampler not in SAMPLERS:
        add(Problem("sampler", sampler, f"unknown sampler; allowed: one of {', '.join(SAMPLERS)}"))
    params = _parameters(raw.get("parameters"), base, sampler, add)
    outputs = _outputs(raw.get("outputs") or {}, base, add)
    runs = _runs(raw.get("runs"), sampler, params, add)
    chunk_size = raw.get("chunk_size", default_chunk_size(runs))
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or not \
            1 <= chunk_size <= 100_000:
        add(Problem("chunk_size", chunk_size, "allowed: an integer in [1, 100000]"))

    fault = raw.get("inject_fault")
    if fault is not None and not (isinstance(fault, dict)
                                  and isinstance(fault.get("parameter"), str)
                                  and _number(fault.get("above"))
                                  and fault.get("kind", "raise") in ("raise", "nan")):
        add(Problem("inject_fault", fault, "allowed: {parameter: KEY, above: NUMBER, "
                    "kind: raise|nan} (test-only)"))
    if problems:
        raise SweepFileError(source, problems)
    if len(params) > 1:
        _check_corners(params, base, source)
    return SweepSpec(name=str(raw.get("name") or Path(source).stem), seed=seed, sampler=sampler,
                     runs=runs, chunk_size=chunk_size, parameters=tuple(params),
                     outputs=outputs, base=base, description=str(raw.get("description") or ""),
                     inject_fault=fault, source=source)


def _base_config(raw: dict, source: str, folder: Path) -> dict:
    """The resolved config every run starts from: defaults, ``base`` file, overlay, ``set``."""
    if "base_config" in raw:  # a sweep definition written by a previous sweep
        return validate(raw["base_config"], f"{source}: base_config").model_dump(mode="python")
    base = raw.get("base")
    path = None
    if base is not None:
        path = Path(base) if Path(base).is_absolute() else folder / base
    overrides = raw.get("set") or []
    if not isinstance(overrides, list) or not all(isinstance(s, str) for s in overrides):
        raise SweepFileError(source, [Problem("set", overrides,
                                              "allowed: a list of 'dotted.key=value' strings")])
    config = load_config(path, raw.get("scenario"), overrides)
    return config.model_dump(mode="python")


def _parameters(raw: Any, base: dict, sampler: str, add) -> list[ParamSpec]:
    if not isinstance(raw, dict) or not raw:
        add(Problem("parameters", raw, "allowed: a mapping of dotted parameter keys to "
                    "distributions, at least one"))
        return []
    out = []
    for key, spec in raw.items():
        where = f"parameters.{key}"
        key = str(key)
        if key == "seed" or key.startswith("time."):
            add(Problem(where, spec, "not sweepable: each run's seed comes from the sweep seed, "
                        "and the time axis is shared; allowed: set it for the whole sweep "
                        "with `set:`"))
            continue
        try:
            default = get_path(base, key)
        except (KeyError, IndexError):
            add(Problem(where, spec, "unknown parameter; allowed: a dotted key listed by "
                        "`sim params` (list items by index or name, e.g. "
                        "hardware.vendors.0.markup)"))
            continue
        if isinstance(default, (dict, list, tuple)):
            add(Problem(where, spec, "this key is a section or list, not a parameter; allowed: "
                        "a single value's dotted key"))
            continue
        p = _distribution(where, key, spec, default, sampler, add)
        if p is None:
            continue
        ok = True
        for which, value in p.support():
            try:
                validate(set_path(base, key, value), where)
            except SimInputError as exc:
                first = exc.problems[0]
                target = "" if first.field == key else f" ({first.field} = {first.value!r})"
                add(Problem(f"{where}.{which}", value,
                            f"outside what {key} allows{target}; {first.allowed}"))
                ok = False
                break
        if ok:
            out.append(p)
    return out


def _distribution(where, key, spec, default, sampler, add) -> ParamSpec | None:
    if not isinstance(spec, dict):
        add(Problem(where, spec, f"allowed: a mapping with 'dist' (one of "
                    f"{', '.join(DISTRIBUTIONS)}) and its fields"))
        return None
    dist = spec.get("dist")
    if dist not in DISTRIBUTIONS:
        add(Problem(f"{where}.dist", dist, f"unknown distribution; allowed: one of "
                    f"{', '.join(DISTRIBUTIONS)}"))
        return None
    allowed_keys = {"dist", "levels", *DIST_KEYS[dist], *OPTIONAL_DIST_KEYS.get(dist, ())}
    bad = False
    for k in spec:
        if k not in allowed_keys:
            add(Problem(f"{where}.{k}", spec[k], f"unknown key for {dist}; allowed: "
                        f"{', '.join(sorted(allowed_keys))}"))
            bad = True
    for k in DIST_KEYS[dist]:
        if k not in spec:
            add(Problem(f"{where}.{k}", "(missing)", f"required for {dist}; allowed: "
                        f"{', '.join(DIST_KEYS[dist])}"))
            bad = True
    if bad:
        return None
    numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
    integer = isinstance(default, int) and not isinstance(default, bool)
    if dist == "choice":
        values = spec["values"]
        if not isinstance(values, list) or not values:
            add(Problem(f"{where}.values", values, "empty choice; allowed: a non-empty list"))
            return None
        if not all(isinstance(v, (int, float, str)) and not isinstance(v, bool)
                   for v in values):
            add(Problem(f"{where}.values", values, "allowed: numbers or strings"))
            return None
        if integer and not all(isinstance(v, int) for v in values):
            add(Problem(f"{where}.values", values, f"{key} is an integer; allowed: integers"))
            return None
        levels = None
    else:
        if not numeric:
            add(Problem(f"{where}.dist", dist, f"{key} is not a number ({default!r}); "
                        "allowed: choice"))
            return None
        for k in (*DIST_KEYS[dist], *OPTIONAL_DIST_KEYS.get(dist, ())):
            if k in spec and not _number(spec[k]):
                add(Problem(f"{where}.{k}", spec[k], "allowed: a finite number"))
                bad = True
        if bad:
            return None
        lo, hi = spec.get("low"), spec.get("high")
        if lo is not None and hi is not None:
            if lo == hi:
                add(Problem(f"{where}.high", hi, f"empty range [{lo}, {hi}]; allowed: "
                            f"high > low ({lo})"))
                return None
            if lo > hi:
                add(Problem(f"{where}.high", hi, f"inverted range (low = {lo} > high); "
                            f"allowed: high > low ({lo})"))
                return None
        if dist == "loguniform" and lo <= 0:
            add(Problem(f"{where}.low", lo, "allowed: > 0 for loguniform"))
            return None
        if dist == "normal" and spec["sd"] <= 0:
            add(Problem(f"{where}.sd", spec["sd"], "allowed: > 0"))
            return None
        if dist == "normal" and lo is not None and hi is not None and not lo <= spec["mean"] <= hi:
            add(Problem(f"{where}.mean", spec["mean"], f"allowed: within [low, high] = "
                        f"[{lo}, {hi}]"))
            return None
        if dist == "triangular" and not lo <= spec["mode"] <= hi:
            add(Problem(f"{where}.mode", spec["mode"], f"allowed: within [low, high] = "
                        f"[{lo}, {hi}]"))
            return None
        levels = spec.get("levels")
        if sampler == "grid" and levels is None:
            add(Problem(f"{where}.levels", "(missing)", "the grid sampler needs the number of "
                        "points per axis; allowed: an integer >= 2"))
            return None
        if levels is not None and (not isinstance(levels, int) or isinstance(levels, bool)
                                   or levels < 2):
            add(Problem(f"{where}.levels", levels, "allowed: an integer >= 2"))
            return None
        values = ()
    return ParamSpec(key=key, dist=dist, low=spec.get("low"), high=spec.get("high"),
                     mean=spec.get("mean"), sd=spec.get("sd"), mode=spec.get("mode"),
                     values=tuple(values), levels=levels, integer=integer)


def _outputs(raw: Any, base: dict, add) -> Outputs:
    if not isinstance(raw, dict):
        add(Problem("outputs", raw, "allowed: a mapping with years, aggregates, milestones, "
                    "paths"))
        return Outputs()
    for k in raw:
        if k not in ("years", "aggregates", "milestones", "paths", "paths_every_months"):
            add(Problem(f"outputs.{k}", raw[k], "unknown key; allowed: years, aggregates, "
                        "milestones, paths, paths_every_months"))
    start, end = base["time"]["start_year"], base["time"]["end_year"]
    default_years = tuple(y for y in DEFAULT_YEARS if start <= y <= end) or (end,)
    years = raw.get("years", list(default_years))
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool)
                                              for y in years):
        add(Problem("outputs.years", years, "allowed: a list of calendar years (integers)"))
        years = list(default_years)
    for y in years:
        if not start <= y <= end:
            add(Problem("outputs.years", y, f"outside the simulated years; allowed: "
                        f"{start:g}..{end}"))
    lists = {}
    for name, default in (("aggregates", list(DEFAULT_AGGREGATES)), ("paths", [])):
        items = raw.get(name, default)
        if not isinstance(items, list):
            add(Problem(f"outputs.{name}", items, "allowed: a list of aggregate names"))
            items = []
        for item in items:
            if item not in AGGREGATES:
                add(Problem(f"outputs.{name}", item, "unknown aggregate; allowed: one of "
                            f"{', '.join(AGGREGATES)}"))
        lists[name] = tuple(i for i in items if i in AGGREGATES)
    milestones = raw.get("milestones", True)
    if not isinstance(milestones, bool):
        add(Problem("outputs.milestones", milestones, "allowed: true or false"))
    every = raw.get("paths_every_months", 1)
    if not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 120:
        add(Problem("outputs.paths_every_months", every, "allowed: an integer in [1, 120]"))
        every = 1
    return Outputs(years=tuple(sorted(set(years))), aggregates=lists["aggregates"],
                   milestones=bool(milestones), paths=lists["paths"], paths_every_months=every)


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
        if raw is not None and raw != total:
            shape = " x ".join(str(p.n_grid()) for p in params)
            add(Problem("runs", raw, f"the grid {shape} gives {total} runs; allowed: {total} "
                        "(or leave runs out)"))
        if total > MAX_RUNS:
            add(Problem("runs", total, f"allowed: at most {MAX_RUNS}"))
        return total
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_RUNS:
        add(Problem("runs", raw, f"allowed: an integer in [1, {MAX_RUNS}]"))
        return 0
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
