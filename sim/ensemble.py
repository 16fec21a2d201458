"""Ensembles: one scenario run many times with its uncertain parameters drawn from their
documented ranges, all members stepped as one batch, and the spread across members.

Where the ranges come from: the distributions of a sweep file, by default
``configs/sweeps/agi_arrival.yaml`` (16 drivers, each commented with its source), read and
checked by the sweep machinery (:func:`sim.sweep.load_sweep`). The scenario's own config
(``--scenario``, ``--set``, a config file) is the base: each member is that config with the
drawn parameters replaced, so the time axis (``time.*``) and everything not drawn are the
run's. The file's ``base``, ``scenario`` and ``set:`` describe a sweep's base and are not used.

How members are drawn: independent (Monte Carlo) draws of every distribution, whatever sampler
the file names (a grid or a Saltelli design serves a sweep's analysis, not a band), seeded by
the ensemble seed; member ``i``'s model seed comes from the ensemble seed and ``i``
(:func:`sim.sweep.sampling.run_seeds`). So member ``i`` is run ``i`` of the sweep written to
the result folder's ``ensemble.yaml``, and the first ``k`` members of an ensemble of ``n`` are
the members of the ensemble of ``k`` with the same seed.

Only ``numpy`` is imported at module level: the sweep machinery and the model load on first
use, so ``import sim.ensemble`` is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import Problem, SimInputError
from sim.forks import ForkedCall

if TYPE_CHECKING:  # imported on first use: they pull in the model and scipy
    import pandas as pd

    from sim.config.schema import SimConfig
    from sim.outputs.results import Results
    from sim.sweep.spec import ParamSpec, SweepSpec

#: The ranges used when none are given: the AGI-arrival Monte Carlo's sourced drivers.
DEFAULT_RANGES = Path(__file__).resolve().parent.parent / "configs" / "sweeps" / \
    "agi_arrival.yaml"
#: Members of one ensemble. At least two, or there is no spread; at most 1000, which steps in
#: one batch in ~10 s and ~1 GB on the built-in occupations (the batch holds every member's
#: state and aggregates in memory at once; a larger study belongs in ``sim sweep``).
MIN_MEMBERS = 2
MAX_MEMBERS = 1000
#: The percentiles of the bands and of the milestone table.
PERCENTILES = (10, 50, 90)
#: The member whose occupations are recorded is the one whose path of this aggregate lies
#: closest to the ensemble's median path (see :func:`median_member`).
MEDIAN_BY = "adopted_share"
ALLOWED_RANGES = ("allowed: a sweep file (as `sim sweep` reads it) whose parameters each "
                  "stay valid for this run's config")


@dataclass(frozen=True)
class Ranges:
    """The uncertain parameters and the distributions their values are drawn from."""

    source: str  #: the file they come from (or "(given)" for a mapping)
    parameters: tuple[ParamSpec, ...]  #: canonical keys, checked against the run's config
    notes: dict[str, str] = field(default_factory=dict)  #: key -> the file's comment on it
    unused: tuple[str, ...] = ()  #: top-level keys of the file an ensemble does not use

    @property
    def keys(self) -> tuple[str, ...]:
        """The parameters' dotted keys, in the file's order."""
        return tuple(p.key for p in self.parameters)


@dataclass
class EnsemblePlan:
    """An ensemble before it runs: its base config, members' drawn values and seeds."""

    base: SimConfig  #: the run's own config (its seed is the ensemble seed)
    n: int
    seed: int
    ranges: Ranges
    spec: SweepSpec  #: the same members as a sweep (``ensemble.yaml`` in the result folder)
    values: list[np.ndarray] | None  #: per parameter, its ``n`` drawn values
    seeds: np.ndarray | None  #: per member, its model seed

    def draw(self, ahead: ForkedCall | None = None) -> EnsemblePlan:
        """Fill in ``values`` and ``seeds`` (from ``ahead``, the same drawing done in a forked
        process by :meth:`draw_ahead`, when it succeeded); returns the plan.
        """
        found = ahead.result() if ahead is not None else None
        if found is None:
            found = _draws(self.spec, self.seed, self.n)
        self.values, self.seeds = found
        return self

    def draw_ahead(self) -> ForkedCall | None:
        """Start drawing in a forked process (the distributions' inverse CDFs import
        scipy.stats, ~1 s), to be collected by :meth:`draw`; None where there is no fork.
        """
        return ForkedCall.start(lambda: _draws(self.spec, self.seed, self.n))

    def member_config(self, i: int, base: SimConfig | None = None) -> SimConfig:
        """The config of member ``i``: the base with member ``i``'s draws and seed (``base``:
        the base already validated, see :func:`sim.sweep.runner.build_config`).
        """
        from sim.sweep.runner import build_config, validated

        if base is None:
            base = validated(self.spec.base)
        return build_config(self.spec.base, self.spec.keys, [v[i] for v in self.values],
                            int(self.seeds[i]), base)

    def configs(self) -> list[SimConfig]:
        """Every member's config, in member order."""
        from sim.sweep.runner import validated

        base = validated(self.spec.base)
        return [self.member_config(i, base) for i in range(self.n)]

    def members_frame(self) -> pd.DataFrame:
        """One row per member: ``scenario`` (the member's index in the result tables), its
        model ``seed`` and one column per drawn parameter.
        """
        import pandas as pd

        data: dict[str, Any] = {"scenario": np.arange(self.n), "seed": self.seeds}
        for key, v in zip(self.spec.keys, self.values, strict=True):
            data[key] = v
        return pd.DataFrame(data)

    def describe(self) -> dict:
        """The ensemble's definition as ``ensemble.json`` records it."""
        base = self.spec.base
        return {
            "members": self.n, "seed": self.seed, "percentiles": list(PERCENTILES),
            "ranges_from": self.ranges.source, "sampler": "montecarlo",
            "unused_keys_of_ranges_file": list(self.ranges.unused),
            "median_member_by": MEDIAN_BY,
            "parameters": [{"key": p.key, **p.as_dict(),
                            "scenario_value": _plain(_get(base, p.key)),
                            "source": self.ranges.notes.get(p.key, "")}
                           for p in self.ranges.parameters]}


