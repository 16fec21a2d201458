"""Samplers: where in the unit hypercube each run lies, then each parameter's inverse CDF.

Every sampler is seeded by the sweep seed, so the same sweep file gives the same runs. The
Saltelli sampler (SALib) lays runs out in the order SALib's Sobol analysis expects; the run
index is the row of the sample matrix.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.sweep.spec import SweepSpec


def unit_samples(spec: SweepSpec) -> np.ndarray:
    """``(runs, D)`` points in [0, 1]; for the grid sampler, indices into each axis instead."""
    d = len(spec.parameters)
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed))
    if spec.sampler == "montecarlo":
        return rng.random((spec.runs, d))
    if spec.sampler == "latin":
        from scipy.stats import qmc
        return qmc.LatinHypercube(d=d, seed=rng).random(spec.runs)
    if spec.sampler == "saltelli":
        from SALib.sample import sobol
        problem = {"num_vars": d, "names": list(spec.keys), "bounds": [[0.0, 1.0]] * d}
        n = spec.runs // (d + 2)
        return sobol.sample(problem, n, calc_second_order=False, scramble=True,
                            seed=spec.seed % 2**32)
    if spec.sampler == "grid":
        axes = [range(p.n_grid()) for p in spec.parameters]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, d)
    raise ValueError(spec.sampler)


def sample_values(spec: SweepSpec) -> list[np.ndarray]:
    """Each parameter's value in every run: one array of length ``runs`` per parameter."""
    u = unit_samples(spec)
    if spec.sampler == "grid":
        return [p.grid_values()[u[:, j].astype(int)] for j, p in enumerate(spec.parameters)]
    return [p.ppf(u[:, j]) for j, p in enumerate(spec.parameters)]


def run_seeds(sweep_seed: int, runs: np.ndarray) -> np.ndarray:
    """Each run's model seed, from the sweep seed and the run index alone (SeedSequence), so a
    run's results do not depend on the chunk it falls in.
    """
    out = np.empty(len(runs), dtype=np.int64)
    for i, r in enumerate(runs):
        state = np.random.SeedSequence(sweep_seed, spawn_key=(int(r),)).generate_state(
            1, np.uint64)[0]
        out[i] = int(state >> np.uint64(1))
    return out
