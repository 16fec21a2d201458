"""Every parameter of the schema at each end of its documented range.

1. Finite: every recorded output stays finite over the whole 2023-2050 run, for each edge alone
   and for random combinations of edges (a property test). The schema's ranges are the ranges
   over which the model stays finite.
2. Batch independence: each edge scenario gives the same numbers, to the last bit, alone and
   inside one mixed batch holding every other edge (different parameters, different seeds), so
   no parameter is reduced across the scenario axis anywhere in the model.

Singles run on a shortened horizon (2023-2027) in two worker processes, to keep the suite to
about half a minute; the full horizon is covered by comparing the full batch with the same
scenarios in other batches.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parameter_edges import numeric_edges

import sim
from sim.config.loading import load_config
from sim.errors import SimInputError

EDGES = numeric_edges()
MIXABLE = [e for e in EDGES if not e.structural]
STRUCTURAL = [e for e in EDGES if e.structural]
SHORT = ("time.end_year=2027",)


def _configs(edges, extra=()):
    """One config per edge; each gets its own seed unless the edge is the seed itself."""
    return [e.config(extra, seed=None if e.key == "seed" else 1000 + i)
            for i, e in enumerate(edges)]


def _label(edge) -> str:
    return f"{edge.key}={edge.value!r} ({edge.side})"


def assert_same(a, b, what: str) -> None:
    """Every aggregate, occupation series and milestone of two one-scenario results, bitwise."""
    for kind in ("aggregates", "occupations", "milestones"):
        mine, theirs = getattr(a, kind), getattr(b, kind)
        assert set(mine) == set(theirs), f"{what}: {kind} differ in names"
        for name, values in mine.items():
            np.testing.assert_array_equal(values, theirs[name], err_msg=f"{what}: {name}")


def assert_finite(res, b: int, what: str) -> None:
    """Every recorded series of scenario ``b`` is finite (milestones may be NaN: not reached)."""
    for kind in ("aggregates", "occupations"):
        for name, values in getattr(res, kind).items():
            bad = ~np.isfinite(values[:, b])
            assert not bad.any(), (f"{what}: {kind[:-1]} {name} is {values[:, b][bad][0]} in "
                                   f"{res.times[np.flatnonzero(bad.any(axis=-1))[0]]:.2f}")


@pytest.fixture(scope="module")
def full_batch():
    """Every mixable edge, full horizon, one batch."""
    return sim.run_batch(_configs(MIXABLE)).sim


def test_edges_cover_every_numeric_parameter():
    from sim.config.paramdoc import bounds, parameter_rows
    numeric = {r["name"] for r in parameter_rows()
               if isinstance(r["default"], (int, float)) and not isinstance(r["default"], bool)}
    assert {e.key for e in EDGES} == numeric
    bounded = sum((lo is not None) + (hi is not None) for lo, _, hi, _ in
                  (bounds(r["field"]) for r in parameter_rows() if r["name"] in numeric))
    assert len(EDGES) == bounded  # both ends, where a range has them (inf: no cap)


def test_every_edge_keeps_every_output_finite(full_batch):
    for b, edge in enumerate(MIXABLE):
        assert_finite(full_batch, b, _label(edge))


def _alone(config):
    return sim.run(config).sim


def test_every_edge_alone_equals_itself_inside_a_mixed_batch():
    configs = _configs(MIXABLE, SHORT)
    batch = sim.run_batch(configs).sim
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing shared with pytest
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        alone = list(pool.map(_alone, configs, chunksize=8))
    for i, edge in enumerate(MIXABLE):
        assert_same(alone[i], batch.scenario(i), _label(edge))


def test_full_horizon_batch_does_not_depend_on_its_neighbours(full_batch):
    """The same scenarios, reversed and split into two batches, over 2023-2050."""
    configs = _configs(MIXABLE)[::-1]
    half = len(configs) // 2
    parts = [sim.run_batch(configs[:half]).sim, sim.run_batch(configs[half:]).sim]
    n = len(configs)
    for j in range(n):
        part, k = (parts[0], j) if j < half else (parts[1], j - half)
        i = n - 1 - j
        assert_same(part.scenario(k), full_batch.scenario(i), _label(MIXABLE[i]))


#: A partner for structural edges: the same shape, other parameters, another seed.
PARTNER = ("market.adoption_lag_years=3.0", "hardware.vendors.leader.capacity_lead_time_months=5",
           "capital.investor_growth_per_yr=0.8", "milestones.full_automation_share=0.95",
           "research.automated_researcher_share=0.5")


@pytest.mark.parametrize("edge", STRUCTURAL, ids=_label)
def test_structural_edge_is_finite_and_alone_equals_in_batch(edge):
    extra = () if edge.key.startswith("time.") else SHORT
    config = edge.config(extra, seed=7)
    partner = edge.config((*extra, *PARTNER), seed=8)
    alone = sim.run(config).sim
    assert_finite(alone, 0, _label(edge))
    assert_same(alone, sim.run_batch([partner, config]).sim.scenario(1), _label(edge))


@st.composite
def edge_combinations(draw):
    """A valid config with several parameters at random ends of their ranges."""
    picks = draw(st.lists(st.sampled_from(range(len(MIXABLE))), min_size=2, max_size=40,
                          unique=True))
    overrides = [o for i in picks for o in MIXABLE[i].overrides]
    try:
        return load_config(overrides=overrides, seed=draw(st.integers(0, 2**31)))
    except SimInputError:  # two partners pulled one field both ways: keep the first edges
        return load_config(overrides=overrides[:1])


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(edge_combinations(), min_size=60, max_size=60))
def test_combinations_of_edges_stay_finite(configs):
    res = sim.run_batch(configs, record_occupations=False).sim
    for b, config in enumerate(configs):
        assert_finite(res, b, f"combination {b}: {config.model_dump(exclude_defaults=True)}")
