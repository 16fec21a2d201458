"""Tiny sweeps shared by the sweep tests: 2023-2025, a few runs, small chunks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from sim.sweep import load_sweep

TINY = """
name: tiny
seed: 11
sampler: {sampler}
runs: {runs}
chunk_size: {chunk}
# a fast world (100% automation at 1e30 FLOP), so the 2023-2025 runs reach milestones
set: ["time.end_year={end}", "tasks.automation.requirement_100pct_oom=30.0"]
parameters:
  capital.investor_growth_per_yr: {{dist: uniform, low: 0.2, high: 0.9}}
  market.adoption_lag_years: {{dist: loguniform, low: 2, high: 12}}
  labour.wage_penalty: {{dist: triangular, low: 0.0, mode: 0.15, high: 0.4}}
outputs:
  years: [2024, {end}]
  aggregates: [capable_share, unemployment_rate]
  milestones: true
  paths: [adopted_share]
"""


def tiny_spec(tmp_path: Path, *, runs=12, chunk=3, sampler="latin", end=2025, extra="",
              **replace):
    path = tmp_path / f"tiny-{sampler}-{runs}-{chunk}-{end}.yaml"
    path.write_text(TINY.format(runs=runs, chunk=chunk, sampler=sampler, end=end) + extra)
    spec = load_sweep(path)
    return dataclasses.replace(spec, **replace) if replace else spec


def summary(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(Path(folder) / "summary.parquet")


def paths(folder: Path) -> pd.DataFrame:
    return (pd.read_parquet(Path(folder) / "paths").sort_values(["run", "year"])
            .reset_index(drop=True))
