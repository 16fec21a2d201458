"""The run record (an xarray Dataset with named dimensions): what ``sim.run`` returns and what
it holds, that it reads back to the same results, that every output of a result folder is
drawn from it, and that a sweep's chunk records open as one lazy Dataset equal to the sweep's
rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sim
from sim.outputs import record
from sim.outputs.output import write_run
from sim.sweep import run_sweep
from tests.sweep_helpers import summary, tiny_spec


@pytest.fixture(scope="module")
def batch():
    """Two scenarios (different seeds and adoption lags), 2023-2026."""
    return sim.run_batch([sim.load_config(overrides=["time.end_year=2026",
                                                     f"market.adoption_lag_years={lag}"],
                                          seed=seed) for seed, lag in ((3, 4.0), (9, 12.0))])


def assert_same_results(a, b):
    assert a.configs == b.configs
    np.testing.assert_array_equal(a.times, b.times)
    assert a.aggregates.keys() == b.aggregates.keys()
    for name, values in a.aggregates.items():
        np.testing.assert_array_equal(values, b.aggregates[name], err_msg=name)
    assert a.occupations.keys() == b.occupations.keys()
    for name, values in a.occupations.items():
        np.testing.assert_array_equal(values, b.occupations[name], err_msg=name)
    for name, years in a.milestones.items():
        np.testing.assert_array_equal(years, b.milestones[name], err_msg=name)
    assert a.occupation_codes == b.occupation_codes and a.occupation_titles == b.occupation_titles
    pd.testing.assert_frame_equal(a.occupation_info, b.occupation_info)
    assert a.occupation_scenarios == b.occupation_scenarios


def test_the_record_has_named_dimensions_coordinates_and_units(batch):
    ds = batch
    assert ds.sizes == {"time": 48, "scenario": 2, "occupation_scenario": 2, "occupation": 22,
                        "milestone": 9}
    assert ds["unemployment_rate"].dims == ("time", "scenario")
    assert ds["occupation.employed"].dims == ("time", "occupation_scenario", "occupation")
    assert ds["seed"].values.tolist() == [3, 9]
    assert ds["date"].values[0] == "2023-01" and ds["date"].values[-1] == "2026-12"
    assert ds["occupation"].values[0] == "11" and ds["title"].values[0].startswith("Management")
    assert ds["us_output_usd_per_yr"].attrs["units"] == "USD/yr (2023 dollars)"
    assert ds["occupation.wage_usd_per_hour"].attrs["units"]
    assert set(ds["milestone"].values) == set(batch.sim.milestones)
    # a scenario's row is its own: the record of the batch holds each run as run alone
    alone = sim.run(batch.sim.configs[1])
    np.testing.assert_array_equal(ds["unemployment_rate"].sel(scenario=1).values,
                                  alone["unemployment_rate"].sel(scenario=0).values)
    # the view reads the record's own arrays, not copies
    assert np.shares_memory(ds.sim.aggregates["unemployment_rate"], ds["unemployment_rate"].values)


def test_written_and_read_back_it_gives_the_same_results(batch, tmp_path):
    path = record.write(batch, tmp_path / "r.nc")
    with xr.open_dataset(path, engine=record.ENGINE) as ds:
        back = ds.load()
    assert_same_results(batch.sim, back.sim)  # configs parsed back from the record's JSON
    xr.testing.assert_identical(batch, back)


def test_occupations_of_some_scenarios_only(batch, tmp_path):
    ds = record.with_occupations_of(batch, 1)  # both scenarios' aggregates, 1's occupations
    assert ds["occupation_scenario"].values.tolist() == [1]
    one = ds.sim
    assert one.occupation_scenarios == (1,) and one.occupation_index(0) is None
    for name, values in one.occupations.items():
        np.testing.assert_array_equal(values, batch.sim.occupations[name][:, 1:2])
    assert one.scenario(0).occupations == {}
    np.testing.assert_array_equal(one.scenario(1).occupations["employed"],
                                  batch.sim.scenario(1).occupations["employed"])
    path = record.write(ds, tmp_path / "r.nc")
    with xr.open_dataset(path, engine=record.ENGINE) as loaded:
        assert_same_results(one, loaded.load().sim)


def test_a_result_folder_holds_its_record_equal_to_its_tables(tmp_path):
    written = sim.run(sim.load_config(overrides=["time.end_year=2025"]))
    folder = write_run(written, tmp_path / "run", plots=False)
    ds = record.open_run(folder)
    xr.testing.assert_identical(written, ds)
    back = ds.sim
    assert_same_results(written.sim, back)
    tables = pd.read_parquet(folder / "aggregates.parquet")
    pd.testing.assert_frame_equal(back.aggregates_frame(), tables)
    occupations = pd.read_parquet(folder / "occupations.parquet")
    pd.testing.assert_frame_equal(back.occupations_frame(), occupations)


def test_a_result_folder_with_a_changed_record_is_refused(tmp_path):
    folder = write_run(sim.run(sim.load_config(overrides=["time.end_year=2024"])),
                       tmp_path / "run", plots=False)
    with open(folder / record.RECORD_FILE, "r+b") as f:  # one byte changed after the run
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 1]))
    with pytest.raises(sim.errors.SimInputError, match="record.nc"):
        record.open_run(folder)


def test_every_output_of_a_result_folder_is_drawn_from_the_record(tmp_path):
    """Change the record after the run: the tables, summary, units and figures all follow."""
    from sim.outputs.run_data import load_run

    ds = sim.run(sim.load_config(overrides=["time.end_year=2024"])).copy(deep=True)
    ds["unemployment_rate"].values[5, 0] = 0.4321  # the peak now: a month no run gives
    ds["occupation.employed"].values[2, 0, 3] = 12345.0
    ds["milestone_year"].values[0, 0] = 2024.5
    ds["us_output_usd_per_yr"].attrs["units"] = "USD/yr (test)"
    folder = write_run(ds, tmp_path / "run", plots=True)
    agg = pd.read_parquet(folder / "aggregates.parquet")
    assert agg["unemployment_rate"].iloc[5] == 0.4321
    occ = pd.read_parquet(folder / "occupations.parquet")
    code = ds["occupation"].values[3]
    assert occ[(occ["step"] == 2) & (occ["occupation"] == code)]["employed"].item() == 12345.0
    ms = pd.read_parquet(folder / "milestones.parquet")
    assert ms["year"].iloc[0] == 2024.5
    summary_ = json.loads((folder / "summary.json").read_text())
    assert summary_["peak_unemployment_rate"] == 0.4321
    assert json.loads((folder / "units.json").read_text())["us_output_usd_per_yr"] == \
        "USD/yr (test)"
    xr.testing.assert_identical(record.open_run(folder), ds)
    run = load_run(folder)  # what the figures and the report read
    assert run.agg("unemployment_rate")[5] == 0.4321


def test_a_sweep_opens_as_one_lazy_dataset_equal_to_its_rows(tmp_path):
    spec = tiny_spec(tmp_path, runs=10, chunk=4)
    run_sweep(spec, tmp_path / "s", workers=1, progress=False)
    ds = record.open_sweep(tmp_path / "s")
    assert ds.sizes["scenario"] == 10 and ds["unemployment_rate"].chunks is not None  # lazy
    rows = summary(tmp_path / "s").sort_values("run").reset_index(drop=True)
    np.testing.assert_array_equal(ds["scenario"].values, rows["run"])
    np.testing.assert_array_equal(ds["seed"].values, rows["seed"])
    assert [str(s) for s in ds["status"].values] == rows["status"].tolist()
    for key in spec.keys:
        np.testing.assert_array_equal(ds[key].values, rows[key], err_msg=key)
    for name in spec.outputs.aggregates:
        for year in spec.outputs.years:
            np.testing.assert_array_equal(ds[name].sel(year_end=year).values,
                                          rows[f"{name}@{year}"], err_msg=f"{name}@{year}")
    for name in ds["milestone"].values:
        np.testing.assert_array_equal(ds["milestone_year"].sel(milestone=name).values,
                                      rows[f"milestone.{name}"], err_msg=str(name))


def test_occupations_frame_says_when_occupations_were_not_recorded():
    res = sim.run(sim.load_config(overrides=["time.end_year=2023"]), record_occupations=False).sim
    with pytest.warns(UserWarning, match="no occupations were recorded"):
        assert res.occupations_frame().empty


def test_a_scenario_past_the_first_keeps_its_occupations(batch):
    """An ensemble whose median member is not member 0: its one-scenario view, its tables and
    the report's view of it hold that member's occupations."""
    from sim.outputs.run_data import RunData

    one = batch.sim.scenario(1)
    assert one.occupation_scenarios is None and one.configs == [batch.sim.configs[1]]
    frame = one.occupations_frame()
    full = batch.sim.occupations_frame()
    np.testing.assert_array_equal(frame["employed"], full[full["scenario"] == 1]["employed"])
    median = record.with_occupations_of(batch, 1)
    median.attrs["median_member"] = 1
    view = median.sim
    assert view.occupation_scenarios == (1,) and view.scenario(0).occupations == {}
    assert set(view.occupations_frame()["scenario"]) == {1}
    run = RunData.from_results(view.scenario(1), label="median", source="memory")
    np.testing.assert_array_equal(run.occupations["employed"], frame["employed"])
    with pytest.raises(ValueError, match="left out"):
        batch.isel(scenario=[1]).sim.occupations_frame()
    with pytest.raises(ValueError, match="no scenario dimension"):
        batch.sel(scenario=1).sim.summary()
    assert batch.isel(scenario=[1]).sim.summary() == batch.sim.summary(1)