def _draws(spec: SweepSpec, seed: int, n: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Each parameter's ``n`` values and each member's model seed."""
    from sim.sweep.sampling import run_seeds, sample_values

    return sample_values(spec), run_seeds(seed, np.arange(n))


def _get(data, key: str):
    from sim.sweep.spec import get_path

    return get_path(data, key)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


# ----------------------------------------------------------------------------- drawing


def check_members(n, arg: str = "--ensemble") -> int:
    """``n`` as a member count, or :class:`SimInputError` naming ``arg``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) \
            or not MIN_MEMBERS <= n <= MAX_MEMBERS:
        raise SimInputError(arg, [Problem(arg, n, f"allowed: an integer from {MIN_MEMBERS} to "
                                          f"{MAX_MEMBERS} (members stepped in one batch; for "
                                          "more runs use `sim sweep`)")])
    return int(n)


def _notes(text: str, keys: list[str]) -> dict[str, str]:
    """The comment written beside each parameter of a sweep file's ``parameters:`` block (a
    source, by this project's convention), joined over its lines; keys as written.
    """
    notes: dict[str, list[str]] = {}
    inside, indent, current = False, None, None
    for line in text.splitlines():
        if re.match(r"parameters\s*:", line):
            inside = True
            continue
        if not inside or not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if width == 0 and not line.lstrip().startswith("#"):
            break  # the next top-level key
        code, _, comment = line.partition(" #")
        if line.lstrip().startswith("#"):
            code, comment = "", line.lstrip()[1:]
        m = re.match(r"\s+([^\s#:'\"{][^:#]*?)\s*:", code)
        if m and (indent is None or width <= indent):
            indent, current = width, m.group(1)
        if current in keys and comment.strip():
            notes.setdefault(current, []).append(comment.strip())
    return {k: " ".join(v) for k, v in notes.items()}


def _read_ranges(ranges) -> tuple[str, dict[str, str], tuple[str, ...], dict]:
    """Where ``ranges`` come from, the comments on each parameter, the file's keys an ensemble
    does not use, and the ``parameters`` mapping (not yet checked against a run's config).
    """
    from sim.config.loading import read_yaml
    from sim.sweep.spec import SweepSpec, load_sweep

    if ranges is None or isinstance(ranges, (str, Path)):
        path = Path(DEFAULT_RANGES if ranges is None else ranges)
        if ranges is None and not path.is_file():
            raise SimInputError("--ensemble-from", [Problem(
                "--ensemble-from", "(not given)", f"the default ranges file {path} is missing "
                f"(an installation without the configs folder); {ALLOWED_RANGES}")])
        spec = load_sweep(path)  # the whole file, as `sim sweep` checks it
        raw = read_yaml(path)
        written = [str(k) for k in raw["parameters"]]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeError):
            text = ""
        by_written = _notes(text, written)
        notes = {p.key: by_written.get(w, "") for w, p in zip(written, spec.parameters,
                                                               strict=True)}
        unused = tuple(k for k in ("base", "scenario", "set", "base_config")
                       if raw.get(k) not in (None, []))
        return str(path), notes, unused, _distributions(spec)
    if isinstance(ranges, SweepSpec):
        return ranges.source, {}, (), _distributions(ranges)
    if isinstance(ranges, Mapping):
        return "(given)", {}, (), dict(ranges)
    raise TypeError("ranges: None, a sweep file's path, a SweepSpec or a mapping of "
                    f"parameters, not {type(ranges).__name__}")


