"""Per-scenario random streams, drawn once before the run.

Each scenario draws from its own ``numpy`` generator seeded by its own seed, so its shocks are
identical whether it runs alone or inside any batch. Shocks are yearly (funding rounds,
research luck), so they are small to hold even for large batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shocks:
    """Standard-normal shocks, each ``(B, years, labs)``."""

    investment: np.ndarray
    efficiency: np.ndarray


def draw_shocks(seeds, n_years: int, n_labs: int) -> Shocks:
    """One generator per scenario seed; the loop runs once at set-up, never per step. Drawn
    year by year, so a year's shocks do not depend on how many years the run has: a longer
    run repeats a shorter one over their common years.
    """
    draws = np.empty((len(seeds), n_years, 2, n_labs))
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
        draws[i] = rng.standard_normal((n_years, 2, n_labs))
    return Shocks(investment=draws[:, :, 0], efficiency=draws[:, :, 1])
