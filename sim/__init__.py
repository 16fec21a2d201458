"""An agent-based simulator of the AI economy: labs, GPU vendors, model copies and workers.

Typical use from Python::

    import sim
    cfg = sim.load_config(scenario="compute_boom", overrides=["seed=3"])
    res = sim.run(cfg)
    res.aggregates_frame()      # tidy pandas tables
    sim.plots.make_figures(res, "figures/")
"""

from importlib.metadata import PackageNotFoundError, version

from sim.config import SimConfig
from sim.errors import SimInputError
from sim.loading import load_config
from sim.results import Results
from sim.runner import run, run_batch

try:
    __version__ = version("ai-economy-sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

__all__ = ["SimConfig", "SimInputError", "load_config", "Results", "run", "run_batch",
           "__version__"]
