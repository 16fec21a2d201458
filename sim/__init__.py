"""An agent-based simulator of the AI economy: labs, GPU vendors, model copies and workers.

Typical use from Python::

    import sim
    cfg = sim.load_config(scenario="compute_boom", overrides=["seed=3"])
    ds = sim.run(cfg)           # the run record, an xarray.Dataset (sim.outputs.record)
    ds.sim.aggregates_frame()   # tidy pandas tables
    from sim.outputs.output import write_run
    write_run(ds, "results/boom")   # tables, record.nc, summary, figures: all from ds
"""

import os
from importlib.metadata import PackageNotFoundError, version

# The compiled kernels' own exp/log (sim.model.vector_math) give an element the same bits in
# any SIMD lane; Intel's vector maths library, where installed, would not, so the C-library
# calls left in the kernels stay scalar libm calls.
os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")

from sim.config.loading import load_config  # noqa: E402
from sim.config.schema import SimConfig  # noqa: E402
from sim.errors import SimInputError  # noqa: E402

try:
    __version__ = version("ai-economy-sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

#: Imported on first use: the model pulls in mesa, numba and pandas (~150 MB and ~1.5 s),
#: which ``sim validate`` or a rejected input never needs.
_LAZY = {"Results": "sim.outputs.results", "run": "sim.runner", "run_batch": "sim.runner"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = ["SimConfig", "SimInputError", "load_config", "Results", "run", "run_batch",
           "__version__"]
