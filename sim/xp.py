"""The array namespace the mechanisms use, and batch-invariant reductions.

numpy's ``sum`` picks its summation order (pairwise, SIMD blocks, row-by-row) from the shape of
the whole array, so a scenario's total can differ in the last bit between B = 1 and B = 64.
``cumsum`` always adds strictly in order, so totals taken from it depend only on the scenario's
own numbers: a scenario's results are identical alone or inside any batch.
"""

from __future__ import annotations

import numpy as xp  # noqa: F401 - the one place a GPU backend (CuPy) would be swapped in


def total(x, axis: int = -1, keepdims: bool = False):
    """Sum along ``axis`` in a fixed, sequential order."""
    out = xp.take(xp.cumsum(x, axis=axis), [-1], axis=axis)
    return out if keepdims else xp.squeeze(out, axis=axis)


def segment_total(x, n_segments: int):
    """Sums of ``n_segments`` equal, contiguous segments along the last axis of ``(B, K)``."""
    b, k = x.shape
    return total(x.reshape(b, n_segments, k // n_segments), axis=-1)