def _distributions(spec: SweepSpec) -> dict:
    """A sweep's parameters as a ``parameters:`` mapping for independent draws (a grid's
    ``levels`` dropped: they have no effect there).
    """
    return {p.key: {k: v for k, v in p.as_dict().items() if k != "levels"}
            for p in spec.parameters}


def load_ranges(base: SimConfig, ranges=None) -> Ranges:
    """The ranges to draw from, checked against ``base``.

    ``ranges``: None (:data:`DEFAULT_RANGES`), a sweep file's path, a
    :class:`sim.sweep.SweepSpec`, or a mapping of dotted keys to distributions (a sweep
    file's ``parameters:``). A file is first checked as ``sim sweep`` checks it; then every
    parameter's support, and the corners where they meet, must be valid for ``base``.
    """
    source, notes, unused, params = _read_ranges(ranges)
    spec = _against(base, params, seed=0, n=MIN_MEMBERS, source=source)
    return Ranges(source, spec.parameters, notes, unused)


def _against(base: SimConfig, params: dict, seed: int, n: int, source: str) -> SweepSpec:
    """The sweep of ``n`` Monte Carlo draws of ``params`` around ``base`` (every support and
    corner validated against it).
    """
    from sim.sweep.spec import parse_sweep

    raw = {"name": "ensemble", "seed": int(seed), "sampler": "montecarlo", "runs": int(n),
           "chunk_size": int(n), "parameters": params,
           "base_config": base.model_dump(mode="python"),
           "description": f"ensemble of {n} members; ranges from {source}"}
    return parse_sweep(raw, f"{source} (drawn around this run's config)", Path.cwd())


def plan(base: SimConfig, n: int, seed: int | None = None, ranges=None, *,
         arg: str = "--ensemble", draw: bool = True) -> EnsemblePlan:
    """Draw an ensemble of ``n`` members around ``base`` (seed: ``base.seed`` if None).
    Every input is checked first; ``draw`` False leaves the drawing to
    :meth:`EnsemblePlan.draw` (``values`` and ``seeds`` None until then).
    """
    n = check_members(n, arg)
    seed = base.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**63:
        raise SimInputError("seed", [Problem("seed", seed, "allowed: an integer in [0, 2^63)")])
    base = base.model_copy(update={"seed": int(seed)})
    source, notes, unused, params = _read_ranges(ranges)
    spec = _against(base, params, seed, n, source)
    found = EnsemblePlan(base, n, int(seed), Ranges(source, spec.parameters, notes, unused),
                         spec, None, None)
    return found.draw() if draw else found


def draw_configs(base: SimConfig, n: int, seed: int, ranges=None) -> list[SimConfig]:
    """The configs of an ensemble of ``n`` members around ``base``.

    Each member is ``base`` with the uncertain parameters replaced by independent draws from
    their distributions (``ranges``: None for the sourced ranges of
    ``configs/sweeps/agi_arrival.yaml``, a sweep file's path, a :class:`sim.sweep.SweepSpec`,
    or a mapping of dotted keys to distributions as in a sweep file's ``parameters:``), and
    its own model seed, derived from ``seed`` and its index. ``base``'s time axis and every
    parameter not drawn are kept. The same arguments always give the same configs, and the
    first ``k`` configs do not depend on ``n``. Run them together with
    ``sim.run_batch(configs)``; each equals ``sim.run(config)`` alone, bit for bit.

    Raises :class:`sim.errors.SimInputError` for ``n`` outside 2..1000, or ranges that are
    not a valid sweep file or would leave what ``base`` allows.
    """
    return plan(base, n, seed, ranges, arg="n").configs()


# ----------------------------------------------------------------------------- statistics


def bands(values: np.ndarray, q=PERCENTILES) -> np.ndarray:
    """Percentiles ``q`` across members (the last axis) of ``values`` (..., N): shape
    (len(q), ...), linear interpolation between members.
    """
    return np.percentile(np.asarray(values, float), q, axis=-1)


def censored_percentiles(years: np.ndarray, q=PERCENTILES) -> tuple[np.ndarray, float]:
    """Percentiles of a milestone's year over members, a member that never reaches it (NaN)
    counting as later than any year; a percentile that falls among those is ``inf``. Returns
    the percentiles and the share of members that reach it.
    """
    x = np.sort(np.where(np.isnan(years), np.inf, np.asarray(years, float)))
    n = len(x)
    out = []
    for p in q:
        pos = p / 100 * (n - 1)
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        if not np.isfinite(x[hi]):
            out.append(np.inf)
        else:
            out.append(float(x[lo] + (pos - lo) * (x[hi] - x[lo])))
    return np.array(out), float(np.isfinite(x).mean())


