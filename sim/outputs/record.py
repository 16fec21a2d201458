"""The run record: everything a run recorded as one ``xarray.Dataset`` with named dimensions.

Dimensions and coordinates:

- ``scenario``: scenarios of the batch (``seed`` and ``name`` beside each), ``time``: steps
  (``year``, decimal, at the start of each step; ``date`` YYYY-MM), ``occupation``: SOC codes (with
  ``title`` and ``soc_major``), ``milestone``: milestone names;
- occupation series use ``occupation_scenario``: the scenarios whose occupations were
  recorded (all of them, or an ensemble's median member only).

Variables: every aggregate as ``(time, scenario)``, every occupation series as ``(time,
occupation_scenario, occupation)`` named ``occupation.NAME``, ``milestone_year`` as
``(scenario, milestone)``, the occupation table's facts along ``occupation``
(``info.employment_start``, ...), and each scenario's validated configuration as JSON text
(``config``; infinite values as ``Infinity``). Each variable carries its ``units``; the
Dataset carries the package version.

On disk the record is one NetCDF-4 file (``record.nc`` in a result folder, written with
h5netcdf): a single self-describing file that xarray, netCDF tools, R and Julia read, and that
:func:`xarray.open_mfdataset` opens lazily, with Dask, across a sweep's chunks
(:func:`open_sweep`), and reads back bit for bit (:func:`open_run`).

:func:`sim.run` and :func:`sim.run_batch` return the record; ``record.sim``
(:class:`sim.outputs.results.Results`) gives its arrays by name and tidy pandas tables. Every output
of a run (Parquet tables, ``record.nc``, summary, figures, report) is written from it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.config.schema import SimConfig
from sim.errors import Problem, SimInputError
from sim.outputs.manifest import read_manifest, verify_files
from sim.outputs.milestones import milestone_years
from sim.outputs.results import (
    INFO_PREFIX,
    MILESTONE_UNITS,
    OCCUPATION_PREFIX,
    series_units,
    without_occupations,
    year_month,
)

#: File name of the record in a result folder.
RECORD_FILE = "record.nc"
#: NetCDF engine: NetCDF-4/HDF5 through h5netcdf (variable-length text, compression).
ENGINE = "h5netcdf"
#: Folder of a sweep's chunk records (beside its Parquet ``chunks/``).
SWEEP_RECORDS = "records"


def from_model(model, configs: list[SimConfig], join_report: dict | None = None,
               names=None):
    """The record of a finished model (see the module docstring); its view ``.sim`` keeps
    ``configs`` so they are not parsed back from JSON. ``names``: each scenario's name.
    """
    rec, table = model.recorder, model.workers.table
    times = model.start_year + np.arange(model.n_steps) * model.dt_years
    milestones = milestone_years(
        rec.aggregates, times, configs[0].milestones.levels,
        [c.milestones.full_automation_share for c in configs],
        [c.research.automated_researcher_share for c in configs])
    ds = build(configs, times, rec.aggregates, rec.occupations, table.codes, table.titles,
               milestones, table.info_frame(), join_report=join_report, names=names)
    ds.sim._configs = list(configs)
    return ds


def build(configs, times, aggregates, occupations, codes, titles, milestones,
          occupation_info=None, join_report=None, names=None):
    """A record from arrays as recorded: aggregates ``(T, B)``, occupation series
    ``(T, B, O)``, milestone years ``(B,)``; the arrays are used as they are, not copied.
    ``names``: each scenario's name (None: unnamed, "").
    """
    import xarray as xr

    from sim import __version__

    units = series_units()
    times = np.asarray(times, float)
    n = len(configs)
    coords = {"time": ("time", np.arange(len(times))),
              "year": ("time", times, {"units": "calendar year (decimal), start of the step"}),
              "date": ("time", np.array([year_month(t) for t in times], dtype=object)),
              "scenario": ("scenario", np.arange(n)),
              "seed": ("scenario", np.array([c.seed for c in configs], dtype=np.int64)),
              "name": ("scenario", np.array(list(names) if names is not None else [""] * n,
                                            dtype=object),
                       {"description": "the scenario's name: an overlay, a config file's stem, "
                                       "'default', or as the caller named it"}),
              "occupation": ("occupation", np.array(codes, dtype=object)),
              "title": ("occupation", np.array(titles, dtype=object))}
    data = {name: (("time", "scenario"), values, {"units": units.get(name, "")})
            for name, values in aggregates.items()}
    if occupations:
        coords["occupation_scenario"] = ("occupation_scenario", np.arange(n))
        data.update(_occupation_variables(occupations))
    reached = list(milestones)
    coords["milestone"] = ("milestone", np.array(reached, dtype=object))
    data["milestone_year"] = (
        ("scenario", "milestone"),
        np.stack([milestones[m] for m in reached], axis=1) if reached else np.zeros((n, 0)),
        {"units": MILESTONE_UNITS})
    if occupation_info is not None:
        for col in occupation_info.columns:
            if col in ("occupation", "title"):
                continue
            values = occupation_info[col].to_numpy()
            data[INFO_PREFIX + col] = ("occupation", values.astype(object)
                                       if values.dtype == object else values)
    data["config"] = ("scenario", np.array([json.dumps(c.model_dump(mode="python"))
                                            for c in configs], dtype=object),
                      {"description": "the scenario's validated configuration (JSON)"})
    attrs = {"title": "ai-economy-sim run record", "sim_version": __version__,
             "conventions": "one variable per recorded series; units in each variable's "
                            "'units'"}
    if join_report:
        attrs["join_report"] = json.dumps(join_report)
    return xr.Dataset(data, coords=coords, attrs=attrs)


def with_occupations_of(ds, k: int, occupations: dict[str, np.ndarray] | None = None):
    """``ds`` holding the occupation series of scenario ``k`` only: its own (``occupations``
    None) or ``occupations`` ``(T, 1, O)`` recorded elsewhere (a run of ``k`` alone).
    """
    if occupations is None:
        occupations = {name: values.copy() for name, values in
                       ds.sel(occupation_scenario=[k]).sim.occupations.items()}
    kept = without_occupations(ds).assign(_occupation_variables(occupations))
    if occupations:
        kept = kept.assign_coords(occupation_scenario=("occupation_scenario", [k]))
    kept.sim._configs = ds.sim._configs
    return kept


def _occupation_variables(occupations: dict[str, np.ndarray]) -> dict:
    """Occupation series ``(T, B', O)`` as the record's variables, with their units."""
    units = series_units()
    return {OCCUPATION_PREFIX + name: (("time", "occupation_scenario", "occupation"), values,
                                       {"units": units.get(OCCUPATION_PREFIX + name, "")})
            for name, values in occupations.items()}


def chunk_dataset(columns: dict):
    """A sweep chunk's table (``sim.sweep.runner.run_chunk`` columns) in the record's
    vocabulary: ``scenario`` is the run number (``seed``, ``status``, ``error`` beside it);
    each swept parameter is a variable along ``scenario``; an aggregate kept at year ends
    (column ``NAME@YEAR``) is ``NAME`` over ``(scenario, year_end)``; milestones are
    ``milestone_year`` over ``(scenario, milestone)``, as in a run's record.
    """
    import xarray as xr

    units = series_units()
    coords = {"scenario": ("scenario", np.asarray(columns["run"], np.int64)),
              "seed": ("scenario", np.asarray(columns["seed"], np.int64)),
              "status": ("scenario", np.asarray(columns["status"], dtype=object)),
              "error": ("scenario", np.asarray(columns["error"], dtype=object))}
    kept: dict[str, dict[int, np.ndarray]] = {}
    milestones: dict[str, np.ndarray] = {}
    data = {}
    for name, values in columns.items():
        if name in ("run", "seed", "status", "error"):
            continue
        if "@" in name:
            aggregate, year = name.rsplit("@", 1)
            kept.setdefault(aggregate, {})[int(year)] = np.asarray(values, float)
        elif name.startswith("milestone."):
            milestones[name[len("milestone."):]] = np.asarray(values, float)
        else:
            data[name] = ("scenario", np.asarray(values), {"description": "swept parameter"})
    years = sorted({y for by_year in kept.values() for y in by_year})
    if years:
        coords["year_end"] = ("year_end", np.asarray(years, np.int64),
                              {"units": "calendar year; the value in its last month"})
    for aggregate, by_year in kept.items():
        data[aggregate] = (("scenario", "year_end"), np.stack([by_year[y] for y in years],
                                                              axis=1),
                           {"units": units.get(aggregate, "")})
    if milestones:
        coords["milestone"] = ("milestone", np.array(list(milestones), dtype=object))
        data["milestone_year"] = (("scenario", "milestone"),
                                  np.stack(list(milestones.values()), axis=1),
                                  {"units": MILESTONE_UNITS})
    return xr.Dataset(data, coords=coords, attrs={"title": "ai-economy-sim sweep chunk"})


def open_sweep(folder: Path | str):
    """A whole sweep's chunk records as one lazy Dataset (Dask arrays) along ``scenario``,
    in run order; nothing is read until asked for.
    """
    import xarray as xr

    paths = sorted((Path(folder) / SWEEP_RECORDS).glob("chunk-*.nc"))
    if not paths:
        raise SimInputError(f"SWEEP_DIR {folder}", [Problem(SWEEP_RECORDS, "(none)", "allowed: "
                                                            "a sweep folder with chunk records "
                                                            "(this version's `sim sweep`)")])
    return xr.open_mfdataset(paths, engine=ENGINE, combine="nested", concat_dim="scenario",
                             data_vars="minimal", coords="minimal", compat="override")


def write(ds, path: Path) -> Path:
    """Write a record to ``path`` (NetCDF-4)."""
    ds.to_netcdf(path, engine=ENGINE)
    return path


def open_run(folder: Path | str, arg: str = "RUN_DIR"):
    """The record of a result folder, its files first checked against the manifest (bad input
    raises :class:`sim.errors.SimInputError` naming ``arg``).
    """
    import xarray as xr

    folder = Path(folder)
    manifest = read_manifest(folder, arg)
    if RECORD_FILE not in manifest["files"]:
        raise SimInputError(f"{arg} {folder}", [Problem(RECORD_FILE, "(missing)", "allowed: a "
                                                        "result folder written with its record "
                                                        "(this version's `sim run`)")])
    verify_files(folder, manifest, arg)
    with xr.open_dataset(folder / RECORD_FILE, engine=ENGINE) as ds:
        return ds.load()
