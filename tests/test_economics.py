"""The AI side of the economics against its sources and peers (the figures the README quotes).

1. Automation starts small and augmentation follows exposure (Eloundou et al.; ECONOMICS.md).
2. Davidson's presets reproduce his model's milestones (experiments/peer_comparison.py).
3. The leading lab's copies in 2030 land near Steinhardt's ~1.5M [000].
4. Research feedback is real: with returns above 1 and AI doing research, software progress
   accelerates past 10x its 2023 rate and keeps accelerating; with returns below 1, or without
   growing experiment compute, it levels off; no formula caps it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.config import peers

ROOT = Path(__file__).resolve().parent.parent
PEER_DATA = peers.DEFAULT_DATA_DIR
needs_peers = pytest.mark.skipif(not (PEER_DATA / peers.INPUTS_FILE).is_file(),
                                 reason=f"peer records not found at {PEER_DATA}")


def _value(res, name, year):
    return float(res.aggregates[name][int(np.searchsorted(res.times, year)), 0])


@pytest.fixture(scope="module")
def default():
    return sim.run(sim.load_config(), record_occupations=False).sim


def test_automation_starts_small(default):
    assert _value(default, "capable_share", 2023.0) <= 0.03
    assert _value(default, "capable_share", 2025.92) <= 0.10
    # augmentation is already large: most E1 and E2 hours are helped by the end of 2025
    helped = _value(default, "augmentable_share", 2025.92) + _value(default, "capable_share",
                                                                    2025.92)
    assert helped > 0.5


def test_leading_lab_copies_in_2030_near_steinhardt(default):
    for year in (2030.0, 2030.5, 2030.92):
        assert 5e5 <= _value(default, "leader_copies_at_human_speed", year) <= 5e6, year
    # the run-time compute of a worker then is Davidson's ~1.7e16 FLOP/s within an OOM
    assert 1.7e15 <= _value(default, "flop_per_s_per_ai_worker", 2030.5) <= 1.7e17


def test_copy_arithmetic_is_unchanged():
    from sim.model.mechanisms import copies
    assert copies.human_years_from_flop(3.14e23, 175e9) == pytest.approx(3_400, rel=0.02)


@needs_peers
def test_presets_equal_a_fresh_build_from_the_peer_inputs():
    for name, ftm in peers.read_inputs(PEER_DATA).items():
        assert peers.overlay_path(name).read_text() == peers.overlay_text(name, ftm), (
            f"regenerate with: python -m sim.config.peers ({name})")


def _experiment(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@needs_peers
def test_presets_reproduce_the_peers_milestones(capsys):
    mod = _experiment("peer_comparison")
    assert mod.main(["--data", str(PEER_DATA)]) == 0, capsys.readouterr().out


# --- research feedback ---------------------------------------------------------------------

#: A world where AI can do AI research early and compute keeps growing: the research law alone
#: decides whether progress explodes.
FAST_RESEARCH = ["time.end_year=2036", "tasks.automation.requirement_100pct_oom=31.0",
                 "tasks.automation.research_easier_oom=2.0", "algorithms.max_efficiency_oom=40",
                 "algorithms.runtime_efficiency_share=1.0", "algorithms.efficiency_noise_sd=0"]


def _speedup(*overrides):
    res = sim.run(sim.load_config(overrides=[*FAST_RESEARCH, *overrides]),
                  record_occupations=False).sim
    return res.times, res.aggregates["rd_speedup"][:, 0], res


def test_returns_above_one_make_ai_research_explode():
    # Davidson's near-Cobb-Douglas research function: experiments do not hold research back
    t, speedup, res = _speedup("algorithms.software_returns=3.0", "research.ces_rho=-0.01")
    assert res.aggregates["research_automation_share"][:, 0].max() > 0.9  # AI does the research
    first = int(np.argmax(speedup > 10.0))
    assert speedup[first] > 10.0                       # passes 10x the 2023 rate ...
    # ... and keeps accelerating: each half-year's peak above the last (it jumps with each new
    # model and eases between releases, as cumulative input catches up)
    peaks = [speedup[first + 6 * k:first + 6 * (k + 1)].max() for k in range(3)]
    assert peaks[0] < peaks[1] < peaks[2] and peaks[2] > 40.0


def test_returns_below_one_level_off():
    t, speedup, _ = _speedup("algorithms.software_returns=0.7")
    assert speedup.max() < 10.0
    assert speedup[-1] <= speedup.max()               # no runaway: it peaks and settles


def test_no_experiment_compute_growth_levels_off():
    frozen = ["hardware.hardware_returns=0.05", "hardware.price_performance_oom_per_yr=0.0",
              "capital.investor_growth_per_yr=-1.0", "capital.wakeup_growth_per_yr=-1.0",
              "capital.revenue_growth_sensitivity=0", "hardware.flop_gain_per_generation=1.0",
              "research.ces_rho=-1.0", "algorithms.software_returns=3.0",
              "capital.revenue_reinvested_share=0"]
    t, speedup, res = _speedup(*frozen)
    multiplier = res.aggregates["ai_rd_multiplier"][:, 0]
    # research input with AI is bounded by experiments when they are complements and stop
    # growing: the multiplier flattens instead of exploding
    assert multiplier.max() < 50.0
    assert speedup.max() < 10.0
