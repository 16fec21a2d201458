"""The run record: everything a run recorded as one ``xarray.Dataset`` with named dimensions.

Dimensions and coordinates:

- ``scenario``: scenarios of the batch (``seed`` beside each), ``time``: steps (``year``,
  decimal, at the start of each step; ``date`` YYYY-MM), ``occupation``: SOC codes (with
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
(:func:`open_sweep`). Reading it back (:func:`from_dataset`) gives the same
:class:`sim.results.Results`, bit for bit.

This is the first part of the record: ``sim.run`` still returns :class:`Results`;
:func:`to_dataset` gives its record.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import SimConfig
from sim.errors import Problem, SimInputError
from sim.manifest import read_manifest, verify_files
from sim.results import Results, year_month

#: File name of the record in a result folder.
RECORD_FILE = "record.nc"
#: NetCDF engine: NetCDF-4/HDF5 through h5netcdf (variable-length text, compression).
ENGINE = "h5netcdf"
OCCUPATION_PREFIX = "occupation."
#: Folder of a sweep's chunk records (beside its Parquet ``chunks/``).
SWEEP_RECORDS = "records"


def to_dataset(results: Results):
    """The record of ``results`` (see the module docstring)."""
    import xarray as xr

    from sim import __version__

    units = results.units()
    times = np.asarray(results.times, float)
    coords = {"time": ("time", np.arange(len(times))),
              "year": ("time", times, {"units": "calendar year (decimal), start of the step"}),
              "date": ("time", np.array([year_month(t) for t in times], dtype=object)),
              "scenario": ("scenario", np.arange(results.n_scenarios)),
              "seed": ("scenario", np.array([c.seed for c in results.configs], dtype=np.int64)),
              "occupation": ("occupation", np.array(results.occupation_codes, dtype=object)),
              "title": ("occupation", np.array(results.occupation_titles, dtype=object))}
    data = {name: (("time", "scenario"), values, {"units": units.get(name, "")})
            for name, values in results.aggregates.items()}
    if results.occupations:
        held = (np.arange(results.n_scenarios) if results.occupation_scenarios is None
                else np.asarray(results.occupation_scenarios))
        coords["occupation_scenario"] = ("occupation_scenario", held)
        for name, values in results.occupations.items():
            data[OCCUPATION_PREFIX + name] = (("time", "occupation_scenario", "occupation"),
                                              values,
                                              {"units": units.get(OCCUPATION_PREFIX + name, "")})
    names = list(results.milestones)
    coords["milestone"] = ("milestone", np.array(names, dtype=object))
    data["milestone_year"] = (
        ("scenario", "milestone"),
        np.stack([results.milestones[n] for n in names], axis=1) if names
        else np.zeros((results.n_scenarios, 0)),
        {"units": "calendar year (decimal) first reached; NaN if not by the end"})
    if results.occupation_info is not None:
        for col in results.occupation_info.columns:
            if col in ("occupation", "title"):
                continue
            values = results.occupation_info[col].to_numpy()
            data[f"info.{col}"] = ("occupation", values.astype(object)
                                   if values.dtype == object else values)
    data["config"] = ("scenario", np.array([json.dumps(c.model_dump(mode="python"))
                                            for c in results.configs], dtype=object),
                      {"description": "the scenario's validated configuration (JSON)"})
    return xr.Dataset(data, coords=coords, attrs={
        "title": "ai-economy-sim run record", "sim_version": __version__,
        "conventions": "one variable per recorded series; units in each variable's 'units'"})


def from_dataset(ds) -> Results:
    """The :class:`Results` a record holds (the inverse of :func:`to_dataset`)."""
    configs = [SimConfig.model_validate(json.loads(str(text))) for text in ds["config"].values]
    aggregates = {name: np.asarray(ds[name].values) for name in ds.data_vars
                  if ds[name].dims == ("time", "scenario")}
    occupations = {str(name)[len(OCCUPATION_PREFIX):]: np.asarray(ds[name].values)
                   for name in ds.data_vars if str(name).startswith(OCCUPATION_PREFIX)}
    milestones = {str(n): np.asarray(ds["milestone_year"].sel(milestone=n).values)
                  for n in ds["milestone"].values}
    info_cols = [str(n) for n in ds.data_vars if str(n).startswith("info.")]
    info = None
    if info_cols:
        info = pd.DataFrame({"occupation": [str(c) for c in ds["occupation"].values],
                             "title": [str(t) for t in ds["title"].values]})
        for col in info_cols:
            values = ds[col].values
            info[col[len("info."):]] = ([str(v) for v in values] if values.dtype == object
                                        else values)
    held = None
    if "occupation_scenario" in ds.coords:
        held_values = tuple(int(i) for i in ds["occupation_scenario"].values)
        held = None if held_values == tuple(range(ds.sizes["scenario"])) else held_values
    return Results(configs, np.asarray(ds["year"].values, float), aggregates, occupations,
                   tuple(str(c) for c in ds["occupation"].values),
                   tuple(str(t) for t in ds["title"].values), milestones,
                   occupation_info=info, occupation_scenarios=held)


def chunk_dataset(columns: dict):
    """A sweep chunk's table (``sim.sweep.runner.run_chunk`` columns) in the record's
    vocabulary: ``scenario`` is the run number (``seed``, ``status``, ``error`` beside it);
    each swept parameter is a variable along ``scenario``; an aggregate kept at year ends
    (column ``NAME@YEAR``) is ``NAME`` over ``(scenario, year_end)``; milestones are
    ``milestone_year`` over ``(scenario, milestone)``, as in a run's record.
    """
    import xarray as xr

    units = Results.units()
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
                                  {"units": "calendar year (decimal) first reached; NaN if "
                                            "not by the end"})
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
