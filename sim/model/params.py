"""Stack B scenario configs into arrays with a leading scenario axis.

Scalars become ``(B, 1)`` columns, per-lab fields ``(B, L)`` and per-vendor fields ``(B, V)``, so
they broadcast against lab, vendor, task ``(B, K)`` and occupation ``(B, O)`` state alike. Strings
and other structure must agree across the batch (see :meth:`SimConfig.structure_key`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.config.schema import SimConfig
from sim.errors import BatchStructureError, Problem


class Params(SimpleNamespace):
    """Nested namespace of parameter arrays (``p.capital.investor_growth_per_yr`` is (B, 1))."""


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _stack(values: list[Any]) -> Any:
    first = values[0]
    if isinstance(first, dict):
        return Params(**{k: _stack([v[k] for v in values]) for k in first})
    if isinstance(first, list) and first and isinstance(first[0], dict):
        # A list of records (labs, vendors): one (B, n) array per numeric field.
        out = {}
        for key in first[0]:
            column = [[item[key] for item in v] for v in values]
            if _is_number(first[0][key]):
                out[key] = np.array(column, dtype=float)
            else:
                out[key] = column[0]
        return Params(**out)
    if _is_number(first):
        return np.array(values, dtype=float)[:, None]
    return first


def stack_configs(configs: list[SimConfig]) -> Params:
    """Parameter arrays for a batch of structurally identical scenarios."""
    if not configs:
        raise BatchStructureError("batch", [Problem("scenarios", 0, "allowed: at least one")])
    key = configs[0].structure_key()
    for i, c in enumerate(configs[1:], start=1):
        if c.structure_key() != key:
            raise BatchStructureError("batch", [Problem(
                f"scenario {i}", "structure differs from scenario 0",
                "allowed: same time axis, labs (names, kinds), vendors, task bins and "
                "occupation source in one batch; run different structures as separate "
                "batches")])
    params = _stack([c.model_dump(mode="python") for c in configs])
    params.labs.is_open = np.array([lab.kind == "open_weights" for lab in configs[0].labs])
    return params


def member(section: Params, index: int) -> Params:
    """The parameters of one member of a section stacked over labs or vendors (each field
    (B, N)): a view with each field's column ``index``, (B, 1), read by attribute.
    """
    return Params(**{k: v[:, index:index + 1] for k, v in vars(section).items()
                     if isinstance(v, np.ndarray) and v.ndim == 2})
