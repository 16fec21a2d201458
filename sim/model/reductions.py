"""Batch-invariant reductions: sums whose order depends only on a scenario's own numbers.

numpy's ``sum`` picks its summation order (pairwise, SIMD blocks, row-by-row) from the shape of
the whole array, so a scenario's total can differ in the last bit between B = 1 and B = 64.
``cumsum`` always adds strictly in order, so totals taken from it depend only on the scenario's
own numbers: a scenario's results are identical alone or inside any batch.
"""

from __future__ import annotations

import numpy as np

#: Axes up to this length are summed slice by slice (fast for labs and vendors)...
SHORT_AXIS = 16
#: ... and so are longer ones once each slice holds this many numbers (a batch of 128 or more
#: scenarios): numpy's cost per call is then repaid, where ``cumsum`` along rows is slow (1,000
#: x 22: a third of its time; 1,000 x 264: under half). Smaller batches go through ``cumsum``.
#: Both add strictly in order, so the choice never changes a result.
WIDE_SLICE = 128


def total(x, axis: int = -1, keepdims: bool = False):
    """Sum along ``axis`` in a fixed, sequential order (in float64 when slice by slice, so for
    float64 arrays, as the model's all are, both paths give the same bits).
    """
    axis = axis % x.ndim
    n = x.shape[axis]
    if 0 < n and (n <= SHORT_AXIS or x.size >= WIDE_SLICE * n):
        lead = (slice(None),) * axis
        out = x[lead + (0,)].astype(float)  # a copy, so the sum never writes into x
        for i in range(1, n):
            out += x[lead + (i,)]
        return np.expand_dims(out, axis) if keepdims else out
    out = np.take(np.cumsum(x, axis=axis), [-1], axis=axis)
    return out if keepdims else np.squeeze(out, axis=axis)


def safe_ratio(num, den, default):
    """``num / den`` where ``den > 0``, else ``default`` (no division by zero is evaluated)."""
    positive = den > 0
    return np.where(positive, num / np.where(positive, den, 1.0), default)
