"""Batch parameter sweeps: a sweep file, samplers, a chunked runner and the analysis.

``spec`` reads and checks a sweep file, ``sampling`` draws the runs' parameter values,
``runner`` runs them in chunks on local processes or a Dask cluster and writes one Parquet file
per chunk, and ``analysis`` turns a finished sweep folder into indices and figures.
"""

from sim.sweep.runner import run_sweep
from sim.sweep.spec import SweepSpec, load_sweep

__all__ = ["SweepSpec", "load_sweep", "run_sweep"]