def median_member(series: np.ndarray) -> int:
    """The member (column of ``series``, (T, N)) whose path lies closest to the pointwise
    median path: least mean absolute distance over the steps; the lowest index on a tie.
    """
    series = np.asarray(series, float)
    median = np.median(series, axis=1, keepdims=True)
    return int(np.argmin(np.abs(series - median).mean(axis=0)))


def _stats(values: np.ndarray) -> dict:
    p = bands(values)
    return {f"p{q}": float(v) for q, v in zip(PERCENTILES, p, strict=True)}


def summary(results: Results) -> dict:
    """``ensemble.json``: the definition, the median member, and percentiles over members of
    each milestone year (with the share of members that reach it; a percentile among those
    that do not is null), of peak unemployment and of the workforce figures of the summary.
    """
    from sim.outputs.results import SUMMARY_YEARS

    plan_ = results.ensemble
    k = results.median_member
    out = plan_.describe()
    out["median_member"] = {"scenario": k, "seed": int(plan_.seeds[k])}
    milestones = {}
    for name, years in results.milestones.items():
        p, share = censored_percentiles(years)
        milestones[name] = {**{f"p{q}": (round(float(v), 3) if np.isfinite(v) else None)
                               for q, v in zip(PERCENTILES, p, strict=True)},
                            "share_reached": share}
    out["milestones"] = milestones
    rate = results.aggregates["unemployment_rate"]
    peak = np.argmax(rate, axis=0)
    out["peak_unemployment_rate"] = _stats(rate.max(axis=0))
    out["peak_unemployment_year"] = _stats(results.times[peak])
    end = float(results.times[-1])
    out["workforce"] = {}
    for y in SUMMARY_YEARS:
        if y <= end:
            i = results.step_of_year(y)
            out["workforce"][str(y)] = {name: _stats(results.aggregates[name][i]) for name in (
                "ai_human_equivalent_workers", "employed", "augmented_share", "ai_rd_multiplier")}
    return out


# ----------------------------------------------------------------------------- running


#: Occupation series are recorded for every member during the batch (and the median member's
#: kept) when they take at most this much memory; larger tables (the detailed occupations)
#: are recorded by running the median member again alone, which gives the same numbers.
RECORD_IN_BATCH_BYTES = 256 * 2**20


def _record_in_batch(configs: list[SimConfig]) -> bool:
    from sim.data.occupations import load_occupations
    from sim.model.recorder import OCCUPATION_SERIES

    if configs[0].occupations.source != "builtin":
        return False
    size = (len(OCCUPATION_SERIES) * configs[0].time.n_steps * len(configs)
            * load_occupations(configs[0]).n_occupations * 8)
    return size <= RECORD_IN_BATCH_BYTES


def run_ensemble(base: SimConfig, n: int, seed: int | None = None, ranges=None, *,
                 progress: bool = False, plan_: EnsemblePlan | None = None,
                 after_batch=None, name: str = ""):
    """Run an ensemble: every member in one batch (aggregates and milestones of all), and the
    occupation series of its median member (:func:`median_member`). Returns the record over
    the members (``median_member`` in its attributes, the occupation series of that member
    only; its view ``.sim`` holds the plan as ``ensemble``). ``after_batch``: called with the
    view of that record before the occupations are attached (the command line starts drawing
    the band figures there). ``name``: the scenario's name, each member's in the record.

    The occupations come from the batch when they fit in :data:`RECORD_IN_BATCH_BYTES`, else
    from the median member run again alone, which must then equal its column of the batch bit
    for bit (a scenario's numbers do not depend on its batch; a difference raises
    ``RuntimeError``).
    """
    from sim.outputs import record
    from sim.runner import run as run_one
    from sim.runner import run_batch

    plan_ = plan_ or plan(base, n, seed, ranges)
    configs = plan_.configs()
    in_batch = _record_in_batch(configs)
    with np.errstate(all="ignore"):  # as a sweep: non-finite outputs are caught afterwards
        batch = run_batch(configs, progress=progress, record_occupations=in_batch,
                          names=[name] * len(configs))
    results = batch.sim
    k = median_member(results.aggregates[MEDIAN_BY]) \
        if np.isfinite(results.aggregates[MEDIAN_BY]).all() else 0

    def members(occupations=None):
        """The members' record holding member ``k``'s occupations, marked as the ensemble."""
        out = record.with_occupations_of(batch, k, occupations)
        out.attrs["median_member"] = k
        out.sim.ensemble = plan_
        return out

    if after_batch is not None:
        after_batch(members({}).sim)
    if in_batch:
        return members()
    with np.errstate(all="ignore"):
        alone = run_one(configs[k]).sim
    for series, values in alone.aggregates.items():
        if not np.array_equal(values[:, 0], results.aggregates[series][:, k], equal_nan=True):
            raise RuntimeError(f"member {k} run alone differs from its batch in {series}")
    return members(alone.occupations)
