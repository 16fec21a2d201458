"""What a run produces and how it is kept: the run record, an ``xarray.Dataset`` with named
dimensions (:mod:`sim.outputs.record`), and its numpy and pandas views
(:mod:`sim.outputs.results`, ``record.sim``); milestones read off it; result folders written
from it without ever leaving a half-written one (:mod:`sim.outputs.output` with
:mod:`sim.files`, :mod:`sim.outputs.manifest`) and read back for reports, compares and
the dashboard (:mod:`sim.outputs.run_data`).
"""
