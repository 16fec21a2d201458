"""Batch parameter sweeps: a sweep file, samplers, a chunked runner and the analysis.

``spec`` reads and checks a sweep file, ``sampling`` draws the runs' parameter values,
``runner`` runs them in chunks on local processes or a Dask cluster and writes one Parquet file
per chunk, and ``analysis`` turns a finished sweep folder into indices and figures. A sweep
stopped by Ctrl-C or SIGTERM raises :class:`SweepInterrupted` and keeps its chunks for
``resume``.
"""

from sim.sweep.runner import SweepInterrupted, run_sweep
from sim.sweep.spec import SweepSpec, load_sweep

__all__ = ["SweepInterrupted", "SweepSpec", "load_sweep", "run_sweep"]
